/**
 * Public contract of the reschedule saga: input/result, messages and workflow id. The HTTP layer
 * starts it (`POST /v1/bookings/:id/reschedule`) and maps the result: `rescheduled` → 200,
 * `conflict` → 409 slot_unavailable, `invalid_state` → 409, `rule_violation` → 422,
 * `calendar_failed` → 502 (old time kept), `not_found` → 404. Names are a durable API.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type {
  BookedSlot,
  ConflictOutcome,
  InvalidStateOutcome,
  NotFoundOutcome,
  RuleViolationOutcome,
} from './lib/outcomes';

export { BOOKING_TASK_QUEUE } from './book-appointment.contract';

/** Workflow function name registered by the worker (workflows/index.ts). */
export const RESCHEDULE_WORKFLOW = 'rescheduleBookingWorkflow';

export interface RescheduleBookingInput {
  bookingId: string;
  /** UTC ISO instant of the new start */
  start: string;
  /** Omit to keep the booking's staff member */
  staffId?: string | null;
  reason?: string | null;
  /**
   * Set by the support retry (sync-retry workflow) re-running a refused reschedule: the saga then
   * records no new sync failure; the retry reopens the original one instead.
   */
  retryOf?: string | null;
  /**
   * A customer's own move (self-service): the branch's maxReschedules. Since patch
   * `reschedule-count-claim` the saga claims the move under it (a guarded increment of the
   * booking's count) before it holds the new slot, so concurrent moves cannot pass the limit; a
   * refused claim answers `rule_violation` (max_reschedules). Absent for company keys (not bound).
   */
  maxReschedules?: number | null;
}

export type RescheduledOutcome = { kind: 'rescheduled' } & BookedSlot & {
  previousStart: string;
  previousEnd: string;
  previousStaffId: string;
  rescheduledCount: number;
  /** The booking was already at the target (a repeated reschedule): nothing moved, counted or mailed. */
  unchanged?: boolean;
};

/** The calendar refused the move for good: the new hold was released, the old time is kept. */
export type RescheduleCalendarFailedOutcome = {
  kind: 'calendar_failed';
  bookingId: string;
  error: string;
  /** null when the run was a support retry (`retryOf`), which keeps the original failure */
  syncFailureId: string | null;
};

export type RescheduleBookingResult =
  | RescheduledOutcome
  | ConflictOutcome
  | RuleViolationOutcome
  | InvalidStateOutcome
  | NotFoundOutcome
  | RescheduleCalendarFailedOutcome;

export type RescheduleStep =
  | 'planning'
  | 'holding'
  | 'rescheduling_calendar'
  | 'moving'
  | 'releasing_old'
  | 'notifying'
  | 'compensating'
  | 'done';

/**
 * `requestKey` makes each reschedule request its own execution: the API passes the digest of the
 * Idempotency-Key (so a repeated request attaches to the same run) or a fresh id.
 * Recommended start options: WorkflowIdConflictPolicy USE_EXISTING, reuse policy REJECT_DUPLICATE.
 */
export const rescheduleWorkflowId = (bookingId: string, requestKey: string | number): string =>
  `reschedule-${bookingId}-${requestKey}`;

/** Same query name as the booking saga: the current step. */
export const rescheduleStepQuery = defineQuery<RescheduleStep>('currentStep');

/** Resolves with the business outcome (before notification); usable with update-with-start. */
export const awaitRescheduleOutcomeUpdate = defineUpdate<RescheduleBookingResult>('awaitOutcome');
