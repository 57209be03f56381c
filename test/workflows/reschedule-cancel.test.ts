/**
 * Reschedule saga and cancellation workflow on the time-skipping server with in-memory
 * activities: success (new uid kept, count + 1, old slot signalled), refusal (new hold released,
 * old time kept, sync failure), conflict, invalid state; cancel freeing at once, Cal.com cancel
 * failing for good → sync failure, repeated cancel.
 */
import { WorkflowClient } from '@temporalio/client';
import { cancelWorkflowId, awaitCancelRecordedUpdate } from '../../workflows/cancel-booking.contract';
import type { cancelBookingWorkflow } from '../../workflows/cancel-booking.workflow';
import { rescheduleWorkflowId } from '../../workflows/reschedule-booking.contract';
import type { rescheduleBookingWorkflow } from '../../workflows/reschedule-booking.workflow';
import type { slotFreedProbeWorkflow } from './booking-workflows.entry';
import { bookingBundle, bookingTestRun, type BookingTestRun } from './booking-workflows.harness';
import { permanent, retryable } from './booking-world.fakes';

jest.setTimeout(60_000);
beforeAll(async () => {
  await Promise.all([bookingTestRun('rc-warmup'), bookingBundle()]);
}, 180_000);

const OLD = '2031-03-04T09:00:00.000Z';
const NEW = '2031-03-05T14:00:00.000Z';
let seq = 0;
const nextId = () => `bkg_rc${(seq += 1)}_${Date.now()}`;

async function probe(t: BookingTestRun, expected: number) {
  const id = `waitlist-probe-${nextId()}`;
  t.world.monitors.push(id);
  return t.env.client.workflow.start<typeof slotFreedProbeWorkflow>('slotFreedProbeWorkflow', { taskQueue: t.taskQueue, workflowId: id, args: [expected] });
}

async function reschedule(t: BookingTestRun, bookingId: string, start = NEW, extra: { maxReschedules?: number } = {}, requestKey: string | number = 1) {
  return t.env.client.workflow.start<typeof rescheduleBookingWorkflow>('rescheduleBookingWorkflow', {
    taskQueue: t.taskQueue, workflowId: rescheduleWorkflowId(bookingId, requestKey), args: [{ bookingId, start, reason: 'customer asked', ...extra }],
  });
}

