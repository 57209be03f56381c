/**
 * Booking saga on the time-skipping server with in-memory activities: happy path, rejections,
 * each calendar failure point with compensation order, idempotent retries (lost Cal.com response,
 * retried DB step), group booking, operator visibility (query, search attributes, memo).
 */
import { WorkflowFailedError } from '@temporalio/client';
import { bookingWorkflowId, currentStepQuery, type BookAppointmentInput } from '../../workflows/book-appointment.contract';
import { identityAttributes } from '../../workflows/search-attributes.contract';
import type { bookAppointmentWorkflow } from '../../workflows/book-appointment.workflow';
import { bookingBundle, bookingTestRun } from './booking-workflows.harness';
import { PACKAGE_SERVICE, permanent, retryable, UNLINKED_STAFF } from './booking-world.fakes';

jest.setTimeout(60_000);

// The first use starts the time-skipping server and bundles the workflows (slow on a busy machine).
beforeAll(async () => {
  await Promise.all([bookingTestRun('saga-warmup'), bookingBundle()]);
}, 180_000);

const START = '2031-03-04T09:00:00.000Z';
let seq = 0;

function input(overrides: Partial<BookAppointmentInput> = {}): BookAppointmentInput {
  seq += 1;
  return { bookingId: `bkg_saga${seq}_${Date.now()}`, companyId: 'cmp_1', branchId: 'br_1', serviceId: 'svc_1', customerId: 'cus_1', start: START, staffId: 'stf_1', ...overrides };
}

type SagaHandle = Awaited<ReturnType<Awaited<ReturnType<typeof bookingTestRun>>['env']['client']['workflow']['start']>>;

async function book(
  label: string,
  prepare: (t: Awaited<ReturnType<typeof bookingTestRun>>) => void,
  overrides: Partial<BookAppointmentInput> = {},
  afterResult?: (handle: SagaHandle) => Promise<void>,
) {
  const t = await bookingTestRun(label);
  prepare(t);
  const args = input(overrides);
  const handle = await t.env.client.workflow.start<typeof bookAppointmentWorkflow>('bookAppointmentWorkflow', {
    taskQueue: t.taskQueue,
    workflowId: bookingWorkflowId(args.bookingId),
    args: [args],
  });
  const result = await t.run(async () => {
    const outcome = await handle.result();
    await afterResult?.(handle);
    return outcome;
  });
  return { t, args, handle, result, booking: t.world.bookings.get(args.bookingId) };
}

test('happy path: hold → calendar → confirm → notify → invalidate, with visibility', async () => {
  // A query needs a worker, also on a closed workflow. Asked while the run's worker is up: the
  // time-skipping test server never hands a closed workflow's query to a second worker once the
  // workflow started a child (here the lifecycle); the dev server does.
  let step: string | undefined;
  const { t, args, handle, result, booking } = await book('saga-happy', () => {}, {}, async (h) => {
    step = await h.query(currentStepQuery);
  });
  expect(step).toBe('done');
  expect(result).toMatchObject({ kind: 'confirmed', bookingId: args.bookingId, staffId: 'stf_1', start: START, externalId: expect.any(String) });
  expect(booking).toMatchObject({ status: 'confirmed', calendarStatus: 'synced', externalId: (result as { externalId: string }).externalId });
  expect(t.world.calls).toEqual(['planBooking', 'holdSlot', 'createCalendarBooking', 'confirmBooking', 'sendBookingNotification', 'invalidateAvailability']);
  expect(t.world.notifications).toEqual([{ bookingId: args.bookingId, kind: 'booking_confirmed', dedupeKey: `booking-${args.bookingId}:notify-confirmed` }]);
  const description = await handle.describe();
  expect(description.searchAttributes).toMatchObject({
    BookingId: [args.bookingId], CustomerId: ['cus_1'], BranchId: ['br_1'], BookingStatus: ['confirmed'], WorkflowKind: ['booking'],
  });
  expect(description.memo).toMatchObject({ summary: expect.stringContaining('confirmed') });
});

