/**
 * Changing bookings through HTTP on the real stack: reschedule (success with history and the
 * Cal.com booking moved; calendar refusal keeps the old time; cancelled → 409 invalid_state),
 * cancel (slot free at once, Cal.com booking cancelled), no-show (only after the start).
 */
import request from 'supertest';
import { bookingBody, calendarBookings, eventually, postBooking, setFaults, startBookingStack, type BookingStack } from './booking-http.helpers';

let stack: BookingStack;

async function book(start: string, staff: 'anna' | 'ben' = 'anna') {
  const res = await postBooking(stack, bookingBody(stack.catalog, start, { staffId: stack.catalog.staff[staff] }));
  expect(res.status).toBe(201);
  return res.body as { id: string; calendar: { externalId: string } };
}

const reschedule = (id: string, body: object, key?: string) => {
  const req = request(stack.app).post(`/v1/bookings/${id}/reschedule`).set(stack.company.auth);
  if (key) req.set('Idempotency-Key', key);
  return req.send(body);
};

describe('booking changes over HTTP', () => {
  beforeAll(async () => {
    stack = await startBookingStack('bookings-changes', { bookingWaitMs: 20_000 });
  });
  afterEach(async () => {
    await setFaults(stack.emulator, { mode: 'none' });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('reschedules: 200, rescheduledCount + 1, old time in history, Cal.com moved, old slot free; a repeat replays', async () => {
    const booking = await book('2027-02-15T10:00:00+01:00');
    const key = `move-${stack.taskQueue}`;
    const res = await reschedule(booking.id, { start: '2027-02-15T14:00:00+01:00', reason: 'customer asked' }, key);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: booking.id, status: 'confirmed', start: '2027-02-15T14:00:00+01:00', rescheduledCount: 1, calendar: { status: 'synced' } });
    expect(res.body.calendar.externalId).not.toBe(booking.calendar.externalId);

    const repeat = await reschedule(booking.id, { start: '2027-02-15T14:00:00+01:00', reason: 'customer asked' }, key);
    expect(repeat.status).toBe(200);
    expect(repeat.headers['idempotent-replayed']).toBe('true');
    expect(repeat.body).toEqual(res.body);

    const detail = await request(stack.app).get(`/v1/bookings/${booking.id}`).set(stack.company.auth);
    const moved = detail.body.history.find((h: { event: string }) => h.event === 'rescheduled');
    expect(moved.detail.from.start).toBe('2027-02-15T10:00:00+01:00');
    const calendar = await calendarBookings(stack.emulator);
    expect(calendar.find((b) => b.uid === res.body.calendar.externalId)).toMatchObject({ status: 'accepted', start: '2027-02-15T13:00:00.000Z' });

    const old = await postBooking(stack, bookingBody(stack.catalog, '2027-02-15T10:00:00+01:00'));
    expect(old.status).toBe(201);
  });

  it('a calendar refusing the reschedule answers 502 and keeps the old time', async () => {
    const booking = await book('2027-02-16T10:00:00+01:00');
    await setFaults(stack.emulator, { mode: 'error', status: 400, operations: ['reschedule'] });
    const res = await reschedule(booking.id, { start: '2027-02-16T15:00:00+01:00' });
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({ code: 'calendar_sync_failed', bookingId: booking.id });
    const after = await request(stack.app).get(`/v1/bookings/${booking.id}`).set(stack.company.auth);
    expect(after.body).toMatchObject({ status: 'confirmed', start: '2027-02-16T10:00:00+01:00', rescheduledCount: 0 });
    // The new slot's hold was released: it can be booked.
    await setFaults(stack.emulator, { mode: 'none' });
    expect((await postBooking(stack, bookingBody(stack.catalog, '2027-02-16T15:00:00+01:00'))).status).toBe(201);
  });

  it('a reschedule onto a taken slot answers 409 slot_unavailable with alternatives', async () => {
    const booking = await book('2027-02-17T10:00:00+01:00');
    await book('2027-02-17T12:00:00+01:00');
    const res = await reschedule(booking.id, { start: '2027-02-17T12:00:00+01:00' });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('slot_unavailable');
    expect(Array.isArray(res.body.alternatives)).toBe(true);
  });

  it('cancels: 200 cancelled, the slot free at once, Cal.com cancelled; rescheduling it is 409 invalid_state', async () => {
    const booking = await book('2027-02-18T10:00:00+01:00', 'ben');
    const res = await request(stack.app).post(`/v1/bookings/${booking.id}/cancel`).set(stack.company.auth).send({ reason: 'ill' });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('cancelled');
    const rebooked = await postBooking(stack, bookingBody(stack.catalog, '2027-02-18T10:00:00+01:00', { staffId: stack.catalog.staff.ben }));
    expect(rebooked.status).toBe(201);
    await eventually(async () => {
      const twin = (await calendarBookings(stack.emulator)).find((b) => b.uid === booking.calendar.externalId);
      return twin?.status === 'cancelled' ? twin : undefined;
    });
    const again = await request(stack.app).post(`/v1/bookings/${booking.id}/cancel`).set(stack.company.auth).send({});
    expect(again.status).toBe(200);
    const moved = await reschedule(booking.id, { start: '2027-02-18T15:00:00+01:00' });
    expect(moved.status).toBe(409);
    expect(moved.body.code).toBe('invalid_state');
  });

  it('marks a no-show only after the start', async () => {
    const booking = await book('2027-02-19T10:00:00+01:00');
    const early = await request(stack.app).post(`/v1/bookings/${booking.id}/no-show`).set(stack.company.auth);
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('invalid_state');
    const later = await stack.extraApp({ clock: () => new Date('2027-02-19T09:30:00Z') });
    const marked = await request(later.app).post(`/v1/bookings/${booking.id}/no-show`).set(stack.company.auth);
    expect(marked.status).toBe(200);
    expect(marked.body.status).toBe('no_show');
    const detail = await request(stack.app).get(`/v1/bookings/${booking.id}`).set(stack.company.auth);
    expect(detail.body.history.map((h: { event: string }) => h.event)).toContain('no_show');
  });
});
