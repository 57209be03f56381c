/**
 * Applying one inbound Cal.com change here, shared by the webhook workflow and reconciliation
 * (calendar-inbound.workflow.ts, calendar-reconcile.workflow.ts): decide what it means, then
 * - cancel: the booking is cancelled at once (history `cancelled_in_calendar`, slot free, cache
 *   invalidated, lifecycle told), the waiting lists hear of the freed slot, the customer is mailed;
 * - reschedule: planned like a reschedule of ours (rules, the booking's own time not busy), the
 *   new slot held, the booking moved (history `rescheduled_in_calendar`, rescheduledCount + 1, the
 *   new Cal.com uid; lifecycle told); no Cal.com call (Cal.com is where it happened). Not free
 *   here: the hold is released, the booking keeps its time and an `inbound_reschedule` sync
 *   failure is opened for support;
 * - someone else's booking: the hosts' branches read their availability again.
 * Compensation: only the new-slot hold (registered before the hold). Idempotency: every key
 * derives from inboundChangeKey (connection, uid, trigger), so a redelivery or a reconciliation
 * of the same change writes nothing twice, and the decision ignores changes already applied.
 */
import { CancellationScope, isCancellation, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { inboundChangeKey, type CalendarInboundInput, type CalendarInboundResult } from '../calendar-inbound.contract';
import { DB_ACTIVITY } from './activity-options';
import { describeFailure, failureType } from './failures';
import { Saga } from './saga';
import { announceSlotFreed, invalidateBranchCache, notifyCustomer } from './side-effects';

const db = proxyActivities<Activities>(DB_ACTIVITY);

export async function applyInboundEvent(input: CalendarInboundInput): Promise<CalendarInboundResult> {
  const { connectionId, event } = input;
  const base = inboundChangeKey(connectionId, event);
  const key = (step: string) => `${base}:${step}`;
  const decision = await db.decideCalendarInbound({ connectionId, event });
  switch (decision.kind) {
    case 'ignore':
      return { kind: 'ignored', reason: decision.reason };
    case 'refresh_busy':
      await db.refreshCalendarBusy({ branchIds: decision.branchIds });
      return { kind: 'busy_refreshed', branchIds: decision.branchIds };
    case 'cancel':
      return cancel(decision.bookingId);
    case 'reschedule':
      return reschedule(decision.bookingId);
  }

  async function cancel(bookingId: string): Promise<CalendarInboundResult> {
    const reason = event.reason ?? 'cancelled in the calendar';
    const record = await db.cancelBookingFromCalendar({ bookingId, uid: event.uid, reason, dedupeKey: key('cancelled') });
    if (record.kind !== 'cancelled') return { kind: 'ignored', reason: record.kind };
    if (record.alreadyCancelled) return { kind: 'ignored', reason: 'already_cancelled' };
    const { branchId, staffId, start, end } = record;
    await announceSlotFreed({ branchId, bookingId, staffId, start, end, reason: 'cancelled' });
    await notifyCustomer({ bookingId, kind: 'booking_cancelled', dedupeKey: key('notify-cancelled'), reason });
    return { kind: 'cancelled', bookingId };
  }

  async function reschedule(bookingId: string): Promise<CalendarInboundResult> {
    const reason = event.reason ?? 'moved in the calendar';
    const saga = new Saga();
    const planned = await db.planReschedule({ bookingId, start: event.start, staffId: null });
    if (planned.kind === 'invalid_state' || planned.kind === 'not_found') return { kind: 'ignored', reason: planned.kind };
    if (planned.kind !== 'ok') {
      const why = planned.kind === 'conflict' ? 'slot_unavailable: the new time is not free here' : `booking_rule_violation: ${planned.violations.map((v) => v.rule).join(', ')}`;
      return refuse(bookingId, why);
    }
    const { booking, plan } = planned;
    const holdId = `rsh_${base}`;
    saga.addUndo('releaseNewHold', () => db.releaseRescheduleHold({ holdId }));
    const hold = await db.holdRescheduleSlot({ bookingId, holdId, plan });
    if (hold.kind === 'conflict') return refuse(bookingId, 'slot_unavailable: the new time is not free here');
    let moved: Awaited<ReturnType<Activities['moveBooking']>>;
    try {
      moved = await db.moveBooking({
        bookingId,
        holdId,
        plan,
        externalId: event.uid,
        reason,
        dedupeKey: key('move'),
        historyEvent: 'rescheduled_in_calendar',
        expectedExternalId: event.previousUid,
      });
    } catch (error) {
      await CancellationScope.nonCancellable(() => saga.compensate());
      if (isCancellation(error)) throw error;
      if (failureType(error) === 'SlotTaken') return refuse(bookingId, `slot_unavailable: ${describeFailure(error)}`);
      return { kind: 'ignored', reason: `booking_changed: ${describeFailure(error)}` };
    }
    await invalidateBranchCache(booking.branchId);
    if (!moved.unchanged) {
      await announceSlotFreed({ branchId: booking.branchId, bookingId, staffId: moved.previousStaffId, start: moved.previousStart, end: moved.previousEnd, reason: 'rescheduled' });
      await notifyCustomer({ bookingId, kind: 'booking_rescheduled', dedupeKey: key('notify-rescheduled'), previousStart: moved.previousStart });
    }
    return { kind: 'rescheduled', bookingId, start: plan.start, previousStart: moved.previousStart };

    async function refuse(id: string, error: string): Promise<CalendarInboundResult> {
      await CancellationScope.nonCancellable(() => saga.compensate());
      const { failureId } = await db.recordSyncFailure({
        bookingId: id,
        operation: 'inbound_reschedule',
        error,
        payload: { start: event.start, end: event.end, uid: event.uid, previousUid: event.previousUid },
        dedupeKey: key('sync-failure'),
      });
      return { kind: 'reschedule_refused', bookingId: id, syncFailureId: failureId, error };
    }
  }
}
