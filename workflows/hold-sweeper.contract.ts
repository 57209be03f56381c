/**
 * Public contract of the hold sweeper: the periodic reconciliation that keeps "no hold is left
 * pending, no calendar booking without a confirmed booking" true after failures the sagas cannot
 * clean up themselves (an operator terminated a saga, a worker lost its history, a compensation
 * gave up). A Temporal Schedule (`hold-sweeper`, every 5 minutes, overlap skip; created by the
 * worker at start-up) runs `holdSweeperWorkflow` with the defaults below. It only ever acts on
 * rows whose owning workflows are closed or unknown, so it cannot race a live saga.
 * Names are a durable API.
 */
export { BOOKING_TASK_QUEUE } from './book-appointment.contract';

export const HOLD_SWEEPER_WORKFLOW = 'holdSweeperWorkflow';
export const HOLD_SWEEPER_SCHEDULE_ID = 'hold-sweeper';
export const HOLD_SWEEPER_INTERVAL = '5 minutes';
/** A scheduled run that cannot finish (e.g. its worker is gone) ends before the next one is due. */
export const HOLD_SWEEPER_RUN_TIMEOUT = '4 minutes';

export interface HoldSweeperInput {
  /**
   * A hold is a candidate when it has been `pending` unchanged this long (default 2: a hold the
   * API took whose saga never started is expired by the next run; a hold whose owner still runs
   * is never touched, so a short bound costs only a describe per slow saga).
   */
  staleAfterMinutes?: number;
  /** Cal.com bookings starting this many days back and ahead are checked for orphans (default 7 / 90). */
  pastDays?: number;
  futureDays?: number;
  /** Cal.com bookings younger than this are left alone (default 30): their saga may still be starting. */
  orphanMinAgeMinutes?: number;
  /** At most this many holds and orphans per run (default 200 each); the next run continues. */
  limit?: number;
  /** Sweep one company only (operators, tests). Orphans whose booking row is gone need no scope and are skipped then. */
  companyId?: string;
}

export const HOLD_SWEEPER_DEFAULTS: Required<Omit<HoldSweeperInput, 'companyId'>> = {
  staleAfterMinutes: 2,
  pastDays: 7,
  futureDays: 90,
  orphanMinAgeMinutes: 30,
  limit: 200,
};

/** A `pending` row that has not changed for `staleAfterMinutes`. */
export interface StaleHold {
  bookingId: string;
  /** booking: a booking saga's hold; placeholder: a reschedule saga's hold on the new slot. */
  kind: 'booking' | 'placeholder';
  companyId: string;
  branchId: string;
  staffId: string;
  start: string;
  end: string;
  /** The row's updatedAt when listed: the expiry only applies while the row is still exactly so. */
  updatedAt: string;
  /** Workflows that may still finish this hold (the saga, a running support retry). */
  owners: string[];
}

/**
 * A live Cal.com booking made for one of our bookings that is failed, cancelled or gone. (A
 * `pending` booking's Cal.com booking belongs to its hold: once the hold is stale and expired,
 * it is an orphan.)
 */
export interface CalendarOrphan {
  uid: string;
  bookingId: string;
  /** The row's status; `missing` when the booking row is gone. */
  rowStatus: 'failed' | 'cancelled' | 'missing';
  /** The row's updatedAt when listed (null when missing): the cancel applies only while unchanged. */
  updatedAt: string | null;
  owners: string[];
  /** The calendar connection (Cal.com account) holding it; absent in lists made before connections. */
  connectionId?: string;
}

export type WorkflowState = 'running' | 'closed' | 'not_found';

export interface HoldSweeperResult {
  /** Holds expired (booking → failed `hold_expired`) or placeholders deleted. */
  expired: string[];
  /** Stale holds left alone because a workflow that owns them is still running. */
  skippedLive: string[];
  /** Cal.com bookings cancelled as orphans. */
  cancelledOrphans: Array<{ uid: string; bookingId: string }>;
  /** Orphan candidates left alone (owner running, or the row changed meanwhile). */
  skippedOrphans: Array<{ uid: string; bookingId: string; reason: string }>;
}
