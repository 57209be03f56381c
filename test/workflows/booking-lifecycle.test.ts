/**
 * The booking lifecycle on the time-skipping server (days of timers in seconds) with in-memory
 * activities: reminders at start - minutesBefore, completion at end + grace, a reschedule
 * followed without a duplicate or stale reminder, a cancel that ends it silently, reminders
 * skipped when the booking came too late for them, no-show, the review request after completion
 * (by timer or front desk; none otherwise), and the saga starting it.
 */
import { bookingWorkflowId } from '../../workflows/book-appointment.contract';
import { bookingChangedSignal, lifecycleWorkflowId } from '../../workflows/booking-lifecycle.contract';
import type { bookingLifecycleWorkflow } from '../../workflows/booking-lifecycle.workflow';
import { NOTIFICATION_DEFAULTS } from '../../domain/notifications/lifecycle-schedule';
import { bookingBundle, bookingTestRun, type BookingTestRun } from './booking-workflows.harness';
import { FakeLifecycle } from './lifecycle.fakes';

jest.setTimeout(120_000);

beforeAll(async () => {
  await Promise.all([bookingTestRun('lifecycle-warmup'), bookingBundle()]);
}, 180_000);

const MIN = 60_000;
const DAY = 1_440 * MIN;
const iso = (ms: number) => new Date(ms).toISOString();
let seq = 0;

async function lifecycleRun(label: string, at: (now: number) => { start: number; end: number; since?: number }) {
  const t = await bookingTestRun(label);
  const now = await t.env.currentTimeMs();
  const { start, end, since } = at(now);
  const fake = new FakeLifecycle({
    status: 'confirmed', start: iso(start), end: iso(end), startSince: iso(since ?? now),
    reminders: NOTIFICATION_DEFAULTS.reminders, completionGraceMinutes: 60,
  });
  t.world.lifecycle = fake;
  seq += 1;
  const bookingId = `bkg_life${seq}_${Date.now()}`;
  const handle = await t.env.client.workflow.start<typeof bookingLifecycleWorkflow>('bookingLifecycleWorkflow', {
    taskQueue: t.taskQueue, workflowId: lifecycleWorkflowId(bookingId), args: [{ bookingId }],
  });
  return { t, fake, handle, now, start, end };
}

/** Runs the worker while `fn` advances time and changes the booking, then awaits the result. */
function drive<T>(t: BookingTestRun, fn: () => Promise<T>) {
  return t.run(fn);
}

test('three days ahead: the day-before and two-hour reminders at their moments, completion an hour after the end', async () => {
  const { t, fake, handle, start, end } = await lifecycleRun('life-happy', (now) => ({ start: now + 3 * DAY, end: now + 3 * DAY + 45 * MIN }));
  const result = await drive(t, () => handle.result());
  expect(result).toEqual({ bookingId: expect.any(String), status: 'completed', reminders: [`1440@${iso(start)}`, `120@${iso(start)}`] });
  expect(fake.sent.map((s) => [s.key, s.channels])).toEqual([[`1440@${iso(start)}`, ['email', 'sms']], [`120@${iso(start)}`, ['sms']]]);
  // within the scheduling latency of the server, never early
  expect(fake.sent[0].at - (start - DAY)).toBeGreaterThanOrEqual(0);
  expect(fake.sent[0].at - (start - DAY)).toBeLessThan(MIN);
  expect(fake.sent[1].at - (start - 120 * MIN)).toBeGreaterThanOrEqual(0);
  expect(fake.sent[1].at - (start - 120 * MIN)).toBeLessThan(MIN);
  expect(fake.completedAt! - (end + 60 * MIN)).toBeGreaterThanOrEqual(0);
  expect(fake.completedAt! - (end + 60 * MIN)).toBeLessThan(MIN);
  expect(fake.sent[0].dedupeKey).toBe(`${handle.workflowId}:reminder:1440@${iso(start)}`);
});

test('a reschedule (signalled) moves the reminders to the new time: one of each, none for the old time', async () => {
  const { t, fake, handle, start } = await lifecycleRun('life-moved', (now) => ({ start: now + 3 * DAY, end: now + 3 * DAY + 60 * MIN }));
  const moved = start + DAY;
  const result = await drive(t, async () => {
    await t.env.sleep(2 * DAY + 12 * 60 * MIN); // past the old day-before reminder's moment - 12 h
    expect(fake.sent.map((s) => s.key)).toEqual([`1440@${iso(start)}`]);
    fake.move(iso(moved), iso(moved + 60 * MIN), await t.env.currentTimeMs());
    await handle.signal(bookingChangedSignal, { reason: 'rescheduled' });
    return handle.result();
  });
  expect(result.status).toBe('completed');
  expect(fake.sent.map((s) => s.key)).toEqual([`1440@${iso(start)}`, `1440@${iso(moved)}`, `120@${iso(moved)}`]);
  expect(fake.sent[2].at - (moved - 120 * MIN)).toBeLessThan(MIN);
  expect(fake.completedAt! - (moved + 120 * MIN)).toBeLessThan(MIN);
  expect(fake.completedAt! - (moved + 120 * MIN)).toBeGreaterThanOrEqual(0);
});

