/**
 * Reschedule saga: plan (rules engine, the booking's own time not busy) → hold the new slot →
 * move the Cal.com booking (it answers with a NEW uid; the activity stores it at once) → move the
 * booking (history entry, rescheduledCount + 1; the same transaction drops the new-slot hold and
 * frees the old range) → notify → invalidate the cache → signal waiting-list monitors (old slot).
 *
 * Invariants
 * - The booking keeps its old time until the move commits; a refusal anywhere leaves it as it was.
 * - The new slot is taken under the exclusion constraint by placeholder hold rows; a refused hold
 *   is a conflict with alternatives.
 * - Self-service (input `maxReschedules`, patch `reschedule-count-claim`): the move is counted
 *   before the hold by a guarded increment (count < max) recorded per run, so of concurrent moves
 *   at the limit one goes ahead and the others answer `rule_violation` (max_reschedules); the move
 *   consumes the claim instead of counting again.
 * Compensation (undo registered before the hold): release the new-slot hold (no-op when none);
 * newest first, then give back the count claim (no-op when none or once the move consumed it).
 * Since patch `reschedule-count-claim` a refused hold compensates too (it gives the claim back).
 * On a permanent calendar refusal: release the hold, record a `reschedule` sync failure (unless
 * this run is a support retry, `retryOf`), answer `calendar_failed` (HTTP 502, old time kept).
 * Packages (patch `package-parts`): the new slot's hold covers every part; each part's Cal.com
 * booking moves in order, each with an undo (move it back) registered before it, so a refused part
 * puts the moved ones back; the move then takes all parts to their new times in one transaction.
 * Idempotency: hold ids and dedupe keys derive from the workflow id; the calendar activity
 * follows Cal.com's `rescheduledToUid` chain, so a retried move adopts the successor booking; a
 * booking already at the target is not moved, counted, announced or mailed again (`unchanged`).
 */
