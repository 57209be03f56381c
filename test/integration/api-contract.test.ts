/**
 * Black-box conformance walk of ../shared/API.md, top to bottom, through HTTP on the real stack
 * (booking-http.helpers.ts: createApp listening on a free port + Temporal dev server + in-process
 * worker with a private Cal.com emulator, Redis and the SMTP sink). One realistic flow: a company
 * made by the admin, keys of every role, the catalog created through the API, availability,
 * reservations, bookings and their actions, a series, a waiting-list entry, a sync failure and
 * its retry, analytics, ops. Each step asserts the documented names, defaults, status codes,
 * problem codes and extensions exactly, so a rename anywhere in api/ breaks here before the
 * acceptance tests see it.
 *
 * The calls go through the generated client (clients/typescript: typed by the committed document,
 * so a request the document does not describe does not compile), and every answer is held against
 * the document the server serves (test/harness/openapi-conformance.ts: documented status, content
 * type and schema): the walk proves the document by real calls. Only what the document cannot
 * express goes through supertest: a malformed body, other app instances (cache, clock, rate
 * limit, no Temporal), Swagger UI.
 */
import type { AddressInfo } from 'node:net';
import { DateTime } from 'luxon';
import request from 'supertest';
import { createBookingClient } from '../../clients/typescript/src';
import { connectBranchViaApi } from '../harness/calendar-link';
import { openApiConformance, type Conformance } from '../harness/openapi-conformance';
import { createAvailabilityDeps } from '../../api/availability/availability.deps';
import { ADMIN_KEY } from '../api/api-harness';
import { eventually, setFaults, startBookingStack, type BookingStack } from './booking-http.helpers';

const ZONE = 'Europe/Berlin';
const PROBLEM = /^application\/problem\+json/;
const OFFSET_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:\d{2}$/;

let stack: BookingStack;
let server: ReturnType<BookingStack['app']['listen']>;
let baseUrl: string;
let conformance: Conformance;
const closers: Array<() => Promise<void>> = [];
const admin = { Authorization: `Bearer ${ADMIN_KEY}` };

/** The generated client with `key`, every answer checked against the served document. */
function clientFor(key: string) {
  const client = createBookingClient({ baseUrl, apiKey: key });
  client.use(conformance.middleware);
  return client;
}
type Client = ReturnType<typeof clientFor>;

/** An answer of the client as the assertions read it. */
interface Answer {
  status: number;
  body: any;
  headers: Headers;
}
async function answer(call: Promise<{ data?: unknown; error?: unknown; response: Response }>): Promise<Answer> {
  const { data, error, response } = await call;
  // Parsed again in the test's realm: fetch's JSON arrays fail Jest's expect.any(Array).
  const body = data ?? error;
  return { status: response.status, body: body === undefined ? undefined : JSON.parse(JSON.stringify(body)), headers: response.headers };
}
const keyOf = (auth: { Authorization: string }) => auth.Authorization.replace(/^Bearer /, '');

/** The Monday at least 14 days ahead (within the default 90-day advance window), Berlin. */
const monday = DateTime.now().setZone(ZONE).startOf('day').plus({ days: 14 }).startOf('week');
const dayOf = (offsetDays: number) => monday.plus({ days: offsetDays });
const at = (offsetDays: number, hm: string) => {
  const [hour, minute] = hm.split(':').map(Number);
  return dayOf(offsetDays).set({ hour, minute }).toISO({ suppressMilliseconds: true }) as string;
};
const date = (offsetDays: number) => dayOf(offsetDays).toISODate() as string;
const offsetOf = (offsetDays: number) => dayOf(offsetDays).set({ hour: 12 }).toFormat('ZZ');

function expectProblem(res: Answer | request.Response, status: number, code: string): void {
  expect({ status: res.status, code: res.body.code }).toEqual({ status, code });
  const type = res.headers instanceof Headers ? res.headers.get('content-type') : res.headers['content-type'];
  expect(type).toMatch(PROBLEM);
  expect(res.body).toMatchObject({ type: expect.any(String), title: expect.any(String), status, code });
}

