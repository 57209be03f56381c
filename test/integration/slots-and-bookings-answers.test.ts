/**
 * Answers that save calls (API.md "Reservations, next free slots, phone lookup"), over HTTP on the
 * real stack: availability slots name their staff and carry the service's price; bookings are
 * listed in the asked order (keyset pages included) and inline customer, service and staff on
 * request, for the list and the single booking, never another company's.
 */
import request from 'supertest';
import { createCompany } from '../api/api-harness';
import { bookingBody, postBooking, startBookingStack, type BookingStack } from './booking-http.helpers';

let stack: BookingStack;
const booked: Array<{ id: string; start: string }> = [];

describe('slots with staff and price; bookings with expand and order', () => {
  beforeAll(async () => {
    stack = await startBookingStack('answers');
    await stack.workerDb.service.update({ where: { id: stack.catalog.serviceId }, data: { price: '45.50' } });
    // Created in this order, starting in another: createdAt order differs from start order.
    for (const start of ['2027-03-03T10:00:00+01:00', '2027-03-01T10:00:00+01:00', '2027-03-02T10:00:00+01:00']) {
      const res = await postBooking(stack, bookingBody(stack.catalog, start));
      expect(res.status).toBe(201);
      booked.push({ id: res.body.id, start });
    }
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('availability slots carry staff [{id, name}] in staffIds order and the price', async () => {
    const res = await request(stack.app)
      .get('/v1/availability')
      .query({ branchId: stack.catalog.branchId, serviceId: stack.catalog.serviceId, from: '2027-03-01', to: '2027-03-01' })
      .set(stack.company.auth);
    expect(res.status).toBe(200);
    const slots = res.body.days[0].slots as Array<{ start: string; staffIds: string[]; staff: Array<{ id: string; name: string }>; price?: number }>;
    expect(slots.length).toBeGreaterThan(0);
    const names: Record<string, string> = { [stack.catalog.staff.anna]: 'Anna', [stack.catalog.staff.ben]: 'Ben' };
    for (const slot of slots) {
      expect(slot.staff).toEqual(slot.staffIds.map((id) => ({ id, name: names[id] })));
      expect(slot.price).toBe(45.5);
    }
    // Anna is booked at 10:00: only Ben is named there.
    const ten = slots.find((s) => s.start === '2027-03-01T10:00:00+01:00');
    expect(ten?.staff).toEqual([{ id: stack.catalog.staff.ben, name: 'Ben' }]);
  });

  it('a service without a price has no price on its slots', async () => {
    await stack.workerDb.service.update({ where: { id: stack.catalog.serviceId }, data: { price: null } });
    try {
      const res = await request(stack.app)
        .get('/v1/availability')
        .query({ branchId: stack.catalog.branchId, serviceId: stack.catalog.serviceId, from: '2027-03-04', to: '2027-03-04' })
        .set(stack.company.auth);
      expect(res.status).toBe(200);
      expect(res.body.days[0].slots.length).toBeGreaterThan(0);
      for (const slot of res.body.days[0].slots) expect(slot).not.toHaveProperty('price');
    } finally {
      await stack.workerDb.service.update({ where: { id: stack.catalog.serviceId }, data: { price: '45.50' } });
    }
  });

  it('orders the list by start, -start, createdAt and -createdAt, also across keyset pages', async () => {
    const ours = new Set(booked.map((b) => b.id));
    const byStart = [...booked].sort((a, b) => a.start.localeCompare(b.start)).map((b) => b.id);
    const byCreation = booked.map((b) => b.id);
    const cases: Array<[string, string[]]> = [
      ['start', byStart],
      ['-start', [...byStart].reverse()],
      ['createdAt', byCreation],
      ['-createdAt', [...byCreation].reverse()],
    ];
    for (const [order, expected] of cases) {
      const seen: string[] = [];
      let cursor: string | null | undefined;
      do {
        const res = await request(stack.app)
          .get('/v1/bookings')
          .query({ branchId: stack.catalog.branchId, order, limit: 2, ...(cursor ? { cursor } : {}) })
          .set(stack.company.auth);
        expect(res.status).toBe(200);
        seen.push(...res.body.data.map((b: { id: string }) => b.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(seen.filter((id) => ours.has(id))).toEqual(expected);
    }
  });

  it('a cursor of another order, and an unknown order, are 400', async () => {
    const first = await request(stack.app).get('/v1/bookings').query({ order: 'start', limit: 1 }).set(stack.company.auth);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const mixed = await request(stack.app).get('/v1/bookings').query({ order: '-start', cursor: first.body.nextCursor }).set(stack.company.auth);
    expect(mixed.status).toBe(400);
    expect(mixed.body.errors.map((e: { path: string }) => e.path)).toEqual(['cursor']);
    const bad = await request(stack.app).get('/v1/bookings').query({ order: 'price' }).set(stack.company.auth);
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(['order']);
  });

  it('expand=customer,service,staff inlines the objects (public staff fields) on the list and the single booking', async () => {
    const list = await request(stack.app)
      .get('/v1/bookings')
      .query({ branchId: stack.catalog.branchId, order: 'start', expand: 'customer,service,staff' })
      .set(stack.company.auth);
    expect(list.status).toBe(200);
    for (const b of list.body.data) {
      expect(b.customer).toMatchObject({ id: stack.catalog.customerId, name: 'Carla' });
      expect(b.service).toEqual({ id: stack.catalog.serviceId, name: 'Haircut', durationMinutes: 60, price: 45.5, category: 'fixed' });
      expect(b.staff).toEqual({ id: stack.catalog.staff.anna, name: 'Anna', gender: 'female', languages: ['de'] });
      expect(b.customerId).toBe(stack.catalog.customerId);
    }
    const one = await request(stack.app).get(`/v1/bookings/${booked[0].id}`).query({ expand: 'staff' }).set(stack.company.auth);
    expect(one.status).toBe(200);
    expect(one.body.staff).toMatchObject({ id: stack.catalog.staff.anna, name: 'Anna' });
    expect(one.body.staff).not.toHaveProperty('email');
    expect(one.body).not.toHaveProperty('customer');
    expect(one.body.history.length).toBeGreaterThan(0);
    const plain = await request(stack.app).get(`/v1/bookings/${booked[0].id}`).set(stack.company.auth);
    expect(plain.body).not.toHaveProperty('staff');
    const unknown = await request(stack.app).get(`/v1/bookings/${booked[0].id}`).query({ expand: 'staff,secrets' }).set(stack.company.auth);
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0]).toMatchObject({ path: 'expand', message: expect.stringContaining('secrets') });
  });

  it("another company sees neither the booking nor its expansions", async () => {
    const other = await createCompany(stack.app, 'Other answers');
    const one = await request(stack.app).get(`/v1/bookings/${booked[0].id}`).query({ expand: 'customer' }).set(other.auth);
    expect(one.status).toBe(404);
    const list = await request(stack.app).get('/v1/bookings').query({ expand: 'customer,service,staff' }).set(other.auth);
    expect(list.body.data).toEqual([]);
  });
});
