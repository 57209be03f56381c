/**
 * Calendar faults through HTTP (private emulator per file, faults reset after each test): a
 * refused create compensates (502, booking failed, slot free again, sync failure recorded), a
 * 30 % flaky calendar still confirms, and the support retry resolves the recorded failure.
 */
import request from 'supertest';
import { bookingBody, calendarBookings, eventually, postBooking, setFaults, startBookingStack, type BookingStack } from './booking-http.helpers';

let stack: BookingStack;

describe('bookings with calendar faults', () => {
  beforeAll(async () => {
    stack = await startBookingStack('bookings-faults', { bookingWaitMs: 20_000 });
  });
  afterEach(async () => {
    await setFaults(stack.emulator, { mode: 'none' });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('a refused create answers 502, fails the booking, frees the slot and records a sync failure; the support retry resolves it', async () => {
    await setFaults(stack.emulator, { mode: 'error', status: 400, operations: ['create'] });
    const body = bookingBody(stack.catalog, '2027-02-08T10:00:00+01:00');
    const res = await postBooking(stack, body);
    expect(res.status).toBe(502);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'calendar_sync_failed', bookingId: expect.any(String) });
    // A fixed message: no upstream text, host or port (support reads those on the sync failure).
    expect(res.body.detail).toBe('The calendar could not be updated; support can see the details on the sync failure');
    const bookingId: string = res.body.bookingId;

    const booking = await request(stack.app).get(`/v1/bookings/${bookingId}`).set(stack.company.auth);
    expect(booking.body).toMatchObject({ status: 'failed', failureReason: 'calendar_sync_failed', calendar: { status: 'failed' } });
    // Internal columns (the buffered blocked range) and raw upstream errors stay out of answers.
    const text = JSON.stringify(booking.body);
    expect(text).not.toMatch(/blockedStart|blockedEnd|"error"/);
    expect(text).not.toContain(new URL(stack.emulator.url).host);
    expect(booking.body.history.map((h: { event: string }) => h.event)).toEqual(expect.arrayContaining(['held', 'hold_released', 'failed']));
    expect((await calendarBookings(stack.emulator)).filter((b) => b.metadata?.bookingId === bookingId && b.status === 'accepted')).toEqual([]);

    const failures = await request(stack.app).get('/v1/sync-failures').query({ status: 'open' }).set(stack.company.auth);
    expect(failures.status).toBe(200);
    const failure = failures.body.data.find((f: { bookingId: string }) => f.bookingId === bookingId);
    expect(failure).toMatchObject({ operation: 'create', status: 'open', attempts: 1, error: expect.any(String) });

    // Compensated: nothing holds the slot any more.
    const live = await stack.workerDb.booking.count({ where: { staffId: stack.catalog.staff.anna, startAt: new Date('2027-02-08T09:00:00Z'), status: { in: ['pending', 'confirmed'] } } });
    expect(live).toBe(0);
    await setFaults(stack.emulator, { mode: 'none' });
    const retry = await request(stack.app).post(`/v1/sync-failures/${failure.id}/retry`).set(stack.company.auth);
    expect(retry.status).toBe(202);
    expect(retry.body).toEqual({ id: failure.id, status: 'retrying', workflowId: expect.stringContaining(failure.id) });

    const resolved = await eventually(async () => {
      const list = await request(stack.app).get('/v1/sync-failures').query({ status: 'resolved' }).set(stack.company.auth);
      return list.body.data.find((f: { id: string }) => f.id === failure.id);
    });
    expect(resolved.status).toBe('resolved');
    const after = await request(stack.app).get(`/v1/bookings/${bookingId}`).set(stack.company.auth);
    expect(after.body).toMatchObject({ status: 'confirmed', calendar: { status: 'synced', externalId: expect.any(String) } });
    expect((await calendarBookings(stack.emulator)).filter((b) => b.metadata?.bookingId === bookingId && b.status === 'accepted')).toHaveLength(1);

    const again = await request(stack.app).post(`/v1/sync-failures/${failure.id}/retry`).set(stack.company.auth);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('invalid_state');
  });

  it('after a compensated failure the same slot can be booked at once', async () => {
    await setFaults(stack.emulator, { mode: 'error', status: 400, operations: ['create'] });
    const body = bookingBody(stack.catalog, '2027-02-09T11:00:00+01:00');
    const refused = await postBooking(stack, body);
    expect(refused.status).toBe(502);
    await setFaults(stack.emulator, { mode: 'none' });
    const booked = await postBooking(stack, body);
    expect(booked.status).toBe(201);
    expect(booked.body.id).not.toBe(refused.body.bookingId);
  });

  it('a flaky calendar (30 % errors) still confirms every booking, with one Cal.com booking each', async () => {
    await setFaults(stack.emulator, { mode: 'flaky', rate: 0.3, status: 503, seed: 7 });
    const starts = ['09:00', '10:00', '11:00', '12:00', '13:00'].map((t) => `2027-02-10T${t}:00+01:00`);
    const answers = await Promise.all(starts.map((start) => postBooking(stack, bookingBody(stack.catalog, start, { staffId: stack.catalog.staff.ben }))));
    expect(answers.map((a) => a.status)).toEqual(Array(5).fill(201));
    const calendar = await calendarBookings(stack.emulator);
    for (const answer of answers) {
      expect(answer.body.status).toBe('confirmed');
      expect(calendar.filter((b) => b.metadata?.bookingId === answer.body.id && b.status === 'accepted')).toHaveLength(1);
    }
    const log = stack.emulator.state.requests.filter((r) => r.operation === 'create');
    expect(log.some((r) => r.outcome === 503)).toBe(true);
  });
});