test('not linked (patch calendar-not-linked): no calendar step and no calendar undo; confirmed as not_linked', async () => {
  const { t, args, result, booking } = await book('saga-not-linked', () => {}, { staffId: UNLINKED_STAFF });
  expect(result).toMatchObject({ kind: 'confirmed', bookingId: args.bookingId, staffId: UNLINKED_STAFF, externalId: null });
  expect(booking).toMatchObject({ status: 'confirmed', calendarStatus: 'not_linked', externalId: null });
  expect(t.world.calls).toEqual(['planBooking', 'holdSlot', 'confirmBooking', 'sendBookingNotification', 'invalidateAvailability']);
});

test('not linked and the confirm refused: the hold is released without any calendar undo', async () => {
  const { t, args, result } = await book('saga-not-linked-refused', (r) => r.world.failNext('confirmBooking', permanent('refused', 'InvalidState')), { staffId: UNLINKED_STAFF });
  expect(result).toMatchObject({ kind: 'calendar_failed', bookingId: args.bookingId });
  expect(t.world.calls).not.toContain('createCalendarBooking');
  expect(t.world.calls).not.toContain('cancelCalendarBooking');
  expect(t.world.calls).toContain('releaseHold');
});

test('a start that carries the identity attributes (as the API sends) is not followed by an upsert of them', async () => {
  const upsertedKeys = async (handle: { fetchHistory(): Promise<{ events?: Array<{ upsertWorkflowSearchAttributesEventAttributes?: { searchAttributes?: { indexedFields?: Record<string, unknown> | null } | null } | null }> | null }> }) =>
    ((await handle.fetchHistory()).events ?? []).flatMap((e) => Object.keys(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}));
  const t = await bookingTestRun('saga-sa-at-start');
  const args = input();
  const handle = await t.env.client.workflow.start<typeof bookAppointmentWorkflow>('bookAppointmentWorkflow', {
    taskQueue: t.taskQueue,
    workflowId: bookingWorkflowId(args.bookingId),
    args: [args],
    typedSearchAttributes: identityAttributes('booking', { bookingId: args.bookingId, customerId: args.customerId, branchId: args.branchId }, 'validating'),
  });
  expect(await t.run(() => handle.result())).toMatchObject({ kind: 'confirmed' });
  const keys = await upsertedKeys(handle);
  expect(keys).toContain('BookingStatus'); // the outcome
  expect(keys).not.toContain('BookingId');
  expect((await handle.describe()).searchAttributes).toMatchObject({
    BookingId: [args.bookingId], CustomerId: ['cus_1'], BranchId: ['br_1'], BookingStatus: ['confirmed'], WorkflowKind: ['booking'],
  });

  // Started without them (a child of a series, an older starter): the saga upserts them itself.
  const { handle: bare } = await book('saga-sa-upserted', () => {});
  expect(await upsertedKeys(bare)).toEqual(expect.arrayContaining(['BookingId', 'CustomerId', 'BranchId', 'WorkflowKind']));
});

test('rule violation: nothing held, nothing on the calendar', async () => {
  const { t, result } = await book('saga-rules', () => {}, { customerId: 'cus_blocked' });
  expect(result).toEqual({ kind: 'rule_violation', violations: [{ rule: 'customer_blocked', message: 'the customer is blocked' }] });
  expect(t.world.calls).toEqual(['planBooking']);
  expect(t.world.calendar.size).toBe(0);
});

test('hold refused by the exclusion constraint: conflict with alternatives, no calendar call', async () => {
  const { t, result, booking } = await book('saga-conflict', (r) => r.world.taken.add(START));
  expect(result).toMatchObject({ kind: 'conflict', alternatives: [expect.objectContaining({ staffId: 'stf_1' })] });
  expect(booking).toBeUndefined();
  expect(t.world.calls).toEqual(['planBooking', 'holdSlot']);
});

test('calendar refuses for good (4xx): compensation newest first, failed + sync failure + failure mail', async () => {
  const { t, args, result, booking } = await book('saga-refused', (r) => r.world.failNext('createCalendarBooking', permanent('slot taken in Cal.com', 'CalendarSlotTaken')));
  expect(result).toMatchObject({ kind: 'calendar_failed', bookingId: args.bookingId, error: expect.stringContaining('CalendarSlotTaken') });
  expect(booking).toMatchObject({ status: 'failed', calendarStatus: 'failed' });
  // a 4xx is not retried: one create attempt
  expect(t.world.calls.filter((c) => c === 'createCalendarBooking')).toHaveLength(1);
  expect(t.world.calls).toEqual([
    'planBooking', 'holdSlot', 'createCalendarBooking',
    'cancelCalendarBooking', 'releaseHold', // undos, newest first
    'markBookingFailed', 'recordSyncFailure', 'sendBookingNotification', 'invalidateAvailability', 'fanOutSlotFreed',
  ]);
  expect([...t.world.syncFailures.values()]).toEqual([expect.objectContaining({ bookingId: args.bookingId, operation: 'create', status: 'open' })]);
  expect(t.world.notifications.map((n) => n.kind)).toEqual(['booking_failed']);
  expect(t.world.liveCalendarBookings(args.bookingId)).toEqual([]);
});