describe('API.md contract walk', () => {
  beforeAll(async () => {
    stack = await startBookingStack('api-contract');
    server = stack.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    conformance = openApiConformance((await (await fetch(`${baseUrl}/openapi.json`)).json()) as Parameters<typeof openApiConformance>[0]);
  });
  afterAll(async () => {
    await setFaults(stack.emulator, { mode: 'none' }).catch(() => undefined);
    for (const close of closers) await close();
    await new Promise((resolve) => server?.close(resolve));
    await stack?.close();
  });

  it('walks every endpoint family with the documented shapes, through the generated client', async () => {
    const anonymous = clientFor('');
    const platform = clientFor(ADMIN_KEY);

    // --- Auth and platform -------------------------------------------------------------------
    expectProblem(await answer(anonymous.GET('/v1/branches')), 401, 'unauthenticated');
    expectProblem(await answer(clientFor('nope').GET('/v1/branches')), 401, 'unauthenticated');

    const company = await answer(platform.POST('/v1/admin/companies', { body: { name: 'Contract GmbH' } }));
    expect(company.status).toBe(201);
    expect(company.body).toEqual(expect.objectContaining({ id: expect.any(String), name: 'Contract GmbH', apiKey: expect.any(String) }));
    const manager = { Authorization: `Bearer ${company.body.apiKey}` };
    const asManager = clientFor(company.body.apiKey);
    expectProblem(await answer(platform.GET('/v1/branches')), 403, 'forbidden');
    expectProblem(await answer(asManager.POST('/v1/admin/companies', { body: { name: 'x' } })), 403, 'forbidden');
    // @ts-expect-error -- the document requires a name; the API must say so too
    expectProblem(await answer(platform.POST('/v1/admin/companies', { body: {} })), 400, 'validation_error');

    const keyFor = async (role: 'booking' | 'support') => {
      const res = await answer(asManager.POST('/v1/api-keys', { body: { name: `${role} desk`, role } }));
      expect(res.status).toBe(201);
      expect(res.body).toEqual(expect.objectContaining({ id: expect.any(String), name: `${role} desk`, role, apiKey: expect.any(String) }));
      return { Authorization: `Bearer ${res.body.apiKey}` };
    };
    const booking = await keyFor('booking');
    const support = await keyFor('support');
    const asBooking = clientFor(keyOf(booking));
    const asSupport = clientFor(keyOf(support));
    // @ts-expect-error -- not a role of the document
    const badRole = await answer(asManager.POST('/v1/api-keys', { body: { name: 'x', role: 'owner' } }));
    expectProblem(badRole, 400, 'validation_error');
    expect(badRole.body.errors).toEqual([expect.objectContaining({ path: 'role', message: expect.any(String) })]);

    // --- Catalog -----------------------------------------------------------------------------
    const weekdays = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'] as const;
    const open = { open: true as const, start: '09:00', end: '18:00' };
    const branchRes = await answer(asManager.POST('/v1/branches', {
      body: {
        name: 'Mitte',
        timezone: ZONE,
        operatingHours: { ...Object.fromEntries(weekdays.map((d) => [d, open])), sunday: { open: false } },
        closures: [{ date: date(4), reason: 'Inventory' }],
      },
    }));
    expect(branchRes.status).toBe(201);
    expect(branchRes.body).toMatchObject({
      id: expect.any(String),
      name: 'Mitte',
      timezone: ZONE,
      closures: [{ date: date(4), reason: 'Inventory' }],
      rules: { minimumNoticeMinutes: 120, maxAdvanceDays: 90, slotIntervalMinutes: 15, maxDailyBookingsPerCustomer: null },
    });
    const branchId: string = branchRes.body.id;
    // @ts-expect-error -- an empty body is not a branch
    expectProblem(await answer(asBooking.POST('/v1/branches', { body: {} })), 403, 'forbidden');
    const badBranch = await answer(asManager.POST('/v1/branches', { body: { name: '', timezone: 'Mars/Olympus', operatingHours: { monday: { open: true, start: '25:00', end: '18:00' } } } }));
    expectProblem(badBranch, 400, 'validation_error');
    expect(badBranch.body.errors.length).toBeGreaterThanOrEqual(3);
    for (const e of badBranch.body.errors) expect(Object.keys(e).sort()).toEqual(['message', 'path']);

    const branches = await answer(asSupport.GET('/v1/branches'));
    expect(branches.status).toBe(200);
    expect(branches.body).toEqual({ data: [expect.objectContaining({ id: branchId })], nextCursor: null });
    const byId = { params: { path: { id: branchId } } };
    const patched = await answer(asManager.PATCH('/v1/branches/{id}', { ...byId, body: { rules: { minimumNoticeMinutes: 60 } } }));
    expect(patched.status).toBe(200);
    expect(patched.body.rules).toMatchObject({ minimumNoticeMinutes: 60, maxAdvanceDays: 90, slotIntervalMinutes: 15 });
    expect((await answer(asManager.GET('/v1/branches/{id}', byId))).body.rules.minimumNoticeMinutes).toBe(60);

    const resource = await answer(asManager.POST('/v1/resources', { body: { branchId, name: 'Chair 1' } }));
    expect(resource.status).toBe(201);
    expect(resource.body).toMatchObject({ id: expect.any(String), branchId, name: 'Chair 1' });
    expect((await answer(asManager.GET('/v1/resources'))).body).toEqual({ data: [expect.objectContaining({ id: resource.body.id })], nextCursor: null });

    // The company's own Cal.com account, connected and named on the branch.
    const { account } = await connectBranchViaApi(stack.app, manager, branchId, stack.emulator.url);
    let nextUser = 0;
    const hours = Object.fromEntries(weekdays.map((d) => [d, [{ start: '09:00', end: '13:00' }, { start: '14:00', end: '18:00' }]]));
    const staffBody = (name: string, gender: 'female' | 'male') => ({
      branchId, name, gender, languages: ['de'], skills: ['cut'], workingHours: hours,
      breaks: { monday: [{ start: '11:00', end: '11:15' }] },
      calcomUserId: account.userIds[nextUser++],
    });
    const anna = await answer(asManager.POST('/v1/staff', { body: staffBody('Anna', 'female') }));
    expect(anna.status).toBe(201);
    expect(anna.body).toMatchObject({ id: expect.any(String), branchId, name: 'Anna', languages: ['de'], skills: ['cut'], workingHours: hours, breaks: { monday: [{ start: '11:00', end: '11:15' }] } });
    const ben = await answer(asManager.POST('/v1/staff', { body: staffBody('Ben', 'male') }));
    expect(ben.status).toBe(201);
    const annaId: string = anna.body.id;
    const benId: string = ben.body.id;
    const staffList = await answer(asManager.GET('/v1/staff', { params: { query: { branchId } } }));
    expect(staffList.body.data.map((s: { id: string }) => s.id).sort()).toEqual([annaId, benId].sort());
    expect(staffList.body.nextCursor).toBeNull();
    const annaPath = { params: { path: { id: annaId } } };
    expect((await answer(asManager.PATCH('/v1/staff/{id}', { ...annaPath, body: { email: 'anna@example.test' } }))).body).toMatchObject({ id: annaId, email: 'anna@example.test' });
    expect((await answer(asManager.GET('/v1/staff/{id}', annaPath))).body.email).toBe('anna@example.test');

    const benPath = { params: { path: { id: benId } } };
    const naiveTimeOff = await answer(asManager.POST('/v1/staff/{id}/time-off', { ...benPath, body: { start: `${date(1)}T09:00:00`, end: `${date(1)}T18:00:00` } }));
    expectProblem(naiveTimeOff, 400, 'validation_error');
    expect(naiveTimeOff.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['end', 'start']);
    const timeOff = await answer(asManager.POST('/v1/staff/{id}/time-off', { ...benPath, body: { start: at(1, '09:00'), end: at(1, '18:00'), reason: 'Training' } }));
    expect(timeOff.status).toBe(201);
    expect(timeOff.body).toMatchObject({ id: expect.any(String), start: at(1, '09:00'), end: at(1, '18:00'), reason: 'Training' });
    const timeOffs = await answer(asManager.GET('/v1/staff/{id}/time-off', benPath));
    expect(timeOffs.body).toEqual({ data: [expect.objectContaining({ id: timeOff.body.id })], nextCursor: null });

    const service = await answer(asManager.POST('/v1/services', { body: { branchId, name: 'Haircut', durationMinutes: 45, requiredSkills: ['cut'], category: 'fixed', calcomEventTypeId: account.eventTypeIds[0] } }));
    expect(service.status).toBe(201);
    expect(service.body).toMatchObject({
      id: expect.any(String), branchId, name: 'Haircut', durationMinutes: 45, bufferBeforeMinutes: 0, bufferAfterMinutes: 0,
      requiredSkills: ['cut'], resourceRequirements: [], requiresConsultation: false, category: 'fixed',
    });
    const serviceId: string = service.body.id;
    const servicePath = { params: { path: { id: serviceId } } };
    expect((await answer(asManager.PATCH('/v1/services/{id}', { ...servicePath, body: { price: 30 } }))).body).toMatchObject({ id: serviceId, price: 30 });
    expect((await answer(asSupport.GET('/v1/services/{id}', servicePath))).body.id).toBe(serviceId);
    expect((await answer(asManager.GET('/v1/services'))).body.data.map((s: { id: string }) => s.id)).toEqual([serviceId]);

    const customer = await answer(asBooking.POST('/v1/customers', { body: { name: 'Carla', email: 'carla@example.test', phone: '+49301234567', language: 'de', timezone: ZONE } }));
    expect(customer.status).toBe(201);
    expect(customer.body).toMatchObject({ id: expect.any(String), name: 'Carla', email: 'carla@example.test', phone: '+49301234567', language: 'de', timezone: ZONE });
    const customerId: string = customer.body.id;
    const customerPath = { params: { path: { id: customerId } } };
    expect((await answer(asSupport.GET('/v1/customers/{id}', customerPath))).body.id).toBe(customerId);
    expect((await answer(asBooking.GET('/v1/customers'))).body).toEqual({ data: [expect.objectContaining({ id: customerId })], nextCursor: null });
    expectProblem(await answer(asSupport.POST('/v1/customers', { body: { name: 'x' } })), 403, 'forbidden');
    const found = await answer(asBooking.POST('/v1/customers/find-or-create', { body: { phone: '030 1234567' } }));
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ id: customerId, created: false });

    // --- Availability ------------------------------------------------------------------------
    const availQuery = { branchId, serviceId, from: date(0), to: date(1) };
    const avail = await answer(asBooking.GET('/v1/availability', { params: { query: availQuery } }));
    expect(avail.status).toBe(200);
    expect(avail.headers.get('x-cache')).toBe('MISS');
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
    const availability = (query: Partial<typeof availQuery>) => answer(asBooking.GET('/v1/availability', { params: { query: { ...availQuery, ...query } } }));
    expect((await availability({ to: dayOf(61).toISODate() as string })).body.days).toHaveLength(62);
    expectProblem(await availability({ to: dayOf(62).toISODate() as string }), 400, 'validation_error');
    const impossible = await availability({ from: `${monday.year}-02-30` });
    expectProblem(impossible, 400, 'validation_error');
    expect(impossible.body.errors).toEqual([{ path: 'from', message: expect.any(String) }]);
    const closedDays = await availability({ from: date(3), to: date(6) });
    expect(closedDays.body.days.map((d: { date: string; slots: unknown[] }) => [d.date, d.slots.length > 0])).toEqual([
      [date(3), true], [date(4), false], [date(5), false], [date(6), false], // closure, Saturday, Sunday: listed, empty
    ]);
    expectProblem(await availability({ branchId: stack.catalog.branchId }), 404, 'not_found');
    expectProblem(await answer(asBooking.GET('/v1/availability/explain', { params: { query: { branchId, serviceId, start: `${date(0)}T09:00:00` } } })), 400, 'validation_error');
    const explain = await answer(asBooking.GET('/v1/availability/explain', { params: { query: { branchId, serviceId, start: at(0, '11:00'), staffId: annaId } } }));
    expect(explain.status).toBe(200);
    expect(explain.body).toMatchObject({ available: false, reasons: expect.arrayContaining([expect.objectContaining({ code: 'staff_on_break', message: expect.any(String) })]) });
    const explainOk = await answer(asBooking.GET('/v1/availability/explain', { params: { query: { branchId, serviceId, start: at(0, '09:00'), staffId: annaId } } }));
    expect(explainOk.body).toMatchObject({ available: true, reasons: [] });
    const next = await answer(asBooking.GET('/v1/availability/next', { params: { query: { branchId, serviceId, staffId: annaId, after: at(0, '00:00'), limit: 2 } } }));
    expect(next.status).toBe(200);
    expect(next.body.slots.map((s: { start: string }) => s.start)).toEqual([at(0, '09:00'), at(0, '09:15')]);
    expect(next.body.slots[0]).toMatchObject({ staffId: annaId, staffName: 'Anna' });

    // --- Reservations ------------------------------------------------------------------------
    const held = await answer(asBooking.POST('/v1/reservations', { body: { branchId, serviceId, staffId: annaId, start: at(0, '15:00'), ttlSeconds: 120 } }));
    expect(held.status).toBe(201);
    expect(held.body).toMatchObject({ id: expect.any(String), branchId, serviceId, staffId: annaId, start: at(0, '15:00'), end: at(0, '15:45'), expiresAt: expect.stringMatching(OFFSET_INSTANT) });
    const heldPath = { params: { path: { id: held.body.id as string } } };
    expect((await answer(asBooking.GET('/v1/reservations/{id}', heldPath))).body).toMatchObject({ id: held.body.id, status: 'active' });
    expectProblem(await answer(asBooking.POST('/v1/reservations', { body: { branchId, serviceId, staffId: annaId, start: at(0, '15:00') } })), 409, 'slot_unavailable');
    expect((await answer(asBooking.DELETE('/v1/reservations/{id}', heldPath))).status).toBe(200);
    const converted = await answer(asBooking.POST('/v1/reservations', { body: { branchId, serviceId, staffId: annaId, start: at(0, '16:00') } }));
    expect(converted.status).toBe(201);
    const fromReservation = await answer(asBooking.POST('/v1/bookings', { body: { reservationId: converted.body.id, customerId, source: 'phone' } }));
    expect(fromReservation.status).toBe(201);
    expect(fromReservation.body).toMatchObject({ status: 'confirmed', staffId: annaId, start: at(0, '16:00'), end: at(0, '16:45') });
    expectProblem(await answer(asBooking.POST('/v1/bookings', { body: { reservationId: converted.body.id, customerId } })), 409, 'reservation_expired');
    expect((await answer(asBooking.POST('/v1/bookings/{id}/cancel', { params: { path: { id: fromReservation.body.id } }, body: {} }))).status).toBe(200);

    // --- Bookings ----------------------------------------------------------------------------
    const body = { branchId, serviceId, customerId, staffId: annaId, start: at(0, '10:00'), source: 'phone' as const, notes: 'first visit' };
    const key = `contract-${stack.taskQueue}`;
    const idempotent = { header: { 'idempotency-key': key } };
    const created = await answer(asBooking.POST('/v1/bookings', { params: idempotent, body }));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.any(String), status: 'confirmed', branchId, serviceId, customerId, staffId: annaId, resourceId: null,
      start: at(0, '10:00'), end: at(0, '10:45'), source: 'phone', participants: [], rescheduledCount: 0,
      calendar: { status: 'synced', externalId: expect.any(String) }, workflowId: expect.any(String), failureReason: null,
      createdAt: expect.stringMatching(OFFSET_INSTANT), updatedAt: expect.stringMatching(OFFSET_INSTANT),
    });
    const bookingId: string = created.body.id;
    const bookingPath = { params: { path: { id: bookingId } } };
    const replay = await answer(asBooking.POST('/v1/bookings', { params: idempotent, body }));
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(created.body);
    expectProblem(await answer(asBooking.POST('/v1/bookings', { params: idempotent, body: { ...body, notes: 'other' } })), 422, 'idempotency_key_reused');

    // The same slot again: 409 with alternatives (and the cache shows the slot gone at once).
    const taken = await answer(asBooking.POST('/v1/bookings', { body }));
    expectProblem(taken, 409, 'slot_unavailable');
    expect(taken.body.alternatives.length).toBeGreaterThan(0);
    expect(taken.body.alternatives.length).toBeLessThanOrEqual(5);
    for (const alt of taken.body.alternatives) {
      expect(alt).toEqual({ start: expect.stringMatching(new RegExp(`${offsetOf(0).replace('+', '\\+')}$`)), end: expect.any(String), staffId: expect.any(String), staffName: expect.any(String) });
    }
    const afterBooking = await availability({ staffId: annaId } as Partial<typeof availQuery>);
    expect(afterBooking.body.days[0].slots.map((s: { start: string }) => s.start)).not.toContain(at(0, '10:00'));

    // @ts-expect-error -- not a source of the document
    const naive = await answer(asBooking.POST('/v1/bookings', { body: { ...body, start: `${date(0)}T10:00:00`, source: 'fax' } }));
    expectProblem(naive, 400, 'validation_error');
    expect(naive.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['source', 'start']);
    expectProblem(await request(stack.app).post('/v1/bookings').set(booking).set('Content-Type', 'application/json').send('{"broken'), 400, 'validation_error');
    const rules = await answer(asBooking.POST('/v1/bookings', { body: { ...body, start: at(5, '10:00') } })); // Saturday: closed
    expectProblem(rules, 422, 'booking_rule_violation');
    expect(rules.body.violations).toEqual(expect.arrayContaining([{ rule: 'business_hours', message: expect.any(String) }]));
    for (const v of rules.body.violations) expect(Object.keys(v).sort()).toEqual(['message', 'rule']);
    expectProblem(await answer(asBooking.POST('/v1/bookings', { body: { ...body, start: at(120, '10:00') } })), 422, 'booking_rule_violation');

    // Blocking is a manager's decision (API.md: booking keys may not block or unblock).
    expectProblem(await answer(asBooking.POST('/v1/customers/{id}/block', { ...customerPath, body: { reason: 'unpaid' } })), 403, 'forbidden');
    const blocked = await answer(asManager.POST('/v1/customers/{id}/block', { ...customerPath, body: { reason: 'unpaid' } }));
    expect(blocked.status).toBe(200);
    expect(blocked.body.id).toBe(customerId);
    const refused = await answer(asBooking.POST('/v1/bookings', { body: { ...body, start: at(2, '10:00') } }));
    expectProblem(refused, 422, 'booking_rule_violation');
    expect(refused.body.violations.map((v: { rule: string }) => v.rule)).toContain('customer_blocked');
    expect((await answer(asManager.POST('/v1/customers/{id}/unblock', { ...customerPath, body: {} }))).status).toBe(200);

    const auto = await answer(asBooking.POST('/v1/bookings', { body: { branchId, serviceId, customerId, start: at(0, '10:00'), source: 'web', preferences: { gender: 'male' } } }));
    expect(auto.status).toBe(201);
    expect(auto.body).toMatchObject({ staffId: benId, source: 'web', status: 'confirmed' });

    const one = await answer(asSupport.GET('/v1/bookings/{id}', bookingPath));
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ ...created.body, updatedAt: expect.any(String) });
    for (const h of one.body.history) {
      expect(h).toEqual({ at: expect.stringMatching(OFFSET_INSTANT), event: expect.any(String), detail: expect.any(Object) });
    }
    const expanded = await answer(asBooking.GET('/v1/bookings/{id}', { params: { path: { id: bookingId }, query: { expand: 'customer,staff' } } }));
    expect(expanded.body).toMatchObject({ id: bookingId, customer: { id: customerId, name: 'Carla' }, staff: { id: annaId, name: 'Anna' } });

    const list = await answer(asBooking.GET('/v1/bookings', { params: { query: { branchId, staffId: annaId, customerId, status: 'confirmed', from: date(0), to: date(0) } } }));
    expect(list.status).toBe(200);
    expect(list.body).toEqual({ data: [expect.objectContaining({ id: bookingId })], nextCursor: null });
    const paged = await answer(asBooking.GET('/v1/bookings', { params: { query: { branchId, limit: 1 } } }));
    expect(paged.body.data).toHaveLength(1);
    expect(paged.body.nextCursor).toEqual(expect.any(String));
    const page2 = await answer(asBooking.GET('/v1/bookings', { params: { query: { branchId, limit: 1, cursor: paged.body.nextCursor } } }));
    expect(page2.body.data[0].id).not.toBe(paged.body.data[0].id);
    expectProblem(await answer(asBooking.GET('/v1/bookings', { params: { query: { limit: 201 } } })), 400, 'validation_error');
    await Promise.all(Array.from({ length: 50 }, (_, i) => asManager.POST('/v1/customers', { body: { name: `Walk-in ${i}` } })));
    const defaultPage = await answer(asManager.GET('/v1/customers'));
    expect(defaultPage.body.data).toHaveLength(50); // default limit
    expect(defaultPage.body.nextCursor).toEqual(expect.any(String));
    const lastPage = await answer(asManager.GET('/v1/customers', { params: { query: { cursor: defaultPage.body.nextCursor } } }));
    expect(lastPage.body).toEqual({ data: [expect.any(Object)], nextCursor: null });
    expect((await answer(asManager.GET('/v1/customers', { params: { query: { limit: 200 } } }))).body.data).toHaveLength(51);

    // Another company never sees it: 404, not 403.
    const other: Client = clientFor(stack.company.key);
    expectProblem(await answer(other.GET('/v1/bookings/{id}', bookingPath)), 404, 'not_found');
    expectProblem(await answer(other.GET('/v1/branches/{id}', byId)), 404, 'not_found');
    expectProblem(await answer(other.GET('/v1/customers/{id}', customerPath)), 404, 'not_found');
    // The booking role reaches bookings and catalog reads, not analytics, sync failures, resources or keys.
    expectProblem(await answer(asBooking.GET('/v1/analytics', { params: { query: { from: date(0), to: date(1) } } })), 403, 'forbidden');
    expectProblem(await answer(asBooking.GET('/v1/sync-failures')), 403, 'forbidden');
    expectProblem(await answer(asBooking.GET('/v1/resources')), 403, 'forbidden');
    expectProblem(await answer(asBooking.GET('/v1/api-keys')), 403, 'forbidden');
    expect((await answer(asBooking.GET('/v1/branches'))).status).toBe(200);

    // Refused moves keep the old time: Ben is taken at 10:00 (auto-assigned above), Saturday is closed.
    const reschedule = (to: { start: string; staffId?: string; reason?: string }) => answer(asBooking.POST('/v1/bookings/{id}/reschedule', { ...bookingPath, body: to }));
    const clash = await reschedule({ start: at(0, '10:00'), staffId: benId });
    expectProblem(clash, 409, 'slot_unavailable');
    expect(clash.body.alternatives[0]).toEqual({ start: expect.any(String), end: expect.any(String), staffId: expect.any(String), staffName: expect.any(String) });
    expectProblem(await reschedule({ start: at(5, '10:00') }), 422, 'booking_rule_violation');
    expect((await answer(asBooking.GET('/v1/bookings/{id}', bookingPath))).body).toMatchObject({ start: at(0, '10:00'), rescheduledCount: 0 });

    const moved = await reschedule({ start: at(2, '15:00'), reason: 'customer asked' });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ id: bookingId, status: 'confirmed', start: at(2, '15:00'), end: at(2, '15:45'), rescheduledCount: 1 });
    const movedHistory = (await answer(asBooking.GET('/v1/bookings/{id}', bookingPath))).body.history;
    expect(JSON.stringify(movedHistory)).toContain(at(0, '10:00'));

    const cancelKey = { header: { 'idempotency-key': `cancel-${stack.taskQueue}` } };
    const cancelled = await answer(asBooking.POST('/v1/bookings/{id}/cancel', { params: { ...bookingPath.params, ...cancelKey }, body: { reason: 'ill' } }));
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ id: bookingId, status: 'cancelled' });
    const cancelReplay = await answer(asBooking.POST('/v1/bookings/{id}/cancel', { params: { ...bookingPath.params, ...cancelKey }, body: { reason: 'ill' } }));
    expect(cancelReplay.headers.get('idempotent-replayed')).toBe('true');
    expect(cancelReplay.body).toEqual(cancelled.body);
    const freed = await answer(asBooking.GET('/v1/availability', { params: { query: { branchId, serviceId, from: date(2), to: date(2), staffId: annaId } } }));
    expect(freed.body.days[0].slots.map((s: { start: string }) => s.start)).toContain(at(2, '15:00')); // free at once
    expectProblem(await reschedule({ start: at(2, '16:00') }), 409, 'invalid_state');

    const autoPath = { params: { path: { id: auto.body.id as string } } };
    expectProblem(await answer(asBooking.POST('/v1/bookings/{id}/no-show', autoPath)), 409, 'invalid_state');
    const later = await stack.extraApp({ clock: () => new Date(Date.parse(auto.body.end) + 60_000) });
    const noShow = await request(later.app).post(`/v1/bookings/${auto.body.id}/no-show`).set(booking).send();
    expect(noShow.status).toBe(200);
    expect(noShow.body).toMatchObject({ id: auto.body.id, status: 'no_show' });

    // --- Recurring series --------------------------------------------------------------------
    const series = await answer(asBooking.POST('/v1/series', { body: { branchId, serviceId, customerId, staffId: annaId, start: at(0, '16:00'), recurrence: { frequency: 'weekly', count: 3 } } }));
    expect([201, 202]).toContain(series.status);
    const seriesId: string = series.body.id;
    const seriesPath = { params: { path: { id: seriesId } } };
    const done = series.status === 201 ? series.body : await eventually(async () => {
      const s = await answer(asBooking.GET('/v1/series/{id}', seriesPath));
      return s.body.status === 'completed' ? s.body : undefined;
    });
    expect(done).toMatchObject({ id: seriesId, status: 'completed' });
    expect(done.occurrences.map((o: { index: number; start: string; status: string }) => [o.index, o.start, o.status])).toEqual([
      [0, at(0, '16:00'), 'booked'], [1, at(7, '16:00'), 'booked'], [2, at(14, '16:00'), 'booked'],
    ]);
    for (const o of done.occurrences) expect(o.bookingId).toEqual(expect.any(String));
    const seriesCancel = await answer(asBooking.POST('/v1/series/{id}/cancel', { ...seriesPath, body: { from: at(7, '00:00') } }));
    expect(seriesCancel.status).toBe(200);
    expect(seriesCancel.body.id).toBe(seriesId);
    const occurrence = (index: number) => answer(asBooking.GET('/v1/bookings/{id}', { params: { path: { id: done.occurrences[index].bookingId } } }));
    expect((await occurrence(0)).body.status).toBe('confirmed');
    const lastOccurrence = await eventually(async () => {
      const b = await occurrence(2);
      return b.body.status === 'cancelled' ? b.body : undefined;
    });
    expect(lastOccurrence.status).toBe('cancelled');
    expectProblem(await answer(asBooking.POST('/v1/series', { body: { branchId, serviceId, customerId, start: at(0, '16:00'), recurrence: { frequency: 'daily', count: 367 } } })), 400, 'validation_error');
    // @ts-expect-error -- XX is no weekday and maybe no conflict policy of the document
    const badSeries = await answer(asBooking.POST('/v1/series', { body: { branchId, serviceId, customerId, start: `${date(0)}T16:00`, recurrence: { frequency: 'weekly', count: 2, byWeekday: ['TU', 'XX'] }, onConflict: 'maybe' } }));
    expectProblem(badSeries, 400, 'validation_error');
    expect(badSeries.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['onConflict', 'recurrence.byWeekday.1', 'start']);

    // --- Waiting list ------------------------------------------------------------------------
    const entry = await answer(asBooking.POST('/v1/waiting-list', { body: { branchId, serviceId, customerId, from: date(3), to: date(3), timeWindows: [{ start: '09:00', end: '12:00' }] } }));
    expect(entry.status).toBe(201);
    expect(entry.body).toMatchObject({ id: expect.any(String), status: 'waiting', workflowId: expect.any(String), expiresAt: expect.stringMatching(OFFSET_INSTANT) });
    const expiresIn = Date.parse(entry.body.expiresAt) - Date.now();
    expect(Math.round(expiresIn / 86_400_000)).toBe(30);
    const entryPath = { params: { path: { id: entry.body.id as string } } };
    const entryRead = await answer(asSupport.GET('/v1/waiting-list/{id}', entryPath));
    expect(entryRead.status).toBe(200);
    expect(entryRead.body).toMatchObject({ id: entry.body.id, status: expect.stringMatching(/^(waiting|notified)$/), offers: expect.any(Array), notificationsSent: expect.any(Number), expiresAt: entry.body.expiresAt });
    for (const offer of entryRead.body.offers) expect(offer).toEqual(expect.objectContaining({ start: expect.any(String), end: expect.any(String), staffId: expect.any(String) }));
    const removed = await answer(asBooking.DELETE('/v1/waiting-list/{id}', entryPath));
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({ id: entry.body.id, status: 'cancelled' });

    // --- Sync failures -----------------------------------------------------------------------
    await setFaults(stack.emulator, { mode: 'error', status: 400, operations: ['create'] });
    const broken = await answer(asBooking.POST('/v1/bookings', { body: { ...body, start: at(3, '14:00'), source: 'mobile' } }));
    await setFaults(stack.emulator, { mode: 'none' });
    expectProblem(broken, 502, 'calendar_sync_failed');
    expect(broken.body.bookingId).toEqual(expect.any(String));
    expect((await answer(asBooking.GET('/v1/bookings/{id}', { params: { path: { id: broken.body.bookingId } } }))).body.status).toBe('failed');
    const failures = await answer(asSupport.GET('/v1/sync-failures', { params: { query: { status: 'open' } } }));
    expect(failures.status).toBe(200);
    expect(failures.body.nextCursor).toBeNull();
    const failure = failures.body.data.find((f: { bookingId: string }) => f.bookingId === broken.body.bookingId);
    expect(failure).toEqual(expect.objectContaining({
      id: expect.any(String), bookingId: broken.body.bookingId, operation: 'create', error: expect.any(String), attempts: 1, status: 'open',
      createdAt: expect.stringMatching(OFFSET_INSTANT), updatedAt: expect.stringMatching(OFFSET_INSTANT),
    }));
    const retry = await answer(asSupport.POST('/v1/sync-failures/{id}/retry', { params: { path: { id: failure.id } } }));
    expect(retry.status).toBe(202);
    expect(retry.body).toEqual({ id: failure.id, status: 'retrying', workflowId: expect.any(String) });
    await eventually(async () => {
      const res = await answer(asSupport.GET('/v1/sync-failures', { params: { query: { status: 'resolved' } } }));
      return res.body.data.find((f: { id: string }) => f.id === failure.id);
    });
    // @ts-expect-error -- not a status of the document
    expectProblem(await answer(asSupport.GET('/v1/sync-failures', { params: { query: { status: 'lost' } } })), 400, 'validation_error');

    // --- Analytics ---------------------------------------------------------------------------
    const analytics = await answer(asSupport.GET('/v1/analytics', { params: { query: { branchId, from: date(0), to: date(14) } } }));
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
    expectProblem(await answer(asSupport.GET('/v1/analytics', { params: { query: { branchId, from: date(1), to: date(0) } } })), 400, 'validation_error');

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
    expect((await answer(anonymous.GET('/healthz'))).status).toBe(200);
    const ready = await answer(anonymous.GET('/readyz'));
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toMatchObject({ database: 'ok' });
    const metrics = await anonymous.GET('/metrics', { parseAs: 'text' });
    expect(metrics.response.status).toBe(200);
    expect(metrics.response.headers.get('content-type')).toMatch(/^text\/plain/);
    const openapi = await answer(anonymous.GET('/openapi.json'));
    expect(openapi.body.openapi).toMatch(/^3\.1/);
    for (const path of ['/v1/bookings', '/v1/bookings/{id}/no-show', '/v1/series/{id}/cancel', '/v1/waiting-list/{id}', '/v1/sync-failures/{id}/retry', '/v1/analytics', '/v1/availability/explain', '/v1/availability/next', '/v1/reservations']) {
      expect(Object.keys(openapi.body.paths)).toContain(path);
    }
    const docs = await request(stack.app).get('/docs/').redirects(1);
    expect(docs.status).toBe(200);
    expect(docs.text).toMatch(/swagger/i);

    // Every answer above matched the document, and the walk reached most of it.
    expect(conformance.findings).toEqual([]);
    expect(conformance.operations.size).toBeGreaterThanOrEqual(40);
  }, 180_000);
});
