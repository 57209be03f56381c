/**
 * Public contract of the waiting-list monitor (one entity workflow per entry, id
 * `waitlist-<entryId>` from waitlist-signals.contract.ts, which also holds `slotFreed`).
 * Names are a durable API: never rename them.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import { derivedBookingId } from './series.contract';

export { slotFreedSignal, waitlistWorkflowId, type SlotFreedEvent } from './waitlist-signals.contract';

export type WaitlistStatus = 'waiting' | 'notified' | 'booked' | 'expired' | 'cancelled';

export interface WaitlistOffer {
  /** UTC ISO instants */
  start: string;
  end: string;
  staffId: string;
}

export interface WaitlistMonitorState {
  status: WaitlistStatus;
  checks: number;
  /** checks started by a `slotFreed` signal */
  signalWakeups: number;
  offers: WaitlistOffer[];
  notificationsSent: number;
  bookingId: string | null;
  /** booking attempts so far; part of the derived booking ids */
  bookingAttempts: number;
  runs: number;
  lastCheckAt: string | null;
}

export interface WaitlistMonitorInput {
  entryId: string;
  /** UTC ISO; the monitor ends `expired` then */
  expiresAt: string;
  autoBook: boolean;
  checkIntervalMs: number;
  /** UTC range outside which a freed booking cannot help this entry (domain entryReachUtc) */
  reach: { start: string; end: string };
  /** continue-as-new carry-over */
  state?: WaitlistMonitorState;
  checkPending?: boolean;
  /** continue-as-new carry-over: offers signalled (fan-out) and not yet acted on */
  pendingOffers?: SignalledOffers | null;
  /** loop iterations per run before continue-as-new, besides the server's suggestion */
  maxIterationsPerRun?: number;
}

/** Offers a `slotFreed` signal allocated to this entry, with who books them. */
export interface SignalledOffers {
  offers: WaitlistOffer[];
  booking: { companyId: string; branchId: string; serviceId: string; customerId: string };
}

/** What the check activity found; `closed` when the entry is no longer open in the database. */
export type WaitlistCheck =
  | { kind: 'closed'; status: WaitlistStatus; bookingId: string | null }
  | {
      kind: 'open';
      /** fair, matching offers for this entry, nearest first (after older entries took theirs) */
      candidates: WaitlistOffer[];
      booking: { companyId: string; branchId: string; serviceId: string; customerId: string };
    };

/** Activities the monitor calls (implemented by activities/waitlist.activities.ts). */
export interface WaitlistActivities {
  checkWaitlistEntry(input: { entryId: string }): Promise<WaitlistCheck>;
  /** Sends the not-yet-offered candidates (≤ 3) in one email; no email when none is new. */
  offerWaitlistSlots(input: { entryId: string; candidates: WaitlistOffer[] }): Promise<{ offers: WaitlistOffer[]; notificationsSent: number; sent: WaitlistOffer[] }>;
  markWaitlistBooked(input: { entryId: string; bookingId: string }): Promise<void>;
  closeWaitlistEntry(input: { entryId: string; status: 'expired' | 'cancelled' }): Promise<void>;
}

/**
 * The periodic safety check of an idle monitor (WAITLIST_CHECK_INTERVAL): hours apart, since
 * freed slots reach the monitors by signal within seconds; jittered per entry (checkDelayMs).
 */
export const DEFAULT_WAITLIST_CHECK_INTERVAL_MS = 12 * 3_600_000;
export const DEFAULT_WAITLIST_EXPIRY_DAYS = 30;
export const MAX_AUTOBOOK_ATTEMPTS_PER_CHECK = 3;
/** Schedule-to-close bound of one waiting-list check (all its retries together). */
export const WAITLIST_CHECK_SCHEDULE_TO_CLOSE = '10 minutes';
/** Loop iterations per run before continue-as-new (runs before patch `waitlist-monitor-v2`: 200). */
export const WAITLIST_ITERATIONS_PER_RUN = 50;
export const LEGACY_WAITLIST_ITERATIONS_PER_RUN = 200;

/** Booking id of the n-th auto-book attempt of an entry (derived: replays never book twice). */
export const waitlistBookingId = (entryId: string, attempt: number): string => derivedBookingId(`waitlist:${entryId}:${attempt}`);

export const waitlistStateQuery = defineQuery<WaitlistMonitorState>('waitlistState');
/** The entry was deleted: end `cancelled`. */
export const cancelWaitlistSignal = defineSignal('cancelWaitlist');
