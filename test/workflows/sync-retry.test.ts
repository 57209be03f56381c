/**
 * Support retry workflow on the time-skipping server with in-memory activities: create (slot
 * still free → confirmed and resolved; taken → stays open with the conflict; calendar refusing
 * again → slot released again, open with attempts + 1; Cal.com booked but the confirm refused →
 * the Cal.com booking cancelled before the slot is released), reschedule (through the reschedule saga
 * as a child), cancel, and a resolved failure that cannot be retried.
 */
import { syncRetryWorkflowId } from '../../workflows/sync-retry.contract';
import type { syncRetryWorkflow } from '../../workflows/sync-retry.workflow';
import { bookingBundle, bookingTestRun, type BookingTestRun } from './booking-workflows.harness';
import { permanent, retryable, type FakeSyncFailure } from './booking-world.fakes';

jest.setTimeout(60_000);
beforeAll(async () => {
  await Promise.all([bookingTestRun('sr-warmup'), bookingBundle()]);
}, 180_000);

const START = '2031-03-04T09:00:00.000Z';
const NEW = '2031-03-06T11:00:00.000Z';
let seq = 0;
const nextId = () => `bkg_sr${(seq += 1)}_${Date.now()}`;

function failure(t: BookingTestRun, bookingId: string, operation: FakeSyncFailure['operation'], payload: Record<string, unknown> = {}): string {
  const id = `syf_${bookingId}`;
  t.world.syncFailures.set(id, { id, bookingId, operation, error: 'HTTP 400', attempts: 1, status: 'open', payload });
  return id;
}

async function retry(t: BookingTestRun, failureId: string, attempt = 2) {
  return t.run(async () => {
    const handle = await t.env.client.workflow.start<typeof syncRetryWorkflow>('syncRetryWorkflow', {
      taskQueue: t.taskQueue, workflowId: syncRetryWorkflowId(failureId, attempt), args: [{ syncFailureId: failureId, attempt }],
    });
    return handle.result();
  });
}

test('create: the failed booking gets its slot back, Cal.com booking made, confirmed, resolved', async () => {
  const t = await bookingTestRun('sr-create');
  const id = nextId();
  t.world.seedConfirmed(id, START, { status: 'failed', externalId: null, calendarStatus: 'failed' });
  t.world.calendar.clear();
  const fid = failure(t, id, 'create');
  const result = await retry(t, fid);
  expect(result).toMatchObject({ kind: 'resolved', syncFailureId: fid, bookingId: id, operation: 'create', externalId: expect.any(String) });
  expect(t.world.bookings.get(id)).toMatchObject({ status: 'confirmed', calendarStatus: 'synced' });
  expect(t.world.liveCalendarBookings(id)).toHaveLength(1);
  expect(t.world.syncFailures.get(fid)?.status).toBe('resolved');
  expect(t.world.notifications.map((n) => n.kind)).toEqual(['booking_confirmed']);
});

test('create: the original slot was taken meanwhile → stays open with the conflict, attempts + 1', async () => {
  const t = await bookingTestRun('sr-create-taken');
  const id = nextId();
  t.world.seedConfirmed(id, START, { status: 'failed', externalId: null });
  t.world.calendar.clear();
  t.world.taken.add(START);
  const fid = failure(t, id, 'create');
  const result = await retry(t, fid);
  expect(result).toMatchObject({ kind: 'still_open', error: expect.stringContaining('slot_unavailable') });
  expect(t.world.syncFailures.get(fid)).toMatchObject({ status: 'open', attempts: 2, error: expect.stringContaining('no longer free') });
  expect(t.world.calls).not.toContain('createCalendarBooking');
});

test('create: calendar refuses again → slot released again, failure open with the new error', async () => {
  const t = await bookingTestRun('sr-create-refused');
  const id = nextId();
  t.world.seedConfirmed(id, START, { status: 'failed', externalId: null });
  t.world.calendar.clear();
  t.world.failNext('createCalendarBooking', permanent('still refused'));
  const fid = failure(t, id, 'create');
  const result = await retry(t, fid);
  expect(result).toMatchObject({ kind: 'still_open', error: expect.stringContaining('still refused') });
  expect(t.world.bookings.get(id)?.status).toBe('failed');
  expect(t.world.syncFailures.get(fid)).toMatchObject({ status: 'open', attempts: 2 });
  // The Cal.com undo runs (a no-op here) before the hold is released: compensation newest first.
  expect(t.world.calls).toContain('cancelCalendarBooking');
  expect(t.world.calls.indexOf('cancelCalendarBooking')).toBeLessThan(t.world.calls.indexOf('releaseHold'));
});

