/**
 * Database side of inbound calendar changes (workflows/calendar-inbound.workflow.ts): what a
 * Cal.com event means here, and the cancellation it causes. A reschedule reuses the reschedule
 * saga's steps (plan, hold, move) with its own history event.
 *
 * Ownership: an event changes one of our bookings only when its metadata names that booking AND
 * the connection's company, the booking's branch uses this very connection, and the event's uid
 * is the booking's current Cal.com uid (a cancel) or its predecessor (a reschedule). Anything
 * else (another company's or connection's booking, a stale uid, an echo of our own change) is
 * ignored; events about bookings not ours only refresh the hosts' busy times.
 */
import type { Db } from '../infra/db/prisma';
import type { CalendarInboundEvent, InboundDecision } from '../workflows/calendar-inbound.contract';
import type { CancelRecordResult } from './booking-activity.types';
import { addHistory, historyExists, snapshotOf } from './booking-records';
import { nudgeLifecycle } from './lifecycle.activities';

export interface CalendarInboundDeps {
  db: Db;
  cache: { invalidateBranch(branchId: string): Promise<void> };
  clock: () => Date;
}

export function createCalendarInboundActivities({ db, cache, clock }: CalendarInboundDeps) {
  /** Branches of this connection with a staff member linked to one of these Cal.com users. */
  async function branchesOfHosts(connectionId: string, companyId: string, hostIds: number[]): Promise<string[]> {
    if (hostIds.length === 0) return [];
    const staff = await db.staff.findMany({
      where: { companyId, calcomUserId: { in: hostIds }, branch: { calendarConnectionId: connectionId } },
      select: { branchId: true },
    });
    return [...new Set(staff.map((s) => s.branchId))].sort();
  }

  return {
    async decideCalendarInbound(input: { connectionId: string; event: CalendarInboundEvent }): Promise<InboundDecision> {
      const { connectionId, event } = input;
      const connection = await db.calendarConnection.findUnique({ where: { id: connectionId }, select: { companyId: true } });
      if (!connection) return { kind: 'ignore', reason: 'connection_gone' };
      const ours = event.bookingId !== null && event.companyId === connection.companyId;
      if (!ours) {
        // Made, moved or cancelled in Cal.com by someone else (or another company's booking in a
        // shared account): only the hosts' busy times change.
        const branchIds = await branchesOfHosts(connectionId, connection.companyId, event.hostIds);
        return branchIds.length > 0 ? { kind: 'refresh_busy', branchIds } : { kind: 'ignore', reason: 'no_linked_staff' };
      }
      if (event.trigger === 'BOOKING_CREATED') return { kind: 'ignore', reason: 'own_booking_created' };
      const booking = await db.booking.findFirst({
        where: { id: event.bookingId!, companyId: connection.companyId, branch: { calendarConnectionId: connectionId } },
        select: { id: true, branchId: true, status: true, calendarExternalId: true },
      });
      if (!booking) return { kind: 'ignore', reason: 'unknown_booking' };
      if (event.trigger === 'BOOKING_CANCELLED') {
        if (booking.status !== 'confirmed') return { kind: 'ignore', reason: `booking_${booking.status}` };
        if (booking.calendarExternalId !== event.uid) return { kind: 'ignore', reason: 'stale_uid' };
        return { kind: 'cancel', bookingId: booking.id, branchId: booking.branchId };
      }
      if (booking.calendarExternalId === event.uid) return { kind: 'ignore', reason: 'already_applied' };
      if (booking.status !== 'confirmed') return { kind: 'ignore', reason: `booking_${booking.status}` };
      if (event.previousUid === null || booking.calendarExternalId !== event.previousUid) return { kind: 'ignore', reason: 'stale_uid' };
      return { kind: 'reschedule', bookingId: booking.id, branchId: booking.branchId };
    },

    /**
     * Cancelled in Cal.com: cancelled here at once (slot free, history `cancelled_in_calendar`),
     * only while the booking is confirmed and still carries that uid. Calendar status `synced`:
     * Cal.com is where it happened. Repeating it is harmless.
     */
    async cancelBookingFromCalendar(input: { bookingId: string; uid: string; reason?: string | null; dedupeKey: string }): Promise<CancelRecordResult> {
      const b = await db.booking.findUnique({ where: { id: input.bookingId } });
      if (!b) return { kind: 'not_found', entity: 'booking', id: input.bookingId };
      // Cancelled already: by this very change when its history entry exists (a retried activity,
      // whose follow-ups must still run), otherwise by someone else.
      if (b.status === 'cancelled') return { kind: 'cancelled', alreadyCancelled: !(await historyExists(db, input.dedupeKey)), ...snapshotOf(b) };
      const { count } = await db.booking.updateMany({
        where: { id: b.id, status: 'confirmed', calendarExternalId: input.uid },
        data: { status: 'cancelled', cancelledAt: clock(), calendarStatus: 'synced' },
      });
      if (count === 0) return { kind: 'invalid_state', bookingId: b.id, status: b.status, message: 'the booking changed before the calendar cancellation was applied' };
      await addHistory(db, { bookingId: b.id, event: 'cancelled_in_calendar', detail: { uid: input.uid, reason: input.reason ?? null }, dedupeKey: input.dedupeKey });
      await nudgeLifecycle(b.id, { reason: 'cancelled' });
      await cache.invalidateBranch(b.branchId);
      return { kind: 'cancelled', alreadyCancelled: false, ...snapshotOf({ ...b, status: 'cancelled' }) };
    },

    /** Someone else's booking appeared (or changed) in Cal.com: the branches' availability is read again. */
    async refreshCalendarBusy({ branchIds }: { branchIds: string[] }): Promise<void> {
      for (const branchId of branchIds) await cache.invalidateBranch(branchId);
    },
  };
}

export type CalendarInboundActivities = ReturnType<typeof createCalendarInboundActivities>;
