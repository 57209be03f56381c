/**
 * Public contract of the cancellation workflow. The booking is cancelled and its slot freed by
 * the workflow's FIRST activity (`cancelBookingRecord`, idempotent), so the HTTP layer can answer
 * 200 as soon as `awaitCancelRecordedUpdate` (update-with-start) resolves; the Cal.com cancel then
 * runs durably with retries, a permanent failure records a sync failure (operation `cancel`),
 * and the branch's waiting-list monitors get `slotFreed`. Names are a durable API.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { InvalidStateOutcome, NotFoundOutcome } from './lib/outcomes';

export { BOOKING_TASK_QUEUE } from './book-appointment.contract';

export const CANCEL_WORKFLOW = 'cancelBookingWorkflow';

export interface CancelBookingInput {
  bookingId: string;
  reason?: string | null;
}

/** The booking row after the local cancellation (UTC ISO instants). */
export type CancelRecordedOutcome =
  | {
      kind: 'cancelled';
      bookingId: string;
      branchId: string;
      customerId: string;
      staffId: string;
      start: string;
      end: string;
      /** true when an earlier request (or the API itself) had cancelled it already */
      alreadyCancelled: boolean;
    }
  | InvalidStateOutcome
  | NotFoundOutcome;

/** Final result: the local outcome plus what happened on the calendar side. */
export type CancelBookingResult =
  | (Extract<CancelRecordedOutcome, { kind: 'cancelled' }> & {
      calendar: 'synced' | 'not_linked' | 'failed';
      syncFailureId: string | null;
    })
  | InvalidStateOutcome
  | NotFoundOutcome;

export type CancelStep = 'cancelling' | 'cancelling_calendar' | 'notifying' | 'signalling_waitlist' | 'done';

/**
 * One cancellation per booking. Start with WorkflowIdConflictPolicy USE_EXISTING (a repeat
 * attaches to the running one) and reuse policy ALLOW_DUPLICATE (a repeat after completion
 * re-runs harmlessly: every step is idempotent and answers `alreadyCancelled: true`).
 */
export const cancelWorkflowId = (bookingId: string): string => `cancel-${bookingId}`;

export const cancelStepQuery = defineQuery<CancelStep>('currentStep');

/** Resolves once the booking is cancelled locally (slot free), or refused (invalid state / not found). */
export const awaitCancelRecordedUpdate = defineUpdate<CancelRecordedOutcome>('awaitCancelRecorded');