describe('reschedule', () => {
  test('success: calendar moved (new uid), booking moved with count + 1, old slot freed and announced', async () => {
    const t = await bookingTestRun('rs-ok');
    const id = nextId();
    const before = t.world.seedConfirmed(id, OLD);
    const oldUid = before.externalId;
    const monitor = await probe(t, 1);
    const handle = await reschedule(t, id);
    const [result, events] = await t.run(async () => {
      const outcome = await handle.result();
      return [outcome, await monitor.result()] as const;
    });
    expect(result).toMatchObject({ kind: 'rescheduled', bookingId: id, start: NEW, previousStart: OLD, rescheduledCount: 1 });
    const b = t.world.bookings.get(id)!;
    expect(b).toMatchObject({ start: NEW, rescheduledCount: 1, status: 'confirmed' });
    expect(b.externalId).not.toBe(oldUid);
    expect(result).toMatchObject({ externalId: b.externalId });
    expect(t.world.liveCalendarBookings(id)).toEqual([expect.objectContaining({ uid: b.externalId, start: NEW })]);
    expect(t.world.holds.size).toBe(0);
    expect(events).toEqual([{ branchId: 'br_1', bookingId: id, staffId: 'stf_1', start: OLD, end: '2031-03-04T10:00:00.000Z', reason: 'rescheduled' }]);
    expect(t.world.notifications).toEqual([expect.objectContaining({ kind: 'booking_rescheduled' })]);
    expect(t.world.calls.slice(0, 4)).toEqual(['planReschedule', 'holdRescheduleSlot', 'rescheduleCalendarBooking', 'moveBooking']);
  });

  test('calendar refuses: new hold released, old time kept, reschedule sync failure recorded', async () => {
    const t = await bookingTestRun('rs-refused');
    const id = nextId();
    t.world.seedConfirmed(id, OLD);
    t.world.failNext('rescheduleCalendarBooking', permanent('cannot reschedule'));
    const handle = await reschedule(t, id);
    const result = await t.run(() => handle.result());
    expect(result).toMatchObject({ kind: 'calendar_failed', bookingId: id, syncFailureId: expect.any(String) });
    expect(t.world.bookings.get(id)).toMatchObject({ start: OLD, rescheduledCount: 0, status: 'confirmed' });
    expect(t.world.holds.size).toBe(0);
    expect(t.world.calls).toContain('releaseRescheduleHold');
    expect(t.world.calls).not.toContain('moveBooking');
    expect([...t.world.syncFailures.values()]).toEqual([expect.objectContaining({ operation: 'reschedule', bookingId: id, payload: expect.objectContaining({ start: NEW }) })]);
  });

  test('transient calendar errors are retried, then the move succeeds', async () => {
    const t = await bookingTestRun('rs-flaky');
    const id = nextId();
    t.world.seedConfirmed(id, OLD);
    t.world.failNext('rescheduleCalendarBooking', retryable('HTTP 502'), 2);
    const result = await t.run(async () => (await reschedule(t, id)).result());
    expect(result).toMatchObject({ kind: 'rescheduled', rescheduledCount: 1 });
    expect(t.world.liveCalendarBookings(id)).toHaveLength(1);
  });

  test('new slot taken: conflict with alternatives, nothing moved', async () => {
    const t = await bookingTestRun('rs-conflict');
    const id = nextId();
    t.world.seedConfirmed(id, OLD);
    t.world.taken.add(NEW);
    const result = await t.run(async () => (await reschedule(t, id)).result());
    expect(result).toMatchObject({ kind: 'conflict', alternatives: [expect.any(Object)] });
    expect(t.world.calls).not.toContain('rescheduleCalendarBooking');
    expect(t.world.bookings.get(id)?.start).toBe(OLD);
  });

  test('already at the target (a repeated move): nothing counted, announced or mailed again', async () => {
    const t = await bookingTestRun('rs-unchanged');
    const id = nextId();
    t.world.seedConfirmed(id, NEW, { rescheduledCount: 1 });
    const result = await t.run(async () => (await reschedule(t, id, NEW)).result());
    expect(result).toMatchObject({ kind: 'rescheduled', start: NEW, previousStart: NEW, rescheduledCount: 1, unchanged: true });
    expect(t.world.bookings.get(id)).toMatchObject({ start: NEW, rescheduledCount: 1 });
    expect(t.world.holds.size).toBe(0);
    expect(t.world.liveCalendarBookings(id)).toHaveLength(1);
    expect(t.world.notifications).toEqual([]);
    expect(t.world.calls).not.toContain('fanOutSlotFreed');
  });

  test('new slot lost after the calendar moved (hold expired as abandoned): calendar moved back, hold dropped', async () => {
    const t = await bookingTestRun('rs-slot-lost');
    const id = nextId();
    t.world.seedConfirmed(id, OLD);
    t.world.failNext('moveBooking', permanent('the new slot was taken meanwhile', 'SlotTaken'));
    const result = await t.run(async () => (await reschedule(t, id)).result());
    expect(result).toMatchObject({ kind: 'invalid_state', bookingId: id, message: expect.stringContaining('SlotTaken') });
    expect(t.world.bookings.get(id)).toMatchObject({ start: OLD, rescheduledCount: 0, status: 'confirmed' });
    expect(t.world.liveCalendarBookings(id)).toEqual([expect.objectContaining({ start: OLD })]);
    expect(t.world.holds.size).toBe(0);
    expect(t.world.calls.filter((c) => c === 'rescheduleCalendarBooking')).toHaveLength(2);
  });

  test('a cancelled booking cannot be rescheduled: invalid_state', async () => {
    const t = await bookingTestRun('rs-invalid');
    const id = nextId();
    t.world.seedConfirmed(id, OLD, { status: 'cancelled' });
    const result = await t.run(async () => (await reschedule(t, id)).result());
    expect(result).toMatchObject({ kind: 'invalid_state', status: 'cancelled' });
  });
});

