/**
 * Reservations over HTTP on the real stack (API, Temporal dev server, in-process worker running
 * the reservation expiry workflow, PostgreSQL, Cal.com emulator): a reservation hides its slot
 * from everybody else, books exactly that slot with `reservationId`, is released by DELETE at
 * once, expires within ttl + 5 s and wakes waiting lists (an auto-booking entry books the freed
 * slot), and a conversion racing its own expiry yields a booking or a free slot, never both.
 */
import request from 'supertest';
import { createKey } from '../api/api-harness';
import { bookingBody, eventually, postBooking, startBookingStack, type BookingStack } from './booking-http.helpers';

let stack: BookingStack;
let booking: Record<string, string>;

const reserve = (body: object) => request(stack.app).post('/v1/reservations').set(booking).send(body);
const slotBody = (start: string, extra: object = {}) => ({ branchId: stack.catalog.branchId, serviceId: stack.catalog.serviceId, staffId: stack.catalog.staff.anna, start, ...extra });
const convert = (reservationId: string, key?: string) => {
  const req = request(stack.app).post('/v1/bookings').set(booking);
  if (key) req.set('Idempotency-Key', key);
  return req.send({ reservationId, customerId: stack.catalog.customerId, source: 'phone' });
};
async function annaFreeAt(date: string, start: string): Promise<boolean> {
  const res = await request(stack.app)
    .get('/v1/availability')
    .query({ branchId: stack.catalog.branchId, serviceId: stack.catalog.serviceId, from: date, to: date, staffId: stack.catalog.staff.anna })
    .set(booking);
  expect(res.status).toBe(200);
  return res.body.days[0].slots.some((s: { start: string }) => s.start === start);
}