test('a reschedule the lifecycle only notices at its timer (signal lost) sends nothing stale and follows the new time', async () => {
  const { t, fake, handle, start } = await lifecycleRun('life-moved-silent', (now) => ({ start: now + 3 * DAY, end: now + 3 * DAY + 60 * MIN }));
  const moved = start + 2 * DAY;
  const result = await drive(t, async () => {
    await t.env.sleep(DAY);
    fake.move(iso(moved), iso(moved + 60 * MIN), await t.env.currentTimeMs());
    return handle.result();
  });
  expect(result.status).toBe('completed');
  expect(fake.sent.map((s) => s.key)).toEqual([`1440@${iso(moved)}`, `120@${iso(moved)}`]);
});

test('a cancel ends it at once: no reminder, no completion', async () => {
  const { t, fake, handle } = await lifecycleRun('life-cancel', (now) => ({ start: now + 3 * DAY, end: now + 3 * DAY + 60 * MIN }));
  const result = await drive(t, async () => {
    await t.env.sleep(60 * MIN);
    fake.booking.status = 'cancelled';
    await handle.signal(bookingChangedSignal, { reason: 'cancelled' });
    return handle.result();
  });
  expect(result).toMatchObject({ status: 'cancelled', reminders: [] });
  expect(fake.sent).toEqual([]);
  expect(fake.completedAt).toBeUndefined();
});

test('a booking made 90 minutes ahead skips both reminders (their moments had passed) and still completes', async () => {
  const { t, fake, handle } = await lifecycleRun('life-late', (now) => ({ start: now + 90 * MIN, end: now + 150 * MIN }));
  const result = await drive(t, () => handle.result());
  expect(result).toMatchObject({ status: 'completed', reminders: [] });
  expect(fake.sent).toEqual([]);
});

test('a no-show is not completed', async () => {
  const { t, fake, handle } = await lifecycleRun('life-no-show', (now) => ({ start: now + 30 * MIN, end: now + 60 * MIN }));
  const result = await drive(t, async () => {
    await t.env.sleep(40 * MIN);
    fake.booking.status = 'no_show';
    return handle.result();
  });
  expect(result.status).toBe('no_show');
  expect(fake.completedAt).toBeUndefined();
});

// Before the saga test: its abandoned child's run can leave the time-skipping server unable to skip for later runs.
describe('review request after completion (patch lifecycle-review-request)', () => {
  test('completed by its timer: one review request right after the completion, keyed by the workflow', async () => {
    const { t, fake, handle, end } = await lifecycleRun('life-review', (now) => ({ start: now + 2 * DAY, end: now + 2 * DAY + 60 * MIN }));
    const result = await drive(t, () => handle.result());
    expect(result.status).toBe('completed');
    expect(fake.reviewRequests).toEqual([{ dedupeKey: `${handle.workflowId}:review-request`, at: expect.any(Number), status: 'completed' }]);
    expect(fake.reviewRequests[0].at).toBeGreaterThanOrEqual(fake.completedAt!);
    expect(fake.reviewRequests[0].at - (end + 60 * MIN)).toBeLessThan(MIN);
  });

  test('completed at the front desk (signalled): the request goes at once, not at the completion timer', async () => {
    const { t, fake, handle, start } = await lifecycleRun('life-review-desk', (now) => ({ start: now + 2 * DAY, end: now + 2 * DAY + 60 * MIN }));
    const result = await drive(t, async () => {
      await t.env.sleep(2 * DAY + 10 * MIN);
      fake.booking.status = 'completed';
      await handle.signal(bookingChangedSignal, { reason: 'completed' });
      return handle.result();
    });
    expect(result.status).toBe('completed');
    expect(fake.completedAt).toBeUndefined();
    expect(fake.reviewRequests).toHaveLength(1);
    expect(fake.reviewRequests[0].at - (start + 10 * MIN)).toBeLessThan(MIN);
  });

  test('cancelled or no-show: no review request', async () => {
    const { t, fake, handle } = await lifecycleRun('life-review-none', (now) => ({ start: now + 30 * MIN, end: now + 60 * MIN }));
    const result = await drive(t, async () => {
      await t.env.sleep(40 * MIN);
      fake.booking.status = 'no_show';
      await handle.signal(bookingChangedSignal, { reason: 'no_show' });
      return handle.result();
    });
    expect(result.status).toBe('no_show');
    expect(fake.reviewRequests).toEqual([]);
  });
});

test('the booking saga starts the lifecycle as an abandoned child of a confirmed booking', async () => {
  const t = await bookingTestRun('life-from-saga');
  const bookingId = `bkg_lifesaga_${Date.now()}`;
  const args = { bookingId, companyId: 'cmp_1', branchId: 'br_1', serviceId: 'svc_1', customerId: 'cus_1', start: '2031-03-04T09:00:00.000Z', staffId: 'stf_1' };
  const handle = await t.env.client.workflow.start('bookAppointmentWorkflow', { taskQueue: t.taskQueue, workflowId: bookingWorkflowId(bookingId), args: [args] });
  const child = t.env.client.workflow.getHandle(lifecycleWorkflowId(bookingId));
  const childResult = await t.run(async () => {
    await handle.result();
    return child.result();
  });
  expect(childResult).toEqual({ bookingId, status: 'not_driven_here', reminders: [] });
  expect(t.world.lifecycleStarts).toEqual([bookingId]);
});