test('calendar 5xx/429 retried with backoff, then confirmed', async () => {
  const { t, result } = await book('saga-flaky', (r) => {
    r.world.failNext('createCalendarBooking', retryable('HTTP 503'), 2);
    r.world.failNext('createCalendarBooking', retryable('HTTP 429', 'CalendarUnavailable'));
  });
  expect(result).toMatchObject({ kind: 'confirmed' });
  expect(t.world.calls.filter((c) => c === 'createCalendarBooking')).toHaveLength(4);
});

test('calendar keeps failing with 5xx: attempts exhausted → compensated as failed', async () => {
  const { t, args, result, booking } = await book('saga-exhausted', (r) => r.world.failNext('createCalendarBooking', retryable('HTTP 500'), 10));
  expect(result).toMatchObject({ kind: 'calendar_failed', bookingId: args.bookingId });
  expect(t.world.calls.filter((c) => c === 'createCalendarBooking')).toHaveLength(5);
  expect(booking?.status).toBe('failed');
  expect(t.world.calls.indexOf('cancelCalendarBooking')).toBeLessThan(t.world.calls.indexOf('releaseHold'));
});

test('lost Cal.com response: the retry adopts the booking Cal.com made, never a second one', async () => {
  const { t, args, result } = await book('saga-lost', (r) => r.world.failNext('createCalendarBooking:lose_response', retryable('x')));
  expect(result).toMatchObject({ kind: 'confirmed' });
  const live = t.world.liveCalendarBookings(args.bookingId);
  expect(live).toHaveLength(1);
  expect((result as { externalId: string }).externalId).toBe(live[0].uid);
  expect(t.world.calendar.size).toBe(1);
});

test('a retried DB step is idempotent (hold/confirm retried after transient errors)', async () => {
  const { t, args, result, booking } = await book('saga-dbretry', (r) => {
    r.world.failNext('holdSlot', retryable('connection reset', 'DbUnavailable'), 2);
    r.world.failNext('confirmBooking', retryable('connection reset', 'DbUnavailable'));
  });
  expect(result).toMatchObject({ kind: 'confirmed', bookingId: args.bookingId });
  expect(booking?.history).toEqual(['held', 'confirmed']);
  expect(t.world.calls.filter((c) => c === 'holdSlot')).toHaveLength(3);
  expect(t.world.bookings.size).toBe(1);
});

test('notification and cache failures after the outcome do not undo the booking', async () => {
  const { t, result, booking } = await book('saga-besteffort', (r) => {
    r.world.failNext('sendBookingNotification', permanent('smtp down', 'MailRejected'));
    r.world.failNext('invalidateAvailability', retryable('redis down'), 10);
  });
  expect(result).toMatchObject({ kind: 'confirmed' });
  expect(booking?.status).toBe('confirmed');
  expect(t.world.calls.filter((c) => c === 'invalidateAvailability')).toHaveLength(5);
});

test('group booking: one hold for all participants; group size checked by the rules', async () => {
  const participants = [{ name: 'A', email: 'a@example.test' }, { name: 'B' }, { name: 'C' }];
  const { t, result, booking } = await book('saga-group', () => {}, { participants });
  expect(result).toMatchObject({ kind: 'confirmed' });
  expect(booking?.participants).toBe(3);
  expect(t.world.calls.filter((c) => c === 'holdSlot')).toHaveLength(1);
  expect(t.world.bookings.size).toBe(1);

  const tooMany = Array.from({ length: 5 }, (_, i) => ({ name: `P${i}` }));
  const over = await book('saga-group-over', () => {}, { participants: tooMany });
  expect(over.result).toMatchObject({ kind: 'rule_violation', violations: [{ rule: 'group_size' }] });
});

