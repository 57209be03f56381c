/**
 * The real client against the in-process emulator over HTTP: happy paths, Cal.com's quirks
 * (taken slot = 400, duplicate = 409, reschedule = new uid), auth and version header.
 */
import { createCalcomClient, type CalcomClient } from './calcom.client';
import { CalcomError } from './calcom.errors';
import { bookingInput, control, controlBookings } from './calcom.test-helpers';
import type { CalcomBooking } from './calcom.types';
import { startCalcomEmulator, type CalcomEmulator } from './emulator/emulator.server';

const API_KEY = 'cal_test_emulator_key';
let emulator: CalcomEmulator;
let client: CalcomClient;

beforeAll(async () => {
  emulator = await startCalcomEmulator({ port: 0 });
  client = createCalcomClient({ baseUrl: emulator.url, apiKey: API_KEY, timeoutMs: 1000 });
});
afterAll(() => emulator.close());
beforeEach(() => control(emulator.url, 'POST', 'reset'));

async function expectCalcomError(promise: Promise<unknown>): Promise<CalcomError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a CalcomError');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CalcomError);
  return error as CalcomError;
}

function raw(path: string, init: { method?: string; headers?: Record<string, string>; body?: unknown } = {}) {
  return fetch(emulator.url + path, {
    method: init.method ?? 'GET',
    headers: { 'content-type': 'application/json', ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

describe('bookings happy paths', () => {
  it('creates a booking in Cal.com shape and reads it back', async () => {
    const created = await client.createBooking(bookingInput());
    expect(created).toMatchObject({
      id: expect.any(Number),
      uid: expect.stringMatching(/^[A-Za-z0-9]{22}$/),
      status: 'accepted',
      start: '2050-09-05T09:00:00.000Z',
      end: '2050-09-05T10:00:00.000Z',
      duration: 60,
      eventTypeId: 11,
      eventType: { id: 11, slug: 'event-type-11' },
      hosts: [{ id: 101, name: expect.any(String), email: expect.any(String), username: expect.any(String), timeZone: expect.any(String) }],
      attendees: [{ name: 'Ada Lovelace', email: 'ada@example.test', timeZone: 'Europe/Rome', absent: false, language: 'en' }],
      metadata: { bookingId: 'bk_1' },
      absentHost: false,
    });
    expect(await client.getBooking(created.uid)).toEqual(created);
  });

  it('lists with filters and Cal.com pagination', async () => {
    const a = await client.createBooking(bookingInput());
    await client.createBooking(bookingInput({ start: '2050-09-06T09:00:00Z', attendee: { name: 'Bob', email: 'bob@example.test', timeZone: 'UTC' } }));
    await client.createBooking(bookingInput({ start: '2050-09-07T09:00:00Z', eventTypeId: 12 }));
    const byEmail = await client.listBookings({ attendeeEmail: 'ADA@example.test' });
    expect(byEmail.bookings.map((b) => b.start)).toEqual(['2050-09-05T09:00:00.000Z', '2050-09-07T09:00:00.000Z']);
    const window = await client.listBookings({ afterStart: '2050-09-05T00:00:00Z', beforeEnd: '2050-09-06T23:00:00Z', eventTypeId: 11 });
    expect(window.bookings).toHaveLength(2);
    const paged = await client.listBookings({ take: 2, skip: 0 });
    expect(paged.pagination).toEqual({
      totalItems: 3,
      remainingItems: 1,
      returnedItems: 2,
      itemsPerPage: 2,
      currentPage: 0,
      totalPages: 2,
      hasNextPage: true,
      hasPreviousPage: false,
    });
    expect((await client.listBookings({ bookingUid: a.uid })).bookings).toEqual([a]);
    expect(await client.listAllBookings({})).toHaveLength(3);
  });

  it('reschedules into a new uid and cancels the old booking', async () => {
    const original = await client.createBooking(bookingInput());
    const moved = await client.rescheduleBooking(original.uid, { start: '2050-09-05T11:00:00Z', reschedulingReason: 'clash', rescheduledBy: 'ada@example.test' });
    expect(moved.uid).not.toBe(original.uid);
    expect(moved.id).not.toBe(original.id);
    expect(moved).toMatchObject({
      status: 'accepted',
      start: '2050-09-05T11:00:00.000Z',
      end: '2050-09-05T12:00:00.000Z',
      rescheduledFromUid: original.uid,
      reschedulingReason: 'clash',
      rescheduledByEmail: 'ada@example.test',
      metadata: { bookingId: 'bk_1' },
      hosts: original.hosts,
    });
    expect(await client.getBooking(original.uid)).toMatchObject({ status: 'cancelled', rescheduledToUid: moved.uid });
    // The old slot is free again; a second reschedule of the old uid names the successor.
    await expect(client.createBooking(bookingInput({ metadata: { bookingId: 'bk_2' } }))).resolves.toMatchObject({ status: 'accepted' });
    const again = await expectCalcomError(client.rescheduleBooking(original.uid, { start: '2050-09-05T13:00:00Z' }));
    expect(again).toMatchObject({ kind: 'client', status: 400, retryable: false });
    expect(again.message).toContain(moved.uid);
  });

  it('reschedule may overlap the booking it moves, but not another one', async () => {
    const original = await client.createBooking(bookingInput());
    await client.createBooking(bookingInput({ start: '2050-09-05T12:00:00Z', metadata: { bookingId: 'bk_2' } }));
    await expect(client.rescheduleBooking(original.uid, { start: '2050-09-05T09:30:00Z' })).resolves.toMatchObject({ start: '2050-09-05T09:30:00.000Z' });
    const taken = await expectCalcomError(client.rescheduleBooking((await client.findBookingByMetadata({ key: 'bookingId', value: 'bk_1' }))!.uid, { start: '2050-09-05T11:30:00Z' }));
    expect(taken).toMatchObject({ kind: 'slot_taken', status: 400, retryable: false });
  });

  it('cancels with a reason, frees the slot, and a repeated cancel is idempotent', async () => {
    const booking = await client.createBooking(bookingInput());
    const cancelled = await client.cancelBooking(booking.uid, 'customer asked');
    expect(cancelled).toMatchObject({ uid: booking.uid, status: 'cancelled', cancellationReason: 'customer asked', cancelledByEmail: booking.hosts[0].email });
    await expect(client.cancelBooking(booking.uid, 'again')).resolves.toMatchObject({ status: 'cancelled', cancellationReason: 'customer asked' });
    await expect(client.createBooking(bookingInput())).resolves.toMatchObject({ status: 'accepted' });
  });

  it('classifies unknown uids as not_found', async () => {
    const error = await expectCalcomError(client.getBooking('nope'));
    expect(error).toMatchObject({ kind: 'not_found', status: 404, retryable: false, code: 'NotFoundException' });
    expect((await expectCalcomError(client.cancelBooking('nope'))).kind).toBe('not_found');
  });

  it('leaks the raw 404 when rescheduling a rejected booking, and the client still parses it', async () => {
    const { body } = await control<{ data: CalcomBooking }>(emulator.url, 'POST', 'bookings', { userId: 101, start: '2050-09-05T09:00:00Z', status: 'rejected' });
    const response = await raw(`/v2/bookings/${body.data.uid}/reschedule`, { method: 'POST', headers: { 'cal-api-version': '2024-08-13' }, body: { start: '2050-09-05T10:00:00Z' } });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ statusCode: 404, message: 'Could not find original booking' });
    const error = await expectCalcomError(client.rescheduleBooking(body.data.uid, { start: '2050-09-05T10:00:00Z' }));
    expect(error).toMatchObject({ kind: 'not_found', status: 404 });
    expect(error.message).toContain('Could not find original booking');
  });
});

describe('Cal.com quirks', () => {
  it('answers a taken slot with 400 (not 409), classified slot_taken and not retryable', async () => {
    await client.createBooking(bookingInput());
    const response = await raw('/v2/bookings', { method: 'POST', headers: { 'cal-api-version': '2024-08-13' }, body: bookingInput({ start: '2050-09-05T09:30:00Z' }) });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      status: 'error',
      path: '/v2/bookings',
      error: { code: 'BadRequestException', message: 'User either already has booking at this time or is not available' },
    });
    const error = await expectCalcomError(client.createBooking(bookingInput({ start: '2050-09-05T09:30:00Z', metadata: { bookingId: 'bk_2' } })));
    expect(error).toMatchObject({ kind: 'slot_taken', status: 400, retryable: false });
  });

  it('lets another host take the same time, and pending bookings do not block', async () => {
    await client.createBooking(bookingInput());
    await expect(client.createBooking(bookingInput({ routing: { teamMemberIds: [102] } }))).resolves.toMatchObject({ hosts: [{ id: 102 }] });
    await control(emulator.url, 'POST', 'bookings', { userId: 103, start: '2050-09-05T09:00:00Z', status: 'pending' });
    await expect(client.createBooking(bookingInput({ routing: { teamMemberIds: [103] } }))).resolves.toMatchObject({ hosts: [{ id: 103 }] });
  });

  it('rejects an exact duplicate with 409 instead of returning the booking; the client finds it by metadata', async () => {
    const first = await client.createBooking(bookingInput());
    const response = await raw('/v2/bookings', { method: 'POST', headers: { 'cal-api-version': '2024-08-13' }, body: bookingInput() });
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ status: 'error', error: { code: 'CONFLICT', message: 'Invalid Input: Trying to create a record that already exists.' } });
    const error = await expectCalcomError(client.createBooking(bookingInput()));
    expect(error).toMatchObject({ kind: 'duplicate', status: 409, retryable: false });
    const found = await client.findBookingByMetadata({ key: 'bookingId', value: 'bk_1', eventTypeId: 11, attendeeEmail: 'ada@example.test' });
    expect(found).toEqual(first);
    expect(await client.findBookingByMetadata({ key: 'bookingId', value: 'bk_404' })).toBeNull();
    expect(await controlBookings(emulator.url)).toHaveLength(1);
  });

  it('findBookingByMetadata prefers the live booking after a reschedule', async () => {
    const original = await client.createBooking(bookingInput());
    const moved = await client.rescheduleBooking(original.uid, { start: '2050-09-06T09:00:00Z' });
    expect((await client.findBookingByMetadata({ key: 'bookingId', value: 'bk_1' }))?.uid).toBe(moved.uid);
    const withCancelled = await client.findBookingByMetadata({ key: 'bookingId', value: 'bk_1', includeCancelled: true });
    expect(withCancelled?.uid).toBe(moved.uid);
  });

  it('rejects bookings in the past and invalid bodies with 400 validation messages', async () => {
    const past = await expectCalcomError(client.createBooking(bookingInput({ start: '2020-01-01T09:00:00Z' })));
    expect(past).toMatchObject({ kind: 'client', status: 400 });
    expect(past.message).toContain('Attempting to book a meeting in the past.');
    const response = await raw('/v2/bookings', { method: 'POST', headers: { 'cal-api-version': '2024-08-13' }, body: { start: 'tomorrow', attendee: { name: 'X' } } });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { details: { message: string[] } } };
    expect(body.error.details.message).toEqual(
      expect.arrayContaining(['start must be a valid ISO 8601 date string', 'attendee.timeZone must be a valid IANA time zone']),
    );
    const tooLong = await expectCalcomError(client.createBooking(bookingInput({ metadata: { ['k'.repeat(41)]: 'v' } })));
    expect(tooLong.kind).toBe('client');
  });
});

