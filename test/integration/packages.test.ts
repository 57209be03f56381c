/**
 * Packages over HTTP on the real stack (API.md "Catalog depth"): a package service of three member
 * services, its availability (every part must fit), explain naming the blocking part, a booking
 * with its parts (each held under the exclusion constraints and synced to Cal.com), the list
 * showing the package once, reschedule moving every part, cancel freeing every part, and a
 * calendar refusal leaving no part held.
 */
import request from 'supertest';
import { calendarBookings, eventually, postBooking, setFaults, startBookingStack, type BookingStack } from './booking-http.helpers';

let stack: BookingStack;
let pkg: string;
let members: { wash: string; cut: string; colour: string };

const auth = () => stack.company.auth;
const DAY = '2027-03-01'; // a Monday

async function createService(body: Record<string, unknown>) {
  const res = await request(stack.app).post('/v1/services').set(auth()).send({ branchId: stack.catalog.branchId, ...body });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

function availability(date: string, extra: Record<string, string> = {}) {
  return request(stack.app).get('/v1/availability').set(auth())
    .query({ branchId: stack.catalog.branchId, serviceId: pkg, from: date, to: date, ...extra });
}

function bookPackage(start: string, staff?: 'anna' | 'ben') {
  const { catalog } = stack;
  return postBooking(stack, { branchId: catalog.branchId, serviceId: pkg, customerId: catalog.customerId, start, ...(staff ? { staffId: catalog.staff[staff] } : {}) });
}

const ofPart = (uid: string) => async () => (await calendarBookings(stack.emulator)).find((b) => b.uid === uid);

describe('packages over HTTP', () => {
  beforeAll(async () => {
    stack = await startBookingStack('packages', { bookingWaitMs: 20_000 });
    const types = stack.calendar.account.eventTypeIds;
    members = {
      wash: await createService({ name: 'Wash', durationMinutes: 15, bufferAfterMinutes: 5, calcomEventTypeId: types[0] }),
      cut: await createService({ name: 'Cut', durationMinutes: 30, bufferBeforeMinutes: 5, requiredSkills: ['cut'], calcomEventTypeId: types[1] }),
      colour: await createService({ name: 'Colour', durationMinutes: 45, requiredSkills: ['cut'], calcomEventTypeId: types[2] }),
    };
    pkg = await createService({ name: 'Cut + colour', durationMinutes: 100, category: 'package', packageServiceIds: [members.wash, members.cut, members.colour] });
  });
  afterEach(async () => {
    await setFaults(stack.emulator, { mode: 'none' });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('keeps the package members in order and refuses a package inside a package', async () => {
    const res = await request(stack.app).get(`/v1/services/${pkg}`).set(auth());
    expect(res.body).toMatchObject({ category: 'package', packageServiceIds: [members.wash, members.cut, members.colour] });
    const nested = await request(stack.app).post('/v1/services').set(auth())
      .send({ branchId: stack.catalog.branchId, name: 'Nested', durationMinutes: 30, category: 'package', packageServiceIds: [pkg] });
    expect(nested.status).toBe(400);
    const foreign = await request(stack.app).post('/v1/services').set(auth())
      .send({ branchId: stack.catalog.branchId, name: 'Foreign', durationMinutes: 30, category: 'package', packageServiceIds: ['svc_not_ours'] });
    expect(foreign.status).toBe(404);
  });

  it('answers a clear 4xx where packages are not supported: seats, approval (of the package or a member), reservations', async () => {
    const post = (body: Record<string, unknown>) => request(stack.app).post('/v1/services').set(auth()).send({ branchId: stack.catalog.branchId, name: 'P', durationMinutes: 30, ...body });
    const paths = (res: request.Response) => res.body.errors?.map((e: { path: string }) => e.path);
    const seated = await post({ category: 'package', packageServiceIds: [members.wash], seats: { capacity: 3 } });
    expect([seated.status, paths(seated)]).toEqual([400, ['seats']]);
    const approved = await post({ category: 'package', packageServiceIds: [members.wash], requiresApproval: true });
    expect([approved.status, paths(approved)]).toEqual([400, ['requiresApproval']]);
    const seatedMember = await createService({ name: 'Class', durationMinutes: 30, seats: { capacity: 4 } });
    const withSeatedMember = await post({ category: 'package', packageServiceIds: [members.wash, seatedMember] });
    expect([withSeatedMember.status, paths(withSeatedMember)]).toEqual([400, ['packageServiceIds.1']]);
    // A member of a package may not gain approval later; the package may not gain seats.
    const memberPatch = await request(stack.app).patch(`/v1/services/${members.cut}`).set(auth()).send({ requiresApproval: true });
    expect([memberPatch.status, paths(memberPatch)]).toEqual([400, ['requiresApproval']]);
    const pkgPatch = await request(stack.app).patch(`/v1/services/${pkg}`).set(auth()).send({ seats: { capacity: 2 } });
    expect([pkgPatch.status, paths(pkgPatch)]).toEqual([400, ['seats']]);
    expect((await request(stack.app).get(`/v1/services/${members.cut}`).set(auth())).body.requiresApproval).toBe(false);
    const reservation = await request(stack.app).post('/v1/reservations').set(auth())
      .send({ branchId: stack.catalog.branchId, serviceId: pkg, start: `${DAY}T09:00:00+01:00` });
    expect(reservation.status).toBe(422);
    expect(reservation.body.violations).toEqual([expect.objectContaining({ rule: 'service_availability' })]);
  });

  it('lists a package start only when every part fits; slots span all parts', async () => {
    const res = await availability(DAY);
    expect(res.status).toBe(200);
    const slots = res.body.days[0].slots as Array<{ start: string; end: string; staffIds: string[] }>;
    // 15 + (5 + 5) + 30 + 45 = 100 minutes; the last start that ends by 18:00 on the 30-minute grid is 16:00.
    expect(slots[0]).toMatchObject({ start: `${DAY}T09:00:00+01:00`, end: `${DAY}T10:40:00+01:00` });
    expect(slots[slots.length - 1].start).toBe(`${DAY}T16:00:00+01:00`);
  });

  it('books all parts (held and synced each), lists the package once, reschedules every part and cancel frees them all', async () => {
    const res = await bookPackage(`${DAY}T10:00:00+01:00`, 'anna');
    expect(res.status).toBe(201);
    const booking = res.body;
    expect(booking).toMatchObject({ status: 'confirmed', serviceId: pkg, staffId: stack.catalog.staff.anna, start: `${DAY}T10:00:00+01:00`, end: `${DAY}T11:40:00+01:00` });
    expect(booking.parts).toEqual([
      expect.objectContaining({ serviceId: members.wash, staffId: stack.catalog.staff.anna, start: `${DAY}T10:00:00+01:00`, end: `${DAY}T10:15:00+01:00`, calendar: expect.objectContaining({ status: 'synced' }) }),
      expect.objectContaining({ serviceId: members.cut, staffId: stack.catalog.staff.anna, start: `${DAY}T10:25:00+01:00`, end: `${DAY}T10:55:00+01:00`, calendar: expect.objectContaining({ status: 'synced' }) }),
      expect.objectContaining({ serviceId: members.colour, staffId: stack.catalog.staff.anna, start: `${DAY}T10:55:00+01:00`, end: `${DAY}T11:40:00+01:00`, calendar: expect.objectContaining({ status: 'synced' }) }),
    ]);
    const uids = booking.parts.map((p: { calendar: { externalId: string } }) => p.calendar.externalId);
    expect(new Set(uids).size).toBe(3);
    expect(booking.calendar.externalId).toBe(uids[0]);
    const remote = await calendarBookings(stack.emulator);
    expect(uids.map((uid: string) => remote.find((b) => b.uid === uid)?.status)).toEqual(['accepted', 'accepted', 'accepted']);
    expect(remote.find((b) => b.uid === uids[2])?.start).toBe('2027-03-01T09:55:00.000Z');

    // Anna is taken for every part; Ben is still free at 10:00. Explain names the blocking part.
    const after = await availability(DAY, { staffId: stack.catalog.staff.anna });
    expect(after.body.days[0].slots.map((s: { start: string }) => s.start)).not.toContain(`${DAY}T10:00:00+01:00`);
    const explain = await request(stack.app).get('/v1/availability/explain').set(auth())
      .query({ branchId: stack.catalog.branchId, serviceId: pkg, start: `${DAY}T10:30:00+01:00`, staffId: stack.catalog.staff.anna });
    expect(explain.status).toBe(200);
    // The requested member binds every part (wash 10:30-10:45: Anna is in her cut then; colour 11:25: in her colour).
    expect(explain.body.available).toBe(false);
    expect(explain.body.reasons).toEqual(expect.arrayContaining([
      expect.objectContaining({ code: 'staff_busy', staffId: stack.catalog.staff.anna, part: 0, serviceId: members.wash }),
      expect.objectContaining({ code: 'staff_busy', staffId: stack.catalog.staff.anna, part: 2, serviceId: members.colour }),
    ]));
    const anyone = await request(stack.app).get('/v1/availability/explain').set(auth())
      .query({ branchId: stack.catalog.branchId, serviceId: pkg, start: `${DAY}T10:30:00+01:00` });
    expect(anyone.body).toMatchObject({ available: true, staffIds: [stack.catalog.staff.ben], end: `${DAY}T12:10:00+01:00` });

    // Another package at the same start with Anna: 409 with alternatives; with Ben: fine.
    const clash = await bookPackage(`${DAY}T10:00:00+01:00`, 'anna');
    expect(clash.status).toBe(409);
    expect(clash.body.code).toBe('slot_unavailable');

    const list = await request(stack.app).get('/v1/bookings').set(auth()).query({ branchId: stack.catalog.branchId, status: 'confirmed' });
    const listed = (list.body.data as Array<{ id: string }>).filter((b) => b.id.startsWith(booking.id));
    expect(listed.map((b) => b.id)).toEqual([booking.id]);
    const part = await request(stack.app).get(`/v1/bookings/${booking.id}_p1`).set(auth());
    expect(part.status).toBe(404);

    // Reschedule: every part moves, in the database and in Cal.com.
    const moved = await request(stack.app).post(`/v1/bookings/${booking.id}/reschedule`).set(auth()).send({ start: `${DAY}T14:00:00+01:00` });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ start: `${DAY}T14:00:00+01:00`, end: `${DAY}T15:40:00+01:00`, rescheduledCount: 1 });
    expect(moved.body.parts.map((p: { start: string }) => p.start)).toEqual([`${DAY}T14:00:00+01:00`, `${DAY}T14:25:00+01:00`, `${DAY}T14:55:00+01:00`]);
    const movedUids = moved.body.parts.map((p: { calendar: { externalId: string } }) => p.calendar.externalId);
    const movedRemote = await calendarBookings(stack.emulator);
    expect(movedUids.map((uid: string) => movedRemote.find((b) => b.uid === uid)?.start)).toEqual([
      '2027-03-01T13:00:00.000Z', '2027-03-01T13:25:00.000Z', '2027-03-01T13:55:00.000Z',
    ]);
    // The old time is free for Anna again.
    const freed = await bookPackage(`${DAY}T10:00:00+01:00`, 'anna');
    expect(freed.status).toBe(201);
    const second = freed.body.id as string;

    // Cancel: every part is freed at once and each Cal.com booking is cancelled.
    const cancelled = await request(stack.app).post(`/v1/bookings/${booking.id}/cancel`).set(auth()).send({ reason: 'changed plans' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    const rows = await stack.workerDb.booking.findMany({ where: { OR: [{ id: booking.id }, { packageBookingId: booking.id }] }, select: { status: true } });
    expect(rows.map((r) => r.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    for (const uid of movedUids) await eventually(async () => ((await ofPart(uid)())?.status === 'cancelled' ? true : undefined));
    const again = await bookPackage(`${DAY}T14:00:00+01:00`, 'anna');
    expect(again.status).toBe(201);
    for (const id of [second, again.body.id]) {
      expect((await request(stack.app).post(`/v1/bookings/${id}/cancel`).set(auth()).send({})).status).toBe(200);
    }
  });

  it('a requested staff member binds every part: one who cannot do a part has no start (availability, explain) and gets 409 with alternatives', async () => {
    const day = '2027-03-03'; // a Wednesday
    const weekdays = Object.fromEntries(['monday', 'tuesday', 'wednesday', 'thursday', 'friday'].map((d) => [d, [{ start: '09:00', end: '18:00' }]]));
    const created = await request(stack.app).post('/v1/staff').set(auth()).send({ branchId: stack.catalog.branchId, name: 'Dana', skills: [], workingHours: weekdays });
    expect(created.status).toBe(201);
    const dana = created.body.id as string;
    // Dana can wash (no skill needed) but neither cut nor colour: no package start for her at all.
    const hers = await availability(day, { staffId: dana });
    expect(hers.status).toBe(200);
    expect(hers.body.days[0].slots).toEqual([]);
    const why = await request(stack.app).get('/v1/availability/explain').set(auth())
      .query({ branchId: stack.catalog.branchId, serviceId: pkg, start: `${day}T10:00:00+01:00`, staffId: dana });
    expect(why.status).toBe(200);
    expect(why.body.available).toBe(false);
    expect(why.body.reasons).toEqual([
      expect.objectContaining({ code: 'skill_mismatch', staffId: dana, part: 1, serviceId: members.cut }),
      expect.objectContaining({ code: 'skill_mismatch', staffId: dana, part: 2, serviceId: members.colour }),
    ]);
    const refused = await postBooking(stack, { branchId: stack.catalog.branchId, serviceId: pkg, customerId: stack.catalog.customerId, start: `${day}T10:00:00+01:00`, staffId: dana });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('slot_unavailable');
    expect(refused.body.alternatives.length).toBeGreaterThan(0);
    expect(refused.body.alternatives.every((a: { staffId: string }) => a.staffId !== dana)).toBe(true);
    expect(await stack.workerDb.booking.count({ where: { staffId: dana } })).toBe(0);

    // Ben can take every part: his starts are his alone, and a booking with him puts him on every part.
    const his = await availability(day, { staffId: stack.catalog.staff.ben });
    expect(his.body.days[0].slots.map((s: { start: string }) => s.start)).toContain(`${day}T10:00:00+01:00`);
    const booked = await bookPackage(`${day}T10:00:00+01:00`, 'ben');
    expect(booked.status).toBe(201);
    expect(booked.body.parts.map((p: { staffId: string }) => p.staffId)).toEqual([stack.catalog.staff.ben, stack.catalog.staff.ben, stack.catalog.staff.ben]);
    // Ben again at 10:30 overlaps himself: 409, his own alternatives first, and the first one books with him.
    const clash = await bookPackage(`${day}T10:30:00+01:00`, 'ben');
    expect(clash.status).toBe(409);
    const [first] = clash.body.alternatives as Array<{ start: string; staffId: string }>;
    expect(first.staffId).toBe(stack.catalog.staff.ben);
    const taken = await bookPackage(first.start, 'ben');
    expect(taken.status).toBe(201);
    for (const id of [booked.body.id, taken.body.id]) {
      expect((await request(stack.app).post(`/v1/bookings/${id}/cancel`).set(auth()).send({})).status).toBe(200);
    }
  });

  it('a move without staffId re-assigns a package split between people (instead of binding its first part\'s person to every part)', async () => {
    const day = '2027-03-04'; // a Thursday
    const { anna, ben } = stack.catalog.staff;
    const off = async (staffId: string, from: string, to: string) => {
      const res = await request(stack.app).post(`/v1/staff/${staffId}/time-off`).set(auth()).send({ start: `${day}T${from}:00+01:00`, end: `${day}T${to}:00+01:00` });
      expect(res.status).toBe(201);
    };
    // 09:00: Anna cannot wash (off until 09:20), Ben cannot cut or colour (off from 09:50): split.
    await off(anna, '09:00', '09:20');
    await off(ben, '09:50', '10:45');
    const split = await bookPackage(`${day}T09:00:00+01:00`);
    expect(split.status).toBe(201);
    const partStaff = split.body.parts.map((p: { staffId: string }) => p.staffId);
    expect(partStaff[0]).not.toBe(anna);
    expect(partStaff.slice(1)).toEqual([anna, anna]);
    // 14:00: Ben is off during the colour part, so the first part's person cannot take every part.
    await off(ben, '14:50', '15:45');
    const moved = await request(stack.app).post(`/v1/bookings/${split.body.id}/reschedule`).set(auth()).send({ start: `${day}T14:00:00+01:00` });
    expect(moved.status).toBe(200);
    expect(moved.body.parts.map((p: { start: string }) => p.start)).toEqual([`${day}T14:00:00+01:00`, `${day}T14:25:00+01:00`, `${day}T14:55:00+01:00`]);
    expect(moved.body.parts[2].staffId).toBe(anna);
    expect((await request(stack.app).post(`/v1/bookings/${split.body.id}/cancel`).set(auth()).send({})).status).toBe(200);
  });

  it('a calendar refusing the parts answers 502 and leaves no part held', async () => {
    await setFaults(stack.emulator, { mode: 'error', status: 400, operations: ['create'] });
    const res = await bookPackage('2027-03-02T10:00:00+01:00', 'ben');
    expect(res.status).toBe(502);
    const id = res.body.bookingId as string;
    const rows = await stack.workerDb.booking.findMany({ where: { OR: [{ id }, { packageBookingId: id }] }, select: { status: true } });
    expect(rows.length).toBe(3);
    expect(rows.every((r) => r.status === 'failed')).toBe(true);
    await setFaults(stack.emulator, { mode: 'none' });
    const retry = await bookPackage('2027-03-02T10:00:00+01:00', 'ben');
    expect(retry.status).toBe(201);
  });
});
