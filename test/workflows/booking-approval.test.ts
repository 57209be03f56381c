/**
 * The booking saga's approval gate (patch `approval-gate`, workflows/lib/approval-gate.ts) on the
 * time-skipping server with in-memory activities: a held slot of an approval service waits
 * `awaiting_approval` (no calendar call) until a manager approves (calendar, confirm, lifecycle)
 * or declines (slot freed, waiting lists told), or the durable timer declines it at its deadline;
 * a second decision is refused by the update validator; a cancellation while awaiting approval
 * (signal `approvalWithdrawn`, patch `approval-withdrawn`) ends the wait with no decision.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import {
  approvalWithdrawnSignal,
  approveBookingUpdate,
  awaitBookingOutcomeUpdate,
  bookingWorkflowId,
  declineBookingUpdate,
  type BookAppointmentInput,
} from '../../workflows/book-appointment.contract';
import type { bookAppointmentWorkflow } from '../../workflows/book-appointment.workflow';
import { bookingBundle, bookingTestRun, type BookingTestRun } from './booking-workflows.harness';
import { permanent } from './booking-world.fakes';

jest.setTimeout(40_000);

beforeAll(async () => {
  await Promise.all([bookingTestRun('approval-warmup'), bookingBundle()]);
}, 180_000);

const HOUR = 3_600_000;
let seq = 0;

/** Starts a saga that adopts an API hold with an approval deadline `hours` after the server's now. */
async function startAwaiting(t: BookingTestRun, hours: number) {
  seq += 1;
  const now = await t.env.currentTimeMs();
  const start = new Date(now + 72 * HOUR).toISOString();
  const bookingId = `bkg_approval${seq}_${Date.now()}`;
  const heldSlot = t.world.seedHeld(bookingId, start, { deadline: new Date(now + hours * HOUR).toISOString() });
  const input: BookAppointmentInput = { bookingId, companyId: 'cmp_1', branchId: 'br_1', serviceId: 'svc_1', customerId: 'cus_1', start, staffId: 'stf_1', heldSlot };
  const handle = await t.env.client.workflow.start<typeof bookAppointmentWorkflow>('bookAppointmentWorkflow', {
    taskQueue: t.taskQueue,
    workflowId: bookingWorkflowId(bookingId),
    args: [input],
  });
  return { handle, bookingId, start };
}

// First: the time-skipping server did not skip time for it after the approve test had run.
test('timeout: undecided at the deadline, the durable timer declines it (time skipped)', async () => {
  const t = await bookingTestRun('approval-timeout');
  await t.run(async () => {
    const { handle, bookingId } = await startAwaiting(t, 2);
    const before = await t.env.currentTimeMs();
    const result = await handle.result();
    expect(result).toEqual({ kind: 'declined', bookingId, by: 'timeout', reason: null });
    expect(await t.env.currentTimeMs()).toBeGreaterThanOrEqual(before + 2 * HOUR - 1000);
    expect(t.world.bookings.get(bookingId)?.status).toBe('declined');
    expect(t.world.calls).not.toContain('createCalendarBooking');
    expect(t.world.notifications.map((n) => n.kind)).toEqual(['booking_awaiting_approval', 'booking_declined']);
  });
});

test('approve: awaiting_approval first (no calendar), then calendar → confirm → notify → lifecycle', async () => {
  const t = await bookingTestRun('approval-approve');
  await t.run(async () => {
    const { handle, bookingId } = await startAwaiting(t, 24);
    const first = await handle.executeUpdate(awaitBookingOutcomeUpdate);
    expect(first).toMatchObject({ kind: 'awaiting_approval', bookingId, externalId: null });
    expect(t.world.bookings.get(bookingId)?.status).toBe('awaiting_approval');
    expect(t.world.liveCalendarBookings(bookingId)).toEqual([]);

    const approved = await handle.executeUpdate(approveBookingUpdate);
    expect(approved).toMatchObject({ kind: 'confirmed', bookingId, externalId: expect.any(String) });
    expect(await handle.result()).toMatchObject({ kind: 'confirmed' });
    expect(t.world.bookings.get(bookingId)).toMatchObject({ status: 'confirmed', calendarStatus: 'synced' });
    expect(t.world.liveCalendarBookings(bookingId)).toHaveLength(1);
    expect(t.world.calls).toEqual([
      'markAwaitingApproval', 'sendBookingNotification', 'approveAwaiting', 'createCalendarBooking', 'confirmBooking', 'sendBookingNotification', 'invalidateAvailability',
    ]);
    expect(t.world.notifications.map((n) => n.kind)).toEqual(['booking_awaiting_approval', 'booking_confirmed']);
    return bookingId;
  }).then((bookingId) => {
    // After t.run: the abandoned lifecycle child has run by then (the harness waits for it).
    expect(t.world.lifecycleStarts).toContain(bookingId);
  });
});