describe('cancel', () => {
  async function cancel(t: BookingTestRun, bookingId: string) {
    return t.env.client.workflow.start<typeof cancelBookingWorkflow>('cancelBookingWorkflow', {
      taskQueue: t.taskQueue, workflowId: cancelWorkflowId(bookingId), args: [{ bookingId, reason: 'plans changed' }],
    });
  }

  test('cancelled at once, calendar cancelled, monitors signalled, customer notified', async () => {
    const t = await bookingTestRun('cx-ok');
    const id = nextId();
    t.world.seedConfirmed(id, OLD);
    const monitor = await probe(t, 1);
    const handle = await cancel(t, id);
    const [recorded, result, events] = await t.run(async () => [await handle.executeUpdate(awaitCancelRecordedUpdate), await handle.result(), await monitor.result()] as const);
    expect(recorded).toMatchObject({ kind: 'cancelled', bookingId: id, alreadyCancelled: false, start: OLD });
    expect(result).toMatchObject({ kind: 'cancelled', calendar: 'synced', syncFailureId: null });
    expect(t.world.bookings.get(id)).toMatchObject({ status: 'cancelled', calendarStatus: 'synced' });
    expect(t.world.liveCalendarBookings(id)).toEqual([]);
    expect(events).toEqual([expect.objectContaining({ bookingId: id, reason: 'cancelled', start: OLD })]);
    expect(t.world.notifications.map((n) => n.kind)).toEqual(['booking_cancelled']);
    // the local cancel comes before any Cal.com call
    expect(t.world.calls.indexOf('cancelBookingRecord')).toBeLessThan(t.world.calls.indexOf('cancelCalendarBooking'));
  });

  test('Cal.com cancel failing for good → still cancelled locally, calendar failed, cancel sync failure', async () => {
    const t = await bookingTestRun('cx-calfail');
    const id = nextId();
    t.world.seedConfirmed(id, OLD);
    t.world.failNext('cancelCalendarBooking', retryable('HTTP 503'), 3);
    t.world.failNext('cancelCalendarBooking', permanent('HTTP 400 refused'));
    const result = await t.run(async () => (await cancel(t, id)).result());
    expect(result).toMatchObject({ kind: 'cancelled', calendar: 'failed', syncFailureId: expect.any(String) });
    expect(t.world.calls.filter((c) => c === 'cancelCalendarBooking')).toHaveLength(4);
    expect(t.world.bookings.get(id)).toMatchObject({ status: 'cancelled', calendarStatus: 'failed' });
    expect([...t.world.syncFailures.values()]).toEqual([expect.objectContaining({ operation: 'cancel', bookingId: id, status: 'open' })]);
  });

  test('cancelling twice: the second run answers alreadyCancelled, no second mail or signal', async () => {
    const t = await bookingTestRun('cx-twice');
    const id = nextId();
    t.world.seedConfirmed(id, OLD);
    await t.run(async () => (await cancel(t, id)).result());
    const second = await t.run(async () => (await cancel(t, id)).result());
    expect(second).toMatchObject({ kind: 'cancelled', alreadyCancelled: true });
    expect(t.world.notifications).toHaveLength(1);
    expect(t.world.calls.filter((c) => c === 'fanOutSlotFreed')).toHaveLength(1);
  });

  test('a failed booking cannot be cancelled; an unknown one is not_found', async () => {
    const t = await bookingTestRun('cx-invalid');
    const id = nextId();
    t.world.seedConfirmed(id, OLD, { status: 'failed' });
    expect(await t.run(async () => (await cancel(t, id)).result())).toMatchObject({ kind: 'invalid_state', status: 'failed' });
    expect(await t.run(async () => (await cancel(t, 'bkg_missing')).result())).toMatchObject({ kind: 'not_found' });
  });
});

