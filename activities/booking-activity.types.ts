/**
 * Plain-data inputs and outputs of the booking activities, shared with the workflows through
 * `import type`. Instants are UTC ISO strings.
 */
import type { BookAppointmentInput } from '../workflows/book-appointment.contract';
import type {
  ConflictOutcome,
  InvalidStateOutcome,
  NotFoundOutcome,
  RuleViolationOutcome,
} from '../workflows/lib/outcomes';

import type { SlotPlan } from '../infra/booking/slot-plan.types';

// Planning and holding live below the API and the activities (the API takes a booking's hold).
export type { SlotPlan, PlanResult, PlanRequest, BookingPlanner } from '../infra/booking/slot-plan.types';

export interface HoldInput {
  bookingId: string;
  workflowId: string;
  booking: BookAppointmentInput;
  plan: SlotPlan;
}

/** `plan`: the slot of a hold that already existed (a retried step), which may differ from this plan. */
export type HoldResult = { kind: 'held'; plan?: SlotPlan } | ConflictOutcome;

export interface BookingSnapshot {
  bookingId: string;
  companyId: string;
  branchId: string;
  customerId: string;
  staffId: string;
  start: string;
  end: string;
  status: string;
}

export type RescheduleInputs = { bookingId: string; start: string; staffId?: string | null };

export type ReschedulePlan =
  /** `previousParts`: a package's parts where they are now (the calendar moves back there on a refusal). */
  | { kind: 'ok'; booking: BookingSnapshot; plan: SlotPlan; previousParts?: SlotPlan['parts'] }
  | InvalidStateOutcome
  | RuleViolationOutcome
  | ConflictOutcome
  | NotFoundOutcome;

/** Where a moved booking was; `unchanged` when it already sat at the target (nothing moved). */
export interface MoveResult {
  previousStart: string;
  previousEnd: string;
  previousStaffId: string;
  rescheduledCount: number;
  unchanged?: boolean;
}

/** `partIds`: a package's later parts (their own rows, each with its own Cal.com booking). */
export type CancelRecordResult = ({ kind: 'cancelled'; alreadyCancelled: boolean; partIds?: string[] } & BookingSnapshot) | InvalidStateOutcome | NotFoundOutcome;
export type NoShowResult = ({ kind: 'no_show' } & BookingSnapshot) | InvalidStateOutcome | NotFoundOutcome;

export type SyncOperation = 'create' | 'reschedule' | 'cancel' | 'inbound_reschedule';

export interface SyncFailureView {
  id: string;
  bookingId: string;
  operation: SyncOperation;
  attempts: number;
  payload: { start?: string; staffId?: string | null; reason?: string | null };
  booking: BookingSnapshot;
}

export type BeginSyncRetryResult =
  | { kind: 'ok'; failure: SyncFailureView }
  | { kind: 'not_retryable'; failureId: string; status: string }
  | NotFoundOutcome;