test('decline by a manager: declined with the reason, slot freed, customer told; a later approve is refused', async () => {
  const t = await bookingTestRun('approval-decline');
  await t.run(async () => {
    const { handle, bookingId } = await startAwaiting(t, 24);
    await handle.executeUpdate(awaitBookingOutcomeUpdate);
    const declined = await handle.executeUpdate(declineBookingUpdate, { args: [{ reason: 'fully booked' }] });
    expect(declined).toEqual({ kind: 'declined', bookingId, by: 'manager', reason: 'fully booked' });
    expect(await handle.result()).toMatchObject({ kind: 'declined' });
    expect(t.world.bookings.get(bookingId)).toMatchObject({ status: 'declined', history: ['held', 'awaiting_approval', 'declined:manager:fully booked'] });
    expect(t.world.liveCalendarBookings(bookingId)).toEqual([]);
    expect(t.world.calls).toEqual(['markAwaitingApproval', 'sendBookingNotification', 'declineAwaiting', 'sendBookingNotification', 'fanOutSlotFreed']);
    expect(t.world.notifications.map((n) => n.kind)).toEqual(['booking_awaiting_approval', 'booking_declined']);
    expect(t.world.lifecycleStarts).not.toContain(bookingId);
    await expect(handle.executeUpdate(approveBookingUpdate)).rejects.toThrow();
  });
});

test('two decisions at once: the first wins, the other is refused by the validator', async () => {
  const t = await bookingTestRun('approval-race');
  await t.run(async () => {
    const { handle, bookingId } = await startAwaiting(t, 24);
    await handle.executeUpdate(awaitBookingOutcomeUpdate);
    const [approve, decline] = await Promise.allSettled([
      handle.executeUpdate(approveBookingUpdate),
      handle.executeUpdate(declineBookingUpdate, { args: [{}] }),
    ]);
    const won = [approve, decline].filter((r) => r.status === 'fulfilled');
    const refused = [approve, decline].filter((r) => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect((refused[0] as PromiseRejectedResult).reason).toBeInstanceOf(WorkflowUpdateFailedError);
    const status = approve.status === 'fulfilled' ? 'confirmed' : 'declined';
    expect((won[0] as PromiseFulfilledResult<{ kind: string }>).value.kind).toBe(status);
    await handle.result();
    expect(t.world.bookings.get(bookingId)?.status).toBe(status);
  });
});

test('approve and the calendar refuses: the hold is released and the approve answers calendar_failed', async () => {
  const t = await bookingTestRun('approval-calendar-refused');
  t.world.failNext('createCalendarBooking', permanent('slot taken', 'CalendarRejected'));
  await t.run(async () => {
    const { handle, bookingId } = await startAwaiting(t, 24);
    await handle.executeUpdate(awaitBookingOutcomeUpdate);
    expect(await handle.executeUpdate(approveBookingUpdate)).toMatchObject({ kind: 'calendar_failed', bookingId });
    await handle.result();
    expect(t.world.bookings.get(bookingId)?.status).toBe('failed');
    expect(t.world.notifications.map((n) => n.kind)).toEqual(['booking_awaiting_approval', 'booking_failed']);
  });
});

test('cancelled while awaiting approval: the signal ends the wait at once, no decision, no timer decline, decisions refused', async () => {
  const t = await bookingTestRun('approval-withdrawn');
  await t.run(async () => {
    const { handle, bookingId } = await startAwaiting(t, 24);
    await handle.executeUpdate(awaitBookingOutcomeUpdate);
    const before = await t.env.currentTimeMs();
    // What cancelBookingRecord does: the row is cancelled (slot free), then the saga is told.
    t.world.bookings.get(bookingId)!.status = 'cancelled';
    await handle.signal(approvalWithdrawnSignal, { bookingId });
    expect(await handle.result()).toMatchObject({ kind: 'invalid_state', bookingId, status: 'cancelled' });
    // Ended by the signal, long before the 24-hour deadline.
    expect(await t.env.currentTimeMs()).toBeLessThan(before + HOUR);
    expect(t.world.bookings.get(bookingId)?.status).toBe('cancelled');
    expect(t.world.calls).toEqual(['markAwaitingApproval', 'sendBookingNotification']);
    expect(t.world.notifications.map((n) => n.kind)).toEqual(['booking_awaiting_approval']);
    expect(t.world.liveCalendarBookings(bookingId)).toEqual([]);
    await expect(handle.executeUpdate(approveBookingUpdate)).rejects.toThrow();
  });
});

test('a decision after the withdrawal is refused by the validator; the decline never runs', async () => {
  const t = await bookingTestRun('approval-withdrawn-race');
  await t.run(async () => {
    const { handle, bookingId } = await startAwaiting(t, 24);
    await handle.executeUpdate(awaitBookingOutcomeUpdate);
    t.world.bookings.get(bookingId)!.status = 'cancelled';
    await handle.signal(approvalWithdrawnSignal, { bookingId });
    await expect(handle.executeUpdate(declineBookingUpdate, { args: [{ reason: 'late' }] })).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
    expect(await handle.result()).toMatchObject({ kind: 'invalid_state', status: 'cancelled' });
    expect(t.world.calls).not.toContain('declineAwaiting');
  });
});
