/**
 * Seats over HTTP on the real stack (issue 16): a class of capacity 3 under a storm of 8
 * concurrent requests from 8 customers gets exactly 3 bookings (PostgreSQL hands out the seats),
 * availability shows seatsLeft and drops the full class, the class holds the staff member against
 * any other booking, one Cal.com event stands for the class, and a cancelled seat frees one seat
 * while the class event stays.
 */
import request from 'supertest';
import { newId } from '../../infra/db/ids';
import { bookingBody, calendarBookings, eventually, postBooking, startBookingStack, type BookingStack } from './booking-http.helpers';

let stack: BookingStack;
let classServiceId: string;

beforeAll(async () => {
  stack = await startBookingStack('seats');
  const created = await request(stack.app).post('/v1/services').set(stack.company.auth).send({
    branchId: stack.catalog.branchId, name: 'Yoga', durationMinutes: 60, requiredSkills: ['cut'], seats: { capacity: 3 },
  });
  expect(created.status).toBe(201);
  expect(created.body.seats).toEqual({ capacity: 3 });
  classServiceId = created.body.id;
  // Linked to the company's Cal.com account like the stack's own service (an event type of that account).
  const linked = await stack.workerDb.service.findUniqueOrThrow({ where: { id: stack.catalog.serviceId } });
  await stack.workerDb.service.update({ where: { id: classServiceId }, data: { calcomEventTypeId: linked.calcomEventTypeId } });
});
afterAll(async () => {
  await stack?.close();
});

const START = '2027-06-07T10:00:00+02:00';
const anna = () => stack.catalog.staff.anna;
const slotAt = async (start: string) => {
  const res = await request(stack.app).get('/v1/availability').set(stack.company.auth)
    .query({ branchId: stack.catalog.branchId, serviceId: classServiceId, staffId: anna(), from: '2027-06-07', to: '2027-06-07' });
  expect(res.status).toBe(200);
  return (res.body.days[0].slots as { start: string; seatsLeft?: number }[]).find((s) => s.start === start);
};

it('a storm of capacity + 5 requests for one class: exactly capacity bookings, the rest 409; then the class is full', async () => {
  expect(await slotAt(START)).toMatchObject({ seatsLeft: 3 });
  const customers = await Promise.all(Array.from({ length: 8 }, async (_, i) => {
    const res = await request(stack.app).post('/v1/customers').set(stack.company.auth).send({ name: `Guest ${i}`, email: `guest-${i}-${newId('x')}@example.test` });
    return res.body.id as string;
  }));
  const answers = await Promise.all(customers.map((customerId, i) =>
    postBooking(stack, bookingBody(stack.catalog, START, { serviceId: classServiceId, customerId }), `seat-storm-${i}-${stack.taskQueue}`)));
  const statuses = answers.map((a) => a.status).sort();
  expect(statuses.filter((s) => s === 201 || s === 202)).toHaveLength(3);
  expect(statuses.filter((s) => s === 409)).toHaveLength(5);
  const won = answers.filter((a) => a.status === 201 || a.status === 202).map((a) => a.body.id as string);
  const rows = await stack.workerDb.booking.findMany({ where: { id: { in: won } }, orderBy: { seat: 'asc' } });
  expect(rows.map((r) => r.seat)).toEqual([1, 2, 3]);
  expect(new Set(rows.map((r) => r.seatKey)).size).toBe(1);
  expect(await slotAt(START)).toBeUndefined();

  // The class holds Anna: another service at an overlapping time is refused.
  const clash = await postBooking(stack, bookingBody(stack.catalog, '2027-06-07T10:30:00+02:00'));
  expect(clash.status).toBe(409);

  // Every seat confirmed, all with the one Cal.com event of the class.
  const confirmed = await eventually(async () => {
    const list = await stack.workerDb.booking.findMany({ where: { id: { in: won } } });
    return list.every((b) => b.status === 'confirmed') ? list : undefined;
  });
  const uids = new Set(confirmed.map((b) => b.calendarExternalId));
  expect(uids.size).toBe(1);
  const [uid] = [...uids];
  const remote = (await calendarBookings(stack.emulator)).filter((b) => b.uid === uid);
  expect(remote).toEqual([expect.objectContaining({ status: 'accepted' })]);

  // A seat cannot be moved; cancelling one frees one seat and keeps the class event.
  const moved = await request(stack.app).post(`/v1/bookings/${won[0]}/reschedule`).set(stack.company.auth).send({ start: '2027-06-07T14:00:00+02:00' });
  expect(moved.status).toBe(409);
  const cancelled = await request(stack.app).post(`/v1/bookings/${won[0]}/cancel`).set(stack.company.auth).send({});
  expect(cancelled.status).toBe(200);
  expect(await slotAt(START)).toMatchObject({ seatsLeft: 1 });
  await new Promise((r) => setTimeout(r, 1_000));
  expect((await calendarBookings(stack.emulator)).find((b) => b.uid === uid)?.status).toBe('accepted');
  const again = await postBooking(stack, bookingBody(stack.catalog, START, { serviceId: classServiceId }));
  expect(again.status).toBe(201);
  expect(again.body.calendar.externalId).toBe(uid);
}, 90_000);