describe('self-service reschedule: the move counted under maxReschedules before the hold (patch reschedule-count-claim)', () => {
  test('claimed, then moved: counted once (the move consumes the claim)', async () => {
    const t = await bookingTestRun('rs-claim-ok');
    const id = nextId();
    t.world.seedConfirmed(id, OLD);
    const result = await t.run(async () => (await reschedule(t, id, NEW, { maxReschedules: 1 })).result());
    expect(result).toMatchObject({ kind: 'rescheduled', start: NEW, rescheduledCount: 1 });
    expect(t.world.bookings.get(id)).toMatchObject({ start: NEW, rescheduledCount: 1 });
    expect(t.world.claims.size).toBe(0);
    expect(t.world.calls.slice(0, 5)).toEqual(['planReschedule', 'claimReschedule', 'holdRescheduleSlot', 'rescheduleCalendarBooking', 'moveBooking']);
  });

  test('at the limit: rule_violation max_reschedules before anything is held or sent to the calendar', async () => {
    const t = await bookingTestRun('rs-claim-limit');
    const id = nextId();
    t.world.seedConfirmed(id, OLD, { rescheduledCount: 1 });
    const result = await t.run(async () => (await reschedule(t, id, NEW, { maxReschedules: 1 })).result());
    expect(result).toEqual({ kind: 'rule_violation', violations: [{ rule: 'max_reschedules', message: expect.stringContaining('at most 1 online') }] });
    expect(t.world.bookings.get(id)).toMatchObject({ start: OLD, rescheduledCount: 1 });
    expect(t.world.calls).not.toContain('holdRescheduleSlot');
    expect(t.world.calls).not.toContain('rescheduleCalendarBooking');
  });

  test('two runs racing at maxReschedules 1: one moves, the other is refused; the count stays at 1', async () => {
    const t = await bookingTestRun('rs-claim-race');
    const id = nextId();
    t.world.seedConfirmed(id, OLD);
    // The results are awaited through a plain client: two time-skipping result() calls at once let
    // the test server skip time while a workflow task was being worked on (it timed the task out
    // and, ten virtual years on, the run). Nothing here waits on a timer, so no skipping is needed.
    const plain = new WorkflowClient({ connection: t.env.connection, namespace: t.env.namespace });
    const results = await t.run(async () => {
      const handles = await Promise.all([reschedule(t, id, NEW, { maxReschedules: 1 }, 'a'), reschedule(t, id, '2031-03-05T16:00:00.000Z', { maxReschedules: 1 }, 'b')]);
      return Promise.all(handles.map((h) => plain.getHandle<typeof rescheduleBookingWorkflow>(h.workflowId).result()));
    });
    expect(results.map((r) => r.kind).sort()).toEqual(['rescheduled', 'rule_violation']);
    expect(t.world.bookings.get(id)?.rescheduledCount).toBe(1);
    expect(t.world.holds.size).toBe(0);
  });

  test.each([
    ['the calendar refuses', (t: BookingTestRun) => t.world.failNext('rescheduleCalendarBooking', permanent('cannot reschedule')), 'calendar_failed'],
    ['the new slot is taken', (t: BookingTestRun) => void t.world.taken.add(NEW), 'conflict'],
    ['the slot is lost at the move', (t: BookingTestRun) => t.world.failNext('moveBooking', permanent('the new slot was taken meanwhile', 'SlotTaken')), 'invalid_state'],
  ])('%s: the compensation gives the claimed move back', async (_label, prepare, kind) => {
    const t = await bookingTestRun(`rs-claim-undo-${kind}`);
    const id = nextId();
    t.world.seedConfirmed(id, OLD);
    prepare(t);
    const result = await t.run(async () => (await reschedule(t, id, NEW, { maxReschedules: 1 })).result());
    expect(result.kind).toBe(kind);
    expect(t.world.bookings.get(id)).toMatchObject({ start: OLD, rescheduledCount: 0 });
    expect(t.world.claims.size).toBe(0);
    expect(t.world.holds.size).toBe(0);
    expect(t.world.calls).toContain('releaseRescheduleClaim');
  });

  test('already at the target: not counted (the claim is given back by the move)', async () => {
    const t = await bookingTestRun('rs-claim-unchanged');
    const id = nextId();
    t.world.seedConfirmed(id, NEW, { rescheduledCount: 1 });
    const result = await t.run(async () => (await reschedule(t, id, NEW, { maxReschedules: 3 })).result());
    expect(result).toMatchObject({ kind: 'rescheduled', unchanged: true, rescheduledCount: 1 });
    expect(t.world.bookings.get(id)?.rescheduledCount).toBe(1);
    expect(t.world.claims.size).toBe(0);
  });
});