test('a failed compensation fails the workflow visibly instead of being swallowed', async () => {
  const t = await bookingTestRun('saga-undo-fails');
  t.world.failNext('createCalendarBooking', permanent('refused'));
  t.world.failNext('cancelCalendarBooking', permanent('calendar down for good'));
  const args = input();
  const handle = await t.env.client.workflow.start<typeof bookAppointmentWorkflow>('bookAppointmentWorkflow', { taskQueue: t.taskQueue, workflowId: bookingWorkflowId(args.bookingId), args: [args] });
  const error = await t.run(() => handle.result().then(() => null, (e: unknown) => e));
  expect(error).toBeInstanceOf(WorkflowFailedError);
  expect(String((error as WorkflowFailedError).cause?.message)).toContain('compensation failed for: cancelCalendarBooking');
  // the other undo still ran: the hold is released
  expect(t.world.bookings.get(args.bookingId)?.status).toBe('failed');
});

describe('confirm refused after the Cal.com create: no calendar booking without a confirmed booking', () => {
  test('hold released meanwhile (row failed): Cal.com booking cancelled, failed + sync failure + failure mail', async () => {
    let id = '';
    const { t, result, booking } = await book('saga-confirm-released', (r) => {
      r.world.onNext('confirmBooking', () => void (r.world.bookings.get(id)!.status = 'failed'));
    }, { bookingId: (id = `bkg_saga_released_${Date.now()}`) });
    expect(result).toMatchObject({ kind: 'calendar_failed', bookingId: id, error: expect.stringContaining('InvalidState') });
    expect(t.world.liveCalendarBookings(id)).toEqual([]);
    expect(t.world.calendar.size).toBe(1); // it was made, then cancelled
    expect(booking).toMatchObject({ status: 'failed', calendarStatus: 'failed' });
    expect(t.world.calls).toEqual([
      'planBooking', 'holdSlot', 'createCalendarBooking', 'confirmBooking',
      'cancelCalendarBooking', 'releaseHold',
      'markBookingFailed', 'recordSyncFailure', 'sendBookingNotification', 'invalidateAvailability', 'fanOutSlotFreed',
    ]);
    expect([...t.world.syncFailures.values()]).toEqual([expect.objectContaining({ bookingId: id, operation: 'create', status: 'open' })]);
    expect(t.world.notifications.map((n) => n.kind)).toEqual(['booking_failed']);
  });

  test('row cancelled concurrently: only the Cal.com booking is undone; no sync failure, no failure mail', async () => {
    let id = '';
    const { t, result, booking } = await book('saga-confirm-cancelled', (r) => {
      r.world.onNext('confirmBooking', () => void (r.world.bookings.get(id)!.status = 'cancelled'));
    }, { bookingId: (id = `bkg_saga_cancelled_${Date.now()}`) });
    expect(result).toMatchObject({ kind: 'calendar_failed', bookingId: id });
    expect(t.world.liveCalendarBookings(id)).toEqual([]);
    expect(booking?.status).toBe('cancelled');
    expect(t.world.syncFailures.size).toBe(0);
    expect(t.world.notifications).toEqual([]);
    expect(t.world.calls).not.toContain('recordSyncFailure');
  });

  test('row deleted meanwhile: the Cal.com booking is cancelled by its known uid, outcome not_found', async () => {
    let id = '';
    const { t, result, handle } = await book('saga-confirm-deleted', (r) => {
      r.world.onNext('confirmBooking', () => void r.world.bookings.delete(id));
    }, { bookingId: (id = `bkg_saga_deleted_${Date.now()}`) });
    expect(result).toEqual({ kind: 'not_found', entity: 'booking', id });
    expect(t.world.calendar.size).toBe(1);
    expect(t.world.liveCalendarBookings(id)).toEqual([]);
    expect(t.world.syncFailures.size).toBe(0);
    expect(t.world.calls).toEqual(['planBooking', 'holdSlot', 'createCalendarBooking', 'confirmBooking', 'cancelCalendarBooking', 'releaseHold', 'invalidateAvailability']);
    expect((await handle.describe()).status.name).toBe('COMPLETED');
  });
});