test('create: Cal.com booked, then the confirm is refused → the Cal.com booking is cancelled, slot released', async () => {
  const t = await bookingTestRun('sr-create-confirm-refused');
  const id = nextId();
  t.world.seedConfirmed(id, START, { status: 'failed', externalId: null });
  t.world.calendar.clear();
  t.world.failNext('confirmBooking', permanent('booking cannot be confirmed', 'InvalidState'));
  const fid = failure(t, id, 'create');
  const result = await retry(t, fid);
  expect(result).toMatchObject({ kind: 'still_open', error: expect.stringContaining('cannot be confirmed') });
  expect([...t.world.calendar.values()].filter((c) => c.bookingId === id)).toHaveLength(1);
  expect(t.world.liveCalendarBookings(id)).toEqual([]);
  expect(t.world.bookings.get(id)?.status).toBe('failed');
  expect(t.world.syncFailures.get(fid)).toMatchObject({ status: 'open', attempts: 2 });
  const calls = t.world.calls;
  expect(calls.indexOf('createCalendarBooking')).toBeLessThan(calls.indexOf('cancelCalendarBooking'));
  expect(calls.indexOf('cancelCalendarBooking')).toBeLessThan(calls.indexOf('releaseHold'));
  expect(t.world.notifications).toEqual([]);
});

test('create: answer lost, booking adopted on retry, row cancelled meanwhile → Cal.com undone, row stays cancelled', async () => {
  const t = await bookingTestRun('sr-create-lost');
  const id = nextId();
  t.world.seedConfirmed(id, START, { status: 'failed', externalId: null });
  t.world.calendar.clear();
  t.world.failNext('createCalendarBooking:lose_response', retryable('x'));
  t.world.onNext('confirmBooking', () => void (t.world.bookings.get(id)!.status = 'cancelled'));
  const fid = failure(t, id, 'create');
  const result = await retry(t, fid);
  expect(result).toMatchObject({ kind: 'still_open' });
  expect(t.world.calls.filter((c) => c === 'createCalendarBooking')).toHaveLength(2);
  expect([...t.world.calendar.values()].filter((c) => c.bookingId === id)).toHaveLength(1);
  expect(t.world.liveCalendarBookings(id)).toEqual([]);
  expect(t.world.bookings.get(id)?.status).toBe('cancelled');
});

test('reschedule: the requested move runs again and resolves; no second failure is recorded', async () => {
  const t = await bookingTestRun('sr-resched');
  const id = nextId();
  t.world.seedConfirmed(id, START);
  const fid = failure(t, id, 'reschedule', { start: NEW, staffId: 'stf_1', reason: 'asked' });
  const result = await retry(t, fid);
  expect(result).toMatchObject({ kind: 'resolved', operation: 'reschedule' });
  expect(t.world.bookings.get(id)).toMatchObject({ start: NEW, rescheduledCount: 1 });
  expect(t.world.syncFailures.size).toBe(1);
});

test('reschedule refused again: open with attempts + 1, still one failure record, old time kept', async () => {
  const t = await bookingTestRun('sr-resched-refused');
  const id = nextId();
  t.world.seedConfirmed(id, START);
  t.world.failNext('rescheduleCalendarBooking', permanent('nope'));
  const fid = failure(t, id, 'reschedule', { start: NEW });
  const result = await retry(t, fid);
  expect(result).toMatchObject({ kind: 'still_open', operation: 'reschedule' });
  expect(t.world.syncFailures.size).toBe(1);
  expect(t.world.syncFailures.get(fid)).toMatchObject({ status: 'open', attempts: 2 });
  expect(t.world.bookings.get(id)?.start).toBe(START);
});

test('cancel: the Cal.com booking is cancelled and the failure resolved', async () => {
  const t = await bookingTestRun('sr-cancel');
  const id = nextId();
  t.world.seedConfirmed(id, START, { status: 'cancelled', calendarStatus: 'failed' });
  const fid = failure(t, id, 'cancel');
  const result = await retry(t, fid);
  expect(result).toMatchObject({ kind: 'resolved', operation: 'cancel' });
  expect(t.world.liveCalendarBookings(id)).toEqual([]);
  expect(t.world.bookings.get(id)?.calendarStatus).toBe('synced');
});

test('a resolved failure is not retried; an unknown one is not_found', async () => {
  const t = await bookingTestRun('sr-resolved');
  const id = nextId();
  t.world.seedConfirmed(id, START);
  const fid = failure(t, id, 'cancel');
  t.world.syncFailures.get(fid)!.status = 'resolved';
  expect(await retry(t, fid)).toEqual({ kind: 'not_retryable', syncFailureId: fid, status: 'resolved' });
  expect(await retry(t, 'syf_missing')).toMatchObject({ kind: 'not_found', entity: 'sync_failure' });
});