describe('auth and version header', () => {
  it('rejects a wrong bearer token with 401 everywhere and requires one for listing', async () => {
    const wrong = createCalcomClient({ baseUrl: emulator.url, apiKey: 'cal_wrong', timeoutMs: 1000 });
    const error = await expectCalcomError(wrong.createBooking(bookingInput()));
    expect(error).toMatchObject({ kind: 'client', status: 401, retryable: false, code: 'UnauthorizedException' });
    expect((await expectCalcomError(wrong.listBookings())).status).toBe(401);
    const anonymousList = await raw('/v2/bookings', { headers: { 'cal-api-version': '2024-08-13' } });
    expect(anonymousList.status).toBe(401);
    // Create is public in Cal.com: no token at all is accepted.
    const anonymousCreate = await raw('/v2/bookings', { method: 'POST', headers: { 'cal-api-version': '2024-08-13' }, body: bookingInput() });
    expect(anonymousCreate.status).toBe(201);
  });

  it('refuses a missing, quoted or old cal-api-version instead of answering in old shapes', async () => {
    for (const headers of [{}, { 'cal-api-version': '"2024-08-13"' }, { 'cal-api-version': '2024-04-15' }] as Array<Record<string, string>>) {
      const response = await raw('/v2/bookings', { method: 'POST', headers: { authorization: `Bearer ${API_KEY}`, ...headers }, body: bookingInput() });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/cal-api-version/);
    }
    const newest = createCalcomClient({ baseUrl: emulator.url, apiKey: API_KEY, apiVersion: '2026-02-25' });
    await expect(newest.createBooking(bookingInput())).resolves.toMatchObject({ status: 'accepted' });
    expect(await controlBookings(emulator.url)).toHaveLength(1);
  });

  it('sends the version header and bearer token on every call (the emulator checks both on every route)', async () => {
    // Without the version header every route answers 400 (test above); a wrong token is refused
    // wherever a token is sent, so each operation failing with 401 shows it sent one.
    const wrongKey = createCalcomClient({ baseUrl: emulator.url, apiKey: 'cal_live_not_the_key' });
    const booking = await client.createBooking(bookingInput());
    const calls: Array<[string, (c: typeof client) => Promise<unknown>]> = [
      ['create', (c) => c.createBooking(bookingInput({ start: '2050-09-07T10:00:00Z' }))],
      ['get', (c) => c.getBooking(booking.uid)],
      ['list', (c) => c.listBookings()],
      ['cancel', (c) => c.cancelBooking(booking.uid)],
    ];
    for (const [name, call] of calls) {
      await expect(call(wrongKey)).rejects.toMatchObject({ status: 401, operation: name });
      await expect(call(client)).resolves.toBeTruthy();
    }
  });
});

