/**
 * Cancellation: cancel the booking locally (its slot is free when the first activity returns, so
 * the API answers at once through `awaitCancelRecorded`) → invalidate the cache and signal the
 * branch's waiting-list monitors → cancel the Cal.com booking durably (retries with backoff for
 * minutes; 4xx are final) → notify the customer.
 *
 * Invariants
 * - The local cancellation never waits on Cal.com; a Cal.com failure never un-cancels.
 * - A permanent Cal.com failure marks the booking's calendar status `failed` and records a
 *   `cancel` sync failure for support (the retry workflow cancels it later).
 * Packages (patch `package-parts`): the local cancel frees every part (their rows follow the
 * booking's status); each later part's Cal.com booking is cancelled after the first part's.
 * Awaiting approval: the local cancel also takes a booking that awaits approval (its calendar
 * status becomes `not_linked`: never written, so the calendar step below touches nothing) and
 * signals its saga's approval gate to end (lib/approval-gate.ts, patch `approval-withdrawn`);
 * everything else runs as for any cancellation (activity code only, no change here).
 * No compensation: nothing after the local cancel is undone.
 * Idempotency: the cancel record, history and sync failure use `<workflowId>:<step>` keys; a
 * repeated run answers `alreadyCancelled` and re-checks Cal.com (cancel of a cancelled booking
 * is a no-op); mails are deduped by key.
 */
import { condition, patched, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  awaitCancelRecordedUpdate,
  cancelStepQuery,
  type CancelBookingInput,
  type CancelBookingResult,
  type CancelRecordedOutcome,
  type CancelStep,
} from './cancel-booking.contract';
import { CALENDAR_UNDO_ACTIVITY, DB_ACTIVITY } from './lib/activity-options';
import { describeFailure } from './lib/failures';
import { announceSlotFreed, invalidateBranchCache, notifyCustomer } from './lib/side-effects';
import { publishIdentity, publishStatus } from './lib/visibility';

const db = proxyActivities<Activities>(DB_ACTIVITY);
/** Durable: the same long retry budget as a compensating calendar cancel. */
const calendar = proxyActivities<Activities>(CALENDAR_UNDO_ACTIVITY);

export async function cancelBookingWorkflow(input: CancelBookingInput): Promise<CancelBookingResult> {
  const workflowId = workflowInfo().workflowId;
  const key = (step: string) => `${workflowId}:${step}`;
  const { bookingId } = input;
  let step: CancelStep = 'cancelling';
  let recorded: CancelRecordedOutcome | undefined;
  setHandler(cancelStepQuery, () => step);
  setHandler(awaitCancelRecordedUpdate, async () => {
    await condition(() => recorded !== undefined);
    return recorded as CancelRecordedOutcome;
  });

  publishIdentity('cancel', { bookingId });
  const record = await db.cancelBookingRecord({ bookingId, reason: input.reason ?? null, dedupeKey: key('cancelled') });
  if (record.kind !== 'cancelled') {
    recorded = record;
    publishStatus('rejected', `${bookingId}: cancel refused (${record.kind})`);
    step = 'done';
    return record;
  }
  const { branchId, customerId, staffId, start, end, alreadyCancelled } = record;
  recorded = { kind: 'cancelled', bookingId, branchId, customerId, staffId, start, end, alreadyCancelled };
  publishIdentity('cancel', { bookingId, customerId, branchId });
  publishStatus('cancelled', `${bookingId}: cancelled ${start} with ${staffId}`);

  step = 'signalling_waitlist';
  await invalidateBranchCache(branchId);
  if (!alreadyCancelled) await announceSlotFreed({ branchId, bookingId, staffId, start, end, reason: 'cancelled' });

  step = 'cancelling_calendar';
  let calendarState: 'synced' | 'not_linked' | 'failed';
  let syncFailureId: string | null = null;
  try {
    let { cancelled } = await calendar.cancelCalendarBooking({ bookingId, reason: input.reason ?? null });
    if (record.partIds && record.partIds.length > 0 && patched('package-parts')) {
      for (const partId of record.partIds) {
        const part = await calendar.cancelCalendarBooking({ bookingId: partId, reason: input.reason ?? null });
        cancelled = cancelled || part.cancelled;
      }
    }
    calendarState = cancelled ? 'synced' : 'not_linked';
  } catch (error) {
    const reason = describeFailure(error);
    calendarState = 'failed';
    await db.markCalendarFailed({ bookingId });
    ({ failureId: syncFailureId } = await db.recordSyncFailure({
      bookingId,
      operation: 'cancel',
      error: reason,
      payload: { reason: input.reason ?? null },
      dedupeKey: key('sync-failure'),
    }));
    publishStatus('cancelled', `${bookingId}: cancelled; calendar cancel failed: ${reason}`);
  }

  step = 'notifying';
  if (!alreadyCancelled) await notifyCustomer({ bookingId, kind: 'booking_cancelled', dedupeKey: key('notify-cancelled'), ...(input.reason ? { reason: input.reason } : {}) });
  step = 'done';
  return { ...recorded, calendar: calendarState, syncFailureId };
}
