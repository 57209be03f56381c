/**
 * Issue 16, first slice, over HTTP on the real stack (booking-http.helpers.ts): time off changed
 * and removed (availability at once, a waiting list woken by the freed time), booking limits of a
 * branch and a service (422 booking_limit naming the limit, explain with a customer), and
 * consultation first (422 consultation_required until the consultation is confirmed before).
 */
import request from 'supertest';
import { newId } from '../../infra/db/ids';
import { bookingBody, eventually, postBooking, startBookingStack, type BookingStack } from './booking-http.helpers';

let stack: BookingStack;

beforeAll(async () => {
  stack = await startBookingStack('catalog-limits');
});
afterAll(async () => {
  await stack?.close();
});

const auth = () => stack.company.auth;
const annaStarts = async (date: string) => {
  const res = await request(stack.app).get('/v1/availability')
    .query({ branchId: stack.catalog.branchId, serviceId: stack.catalog.serviceId, staffId: stack.catalog.staff.anna, from: date, to: date })
    .set(auth());
  expect(res.status).toBe(200);
  return (res.body.days[0].slots as { start: string }[]).map((s) => s.start.slice(11, 16));
};

async function newCustomer(): Promise<string> {
  const res = await request(stack.app).post('/v1/customers').set(auth()).send({ name: 'Lena', email: `lena-${newId('x')}@example.test` });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

describe('time off PATCH and DELETE', () => {
  it('changes and removes time off: availability follows at once; bad input and foreign ids change nothing', async () => {
    const anna = stack.catalog.staff.anna;
    const created = await request(stack.app).post(`/v1/staff/${anna}/time-off`).set(auth())
      .send({ start: '2027-04-05T09:00:00+02:00', end: '2027-04-05T13:00:00+02:00', reason: 'dentist' });
    expect(created.status).toBe(201);
    const path = `/v1/staff/${anna}/time-off/${created.body.id}`;
    expect(await annaStarts('2027-04-05')).not.toContain('10:00');

    const patched = await request(stack.app).patch(path).set(auth()).send({ end: '2027-04-05T10:00:00+02:00', reason: null });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: created.body.id, start: '2027-04-05T09:00:00+02:00', end: '2027-04-05T10:00:00+02:00', reason: null });
    const afterPatch = await annaStarts('2027-04-05');
    expect(afterPatch).toContain('10:00');
    expect(afterPatch).not.toContain('09:00');

    const backwards = await request(stack.app).patch(path).set(auth()).send({ start: '2027-04-05T11:00:00+02:00' });
    expect(backwards.status).toBe(400);
    expect(backwards.body.errors).toEqual([expect.objectContaining({ path: 'start' })]);
    expect((await request(stack.app).patch(`/v1/staff/${anna}/time-off/off_unknown`).set(auth()).send({ reason: 'x' })).status).toBe(404);
    expect((await request(stack.app).delete(`/v1/staff/${stack.catalog.staff.ben}/time-off/${created.body.id}`).set(auth())).status).toBe(404);

    const removed = await request(stack.app).delete(path).set(auth());
    expect(removed.status).toBe(200);
    expect(removed.body.id).toBe(created.body.id);
    expect(await annaStarts('2027-04-05')).toContain('09:00');
    expect(await stack.workerDb.staffTimeOff.count({ where: { id: created.body.id } })).toBe(0);
    expect((await request(stack.app).delete(path).set(auth())).status).toBe(404);
  });

  it('removing time off wakes a waiting list for that time within seconds (not the periodic check)', async () => {
    const anna = stack.catalog.staff.anna;
    const off = await request(stack.app).post(`/v1/staff/${anna}/time-off`).set(auth())
      .send({ start: '2027-04-06T00:00:00+02:00', end: '2027-04-07T00:00:00+02:00' });
    expect(off.status).toBe(201);
    const entry = await request(stack.app).post('/v1/waiting-list').set(auth()).send({
      branchId: stack.catalog.branchId, serviceId: stack.catalog.serviceId, customerId: stack.catalog.customerId, staffId: anna,
      from: '2027-04-06', to: '2027-04-06', timeWindows: [{ start: '10:00', end: '12:00' }],
    });
    expect(entry.status).toBe(201);
    // The monitor's first check finds nothing: Anna is off all day.
    await eventually(async () => {
      const row = await stack.workerDb.waitingListEntry.findUnique({ where: { id: entry.body.id } });
      return row && row.status === 'waiting' ? row : undefined;
    });
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await request(stack.app).get(`/v1/waiting-list/${entry.body.id}`).set(auth())).body.status).toBe('waiting');

    expect((await request(stack.app).delete(`/v1/staff/${anna}/time-off/${off.body.id}`).set(auth())).status).toBe(200);
    const notified = await eventually(async () => {
      const res = await request(stack.app).get(`/v1/waiting-list/${entry.body.id}`).set(auth());
      return res.body.status === 'notified' ? res.body : undefined;
    }, 20_000);
    expect(notified.offers[0]).toMatchObject({ staffId: anna, start: '2027-04-06T10:00:00+02:00' });
    await request(stack.app).delete(`/v1/waiting-list/${entry.body.id}`).set(auth());
  });
});