describe('busy times and control API', () => {
  it('reports busy blocks per Cal.com user from external and own bookings overlapping the window', async () => {
    await control(emulator.url, 'POST', 'bookings', { userId: 101, start: '2050-09-05T08:30:00Z', end: '2050-09-05T09:30:00Z' });
    await control(emulator.url, 'POST', 'bookings', { userId: 102, start: '2050-09-05T12:00:00Z', lengthInMinutes: 45 });
    await control(emulator.url, 'POST', 'bookings', { userId: 103, start: '2050-09-05T12:00:00Z' });
    await control(emulator.url, 'POST', 'bookings', { userId: 101, start: '2050-09-05T14:00:00Z', status: 'cancelled' });
    await control(emulator.url, 'POST', 'bookings', { userId: 101, start: '2050-09-05T15:00:00Z', status: 'pending' });
    await control(emulator.url, 'POST', 'bookings', { userId: 101, start: '2050-09-06T09:00:00Z' });
    const own = await client.createBooking(bookingInput({ start: '2050-09-05T10:00:00Z' }));

    const busy = await client.getBusyTimes({ userIds: [101, 102], from: '2050-09-05T09:00:00Z', to: '2050-09-06T00:00:00Z' });
    expect(busy.map(({ userId, start, end }) => ({ userId, start, end }))).toEqual([
      { userId: 101, start: '2050-09-05T08:30:00.000Z', end: '2050-09-05T09:30:00.000Z' },
      { userId: 101, start: '2050-09-05T10:00:00.000Z', end: '2050-09-05T11:00:00.000Z' },
      { userId: 102, start: '2050-09-05T12:00:00.000Z', end: '2050-09-05T12:45:00.000Z' },
    ]);
    const withPending = await client.getBusyTimes({ userIds: [101], from: '2050-09-05T09:00:00Z', to: '2050-09-06T00:00:00Z', includePending: true, excludeUids: [own.uid] });
    expect(withPending.map((b) => [b.start, b.status])).toEqual([
      ['2050-09-05T08:30:00.000Z', 'accepted'],
      ['2050-09-05T15:00:00.000Z', 'pending'],
    ]);
    expect(await client.getBusyTimes({ userIds: [], from: '2050-09-05T00:00:00Z', to: '2050-09-06T00:00:00Z' })).toEqual([]);
  });

  it('an external booking blocks the host for creates', async () => {
    await control(emulator.url, 'POST', 'bookings', { userId: 101, start: '2050-09-05T09:15:00Z', lengthInMinutes: 15 });
    expect((await expectCalcomError(client.createBooking(bookingInput()))).kind).toBe('slot_taken');
  });

  it('lists every booking in Cal.com shape, validates control input, and resets', async () => {
    const booking = await client.createBooking(bookingInput());
    const external = await control<{ data: CalcomBooking }>(emulator.url, 'POST', 'bookings', { userId: 7, start: '2050-09-05T09:00:00Z', title: 'Dentist' });
    expect(external.status).toBe(201);
    expect(external.body.data).toMatchObject({ title: 'Dentist', hosts: [{ id: 7 }], status: 'accepted', duration: 30 });
    const all = await control<{ data: CalcomBooking[] }>(emulator.url, 'GET', 'bookings');
    expect(all.status).toBe(200);
    expect(Object.keys(all.body)).toEqual(['data']);
    expect(all.body.data).toEqual([booking, external.body.data]);
    expect((await control(emulator.url, 'POST', 'bookings', { start: 'x' })).status).toBe(400);
    expect((await control(emulator.url, 'POST', 'faults', { mode: 'explode' })).status).toBe(400);
    expect((await control(emulator.url, 'GET', 'unknown')).status).toBe(404);
    expect((await control(emulator.url, 'POST', 'reset')).status).toBe(200);
    expect(await controlBookings(emulator.url)).toEqual([]);
  });

  it('honours configured event types (length, default hosts, requires confirmation)', async () => {
    await control(emulator.url, 'POST', 'event-types', { id: 20, slug: 'haircut', lengthInMinutes: 45, hostUserIds: [5], requiresConfirmation: true });
    await control(emulator.url, 'POST', 'users', { id: 5, name: 'Grace', email: 'grace@example.test' });
    const booking = await client.createBooking(bookingInput({ eventTypeId: 20, lengthInMinutes: undefined, routing: undefined }));
    expect(booking).toMatchObject({ status: 'pending', duration: 45, eventType: { id: 20, slug: 'haircut' }, hosts: [{ id: 5, name: 'Grace', email: 'grace@example.test' }] });
  });
});
