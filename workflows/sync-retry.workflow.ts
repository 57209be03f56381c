/**
 * Support retry of one calendar sync failure (`sync-retry-<failureId>-<attempt>`):
 * begin (failure → `retrying`) → replay the failed operation → `resolved`, or back to `open`
 * with attempts + 1 and the new error.
 * - create: the failed booking takes its original slot again (`pending`, under the exclusion
 *   constraint; taken meanwhile → stays open with the conflict), the Cal.com booking is created
 *   or adopted (metadata lookup), the booking is confirmed and the customer notified; a renewed
 *   calendar refusal, or a confirm refused after Cal.com booked, compensates before reopening:
 *   the Cal.com booking it may have made is cancelled, then the slot released again. (The
 *   calendar undo is versioned by the patch `sync-retry-cancel-calendar-on-failure`: histories
 *   recorded before it replay without it.) Nothing after the confirm can undo the booking.
 * - reschedule: the reschedule saga runs again as a child towards the requested start
 *   (`retryOf` set, so it records no second failure).
 * - cancel: the Cal.com booking is cancelled (idempotent, follows the reschedule chain).
 * Idempotency: dedupe keys from the workflow id; failure transitions are conditional updates.
 */
import { CancellationScope, executeChild, patched, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { SyncFailureView } from '../activities/booking-activity.types';
import { CALENDAR_ACTIVITY, CALENDAR_UNDO_ACTIVITY, DB_ACTIVITY } from './lib/activity-options';
import { describeFailure } from './lib/failures';
import { Saga } from './lib/saga';
import { invalidateBranchCache, notifyCustomer } from './lib/side-effects';
import { publishIdentity, publishStatus } from './lib/visibility';
import type { RescheduleBookingResult } from './reschedule-booking.contract';
import { rescheduleWorkflowId } from './reschedule-booking.contract';
import type { rescheduleBookingWorkflow } from './reschedule-booking.workflow';
import { syncRetryStepQuery, type SyncRetryInput, type SyncRetryResult, type SyncRetryStep } from './sync-retry.contract';

const db = proxyActivities<Activities>(DB_ACTIVITY);
const calendar = proxyActivities<Activities>(CALENDAR_ACTIVITY);
const calendarUndo = proxyActivities<Activities>(CALENDAR_UNDO_ACTIVITY);

/** Version marker of the Cal.com undo in the create retry's compensation. */
const CANCEL_CALENDAR_ON_FAILURE_PATCH = 'sync-retry-cancel-calendar-on-failure';

type Attempt = { ok: true; externalId: string | null } | { ok: false; error: string };

export async function syncRetryWorkflow(input: SyncRetryInput): Promise<SyncRetryResult> {
  const workflowId = workflowInfo().workflowId;
  const key = (step: string) => `${workflowId}:${step}`;
  const { syncFailureId } = input;
  let step: SyncRetryStep = 'starting';
  setHandler(syncRetryStepQuery, () => step);

  const begun = await db.beginSyncRetry({ failureId: syncFailureId });
  if (begun.kind === 'not_found') return begun;
  if (begun.kind === 'not_retryable') return { kind: 'not_retryable', syncFailureId, status: begun.status };
  const { failure } = begun;
  const { bookingId, operation } = failure;
  publishIdentity('sync-retry', { bookingId, customerId: failure.booking.customerId, branchId: failure.booking.branchId });
  publishStatus('retrying', `${syncFailureId}: retrying ${operation} of ${bookingId} (attempt ${input.attempt})`);

  step = 'retrying_calendar';
  const attempt = await retry(failure);
  if (attempt.ok) {
    step = 'resolving';
    await db.resolveSyncFailure({ failureId: syncFailureId });
    publishStatus('resolved', `${syncFailureId}: ${operation} of ${bookingId} resolved`);
    step = 'done';
    return { kind: 'resolved', syncFailureId, bookingId, operation, externalId: attempt.externalId };
  }
  step = 'reopening';
  await db.reopenSyncFailure({ failureId: syncFailureId, error: attempt.error });
  publishStatus('open', `${syncFailureId}: ${operation} of ${bookingId} still failing: ${attempt.error}`);
  step = 'done';
  return { kind: 'still_open', syncFailureId, bookingId, operation, error: attempt.error };

  async function retry(f: SyncFailureView): Promise<Attempt> {
    switch (f.operation) {
      case 'create':
        return retryCreate(f);
      case 'reschedule':
        return retryReschedule(f);
      case 'inbound_reschedule':
        // Moved in Cal.com to a time not free here (the booking kept its time): the retry puts the
        // Cal.com booking back at the booked time (the activity follows the rescheduledToUid chain).
        // Only failures recorded since the inbound sync reach this branch (no older history does).
        try {
          const { externalId } = await calendar.rescheduleCalendarBooking({ bookingId: f.bookingId, start: f.booking.start, reason: 'kept the time booked here' });
          return { ok: true, externalId };
        } catch (error) {
          return { ok: false, error: describeFailure(error) };
        }
      case 'cancel':
        try {
          await calendar.cancelCalendarBooking({ bookingId: f.bookingId, reason: f.payload.reason ?? null });
          return { ok: true, externalId: null };
        } catch (error) {
          return { ok: false, error: describeFailure(error) };
        }
    }
  }

  async function retryCreate(f: SyncFailureView): Promise<Attempt> {
    const saga = new Saga();
    saga.addUndo('releaseHold', () => db.releaseHold({ bookingId: f.bookingId, reason: 'calendar_sync_failed', dedupeKey: key('release-hold') }));
    const held = await db.reholdFailedBooking({ bookingId: f.bookingId, dedupeKey: key('rehold') });
    if (held.kind === 'conflict') return { ok: false, error: `slot_unavailable: ${held.error}` };
    let externalId: string | null = null;
    try {
      if (patched(CANCEL_CALENDAR_ON_FAILURE_PATCH)) {
        // Registered before the create: it may book remotely and still fail here (timeout, lost
        // answer, refused confirm). A no-op when no Cal.com booking exists; the known uid finds it
        // even if the row is gone by then.
        saga.addUndo('cancelCalendarBooking', () =>
          calendarUndo.cancelCalendarBooking({ bookingId: f.bookingId, reason: 'support retry failed', externalId }),
        );
      }
      ({ externalId } = await calendar.createCalendarBooking({ bookingId: f.bookingId }));
      step = 'confirming';
      // Not cancellable: a cancel racing a confirm that commits must not undo a confirmed booking.
      const confirm = { bookingId: f.bookingId, externalId, dedupeKey: key('confirm') };
      await CancellationScope.nonCancellable(() => db.confirmBooking(confirm));
    } catch (error) {
      await CancellationScope.nonCancellable(async () => {
        await saga.compensate();
        await db.markBookingFailed({ bookingId: f.bookingId, reason: 'calendar_sync_failed', error: describeFailure(error), dedupeKey: key('mark-failed') });
        await invalidateBranchCache(f.booking.branchId);
      });
      return { ok: false, error: describeFailure(error) };
    }
    // The pivot: the booking is confirmed; what follows is best effort and never compensates.
    await notifyCustomer({ bookingId: f.bookingId, kind: 'booking_confirmed', dedupeKey: key('notify-confirmed') });
    await invalidateBranchCache(f.booking.branchId);
    return { ok: true, externalId };
  }

  async function retryReschedule(f: SyncFailureView): Promise<Attempt> {
    const result: RescheduleBookingResult = await executeChild<typeof rescheduleBookingWorkflow>('rescheduleBookingWorkflow', {
      workflowId: rescheduleWorkflowId(f.bookingId, `retry-${syncFailureId}-${input.attempt}`),
      args: [{ bookingId: f.bookingId, start: f.payload.start ?? f.booking.start, staffId: f.payload.staffId ?? null, reason: f.payload.reason ?? null, retryOf: syncFailureId }],
    });
    switch (result.kind) {
      case 'rescheduled':
        return { ok: true, externalId: result.externalId };
      case 'calendar_failed':
        return { ok: false, error: result.error };
      case 'conflict':
        return { ok: false, error: 'slot_unavailable: the requested time is no longer free' };
      case 'rule_violation':
        return { ok: false, error: `booking_rule_violation: ${result.violations.map((v) => v.rule).join(', ')}` };
      case 'invalid_state':
        return { ok: false, error: `invalid_state: ${result.message}` };
      case 'not_found':
        return { ok: false, error: `not_found: ${result.entity} ${result.id}` };
    }
  }
}