describe('a start carrying the API\'s hold (heldSlot, patch api-held-slot)', () => {
  async function bookHeld(label: string, prepare: (t: Awaited<ReturnType<typeof bookingTestRun>>) => void = () => {}) {
    const t = await bookingTestRun(label);
    prepare(t);
    const args = input();
    const heldSlot = t.world.seedHeld(args.bookingId, START);
    const handle = await t.env.client.workflow.start<typeof bookAppointmentWorkflow>('bookAppointmentWorkflow', {
      taskQueue: t.taskQueue,
      workflowId: bookingWorkflowId(args.bookingId),
      args: [{ ...args, heldSlot }],
    });
    const result = await t.run(() => handle.result());
    return { t, args, result, booking: t.world.bookings.get(args.bookingId) };
  }

  test('adopts the hold: no plan, no hold step; calendar → confirm → notify → invalidate', async () => {
    const { t, args, result, booking } = await bookHeld('saga-held-happy');
    expect(result).toMatchObject({ kind: 'confirmed', bookingId: args.bookingId, staffId: 'stf_1', start: START });
    expect(booking).toMatchObject({ status: 'confirmed', calendarStatus: 'synced' });
    expect(t.world.calls).toEqual(['createCalendarBooking', 'confirmBooking', 'sendBookingNotification', 'invalidateAvailability']);
  });

  test('calendar refuses for good: the adopted hold is released (same compensation as its own hold)', async () => {
    const { t, args, result, booking } = await bookHeld('saga-held-refused', (r) => r.world.failNext('createCalendarBooking', permanent('slot taken in Cal.com', 'CalendarSlotTaken')));
    expect(result).toMatchObject({ kind: 'calendar_failed', bookingId: args.bookingId });
    expect(booking).toMatchObject({ status: 'failed', calendarStatus: 'failed' });
    expect(t.world.calls.slice(0, 3)).toEqual(['createCalendarBooking', 'cancelCalendarBooking', 'releaseHold']);
    expect(t.world.liveCalendarBookings(args.bookingId)).toEqual([]);
  });
});

describe('packages (patch package-parts)', () => {
  test('every part is held, synced to the calendar one by one and confirmed together', async () => {
    const { t, args, result, booking } = await book('saga-package', () => {}, { serviceId: PACKAGE_SERVICE });
    expect(result).toMatchObject({ kind: 'confirmed', start: START, end: '2031-03-04T10:30:00.000Z' });
    const ids = [args.bookingId, `${args.bookingId}_p1`, `${args.bookingId}_p2`];
    expect(ids.map((id) => t.world.bookings.get(id)?.status)).toEqual(['confirmed', 'confirmed', 'confirmed']);
    expect(ids.map((id) => t.world.liveCalendarBookings(id).length)).toEqual([1, 1, 1]);
    expect(t.world.calls.filter((c) => c === 'createCalendarBooking')).toHaveLength(3);
    expect(booking?.externalId).toBe(t.world.liveCalendarBookings(args.bookingId)[0].uid);
  });

  test('a part the calendar refuses compensates every part: the made ones cancelled, all holds released', async () => {
    let id = '';
    const { t, result } = await book('saga-package-refused', (run) => {
      // The id is known once `input` ran: script the third part's refusal lazily.
      run.world.onNext('holdSlot', () => run.world.failNext(`createCalendarBooking@${id}_p2`, permanent('slot taken', 'CalendarSlotTaken')));
    }, { serviceId: PACKAGE_SERVICE, bookingId: (id = `bkg_pkgref_${Date.now()}`) });
    expect(result).toMatchObject({ kind: 'calendar_failed' });
    const ids = [id, `${id}_p1`, `${id}_p2`];
    expect(ids.map((x) => t.world.bookings.get(x)?.status)).toEqual(['failed', 'failed', 'failed']);
    // Parts 0 and 1 were made in Cal.com and are cancelled again; nothing of the package is live.
    expect(ids.map((x) => t.world.liveCalendarBookings(x).length)).toEqual([0, 0, 0]);
    expect([...t.world.calendar.values()].filter((c) => ids.includes(c.bookingId)).map((c) => c.status)).toEqual(['cancelled', 'cancelled']);
    // Undo order: newest first (the refused part's no-op cancel, part 1, part 0), then the hold.
    const undo = t.world.calls.slice(t.world.calls.indexOf('cancelCalendarBooking'));
    expect(undo.slice(0, 4)).toEqual(['cancelCalendarBooking', 'cancelCalendarBooking', 'cancelCalendarBooking', 'releaseHold']);
    expect(t.world.syncFailures.size).toBe(1);
  });
});
