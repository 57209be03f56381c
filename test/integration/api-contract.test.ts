/**
 * Black-box conformance walk of ../shared/API.md, top to bottom, through HTTP on the real stack
 * (booking-http.helpers.ts: createApp + Temporal dev server + in-process worker with a private
 * Cal.com emulator, Redis and the SMTP sink). One realistic flow: a company made by the admin,
 * keys of every role, the catalog created through the API, availability, bookings and their
 * actions, a series, a waiting-list entry, a sync failure and its retry, analytics, ops. Each step
 * asserts the documented names, defaults, status codes, problem codes and extensions exactly, so a
 * rename anywhere in api/ breaks here before the acceptance tests see it.
 */
import { DateTime } from 'luxon';
import request from 'supertest';
import { connectBranchViaApi } from '../harness/calendar-link';
import { createAvailabilityDeps } from '../../api/availability/availability.deps';
import { ADMIN_KEY } from '../api/api-harness';
import { eventually, setFaults, startBookingStack, type BookingStack } from './booking-http.helpers';

const ZONE = 'Europe/Berlin';
const PROBLEM = /^application\/problem\+json/;
const OFFSET_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:\d{2}$/;

let stack: BookingStack;
const closers: Array<() => Promise<void>> = [];
const admin = { Authorization: `Bearer ${ADMIN_KEY}` };

/** The Monday at least 14 days ahead (within the default 90-day advance window), Berlin. */
const monday = DateTime.now().setZone(ZONE).startOf('day').plus({ days: 14 }).startOf('week');
const dayOf = (offsetDays: number) => monday.plus({ days: offsetDays });
const at = (offsetDays: number, hm: string) => {
  const [hour, minute] = hm.split(':').map(Number);
  return dayOf(offsetDays).set({ hour, minute }).toISO({ suppressMilliseconds: true }) as string;
};
const date = (offsetDays: number) => dayOf(offsetDays).toISODate() as string;
const offsetOf = (offsetDays: number) => dayOf(offsetDays).set({ hour: 12 }).toFormat('ZZ');

function expectProblem(res: request.Response, status: number, code: string): void {
  expect({ status: res.status, code: res.body.code }).toEqual({ status, code });
  expect(res.headers['content-type']).toMatch(PROBLEM);
  expect(res.body).toMatchObject({ type: expect.any(String), title: expect.any(String), status, code });
}