describe('booking limits', () => {
  it('a service limit per customer per day: the second booking that day is 422 booking_limit naming the limit; explain names it too', async () => {
    const customerId = await newCustomer();
    const limited = await request(stack.app).patch(`/v1/services/${stack.catalog.serviceId}`).set(auth()).send({ limits: { perCustomer: { day: 1 } } });
    expect(limited.status).toBe(200);
    expect(limited.body.limits).toEqual({ perCustomer: { day: 1 } });
    try {
      const first = await postBooking(stack, bookingBody(stack.catalog, '2027-04-12T10:00:00+02:00', { customerId }));
      expect(first.status).toBe(201);
      const second = await postBooking(stack, bookingBody(stack.catalog, '2027-04-12T14:00:00+02:00', { customerId, staffId: stack.catalog.staff.ben }));
      expect(second.status).toBe(422);
      expect(second.body.violations).toEqual([{ rule: 'booking_limit', message: expect.stringContaining('service.perCustomer.day'), limits: ['service.perCustomer.day'] }]);
      const explain = await request(stack.app).get('/v1/availability/explain').set(auth())
        .query({ branchId: stack.catalog.branchId, serviceId: stack.catalog.serviceId, start: '2027-04-12T14:00:00+02:00', customerId });
      expect(explain.body).toMatchObject({ available: false, reasons: [expect.objectContaining({ code: 'booking_limit', limit: 'service.perCustomer.day' })] });
      // Another day is fine; another customer the same day too.
      expect((await postBooking(stack, bookingBody(stack.catalog, '2027-04-13T10:00:00+02:00', { customerId }))).status).toBe(201);
      expect((await postBooking(stack, bookingBody(stack.catalog, '2027-04-12T14:00:00+02:00', { staffId: stack.catalog.staff.ben }))).status).toBe(201);
    } finally {
      await request(stack.app).patch(`/v1/services/${stack.catalog.serviceId}`).set(auth()).send({ limits: null });
    }
  });

  it('a branch limit per staff member per week (Monday first): slots of a full week vanish, the next week is bookable', async () => {
    const ben = stack.catalog.staff.ben;
    const set = await request(stack.app).patch(`/v1/branches/${stack.catalog.branchId}`).set(auth()).send({ limits: { perStaff: { week: 1 } } });
    expect(set.body.limits).toEqual({ perStaff: { week: 1 } });
    try {
      // Thursday 2027-04-22; the same week's Friday is refused for Ben, Monday 26th is a new week.
      expect((await postBooking(stack, bookingBody(stack.catalog, '2027-04-22T10:00:00+02:00', { staffId: ben }))).status).toBe(201);
      const refused = await postBooking(stack, bookingBody(stack.catalog, '2027-04-23T10:00:00+02:00', { staffId: ben }));
      expect(refused.status).toBe(422);
      expect(refused.body.violations[0]).toMatchObject({ rule: 'booking_limit', message: expect.stringContaining('branch.perStaff.week'), limits: ['branch.perStaff.week'] });
      const slots = await request(stack.app).get('/v1/availability').set(auth())
        .query({ branchId: stack.catalog.branchId, serviceId: stack.catalog.serviceId, staffId: ben, from: '2027-04-23', to: '2027-04-26' });
      expect(slots.body.days.map((d: { slots: unknown[] }) => d.slots.length > 0)).toEqual([false, false, false, true]);
      expect((await postBooking(stack, bookingBody(stack.catalog, '2027-04-26T10:00:00+02:00', { staffId: ben }))).status).toBe(201);
    } finally {
      const cleared = await request(stack.app).patch(`/v1/branches/${stack.catalog.branchId}`).set(auth()).send({ limits: null });
      expect(cleared.body).not.toHaveProperty('limits');
    }
  });

  it('bad limits are 400 and change nothing', async () => {
    const res = await request(stack.app).patch(`/v1/services/${stack.catalog.serviceId}`).set(auth()).send({ limits: { perStaff: { day: 0, year: 3 } } });
    expect(res.status).toBe(400);
    const row = await stack.workerDb.service.findUniqueOrThrow({ where: { id: stack.catalog.serviceId } });
    expect(row.limits).toBeNull();
  });
});

describe('consultation first', () => {
  it('refuses the treatment with consultation_required until a consultation is confirmed before it', async () => {
    const customerId = await newCustomer();
    const consult = await request(stack.app).post('/v1/services').set(auth())
      .send({ branchId: stack.catalog.branchId, name: 'Consultation', durationMinutes: 30, requiredSkills: ['cut'] });
    expect(consult.status).toBe(201);
    expect(consult.body).not.toHaveProperty('consultationServiceId');
    const treatment = await request(stack.app).post('/v1/services').set(auth()).send({
      branchId: stack.catalog.branchId, name: 'Treatment', durationMinutes: 60, requiredSkills: ['cut'],
      requiresConsultation: true, consultationServiceId: consult.body.id,
    });
    expect(treatment.status).toBe(201);
    expect(treatment.body.consultationServiceId).toBe(consult.body.id);
    expect((await request(stack.app).patch(`/v1/services/${treatment.body.id}`).set(auth()).send({ consultationServiceId: 'svc_nope' })).status).toBe(404);

    const body = (start: string, serviceId: string) => bookingBody(stack.catalog, start, { serviceId, customerId, staffId: stack.catalog.staff.ben });
    const refused = await postBooking(stack, body('2027-05-04T10:00:00+02:00', treatment.body.id));
    expect(refused.status).toBe(422);
    expect(refused.body.violations).toEqual([{ rule: 'consultation_required', message: expect.any(String) }]);

    expect((await postBooking(stack, body('2027-05-03T10:00:00+02:00', consult.body.id))).status).toBe(201);
    // Before the consultation's start it is still refused; after it, accepted.
    expect((await postBooking(stack, body('2027-05-03T09:00:00+02:00', treatment.body.id))).status).toBe(422);
    expect((await postBooking(stack, body('2027-05-04T10:00:00+02:00', treatment.body.id))).status).toBe(201);
  });
});