describe('reservations', () => {
  beforeAll(async () => {
    stack = await startBookingStack('reservations');
    booking = await createKey(stack.app, stack.company, 'booking');
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('holds the slot for nobody else, then books exactly it with reservationId (booking key)', async () => {
    const start = '2027-04-05T10:00:00+02:00';
    expect(await annaFreeAt('2027-04-05', start)).toBe(true);
    const held = await reserve(slotBody(start, { ttlSeconds: 120 }));
    expect(held.status).toBe(201);
    expect(held.body).toMatchObject({ id: expect.stringMatching(/^rsv_/), staffId: stack.catalog.staff.anna, start, end: '2027-04-05T11:00:00+02:00', status: 'active', bookingId: null });
    expect(Date.parse(held.body.expiresAt) - Date.now()).toBeGreaterThan(100_000);

    expect(await annaFreeAt('2027-04-05', start)).toBe(false);
    const other = await postBooking(stack, bookingBody(stack.catalog, start));
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('slot_unavailable');
    const again = await reserve(slotBody(start));
    expect(again.status).toBe(409);
    expect(again.body.alternatives.length).toBeGreaterThan(0);
    // Reservations are not bookings: not listed.
    const list = await request(stack.app).get('/v1/bookings').query({ branchId: stack.catalog.branchId }).set(booking);
    expect(list.body.data.map((b: { id: string }) => b.id)).not.toContain(held.body.id);

    const booked = await convert(held.body.id, `conv-${held.body.id}`);
    expect(booked.status).toBe(201);
    expect(booked.body).toMatchObject({ status: 'confirmed', staffId: stack.catalog.staff.anna, start, end: '2027-04-05T11:00:00+02:00', customerId: stack.catalog.customerId, source: 'phone' });
    const replay = await convert(held.body.id, `conv-${held.body.id}`);
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body.id).toBe(booked.body.id);

    const after = await request(stack.app).get(`/v1/reservations/${held.body.id}`).set(booking);
    expect(after.body).toMatchObject({ status: 'converted', bookingId: booked.body.id });
    const twice = await convert(held.body.id);
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('reservation_expired');
    expect(twice.body.alternatives.length).toBeGreaterThan(0);
    const live = await stack.workerDb.booking.count({ where: { staffId: stack.catalog.staff.anna, startAt: new Date(start), status: { in: ['pending', 'confirmed'] } } });
    expect(live).toBe(1);
  });

  it('DELETE frees the slot at once; unknown reservations are 404 / 409 reservation_expired; bad bodies are 400', async () => {
    const start = '2027-04-06T09:00:00+02:00';
    const held = await reserve(slotBody(start));
    expect(held.status).toBe(201);
    expect(Date.parse(held.body.expiresAt) - Date.now()).toBeGreaterThan(280_000); // RESERVATION_TTL default 5 minutes
    const released = await request(stack.app).delete(`/v1/reservations/${held.body.id}`).set(booking);
    expect(released.status).toBe(200);
    expect(released.body.status).toBe('released');
    expect(await annaFreeAt('2027-04-06', start)).toBe(true);
    expect((await postBooking(stack, bookingBody(stack.catalog, start))).status).toBe(201);
    expect((await request(stack.app).delete(`/v1/reservations/${held.body.id}`).set(booking)).body.status).toBe('released');
    expect((await request(stack.app).get('/v1/reservations/rsv_nope').set(booking)).status).toBe(404);
    const unknown = await convert('rsv_nope');
    expect(unknown.status).toBe(409);
    expect(unknown.body).toMatchObject({ code: 'reservation_expired', alternatives: [] });
    const bad = await reserve(slotBody('2027-04-06T09:00:00', { ttlSeconds: 5 }));
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['start', 'ttlSeconds']);
  });

  it('expires within ttl + 5 s and wakes waiting lists; conversions racing the expiry yield a booking or a free slot, never both', async () => {
    // R0: expires alone; a waiting-list entry (auto-book) wants exactly its slot.
    const r0Start = '2027-04-07T10:00:00+02:00';
    const r0 = await reserve(slotBody(r0Start, { ttlSeconds: 30 }));
    expect(r0.status).toBe(201);
    const entry = await request(stack.app).post('/v1/waiting-list').set(booking).send({
      branchId: stack.catalog.branchId, serviceId: stack.catalog.serviceId, customerId: stack.catalog.customerId, staffId: stack.catalog.staff.anna,
      from: '2027-04-07', to: '2027-04-07', timeWindows: [{ start: '10:00', end: '11:00' }], autoBook: true,
    });
    expect(entry.status).toBe(201);
    // R1..R5: a conversion fired around each one's expiry.
    const offsets = [-400, -100, 0, 100, 400];
    const racers = await Promise.all(offsets.map((_, i) => reserve(slotBody(`2027-04-08T${String(9 + i).padStart(2, '0')}:00:00+02:00`, { ttlSeconds: 30 }))));
    racers.forEach((r) => expect(r.status).toBe(201));
    const attempts = racers.map(async (r, i) => {
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(r.body.expiresAt) + offsets[i] - Date.now())));
      return convert(r.body.id);
    });

    const freed = await eventually(async () => ((await annaFreeAt('2027-04-07', r0Start)) || (await entryBooked(entry.body.id)) ? Date.now() : undefined), 45_000);
    expect(freed - Date.parse(r0.body.expiresAt)).toBeLessThan(5_000);
    await eventually(async () => ((await entryBooked(entry.body.id)) ? true : undefined), 20_000);
    expect((await request(stack.app).get(`/v1/reservations/${r0.body.id}`).set(booking)).body.status).toBe('expired');

    const answers = await Promise.all(attempts);
    await new Promise((resolve) => setTimeout(resolve, 5_000)); // every expiry timer has fired
    for (const [i, r] of racers.entries()) {
      const answer = answers[i];
      const reservation = (await request(stack.app).get(`/v1/reservations/${r.body.id}`).set(booking)).body;
      const free = await annaFreeAt('2027-04-08', r.body.start);
      const live = await stack.workerDb.booking.count({ where: { staffId: stack.catalog.staff.anna, startAt: new Date(r.body.start), status: { in: ['pending', 'confirmed'] } } });
      const outcome = { offset: offsets[i], status: answer.status, reservation: reservation.status, free, live };
      if (answer.status === 201) expect(outcome).toEqual({ offset: offsets[i], status: 201, reservation: 'converted', free: false, live: 1 });
      else expect(outcome).toEqual({ offset: offsets[i], status: 409, reservation: 'expired', free: true, live: 0 });
    }
    // Early conversions win; the late ones lose.
    expect(answers[0].status).toBe(201);
    expect(answers[4].status).toBe(409);
  }, 90_000);
});

async function entryBooked(id: string): Promise<boolean> {
  const res = await request(stack.app).get(`/v1/waiting-list/${id}`).set(booking);
  return res.body.status === 'booked';
}