describe('API.md contract walk', () => {
  beforeAll(async () => {
    stack = await startBookingStack('api-contract');
  });
  afterAll(async () => {
    await setFaults(stack.emulator, { mode: 'none' }).catch(() => undefined);
    for (const close of closers) await close();
    await stack?.close();
  });

  it('walks every endpoint family with the documented shapes', async () => {
    const http = () => request(stack.app);

    // --- Auth and platform -------------------------------------------------------------------
    const noKey = await http().get('/v1/branches');
    expectProblem(noKey, 401, 'unauthenticated');
    expectProblem(await http().get('/v1/branches').set('Authorization', 'Bearer nope'), 401, 'unauthenticated');

    const company = await http().post('/v1/admin/companies').set(admin).send({ name: 'Contract GmbH' });
    expect(company.status).toBe(201);
    expect(company.body).toEqual(expect.objectContaining({ id: expect.any(String), name: 'Contract GmbH', apiKey: expect.any(String) }));
    const manager = { Authorization: `Bearer ${company.body.apiKey}` };
    expectProblem(await http().get('/v1/branches').set(admin), 403, 'forbidden');
    expectProblem(await http().post('/v1/admin/companies').set(manager).send({ name: 'x' }), 403, 'forbidden');
    expectProblem(await http().post('/v1/admin/companies').set(admin).send({}), 400, 'validation_error');

    const keyFor = async (role: string) => {
      const res = await http().post('/v1/api-keys').set(manager).send({ name: `${role} desk`, role });
      expect(res.status).toBe(201);
      expect(res.body).toEqual(expect.objectContaining({ id: expect.any(String), name: `${role} desk`, role, apiKey: expect.any(String) }));
      return { Authorization: `Bearer ${res.body.apiKey}` };
    };
    const booking = await keyFor('booking');
    const support = await keyFor('support');
    const badRole = await http().post('/v1/api-keys').set(manager).send({ name: 'x', role: 'owner' });
    expectProblem(badRole, 400, 'validation_error');
    expect(badRole.body.errors).toEqual([expect.objectContaining({ path: 'role', message: expect.any(String) })]);

    // --- Catalog -----------------------------------------------------------------------------
    const weekdays = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'];
    const open = { open: true, start: '09:00', end: '18:00' };
    const branchRes = await http()
      .post('/v1/branches')
      .set(manager)
      .send({
        name: 'Mitte',
        timezone: ZONE,
        operatingHours: { ...Object.fromEntries(weekdays.map((d) => [d, open])), sunday: { open: false } },
        closures: [{ date: date(4), reason: 'Inventory' }],
      });
    expect(branchRes.status).toBe(201);
    expect(branchRes.body).toMatchObject({
      id: expect.any(String),
      name: 'Mitte',
      timezone: ZONE,
      closures: [{ date: date(4), reason: 'Inventory' }],
      rules: { minimumNoticeMinutes: 120, maxAdvanceDays: 90, slotIntervalMinutes: 15, maxDailyBookingsPerCustomer: null },
    });
    const branchId: string = branchRes.body.id;
    expectProblem(await http().post('/v1/branches').set(booking).send({}), 403, 'forbidden');
    const badBranch = await http().post('/v1/branches').set(manager).send({ name: '', timezone: 'Mars/Olympus', operatingHours: { monday: { open: true, start: '25:00', end: '18:00' } } });
    expectProblem(badBranch, 400, 'validation_error');
    expect(badBranch.body.errors.length).toBeGreaterThanOrEqual(3);
    for (const e of badBranch.body.errors) expect(Object.keys(e).sort()).toEqual(['message', 'path']);

    const branches = await http().get('/v1/branches').set(support);
    expect(branches.status).toBe(200);
    expect(branches.body).toEqual({ data: [expect.objectContaining({ id: branchId })], nextCursor: null });
    const patched = await http().patch(`/v1/branches/${branchId}`).set(manager).send({ rules: { minimumNoticeMinutes: 60 } });
    expect(patched.status).toBe(200);
    expect(patched.body.rules).toMatchObject({ minimumNoticeMinutes: 60, maxAdvanceDays: 90, slotIntervalMinutes: 15 });
    expect((await http().get(`/v1/branches/${branchId}`).set(manager)).body.rules.minimumNoticeMinutes).toBe(60);

    const resource = await http().post('/v1/resources').set(manager).send({ branchId, name: 'Chair 1' });
    expect(resource.status).toBe(201);
    expect(resource.body).toMatchObject({ id: expect.any(String), branchId, name: 'Chair 1' });
    expect((await http().get('/v1/resources').set(manager)).body).toEqual({ data: [expect.objectContaining({ id: resource.body.id })], nextCursor: null });

    // The company's own Cal.com account, connected and named on the branch.
    const { account } = await connectBranchViaApi(stack.app, manager, branchId, stack.emulator.url);
    let nextUser = 0;
    const hours = Object.fromEntries(weekdays.map((d) => [d, [{ start: '09:00', end: '13:00' }, { start: '14:00', end: '18:00' }]]));
    const staffBody = (name: string, gender: string) => ({
      branchId, name, gender, languages: ['de'], skills: ['cut'], workingHours: hours,
      breaks: { monday: [{ start: '11:00', end: '11:15' }] },
      calcomUserId: account.userIds[nextUser++],
    });
    const anna = await http().post('/v1/staff').set(manager).send(staffBody('Anna', 'female'));
    expect(anna.status).toBe(201);
    expect(anna.body).toMatchObject({ id: expect.any(String), branchId, name: 'Anna', languages: ['de'], skills: ['cut'], workingHours: hours, breaks: { monday: [{ start: '11:00', end: '11:15' }] } });
    const ben = await http().post('/v1/staff').set(manager).send(staffBody('Ben', 'male'));
    expect(ben.status).toBe(201);
    const annaId: string = anna.body.id;
    const benId: string = ben.body.id;
    const staffList = await http().get('/v1/staff').query({ branchId }).set(manager);
    expect(staffList.body.data.map((s: { id: string }) => s.id).sort()).toEqual([annaId, benId].sort());
    expect(staffList.body.nextCursor).toBeNull();
    expect((await http().patch(`/v1/staff/${annaId}`).set(manager).send({ email: 'anna@example.test' })).body).toMatchObject({ id: annaId, email: 'anna@example.test' });
    expect((await http().get(`/v1/staff/${annaId}`).set(manager)).body.email).toBe('anna@example.test');

    const naiveTimeOff = await http().post(`/v1/staff/${benId}/time-off`).set(manager).send({ start: `${date(1)}T09:00:00`, end: `${date(1)}T18:00:00` });
    expectProblem(naiveTimeOff, 400, 'validation_error');
    expect(naiveTimeOff.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['end', 'start']);
    const timeOff = await http().post(`/v1/staff/${benId}/time-off`).set(manager).send({ start: at(1, '09:00'), end: at(1, '18:00'), reason: 'Training' });
    expect(timeOff.status).toBe(201);
    expect(timeOff.body).toMatchObject({ id: expect.any(String), start: at(1, '09:00'), end: at(1, '18:00'), reason: 'Training' });
    const timeOffs = await http().get(`/v1/staff/${benId}/time-off`).set(manager);
    expect(timeOffs.body).toEqual({ data: [expect.objectContaining({ id: timeOff.body.id })], nextCursor: null });

    const service = await http().post('/v1/services').set(manager).send({ branchId, name: 'Haircut', durationMinutes: 45, requiredSkills: ['cut'], category: 'fixed', calcomEventTypeId: account.eventTypeIds[0] });
    expect(service.status).toBe(201);
    expect(service.body).toMatchObject({
      id: expect.any(String), branchId, name: 'Haircut', durationMinutes: 45, bufferBeforeMinutes: 0, bufferAfterMinutes: 0,
      requiredSkills: ['cut'], resourceRequirements: [], requiresConsultation: false, category: 'fixed',
    });
    const serviceId: string = service.body.id;
    expect((await http().patch(`/v1/services/${serviceId}`).set(manager).send({ price: 30 })).body).toMatchObject({ id: serviceId, price: 30 });
    expect((await http().get(`/v1/services/${serviceId}`).set(support)).body.id).toBe(serviceId);
    expect((await http().get('/v1/services').set(manager)).body.data.map((s: { id: string }) => s.id)).toEqual([serviceId]);

    const customer = await http().post('/v1/customers').set(booking).send({ name: 'Carla', email: 'carla@example.test', phone: '+49301234567', language: 'de', timezone: ZONE });
    expect(customer.status).toBe(201);
    expect(customer.body).toMatchObject({ id: expect.any(String), name: 'Carla', email: 'carla@example.test', phone: '+49301234567', language: 'de', timezone: ZONE });
    const customerId: string = customer.body.id;
    expect((await http().get(`/v1/customers/${customerId}`).set(support)).body.id).toBe(customerId);
    expect((await http().get('/v1/customers').set(booking)).body).toEqual({ data: [expect.objectContaining({ id: customerId })], nextCursor: null });
    expectProblem(await http().post('/v1/customers').set(support).send({ name: 'x' }), 403, 'forbidden');

    // --- Availability ------------------------------------------------------------------------
    const availQuery = { branchId, serviceId, from: date(0), to: date(1) };
    const avail = await http().get('/v1/availability').query(availQuery).set(booking);
    expect(avail.status).toBe(200);
    expect(avail.headers['x-cache']).toBe('MISS');
    expect(Object.keys(avail.body).sort()).toEqual(expect.arrayContaining(['branchId', 'days', 'serviceId', 'timezone']));
    expect(avail.body).toMatchObject({ branchId, serviceId, timezone: ZONE });
    expect(avail.body.days.map((d: { date: string }) => d.date)).toEqual([date(0), date(1)]);
    const mondaySlots: Array<{ start: string; end: string; staffIds: string[] }> = avail.body.days[0].slots;
    expect(mondaySlots[0]).toEqual({
      start: at(0, '09:00'), end: at(0, '09:45'), staffIds: expect.arrayContaining([annaId, benId]),
      staff: expect.arrayContaining([{ id: annaId, name: 'Anna' }, { id: benId, name: 'Ben' }]), price: 30,
    });
    expect(mondaySlots[1].start).toBe(at(0, '09:15'));
    const starts = mondaySlots.map((s) => s.start);
    expect(starts).toContain(at(0, '10:15')); // ends at the break
    expect(starts).not.toContain(at(0, '10:30')); // would cross the 11:00-11:15 break
    expect(starts).not.toContain(at(0, '12:30')); // would cross the 13-14 gap
    expect(starts).toContain(at(0, '14:00'));
    for (const slot of avail.body.days[1].slots) expect(slot.staffIds).toEqual([annaId]); // Ben is off on Tuesday
    // The stack's app runs uncached; the cache headers are checked on an app with the real cache.
    const cached = createAvailabilityDeps({ config: stack.api.config, db: stack.api.db, logger: { info: () => undefined, warn: () => undefined }, redisUrl: null });
    closers.push(() => cached.close());
    const cachedApp = (await stack.extraApp(cached.deps)).app;
    expect((await request(cachedApp).get('/v1/availability').query(availQuery).set(booking)).headers['x-cache']).toBe('MISS');
    const hit = await request(cachedApp).get('/v1/availability').query(availQuery).set(booking);
    expect(hit.headers['x-cache']).toBe('HIT');
    expect(hit.body).toEqual(avail.body);
    const lunch = await request(cachedApp).post(`/v1/staff/${annaId}/time-off`).set(manager).send({ start: at(1, '09:00'), end: at(1, '10:00') });
    expect(lunch.status).toBe(201);
    const changed = await request(cachedApp).get('/v1/availability').query(availQuery).set(booking);
    expect(changed.headers['x-cache']).toBe('MISS');
    expect(changed.body.days[1].slots[0].start).toBe(at(1, '10:00'));
    expect((await http().get('/v1/availability').query({ ...availQuery, to: dayOf(61).toISODate() }).set(booking)).body.days).toHaveLength(62);
    expectProblem(await http().get('/v1/availability').query({ ...availQuery, to: dayOf(62).toISODate() }).set(booking), 400, 'validation_error');
    const impossible = await http().get('/v1/availability').query({ ...availQuery, from: `${monday.year}-02-30` }).set(booking);
    expectProblem(impossible, 400, 'validation_error');
    expect(impossible.body.errors).toEqual([{ path: 'from', message: expect.any(String) }]);
    const closedDays = await http().get('/v1/availability').query({ ...availQuery, from: date(3), to: date(6) }).set(booking);
    expect(closedDays.body.days.map((d: { date: string; slots: unknown[] }) => [d.date, d.slots.length > 0])).toEqual([
      [date(3), true], [date(4), false], [date(5), false], [date(6), false], // closure, Saturday, Sunday: listed, empty
    ]);
    expectProblem(await http().get('/v1/availability').query({ ...availQuery, branchId: stack.catalog.branchId }).set(booking), 404, 'not_found');
    expectProblem(await http().get('/v1/availability/explain').query({ branchId, serviceId, start: `${date(0)}T09:00:00` }).set(booking), 400, 'validation_error');
    const explain = await http().get('/v1/availability/explain').query({ branchId, serviceId, start: at(0, '11:00'), staffId: annaId }).set(booking);
    expect(explain.status).toBe(200);
    expect(explain.body).toMatchObject({ available: false, reasons: expect.arrayContaining([expect.objectContaining({ code: 'staff_on_break', message: expect.any(String) })]) });
    const explainOk = await http().get('/v1/availability/explain').query({ branchId, serviceId, start: at(0, '09:00'), staffId: annaId }).set(booking);
    expect(explainOk.body).toMatchObject({ available: true, reasons: [] });

    // --- Bookings ----------------------------------------------------------------------------
    const body = { branchId, serviceId, customerId, staffId: annaId, start: at(0, '10:00'), source: 'phone', notes: 'first visit' };
    const key = `contract-${stack.taskQueue}`;
    const created = await http().post('/v1/bookings').set(booking).set('Idempotency-Key', key).send(body);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.any(String), status: 'confirmed', branchId, serviceId, customerId, staffId: annaId, resourceId: null,
      start: at(0, '10:00'), end: at(0, '10:45'), source: 'phone', participants: [], rescheduledCount: 0,
      calendar: { status: 'synced', externalId: expect.any(String) }, workflowId: expect.any(String), failureReason: null,
      createdAt: expect.stringMatching(OFFSET_INSTANT), updatedAt: expect.stringMatching(OFFSET_INSTANT),
    });
    const bookingId: string = created.body.id;
    const replay = await http().post('/v1/bookings').set(booking).set('Idempotency-Key', key).send(body);
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(created.body);
    expectProblem(await http().post('/v1/bookings').set(booking).set('Idempotency-Key', key).send({ ...body, notes: 'other' }), 422, 'idempotency_key_reused');

    // The same slot again: 409 with alternatives (and the cache shows the slot gone at once).
    const taken = await http().post('/v1/bookings').set(booking).send(body);
    expectProblem(taken, 409, 'slot_unavailable');
    expect(taken.body.alternatives.length).toBeGreaterThan(0);
    expect(taken.body.alternatives.length).toBeLessThanOrEqual(5);
    for (const alt of taken.body.alternatives) {
      expect(alt).toEqual({ start: expect.stringMatching(new RegExp(`${offsetOf(0).replace('+', '\\+')}$`)), end: expect.any(String), staffId: expect.any(String), staffName: expect.any(String) });
    }
    const afterBooking = await http().get('/v1/availability').query({ ...availQuery, staffId: annaId }).set(booking);
    expect(afterBooking.body.days[0].slots.map((s: { start: string }) => s.start)).not.toContain(at(0, '10:00'));

    const naive = await http().post('/v1/bookings').set(booking).send({ ...body, start: `${date(0)}T10:00:00`, source: 'fax' });
    expectProblem(naive, 400, 'validation_error');
    expect(naive.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['source', 'start']);
    expectProblem(await http().post('/v1/bookings').set(booking).set('Content-Type', 'application/json').send('{"broken'), 400, 'validation_error');
    const rules = await http().post('/v1/bookings').set(booking).send({ ...body, start: at(5, '10:00') }); // Saturday: closed
    expectProblem(rules, 422, 'booking_rule_violation');
    expect(rules.body.violations).toEqual(expect.arrayContaining([{ rule: 'business_hours', message: expect.any(String) }]));
    for (const v of rules.body.violations) expect(Object.keys(v).sort()).toEqual(['message', 'rule']);
    expectProblem(await http().post('/v1/bookings').set(booking).send({ ...body, start: at(120, '10:00') }), 422, 'booking_rule_violation');

    // Blocking is a manager's decision (API.md: booking keys may not block or unblock).
    expectProblem(await http().post(`/v1/customers/${customerId}/block`).set(booking).send({ reason: 'unpaid' }), 403, 'forbidden');
    const blocked = await http().post(`/v1/customers/${customerId}/block`).set(manager).send({ reason: 'unpaid' });
    expect(blocked.status).toBe(200);
    expect(blocked.body.id).toBe(customerId);
    const refused = await http().post('/v1/bookings').set(booking).send({ ...body, start: at(2, '10:00') });
    expectProblem(refused, 422, 'booking_rule_violation');
    expect(refused.body.violations.map((v: { rule: string }) => v.rule)).toContain('customer_blocked');
    expect((await http().post(`/v1/customers/${customerId}/unblock`).set(manager).send({})).status).toBe(200);

    const auto = await http().post('/v1/bookings').set(booking).send({ branchId, serviceId, customerId, start: at(0, '10:00'), source: 'web', preferences: { gender: 'male' } });
    expect(auto.status).toBe(201);
    expect(auto.body).toMatchObject({ staffId: benId, source: 'web', status: 'confirmed' });

    const one = await http().get(`/v1/bookings/${bookingId}`).set(support);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ ...created.body, updatedAt: expect.any(String) });
    for (const h of one.body.history) {
      expect(h).toEqual({ at: expect.stringMatching(OFFSET_INSTANT), event: expect.any(String), detail: expect.any(Object) });
    }

    const list = await http().get('/v1/bookings').query({ branchId, staffId: annaId, customerId, status: 'confirmed', from: date(0), to: date(0) }).set(booking);
    expect(list.status).toBe(200);
    expect(list.body).toEqual({ data: [expect.objectContaining({ id: bookingId })], nextCursor: null });
    const paged = await http().get('/v1/bookings').query({ branchId, limit: 1 }).set(booking);
    expect(paged.body.data).toHaveLength(1);
    expect(paged.body.nextCursor).toEqual(expect.any(String));
    const page2 = await http().get('/v1/bookings').query({ branchId, limit: 1, cursor: paged.body.nextCursor }).set(booking);
    expect(page2.body.data[0].id).not.toBe(paged.body.data[0].id);
    expectProblem(await http().get('/v1/bookings').query({ limit: 201 }).set(booking), 400, 'validation_error');
    await Promise.all(Array.from({ length: 50 }, (_, i) => http().post('/v1/customers').set(manager).send({ name: `Walk-in ${i}` })));
    const defaultPage = await http().get('/v1/customers').set(manager);
    expect(defaultPage.body.data).toHaveLength(50); // default limit
    expect(defaultPage.body.nextCursor).toEqual(expect.any(String));
    const lastPage = await http().get('/v1/customers').query({ cursor: defaultPage.body.nextCursor }).set(manager);
    expect(lastPage.body).toEqual({ data: [expect.any(Object)], nextCursor: null });
    expect((await http().get('/v1/customers').query({ limit: 200 }).set(manager)).body.data).toHaveLength(51);

    // Another company never sees it: 404, not 403.
    expectProblem(await http().get(`/v1/bookings/${bookingId}`).set(stack.company.auth), 404, 'not_found');
    expectProblem(await http().get(`/v1/branches/${branchId}`).set(stack.company.auth), 404, 'not_found');
    expectProblem(await http().get(`/v1/customers/${customerId}`).set(stack.company.auth), 404, 'not_found');
    // The booking role reaches bookings and catalog reads, not analytics, sync failures, resources or keys.
    for (const path of ['/v1/analytics', '/v1/sync-failures', '/v1/resources', '/v1/api-keys']) expectProblem(await http().get(path).set(booking), 403, 'forbidden');
    expect((await http().get('/v1/branches').set(booking)).status).toBe(200);

    // Refused moves keep the old time: Ben is taken at 10:00 (auto-assigned above), Saturday is closed.
    const clash = await http().post(`/v1/bookings/${bookingId}/reschedule`).set(booking).send({ start: at(0, '10:00'), staffId: benId });
    expectProblem(clash, 409, 'slot_unavailable');
    expect(clash.body.alternatives[0]).toEqual({ start: expect.any(String), end: expect.any(String), staffId: expect.any(String), staffName: expect.any(String) });
    expectProblem(await http().post(`/v1/bookings/${bookingId}/reschedule`).set(booking).send({ start: at(5, '10:00') }), 422, 'booking_rule_violation');
    expect((await http().get(`/v1/bookings/${bookingId}`).set(booking)).body).toMatchObject({ start: at(0, '10:00'), rescheduledCount: 0 });

    const moved = await http().post(`/v1/bookings/${bookingId}/reschedule`).set(booking).send({ start: at(2, '15:00'), reason: 'customer asked' });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ id: bookingId, status: 'confirmed', start: at(2, '15:00'), end: at(2, '15:45'), rescheduledCount: 1 });
    const movedHistory = (await http().get(`/v1/bookings/${bookingId}`).set(booking)).body.history;
    expect(JSON.stringify(movedHistory)).toContain(at(0, '10:00'));

    const cancelKey = `cancel-${stack.taskQueue}`;
    const cancelled = await http().post(`/v1/bookings/${bookingId}/cancel`).set(booking).set('Idempotency-Key', cancelKey).send({ reason: 'ill' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ id: bookingId, status: 'cancelled' });
    const cancelReplay = await http().post(`/v1/bookings/${bookingId}/cancel`).set(booking).set('Idempotency-Key', cancelKey).send({ reason: 'ill' });
    expect(cancelReplay.headers['idempotent-replayed']).toBe('true');
    expect(cancelReplay.body).toEqual(cancelled.body);
    const freed = await http().get('/v1/availability').query({ branchId, serviceId, from: date(2), to: date(2), staffId: annaId }).set(booking);
    expect(freed.body.days[0].slots.map((s: { start: string }) => s.start)).toContain(at(2, '15:00')); // free at once
    expectProblem(await http().post(`/v1/bookings/${bookingId}/reschedule`).set(booking).send({ start: at(2, '16:00') }), 409, 'invalid_state');

    expectProblem(await http().post(`/v1/bookings/${auto.body.id}/no-show`).set(booking).send(), 409, 'invalid_state');
    const later = await stack.extraApp({ clock: () => new Date(Date.parse(auto.body.end) + 60_000) });
    const noShow = await request(later.app).post(`/v1/bookings/${auto.body.id}/no-show`).set(booking).send();
    expect(noShow.status).toBe(200);
    expect(noShow.body).toMatchObject({ id: auto.body.id, status: 'no_show' });

    // --- Recurring series --------------------------------------------------------------------
    const series = await http().post('/v1/series').set(booking).send({ branchId, serviceId, customerId, staffId: annaId, start: at(0, '16:00'), recurrence: { frequency: 'weekly', count: 3 } });
    expect([201, 202]).toContain(series.status);
    const seriesId: string = series.body.id;
    const done = series.status === 201 ? series.body : await eventually(async () => {
      const s = await http().get(`/v1/series/${seriesId}`).set(booking);
      return s.body.status === 'completed' ? s.body : undefined;
    });
    expect(done).toMatchObject({ id: seriesId, status: 'completed' });
    expect(done.occurrences.map((o: { index: number; start: string; status: string }) => [o.index, o.start, o.status])).toEqual([
      [0, at(0, '16:00'), 'booked'], [1, at(7, '16:00'), 'booked'], [2, at(14, '16:00'), 'booked'],
    ]);
    for (const o of done.occurrences) expect(o.bookingId).toEqual(expect.any(String));
    const seriesCancel = await http().post(`/v1/series/${seriesId}/cancel`).set(booking).send({ from: at(7, '00:00') });
    expect(seriesCancel.status).toBe(200);
    expect(seriesCancel.body.id).toBe(seriesId);
    const firstOccurrence = await http().get(`/v1/bookings/${done.occurrences[0].bookingId}`).set(booking);
    expect(firstOccurrence.body.status).toBe('confirmed');
    const lastOccurrence = await eventually(async () => {
      const b = await http().get(`/v1/bookings/${done.occurrences[2].bookingId}`).set(booking);
      return b.body.status === 'cancelled' ? b.body : undefined;
    });
    expect(lastOccurrence.status).toBe('cancelled');
    expectProblem(await http().post('/v1/series').set(booking).send({ branchId, serviceId, customerId, start: at(0, '16:00'), recurrence: { frequency: 'daily', count: 367 } }), 400, 'validation_error');
    const badSeries = await http().post('/v1/series').set(booking).send({ branchId, serviceId, customerId, start: `${date(0)}T16:00`, recurrence: { frequency: 'weekly', count: 2, byWeekday: ['TU', 'XX'] }, onConflict: 'maybe' });
    expectProblem(badSeries, 400, 'validation_error');
    expect(badSeries.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['onConflict', 'recurrence.byWeekday.1', 'start']);

    // --- Waiting list ------------------------------------------------------------------------
    const entry = await http().post('/v1/waiting-list').set(booking).send({ branchId, serviceId, customerId, from: date(3), to: date(3), timeWindows: [{ start: '09:00', end: '12:00' }] });
    expect(entry.status).toBe(201);
    expect(entry.body).toMatchObject({ id: expect.any(String), status: 'waiting', workflowId: expect.any(String), expiresAt: expect.stringMatching(OFFSET_INSTANT) });
    const expiresIn = Date.parse(entry.body.expiresAt) - Date.now();
    expect(Math.round(expiresIn / 86_400_000)).toBe(30);
    const entryRead = await http().get(`/v1/waiting-list/${entry.body.id}`).set(support);
    expect(entryRead.status).toBe(200);
    expect(entryRead.body).toMatchObject({ id: entry.body.id, status: expect.stringMatching(/^(waiting|notified)$/), offers: expect.any(Array), notificationsSent: expect.any(Number), expiresAt: entry.body.expiresAt });
    for (const offer of entryRead.body.offers) expect(offer).toEqual(expect.objectContaining({ start: expect.any(String), end: expect.any(String), staffId: expect.any(String) }));
    const removed = await http().delete(`/v1/waiting-list/${entry.body.id}`).set(booking);
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({ id: entry.body.id, status: 'cancelled' });

    // --- Sync failures -----------------------------------------------------------------------
    await setFaults(stack.emulator, { mode: 'error', status: 400, operations: ['create'] });
    const broken = await http().post('/v1/bookings').set(booking).send({ ...body, start: at(3, '14:00'), source: 'mobile' });
    await setFaults(stack.emulator, { mode: 'none' });
    expectProblem(broken, 502, 'calendar_sync_failed');
    expect(broken.body.bookingId).toEqual(expect.any(String));
    expect((await http().get(`/v1/bookings/${broken.body.bookingId}`).set(booking)).body.status).toBe('failed');
    const failures = await http().get('/v1/sync-failures').query({ status: 'open' }).set(support);
    expect(failures.status).toBe(200);
    expect(failures.body.nextCursor).toBeNull();
    const failure = failures.body.data.find((f: { bookingId: string }) => f.bookingId === broken.body.bookingId);
    expect(failure).toEqual(expect.objectContaining({
      id: expect.any(String), bookingId: broken.body.bookingId, operation: 'create', error: expect.any(String), attempts: 1, status: 'open',
      createdAt: expect.stringMatching(OFFSET_INSTANT), updatedAt: expect.stringMatching(OFFSET_INSTANT),
    }));
    const retry = await http().post(`/v1/sync-failures/${failure.id}/retry`).set(support);
    expect(retry.status).toBe(202);
    expect(retry.body).toEqual({ id: failure.id, status: 'retrying', workflowId: expect.any(String) });
    await eventually(async () => {
      const res = await http().get('/v1/sync-failures').query({ status: 'resolved' }).set(support);
      return res.body.data.find((f: { id: string }) => f.id === failure.id);
    });
    expectProblem(await http().get('/v1/sync-failures').query({ status: 'lost' }).set(support), 400, 'validation_error');

    // --- Analytics ---------------------------------------------------------------------------
    const analytics = await http().get('/v1/analytics').query({ branchId, from: date(0), to: date(14) }).set(support);
    expect(analytics.status).toBe(200);
    expect(Object.keys(analytics.body).sort()).toEqual(expect.arrayContaining([
      'averageDailyBookings', 'averageLeadHours', 'bySource', 'cancellationRate', 'conversionRate', 'noShowRate',
      'popularTimes', 'serviceDemand', 'totalBookings', 'utilizationRate',
    ]));
    expect(Object.keys(analytics.body.bySource).sort()).toEqual(['api', 'mobile', 'phone', 'web']);
    expect(analytics.body.bySource.web).toBeGreaterThanOrEqual(1);
    expect(analytics.body.totalBookings).toBeGreaterThanOrEqual(5);
    for (const rate of ['noShowRate', 'cancellationRate', 'utilizationRate', 'conversionRate']) {
      expect(analytics.body[rate]).toBeGreaterThanOrEqual(0);
      expect(analytics.body[rate]).toBeLessThanOrEqual(1);
    }
    expect(analytics.body.popularTimes[0]).toEqual(expect.objectContaining({ weekday: expect.anything(), hour: expect.any(Number), count: expect.any(Number) }));
    expect(analytics.body.serviceDemand).toEqual([expect.objectContaining({ serviceId, name: 'Haircut', count: expect.any(Number) })]);
    expectProblem(await http().get('/v1/analytics').query({ branchId, from: date(1), to: date(0) }).set(support), 400, 'validation_error');

    // --- Rate limit and dependency problems --------------------------------------------------
    const limited = await stack.extraApp({ rateLimit: { max: 1, windowMs: 60_000 } });
    expect((await request(limited.app).get('/v1/branches').set(support)).status).toBe(200);
    const tooMany = await request(limited.app).get('/v1/branches').set(support);
    expectProblem(tooMany, 429, 'rate_limited');
    expect(Number(tooMany.headers['retry-after'])).toBeGreaterThan(0);
    const noTemporal = await stack.extraApp({ temporal: undefined });
    const down = await request(noTemporal.app).post('/v1/bookings').set(booking).send({ ...body, start: at(3, '16:00') });
    expectProblem(down, 503, 'dependency_unavailable');
    expect(down.body.dependency).toBe('temporal');

    // --- Operations (no key) -----------------------------------------------------------------
    expect((await http().get('/healthz')).status).toBe(200);
    const ready = await http().get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toMatchObject({ database: 'ok' });
    const metrics = await http().get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    const openapi = await http().get('/openapi.json');
    expect(openapi.body.openapi).toMatch(/^3\.1/);
    for (const path of ['/v1/bookings', '/v1/bookings/{id}/no-show', '/v1/series/{id}/cancel', '/v1/waiting-list/{id}', '/v1/sync-failures/{id}/retry', '/v1/analytics', '/v1/availability/explain']) {
      expect(Object.keys(openapi.body.paths)).toContain(path);
    }
    const docs = await http().get('/docs/').redirects(1);
    expect(docs.status).toBe(200);
    expect(docs.text).toMatch(/swagger/i);
  }, 60_000);
});