import { CancellationScope, condition, isCancellation, patched, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { packagePartId, type PartSlot } from './book-appointment.contract';
import {
  awaitRescheduleOutcomeUpdate,
  rescheduleStepQuery,
  type RescheduleBookingInput,
  type RescheduleBookingResult,
  type RescheduleStep,
} from './reschedule-booking.contract';
import { CALENDAR_ACTIVITY, DB_ACTIVITY } from './lib/activity-options';
import { describeFailure, failureType } from './lib/failures';
import { Saga } from './lib/saga';
import { announceSlotFreed, invalidateBranchCache, notifyCustomer } from './lib/side-effects';
import { publishIdentity, publishStatus } from './lib/visibility';

const db = proxyActivities<Activities>(DB_ACTIVITY);
const calendar = proxyActivities<Activities>(CALENDAR_ACTIVITY);

export async function rescheduleBookingWorkflow(input: RescheduleBookingInput): Promise<RescheduleBookingResult> {
  const workflowId = workflowInfo().workflowId;
  const key = (step: string) => `${workflowId}:${step}`;
  const { bookingId } = input;
  let step: RescheduleStep = 'planning';
  let outcome: RescheduleBookingResult | undefined;
  setHandler(rescheduleStepQuery, () => step);
  setHandler(awaitRescheduleOutcomeUpdate, async () => {
    await condition(() => outcome !== undefined);
    return outcome as RescheduleBookingResult;
  });
  const settle = (result: RescheduleBookingResult, status: string, summary: string) => {
    outcome = result;
    publishStatus(status, `${bookingId}: ${summary}`);
    return result;
  };

  publishIdentity('reschedule', { bookingId });
  publishStatus('validating', `${bookingId}: reschedule to ${input.start} requested`);
  const planned = await db.planReschedule({ bookingId, start: input.start, staffId: input.staffId ?? null });
  if (planned.kind !== 'ok') {
    step = 'done';
    return settle(planned, 'rejected', `reschedule rejected (${planned.kind})`);
  }
  const { booking, plan } = planned;
  publishIdentity('reschedule', { bookingId, customerId: booking.customerId, branchId: booking.branchId });

  const saga = new Saga();
  const limit = input.maxReschedules;
  const claimKey = limit != null && patched('reschedule-count-claim') ? key('claim') : undefined;
  if (claimKey !== undefined && limit != null) {
    saga.addUndo('releaseRescheduleClaim', () => db.releaseRescheduleClaim({ claimKey }));
    const claim = await db.claimReschedule({ bookingId, maxReschedules: limit, claimKey });
    if (claim.kind !== 'claimed') {
      step = 'done';
      return settle(claim, 'rejected', 'reschedule rejected (max_reschedules)');
    }
  }
  const holdId = `rsh_${workflowId}`;
  step = 'holding';
  publishStatus('holding', `${bookingId}: holding ${plan.start} with ${plan.staffId}`);
  saga.addUndo('releaseNewHold', () => db.releaseRescheduleHold({ holdId }));
  const hold = await db.holdRescheduleSlot({ bookingId, holdId, plan });
  if (hold.kind === 'conflict') {
    if (claimKey !== undefined) await saga.compensate();
    step = 'done';
    return settle(hold, 'rejected', 'new slot unavailable');
  }

  let externalId: string | null;
  const previousParts = planned.previousParts && plan.parts && patched('package-parts') ? planned.previousParts : null;
  try {
    step = 'rescheduling_calendar';
    publishStatus('syncing_calendar', `${bookingId}: moving the calendar booking to ${plan.start}`);
    if (previousParts) externalId = await moveParts(previousParts);
    else ({ externalId } = await calendar.rescheduleCalendarBooking({ bookingId, start: plan.start, reason: input.reason ?? null }));
  } catch (error) {
    await CancellationScope.nonCancellable(() => refuse(describeFailure(error)));
    if (isCancellation(error)) throw error;
    return outcome as RescheduleBookingResult;
  }

  step = 'moving';
  let moved: Awaited<ReturnType<Activities['moveBooking']>>;
  try {
    moved = await db.moveBooking({ bookingId, holdId, plan, externalId, reason: input.reason ?? null, dedupeKey: key('move'), ...(claimKey ? { claimKey } : {}) });
  } catch (error) {
    // Only a non-retryable refusal gets here: the booking left `confirmed` meanwhile (e.g. a
    // concurrent cancel, whose Cal.com cancel follows the reschedule chain), or the new slot was
    // taken after our hold expired as abandoned (the booking keeps its old time, so the calendar
    // goes back there too). Either way the new hold is dropped.
    const slotTaken = failureType(error) === 'SlotTaken';
    await CancellationScope.nonCancellable(async () => {
      if (slotTaken) await calendar.rescheduleCalendarBooking({ bookingId, start: booking.start, reason: 'reschedule undone: the new slot was taken' });
      await saga.compensate();
    });
    if (isCancellation(error)) throw error;
    step = 'done';
    return settle({ kind: 'invalid_state', bookingId, status: 'changed', message: describeFailure(error) }, 'rejected', 'booking changed during the reschedule');
  }
  const result = settle(
    { kind: 'rescheduled', bookingId, staffId: plan.staffId, resourceId: plan.resourceId, start: plan.start, end: plan.end, externalId, ...moved },
    'rescheduled',
    `moved from ${moved.previousStart} to ${plan.start} with ${plan.staffId}`,
  );

  step = 'releasing_old';
  await invalidateBranchCache(booking.branchId);
  if (moved.unchanged) {
    // Already there (e.g. a support retry of a move the customer repeated): no slot was freed
    // and the customer already has the mail of the first move.
    step = 'done';
    return result;
  }
  await announceSlotFreed({
    branchId: booking.branchId,
    bookingId,
    staffId: moved.previousStaffId,
    start: moved.previousStart,
    end: moved.previousEnd,
    reason: 'rescheduled',
  });
  step = 'notifying';
  await notifyCustomer({ bookingId, kind: 'booking_rescheduled', dedupeKey: key('notify-rescheduled'), previousStart: moved.previousStart });
  step = 'done';
  return result;

  /** Each part's Cal.com booking to its new start (undo first: back to where it was). Answers the first part's uid. */
  async function moveParts(before: PartSlot[]): Promise<string | null> {
    const parts = plan.parts ?? [];
    let first: string | null = null;
    for (const [index, part] of parts.entries()) {
      const partId = packagePartId(bookingId, index);
      saga.addUndo(`moveCalendarBack:${index}`, () =>
        calendar.rescheduleCalendarBooking({ bookingId: partId, start: before[index].start, reason: 'reschedule undone: another part was refused' }));
      const moved = await calendar.rescheduleCalendarBooking({ bookingId: partId, start: part.start, reason: input.reason ?? null });
      if (index === 0) first = moved.externalId;
    }
    return first;
  }

  async function refuse(error: string): Promise<void> {
    step = 'compensating';
    publishStatus('compensating', `${bookingId}: calendar refused the move, releasing the new hold`);
    await saga.compensate();
    const syncFailureId = input.retryOf
      ? null
      : (
          await db.recordSyncFailure({
            bookingId,
            operation: 'reschedule',
            error,
            payload: { start: plan.start, staffId: plan.staffId, reason: input.reason ?? null },
            dedupeKey: key('sync-failure'),
          })
        ).failureId;
    settle({ kind: 'calendar_failed', bookingId, error, syncFailureId }, 'confirmed', `reschedule refused by the calendar, kept ${booking.start}: ${error}`);
    await invalidateBranchCache(booking.branchId);
    step = 'done';
  }
}
