/**
 * Conformance audit of ../shared/API.md as a black-box client sees it: two companies, a key of
 * every role, the catalog built through the API, then one `it` per contract statement family
 * (status codes, problem codes and extensions, field names and defaults, headers, roles per
 * route), over HTTP against createApp on the real stack (booking-http.helpers.ts: Temporal dev
 * server, in-process worker, PostgreSQL, the Cal.com emulator). Complements
 * test/integration/api-contract.test.ts (the generated-client walk) with the statements that walk
 * does not reach: the rules of the later sections, their defaults and the role table.
 */
import { DateTime } from 'luxon';
import request from 'supertest';
import { ADMIN_KEY, createKey } from '../api/api-harness';
import { connectBranchViaApi, createEmulatorAccount } from '../harness/calendar-link';
import { openApiConformance, type Conformance } from '../harness/openapi-conformance';
import { eventually, startBookingStack, type BookingStack } from '../integration/booking-http.helpers';

jest.setTimeout(120_000);

const ZONE = 'Europe/Berlin';
const PROBLEM = /^application\/problem\+json/;
type Auth = { Authorization: string };

let stack: BookingStack;
let app: BookingStack['app'];
/** Company A: built through the API below. Company B: the stack's own company. */
let A: { id: string; manager: Auth; booking: Auth; support: Auth; pub: Auth };
let B: Auth;
let branchId: string;
let unlinkedBranchId: string;
let anna: string;
let ben: string;
let serviceId: string;
let customerId: string;
let account: { apiKey: string; userIds: number[]; eventTypeIds: number[] };
let connectionId: string;

/** The Monday three weeks ahead (inside the default 90-day advance window), Berlin. */
const monday = DateTime.now().setZone(ZONE).startOf('day').plus({ days: 21 }).startOf('week');
const at = (day: number, hm: string) => {
  const [hour, minute] = hm.split(':').map(Number);
  return monday.plus({ days: day }).set({ hour, minute }).toISO({ suppressMilliseconds: true }) as string;
};
const date = (day: number) => monday.plus({ days: day }).toISODate() as string;

function expectProblem(res: request.Response, status: number, code: string): void {
  expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
  expect(res.headers['content-type']).toMatch(PROBLEM);
  expect(res.body).toMatchObject({ type: expect.any(String), title: expect.any(String), status, code });
}

/**
 * Every answer of the helpers below is also held against the document the server serves
 * (test/harness/openapi-conformance.ts): documented status, content type and schema. The last
 * test asserts there were no findings.
 */
let conformance: Conformance;
let templates: Array<{ template: string; pattern: RegExp; params: number }>;

function templateOf(path: string): string {
  const match = templates.find((t) => t.pattern.test(path));
  return match ? match.template : path;
}

async function checked(method: string, path: string, req: request.Test): Promise<request.Response> {
  const res = await req;
  const bare = path.split('?')[0];
  // Paths the document does not have (wrong case, ...) are judged by their own assertions.
  if (!templates.some((t) => t.pattern.test(bare))) return res;
  const headers = new Headers();
  for (const [k, v] of Object.entries(res.headers as Record<string, string | string[]>)) headers.set(k, Array.isArray(v) ? v.join(', ') : String(v));
  const text = res.text ?? '';
  await conformance.middleware.onResponse?.({
    request: new Request(`http://audit.test${path}`, { method: method.toUpperCase() }),
    response: new Response(text === '' || res.status === 204 ? null : text, { status: res.status, headers }),
    schemaPath: templateOf(bare),
    params: {},
    id: 'audit',
    options: {},
  } as never);
  return res;
}

const get = (path: string, auth: Auth) => checked('get', path, request(app).get(path).set(auth));
const post = (path: string, auth: Auth, body: object = {}) => checked('post', path, request(app).post(path).set(auth).send(body));
const patch = (path: string, auth: Auth, body: object) => checked('patch', path, request(app).patch(path).set(auth).send(body));
const del = (path: string, auth: Auth) => checked('delete', path, request(app).delete(path).set(auth));

async function newCustomer(name: string, extra: object = {}): Promise<string> {
  const res = await post('/v1/customers', A.manager, { name, email: `${name.toLowerCase().replace(/\W/g, '')}-${Date.now()}@example.test`, ...extra });
  expect(res.status).toBe(201);
  return res.body.id;
}

async function newService(body: object): Promise<string> {
  const res = await post('/v1/services', A.manager, { branchId, durationMinutes: 60, requiredSkills: ['cut'], ...body });
  expect(res.status).toBe(201);
  return res.body.id;
}

// One describe around everything: its afterAll (closing the stack, which lists Temporal Schedules)
// runs before the file-level afterAll of test/harness/temporal.ts that closes the connection.
describe('API.md conformance audit', () => {
  beforeAll(async () => {
    stack = await startBookingStack('contract-audit');
    app = stack.app;
    const document = (await request(app).get('/openapi.json')).body;
    conformance = openApiConformance(document);
    // Literal paths before templated ones (/v1/customers/find-or-create before /v1/customers/{id}).
    templates = Object.keys(document.paths)
      .map((template) => ({
        template,
        pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
        params: (template.match(/\{/g) ?? []).length,
      }))
      .sort((a, b) => a.params - b.params);
    B = stack.company.auth;
    const company = await request(app).post('/v1/admin/companies').set('Authorization', `Bearer ${ADMIN_KEY}`).send({ name: 'Audit GmbH' });
    expect(company.status).toBe(201);
    const manager = { Authorization: `Bearer ${company.body.apiKey}` };
    const tc = { id: company.body.id, key: company.body.apiKey, auth: manager };
    A = { id: tc.id, manager, booking: await createKey(app, tc, 'booking'), support: await createKey(app, tc, 'support'), pub: await createKey(app, tc, 'public') };

    const weekdays = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'];
    const open = { open: true, start: '09:00', end: '18:00' };
    const branch = await post('/v1/branches', A.manager, { name: 'Mitte', timezone: ZONE, operatingHours: Object.fromEntries(weekdays.map((d) => [d, open])) });
    expect(branch.status).toBe(201);
    branchId = branch.body.id;
    const unlinked = await post('/v1/branches', A.manager, { name: 'Ohne Kalender', timezone: ZONE, operatingHours: Object.fromEntries(weekdays.map((d) => [d, open])) });
    unlinkedBranchId = unlinked.body.id;
    ({ account, connectionId } = await connectBranchViaApi(app, A.manager, branchId, stack.emulator.url));
    const hours = Object.fromEntries(weekdays.map((d) => [d, [{ start: '09:00', end: '18:00' }]]));
    const staff = async (name: string, gender: string, i: number) => {
      const res = await post('/v1/staff', A.manager, { branchId, name, gender, email: `${name}@example.test`, languages: ['de'], skills: ['cut'], workingHours: hours, calcomUserId: account.userIds[i] });
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    anna = await staff('Anna', 'female', 0);
    ben = await staff('Ben', 'male', 1);
    serviceId = await newService({ name: 'Haircut', price: 30, calcomEventTypeId: account.eventTypeIds[0] });
    customerId = await newCustomer('Carla', { phone: '+49301234567', language: 'de' });
  });

  afterAll(async () => {
    await stack?.close();
  });

  describe('Conventions', () => {
    it('auth: missing or unknown key 401, admin key only /v1/admin/*, another company 404', async () => {
      expectProblem(await request(app).get('/v1/branches'), 401, 'unauthenticated');
      expectProblem(await get('/v1/branches', { Authorization: 'Bearer nope' }), 401, 'unauthenticated');
      expectProblem(await get('/v1/branches', { Authorization: `Bearer ${ADMIN_KEY}` }), 403, 'forbidden');
      expectProblem(await get(`/v1/branches/${branchId}`, B), 404, 'not_found');
      expectProblem(await get(`/v1/staff/${anna}`, B), 404, 'not_found');
      expectProblem(await get(`/v1/services/${serviceId}`, B), 404, 'not_found');
      expectProblem(await get(`/v1/calendar-connections/${connectionId}`, B), 404, 'not_found');
      expectProblem(await patch(`/v1/branches/${stack.catalog.branchId}`, A.manager, { calendarConnectionId: connectionId }), 404, 'not_found');
      expectProblem(await patch(`/v1/branches/${branchId}`, B, { name: 'x' }), 404, 'not_found');
    });

    it('paths are matched exactly, in lower case: /V1/Admin/... is a 404 for everyone', async () => {
      for (const auth of [{ Authorization: `Bearer ${ADMIN_KEY}` }, A.manager, A.pub]) {
        expect((await post('/V1/Admin/companies', auth, { name: 'x' })).status).toBe(404);
        expect((await get('/V1/branches', auth)).status).toBe(404);
        expect((await get('/v1/Branches', auth)).status).toBe(404);
      }
    });

    it('instants without an offset are a 400 listing every invalid field; bodies that are not JSON are a 400', async () => {
      const res = await post('/v1/bookings', A.booking, { branchId, serviceId, customerId, start: `${date(0)}T10:00:00`, source: 'fax' });
      expectProblem(res, 400, 'validation_error');
      expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['source', 'start']);
      const bad = await request(app).post('/v1/customers').set(A.manager).set('content-type', 'application/json').send('{"name": ');
      expectProblem(bad, 400, 'validation_error');
      const control = await post('/v1/customers', A.manager, { name: 'Eve\r\nBcc: x' });
      expectProblem(control, 400, 'validation_error');
    });

    it('lists: limit default 50, max 200, cursor, {data, nextCursor}', async () => {
      const res = await get('/v1/staff?limit=1', A.manager);
      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(['data', 'nextCursor']);
      expect(res.body.data).toHaveLength(1);
      const next = await get(`/v1/staff?limit=1&cursor=${encodeURIComponent(res.body.nextCursor)}`, A.manager);
      expect(next.body.data[0].id).not.toBe(res.body.data[0].id);
      expectProblem(await get('/v1/staff?limit=201', A.manager), 400, 'validation_error');
      expectProblem(await get('/v1/staff?limit=0', A.manager), 400, 'validation_error');
    });

    it('rate limits count per company, all its keys together; a 429 carries Retry-After and the RateLimit headers', async () => {
      const limited = await stack.extraApp({ rateLimit: { max: 3, windowMs: 60_000 } });
      const statuses: number[] = [];
      for (const auth of [A.manager, A.booking, A.support]) statuses.push((await request(limited.app).get('/v1/branches').set(auth)).status);
      expect(statuses).toEqual([200, 200, 200]);
      const refused = await request(limited.app).get('/v1/branches').set(A.pub);
      expectProblem(refused, 429, 'rate_limited');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(refused.headers['ratelimit-remaining']).toBe('0');
      // Another company has its own quota.
      expect((await request(limited.app).get('/v1/branches').set(B)).status).toBe(200);
    });

    it('rate-limit headers on answers', async () => {
      const limited = await stack.extraApp({ rateLimit: { max: 5, windowMs: 60_000 } });
      const res = await request(limited.app).get('/v1/branches').set(A.support);
      expect(res.status).toBe(200);
      expect(res.headers['ratelimit-limit']).toBeDefined();
      expect(res.headers['ratelimit-remaining']).toBeDefined();
      expect(res.headers['ratelimit-reset']).toBeDefined();
    });
  });

  describe('Platform and catalog', () => {
    it('branch defaults: rules, notifications, a missing weekday closed', async () => {
      const res = await get(`/v1/branches/${branchId}`, A.manager);
      expect(res.body.rules).toEqual({
        minimumNoticeMinutes: 120, maxAdvanceDays: 90, slotIntervalMinutes: 15, maxDailyBookingsPerCustomer: null,
        completionGraceMinutes: 60, cancellationCutoffHours: 24, maxReschedules: 3,
      });
      expect(res.body.notifications).toEqual({
        reminders: [{ minutesBefore: 1440, channels: ['email', 'sms'] }, { minutesBefore: 120, channels: ['sms'] }], defaultLanguage: 'de',
      });
      expect(res.body.calendarConnectionId).toBe(connectionId);
      const avail = await get(`/v1/availability?branchId=${branchId}&serviceId=${serviceId}&from=${date(5)}&to=${date(6)}`, A.booking);
      expect(avail.body.days.map((d: { slots: unknown[] }) => d.slots.length)).toEqual([0, 0]);
    });

    it('service defaults: buffers 0, category fixed, approvalTimeoutHours 24, travelMinutes 0', async () => {
      const res = await get(`/v1/services/${serviceId}`, A.manager);
      expect(res.body).toMatchObject({
        bufferBeforeMinutes: 0, bufferAfterMinutes: 0, requiredSkills: ['cut'], resourceRequirements: [], requiresConsultation: false,
        category: 'fixed', requiresApproval: false, approvalTimeoutHours: 24, travelMinutes: 0, price: 30, calcomEventTypeId: account.eventTypeIds[0],
      });
    });

    it('booking and public keys see public staff and service fields only', async () => {
      for (const auth of [A.booking, A.pub]) {
        const staff = await get(`/v1/staff/${anna}`, auth);
        expect(staff.status).toBe(200);
        expect(staff.body.email).toBeUndefined();
        expect(staff.body.calcomUserId).toBeUndefined();
        const list = await get(`/v1/staff?branchId=${branchId}`, auth);
        for (const s of list.body.data) expect(s.email).toBeUndefined();
        const svc = await get(`/v1/services/${serviceId}`, auth);
        expect(svc.body.calcomEventTypeId).toBeUndefined();
      }
      const forSupport = await get(`/v1/staff/${anna}`, A.support);
      expect(forSupport.body).toMatchObject({ email: 'Anna@example.test', calcomUserId: account.userIds[0] });
    });

    it('time off: POST, GET, PATCH, DELETE; it blocks availability and frees it again', async () => {
      const slotsOf = async () => {
        const res = await get(`/v1/availability?branchId=${branchId}&serviceId=${serviceId}&staffId=${ben}&from=${date(3)}&to=${date(3)}`, A.booking);
        return res.body.days[0].slots.map((s: { start: string }) => s.start) as string[];
      };
      expect(await slotsOf()).toContain(at(3, '09:00'));
      const created = await post(`/v1/staff/${ben}/time-off`, A.manager, { start: at(3, '09:00'), end: at(3, '12:00'), reason: 'Doctor' });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ id: expect.any(String), start: at(3, '09:00'), end: at(3, '12:00'), reason: 'Doctor' });
      expect(await slotsOf()).not.toContain(at(3, '09:00'));
      const path = `/v1/staff/${ben}/time-off/${created.body.id}`;
      const changed = await patch(path, A.manager, { end: at(3, '10:00') });
      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({ id: created.body.id, start: at(3, '09:00'), end: at(3, '10:00') });
      expect(await slotsOf()).toContain(at(3, '10:00'));
      expectProblem(await patch(path, B, { end: at(3, '11:00') }), 404, 'not_found');
      expectProblem(await del(path, A.booking), 403, 'forbidden');
      const removed = await del(path, A.manager);
      expect(removed.status).toBe(200);
      expect(await slotsOf()).toContain(at(3, '09:00'));
      expectProblem(await del(path, A.manager), 404, 'not_found');
      expect((await get(`/v1/staff/${ben}/time-off`, A.manager)).body.data).toEqual([]);
    });

    it('customers: phone in any spelling, find-or-create 201 then 200, Idempotency-Key on POST', async () => {
      for (const spelling of ['030 1234567', '+49 30 1234567', '0049301234567', '(030) 123-4567']) {
        const res = await get(`/v1/customers?phone=${encodeURIComponent(spelling)}`, A.booking);
        expect(res.status).toBe(200);
        expect(res.body.data.map((c: { id: string }) => c.id)).toEqual([customerId]);
      }
      const made = await post('/v1/customers/find-or-create', A.booking, { phone: '040 555 1234', name: 'Dora' });
      expect(made.status).toBe(201);
      expect(made.body).toMatchObject({ id: expect.any(String), phone: '+49405551234', created: true });
      const again = await post('/v1/customers/find-or-create', A.booking, { phone: '+49405551234' });
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ id: made.body.id, created: false });
      expectProblem(await post('/v1/customers/find-or-create', A.booking, { name: 'Nobody' }), 400, 'validation_error');
      const key = `cust-${Date.now()}`;
      const first = await request(app).post('/v1/customers').set(A.booking).set('Idempotency-Key', key).send({ name: 'Emil' });
      const second = await request(app).post('/v1/customers').set(A.booking).set('Idempotency-Key', key).send({ name: 'Emil' });
      expect(first.status).toBe(201);
      expect(second.status).toBe(201);
      expect(second.headers['idempotent-replayed']).toBe('true');
      expect(second.body.id).toBe(first.body.id);
      expectProblem(await request(app).post('/v1/customers').set(A.booking).set('Idempotency-Key', key).send({ name: 'Other' }), 422, 'idempotency_key_reused');
    });

    it('booking role: customer PATCH of name only (not email), no block; support may not write', async () => {
      const id = await newCustomer('Fritz');
      expect((await patch(`/v1/customers/${id}`, A.booking, { name: 'Fritz K', language: 'en' })).status).toBe(200);
      expectProblem(await patch(`/v1/customers/${id}`, A.booking, { email: 'new@example.test' }), 403, 'forbidden');
      expectProblem(await post(`/v1/customers/${id}/block`, A.booking, {}), 403, 'forbidden');
      expectProblem(await post(`/v1/customers/${id}/block`, A.support, {}), 403, 'forbidden');
      const blocked = await post(`/v1/customers/${id}/block`, A.manager, { reason: 'abuse' });
      expect(blocked.status).toBe(200);
      expect(blocked.body.id).toBe(id);
      const refused = await post('/v1/bookings', A.booking, { branchId, serviceId, customerId: id, staffId: anna, start: at(1, '09:00') });
      expectProblem(refused, 422, 'booking_rule_violation');
      expect(refused.body.violations).toEqual(expect.arrayContaining([{ rule: 'customer_blocked', message: expect.any(String) }]));
      expect((await post(`/v1/customers/${id}/unblock`, A.manager, {})).status).toBe(200);
    });

    it('roles per route', async () => {
      // public: catalog, availability, reservations, public bookings; nothing else.
      expect((await get('/v1/branches', A.pub)).status).toBe(200);
      expect((await get(`/v1/availability?branchId=${branchId}&serviceId=${serviceId}&from=${date(0)}&to=${date(0)}`, A.pub)).status).toBe(200);
      expect((await get(`/v1/availability/next?branchId=${branchId}&serviceId=${serviceId}`, A.pub)).status).toBe(200);
      for (const [method, path] of [['get', '/v1/customers'], ['get', '/v1/bookings'], ['post', '/v1/bookings'], ['get', '/v1/series/x'], ['post', '/v1/waiting-list'], ['get', '/v1/sync-failures'], ['get', '/v1/analytics'], ['post', '/v1/api-keys'], ['get', '/v1/webhook-endpoints'], ['get', '/v1/calendar-connections'], ['post', '/v1/customers/find-or-create']] as const) {
        expect({ method, path, status: (await request(app)[method](path).set(A.pub).send({})).status }).toEqual({ method, path, status: 403 });
      }
      // booking: no catalog writes, no keys, no analytics, no approvals.
      for (const [method, path] of [['post', '/v1/branches'], ['patch', `/v1/services/${serviceId}`], ['post', '/v1/api-keys'], ['get', '/v1/analytics'], ['post', '/v1/bookings/x/approve'], ['post', '/v1/bookings/x/decline'], ['get', '/v1/webhook-endpoints'], ['get', '/v1/calendar-connections'], ['post', '/v1/public/bookings']] as const) {
        expect({ method, path, status: (await request(app)[method](path).set(A.booking).send({})).status }).toEqual({ method, path, status: 403 });
      }
      // support: reads everything, no writes except sync failures.
      for (const path of ['/v1/branches', '/v1/customers', '/v1/bookings', '/v1/sync-failures', '/v1/webhook-endpoints', '/v1/calendar-connections', '/v1/api-keys', `/v1/analytics?from=${date(0)}&to=${date(1)}`]) {
        expect({ path, status: (await get(path, A.support)).status }).toEqual({ path, status: 200 });
      }
      for (const [method, path] of [['post', '/v1/bookings'], ['post', '/v1/customers'], ['post', '/v1/reservations'], ['post', '/v1/webhook-endpoints'], ['delete', `/v1/calendar-connections/${connectionId}`]] as const) {
        expect({ method, path, status: (await request(app)[method](path).set(A.support).send({})).status }).toEqual({ method, path, status: 403 });
      }
      const conns = await get('/v1/calendar-connections', A.support);
      expect(JSON.stringify(conns.body)).not.toContain(account.apiKey);
    });

    it('api keys: create {name, role}, revoke → 200 {id, revokedAt}, then 401', async () => {
      const created = await post('/v1/api-keys', A.manager, { name: 'temp', role: 'booking' });
      expect(created.status).toBe(201);
      expect(Object.keys(created.body).sort()).toEqual(['apiKey', 'id', 'name', 'role']);
      const auth = { Authorization: `Bearer ${created.body.apiKey}` };
      expect((await get('/v1/branches', auth)).status).toBe(200);
      expectProblem(await del(`/v1/api-keys/${created.body.id}`, A.booking), 403, 'forbidden');
      expectProblem(await del(`/v1/api-keys/${created.body.id}`, B), 404, 'not_found');
      const revoked = await del(`/v1/api-keys/${created.body.id}`, A.manager);
      expect(revoked.status).toBe(200);
      expect(revoked.body).toEqual({ id: created.body.id, revokedAt: expect.any(String) });
      await eventually(async () => ((await get('/v1/branches', auth)).status === 401 ? true : undefined), 2_000);
    });
  });

  describe('Availability, reservations, next', () => {
    it('slots carry staff and price; X-Cache; at most 62 days', async () => {
      const res = await get(`/v1/availability?branchId=${branchId}&serviceId=${serviceId}&from=${date(0)}&to=${date(0)}`, A.booking);
      expect(res.status).toBe(200);
      expect(['HIT', 'MISS']).toContain(res.headers['x-cache']);
      expect(res.body).toMatchObject({ branchId, serviceId, timezone: ZONE });
      expect(res.body.days[0].slots[0]).toMatchObject({ start: at(0, '09:00'), end: at(0, '10:00'), staffIds: expect.arrayContaining([anna, ben]), price: 30 });
      expect(res.body.days[0].slots[0].staff).toEqual(expect.arrayContaining([{ id: anna, name: 'Anna' }, { id: ben, name: 'Ben' }]));
      expectProblem(await get(`/v1/availability?branchId=${branchId}&serviceId=${serviceId}&from=${date(0)}&to=${date(62)}`, A.booking), 400, 'validation_error');
    });

    it('reservations: ttlSeconds 30..900, default 5 minutes, DELETE 200, book with reservationId', async () => {
      const body = { branchId, serviceId, staffId: anna, start: at(1, '11:00') };
      expectProblem(await post('/v1/reservations', A.pub, { ...body, ttlSeconds: 29 }), 400, 'validation_error');
      expectProblem(await post('/v1/reservations', A.pub, { ...body, ttlSeconds: 901 }), 400, 'validation_error');
      const held = await post('/v1/reservations', A.pub, body);
      expect(held.status).toBe(201);
      expect(Object.keys(held.body)).toEqual(expect.arrayContaining(['id', 'branchId', 'serviceId', 'staffId', 'start', 'end', 'expiresAt']));
      const ttl = (Date.parse(held.body.expiresAt) - Date.now()) / 1000;
      expect(ttl).toBeGreaterThan(280);
      expect(ttl).toBeLessThanOrEqual(301);
      const avail = await get(`/v1/availability?branchId=${branchId}&serviceId=${serviceId}&staffId=${anna}&from=${date(1)}&to=${date(1)}`, A.booking);
      expect(avail.body.days[0].slots.map((s: { start: string }) => s.start)).not.toContain(at(1, '11:00'));
      const taken = await post('/v1/reservations', A.pub, body);
      expectProblem(taken, 409, 'slot_unavailable');
      expect(taken.body.alternatives.length).toBeGreaterThan(0);
      expect(Object.keys(taken.body.alternatives[0]).sort()).toEqual(['end', 'staffId', 'staffName', 'start']);
      const removed = await del(`/v1/reservations/${held.body.id}`, A.pub);
      expect(removed.status).toBe(200);
      expectProblem(await post('/v1/bookings', A.booking, { reservationId: held.body.id, customerId }), 409, 'reservation_expired');
      expectProblem(await post('/v1/bookings', A.booking, { reservationId: 'res_unknown', customerId }), 409, 'reservation_expired');
      expectProblem(await get(`/v1/reservations/${held.body.id}`, B), 404, 'not_found');
    });

    it('next free slots: limit 1..20, timeWindows, weekdays, staffName', async () => {
      const q = `branchId=${branchId}&serviceId=${serviceId}&after=${encodeURIComponent(at(0, '00:00'))}`;
      const res = await get(`/v1/availability/next?${q}&timeWindows=14:00-17:00&weekdays=TU&limit=2&staffId=${anna}`, A.booking);
      expect(res.status).toBe(200);
      expect(res.body.slots).toEqual([
        expect.objectContaining({ start: at(1, '14:00'), end: at(1, '15:00'), staffId: anna, staffName: 'Anna' }),
        expect.objectContaining({ start: at(1, '14:15'), end: at(1, '15:15'), staffId: anna, staffName: 'Anna' }),
      ]);
      const three = await get(`/v1/availability/next?${q}`, A.booking);
      expect(three.body.slots).toHaveLength(3);
      expectProblem(await get(`/v1/availability/next?${q}&limit=21`, A.booking), 400, 'validation_error');
      expectProblem(await get(`/v1/availability/next?${q}&limit=0`, A.booking), 400, 'validation_error');
      expectProblem(await get(`/v1/availability/next?branchId=${branchId}&serviceId=${serviceId}&after=${date(0)}T00:00:00`, A.booking), 400, 'validation_error');
      for (const bad of ['timeWindows=9-12', 'timeWindows=12:00-09:00', 'weekdays=XX', 'limit=abc', `after=${encodeURIComponent(at(5, '00:00'))}&before=${encodeURIComponent(at(0, '00:00'))}`]) {
        const res = await get(`/v1/availability/next?branchId=${branchId}&serviceId=${serviceId}&${bad}`, A.booking);
        expect({ bad, status: res.status, code: res.body.code }).toEqual({ bad, status: 400, code: 'validation_error' });
      }
    });
  });

  describe('Bookings', () => {
    it('busy times of linked staff in Cal.com that are not ours block availability and booking: 409 with alternatives, never 502', async () => {
      const start = at(18, '15:00');
      const made = await fetch(`${stack.emulator.url}/__control/bookings`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ userId: account.userIds[0], start: new Date(start).toISOString(), lengthInMinutes: 60 }),
      });
      expect(made.status).toBe(201);
      const avail = await get(`/v1/availability?branchId=${branchId}&serviceId=${serviceId}&staffId=${anna}&from=${date(18)}&to=${date(18)}`, A.booking);
      expect(avail.body.days[0].slots.map((s: { start: string }) => s.start)).not.toContain(start);
      const res = await post('/v1/bookings', A.booking, { branchId, serviceId, customerId, staffId: anna, start });
      expectProblem(res, 409, 'slot_unavailable');
      expect(res.body.alternatives.length).toBeGreaterThan(0);
    });

    it('the emulator holds our bookings in Cal.com\'s shape, with metadata {bookingId, companyId}', async () => {
      const b = await post('/v1/bookings', A.booking, { branchId, serviceId, customerId, staffId: anna, start: at(18, '09:00') });
      expect(b.status).toBe(201);
      expect(b.body.calendar).toEqual({ status: 'synced', externalId: expect.any(String) });
      // Parsed in the test's realm: fetch's JSON arrays fail Jest's expect.any(Array).
      const all = JSON.parse(await (await fetch(`${stack.emulator.url}/__control/bookings`)).text()) as { data: Array<Record<string, unknown>> };
      const ours = all.data.find((x) => x.uid === b.body.calendar.externalId);
      expect(ours).toMatchObject({ id: expect.any(Number), uid: b.body.calendar.externalId, status: 'accepted', eventTypeId: account.eventTypeIds[0], attendees: [expect.objectContaining({ name: 'Carla' })], metadata: { bookingId: b.body.id, companyId: A.id } });
      expect(Date.parse(ours!.start as string)).toBe(Date.parse(at(18, '09:00')));
      expect(Date.parse(ours!.end as string)).toBe(Date.parse(at(18, '10:00')));
      const me = await fetch(`${stack.emulator.url}/v2/me`, { headers: { authorization: `Bearer ${account.apiKey}` } });
      expect(me.status).toBe(200);
    });

    it('a booking of a branch without a calendar connection is not_linked and confirms', async () => {
      const staffRes = await post('/v1/staff', A.manager, { branchId: unlinkedBranchId, name: 'Uwe', languages: [], skills: [], workingHours: { monday: [{ start: '09:00', end: '18:00' }] } });
      expect(staffRes.status).toBe(201);
      const svc = await post('/v1/services', A.manager, { branchId: unlinkedBranchId, name: 'Trim', durationMinutes: 30 });
      expect(svc.status).toBe(201);
      expectProblem(await patch(`/v1/staff/${staffRes.body.id}`, A.manager, { calcomUserId: account.userIds[2] }), 422, 'calendar_link_invalid');
      const before = (await (await fetch(`${stack.emulator.url}/__control/bookings`)).json()) as { data: unknown[] };
      const res = await post('/v1/bookings', A.booking, { branchId: unlinkedBranchId, serviceId: svc.body.id, customerId, start: at(0, '09:00') });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ status: 'confirmed', staffId: staffRes.body.id, calendar: { status: 'not_linked' } });
      const after = (await (await fetch(`${stack.emulator.url}/__control/bookings`)).json()) as { data: unknown[] };
      expect(after.data.length).toBe(before.data.length);
      const read = await get(`/v1/bookings/${res.body.id}`, A.support);
      expect(read.body.calendar.status).toBe('not_linked');
      const openapi = (await request(app).get('/openapi.json')).body;
      const booking = openapi.components.schemas.Booking;
      expect(JSON.stringify(booking.properties.calendar)).toContain('not_linked');
    });

    it('booking with a reservation: a complete body, books exactly that slot; notes refuse control characters', async () => {
      const held = await post('/v1/reservations', A.booking, { branchId, serviceId, staffId: ben, start: at(2, '09:00') });
      expect(held.status).toBe(201);
      const badNotes = await post('/v1/bookings', A.booking, { reservationId: held.body.id, customerId, notes: 'a\u0000b' });
      expectProblem(badNotes, 400, 'validation_error');
      const res = await post('/v1/bookings', A.booking, { reservationId: held.body.id, customerId, source: 'phone', notes: 'ok' });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ status: 'confirmed', branchId, serviceId, staffId: ben, start: at(2, '09:00'), end: at(2, '10:00'), source: 'phone', calendar: { status: 'synced' } });
      const badParticipant = await post('/v1/reservations', A.booking, { branchId, serviceId, start: at(2, '15:00'), participants: [{ name: 'x\ny' }] });
      expectProblem(badParticipant, 400, 'validation_error');
    });

    it('a reservation body may repeat the slot\'s fields: matching ones book it, another slot is a 400 and the reservation stays', async () => {
      const held = await post('/v1/reservations', A.booking, { branchId, serviceId, staffId: ben, start: at(2, '16:00') });
      expect(held.status).toBe(201);
      const wrong = await post('/v1/bookings', A.booking, { reservationId: held.body.id, customerId, branchId, serviceId, staffId: anna, start: at(2, '16:30') });
      expectProblem(wrong, 400, 'validation_error');
      expect(wrong.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['staffId', 'start']);
      expect((await get(`/v1/reservations/${held.body.id}`, A.booking)).body.status).toBe('active');
      const utc = new Date(at(2, '16:00')).toISOString();
      const res = await post('/v1/bookings', A.booking, { reservationId: held.body.id, customerId, branchId, serviceId, staffId: ben, start: utc, durationMinutes: 60, source: 'web' });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ status: 'confirmed', staffId: ben, start: at(2, '16:00'), end: at(2, '17:00'), source: 'web' });
      expect((await get(`/v1/reservations/${held.body.id}`, A.booking)).body.status).toBe('converted');
    });

    it('expand and order on GET /v1/bookings', async () => {
      const res = await get(`/v1/bookings?branchId=${branchId}&order=-start&expand=customer,service,staff`, A.booking);
      expect(res.status).toBe(200);
      const starts = res.body.data.map((b: { start: string }) => Date.parse(b.start));
      expect(starts).toEqual([...starts].sort((a, b) => b - a));
      expect(res.body.data[0]).toMatchObject({ customer: { id: expect.any(String) }, service: { id: expect.any(String) }, staff: { id: expect.any(String) } });
      expectProblem(await get('/v1/bookings?order=name', A.booking), 400, 'validation_error');
    });

    it('notifications of a booking: {data: [{kind, channel, to, status, sentAt}]}', async () => {
      const res = await post('/v1/bookings', A.booking, { branchId, serviceId, customerId, staffId: anna, start: at(4, '09:00') });
      expect(res.status).toBe(201);
      const list = await get(`/v1/bookings/${res.body.id}/notifications`, A.booking);
      expect(list.status).toBe(200);
      expect(Array.isArray(list.body.data)).toBe(true);
      for (const n of list.body.data) expect(Object.keys(n)).toEqual(expect.arrayContaining(['kind', 'channel', 'to', 'status', 'sentAt']));
      expectProblem(await get(`/v1/bookings/${res.body.id}/notifications`, B), 404, 'not_found');
    });
  });

  describe('Catalog depth', () => {
    it('approval: 201 awaiting_approval, approve (manager only) → confirmed, decline → declined and the slot is free', async () => {
      const svc = await newService({ name: 'Color', requiresApproval: true, calcomEventTypeId: account.eventTypeIds[1] });
      const first = await post('/v1/bookings', A.booking, { branchId, serviceId: svc, customerId, staffId: anna, start: at(2, '11:00') });
      expect(first.status).toBe(201);
      expect(first.body.status).toBe('awaiting_approval');
      expectProblem(await post(`/v1/bookings/${first.body.id}/approve`, A.booking), 403, 'forbidden');
      const approved = await post(`/v1/bookings/${first.body.id}/approve`, A.manager);
      expect(approved.status).toBe(200);
      expect(approved.body).toMatchObject({ status: 'confirmed', calendar: { status: 'synced' } });
      const second = await post('/v1/bookings', A.booking, { branchId, serviceId: svc, customerId, staffId: anna, start: at(2, '14:00') });
      expect(second.body.status).toBe('awaiting_approval');
      const declined = await post(`/v1/bookings/${second.body.id}/decline`, A.manager, { reason: 'no' });
      expect(declined.status).toBe(200);
      expect(declined.body.status).toBe('declined');
      const avail = await get(`/v1/availability?branchId=${branchId}&serviceId=${serviceId}&staffId=${anna}&from=${date(2)}&to=${date(2)}`, A.booking);
      expect(avail.body.days[0].slots.map((s: { start: string }) => s.start)).toContain(at(2, '14:00'));
      expectProblem(await post(`/v1/bookings/${second.body.id}/approve`, A.manager), 409, 'invalid_state');
    });

    it('limits: 422 booking_limit naming the limit', async () => {
      const svc = await newService({ name: 'Massage', limits: { perCustomer: { day: 1 } } });
      const cust = await newCustomer('Greta');
      const one = await post('/v1/bookings', A.booking, { branchId, serviceId: svc, customerId: cust, start: at(3, '13:00') });
      expect(one.status).toBe(201);
      const two = await post('/v1/bookings', A.booking, { branchId, serviceId: svc, customerId: cust, start: at(3, '15:00') });
      expectProblem(two, 422, 'booking_rule_violation');
      expect(two.body.violations).toEqual([{ rule: 'booking_limit', message: expect.stringContaining('service.perCustomer.day'), limits: ['service.perCustomer.day'] }]);
    });

    it('seats: seatsLeft on slots', async () => {
      const svc = await newService({ name: 'Yoga', seats: { capacity: 3 } });
      const res = await get(`/v1/availability?branchId=${branchId}&serviceId=${svc}&staffId=${ben}&from=${date(4)}&to=${date(4)}`, A.booking);
      expect(res.body.days[0].slots[0]).toMatchObject({ seatsLeft: 3 });
      const booked = await post('/v1/bookings', A.booking, { branchId, serviceId: svc, customerId, staffId: ben, start: res.body.days[0].slots[0].start });
      expect(booked.status).toBe(201);
      const after = await get(`/v1/availability?branchId=${branchId}&serviceId=${svc}&staffId=${ben}&from=${date(4)}&to=${date(4)}`, A.booking);
      expect(after.body.days[0].slots[0]).toMatchObject({ start: res.body.days[0].slots[0].start, seatsLeft: 2 });
    });

    it('packages: parts back to back', async () => {
      const wash = await newService({ name: 'Wash', durationMinutes: 15 });
      const pkg = await newService({ name: 'Wash and cut', durationMinutes: 75, category: 'package', packageServiceIds: [wash, serviceId] });
      const res = await post('/v1/bookings', A.booking, { branchId, serviceId: pkg, customerId, staffId: anna, start: at(4, '14:00') });
      expect(res.status).toBe(201);
      expect(res.body.parts).toEqual([
        expect.objectContaining({ serviceId: wash, staffId: anna, resourceId: null, start: at(4, '14:00'), end: at(4, '14:15') }),
        expect.objectContaining({ serviceId, staffId: anna, resourceId: null, start: at(4, '14:15'), end: at(4, '15:15') }),
      ]);
    });

    it('analytics: branchId optional, groupBy, interval, at most 366 days', async () => {
      const base = await get(`/v1/analytics?from=${date(0)}&to=${date(6)}`, A.manager);
      expect(base.status).toBe(200);
      expect(base.body.totalBookings).toBeGreaterThan(0);
      // Price is shown in analytics: revenue in the company currency, on the plain one-branch answer too.
      const plain = await get(`/v1/analytics?branchId=${branchId}&from=${date(0)}&to=${date(6)}`, A.support);
      expect(plain.body).toMatchObject({ currency: 'EUR', revenue: expect.any(Number) });
      expect(plain.body.revenue).toBeGreaterThan(0);
      for (const rate of ['noShowRate', 'cancellationRate', 'utilizationRate', 'conversionRate']) {
        expect(plain.body[rate]).toBeGreaterThanOrEqual(0);
        expect(plain.body[rate]).toBeLessThanOrEqual(1);
      }
      const grouped = await get(`/v1/analytics?branchId=${branchId}&from=${date(0)}&to=${date(6)}&groupBy=staff&interval=week`, A.manager);
      expect(grouped.status).toBe(200);
      const limit = monday.plus({ days: 365 }).toISODate();
      expect((await get(`/v1/analytics?from=${date(0)}&to=${limit}`, A.manager)).status).toBe(200);
      expectProblem(await get(`/v1/analytics?from=${date(0)}&to=${monday.plus({ days: 366 }).toISODate()}`, A.manager), 400, 'validation_error');
      expectProblem(await get(`/v1/analytics?from=${date(0)}&to=${date(6)}&groupBy=customer`, A.manager), 400, 'validation_error');
      expectProblem(await get(`/v1/analytics?from=${date(0)}&to=${date(6)}&interval=year`, A.manager), 400, 'validation_error');
    });
  });

  describe('Public booking and self-service', () => {
    it('POST /v1/public/bookings: source web, customer found or created, manageUrl; the token reads it without a key', async () => {
      const held = await post('/v1/reservations', A.pub, { branchId, serviceId, staffId: ben, start: at(1, '15:00') });
      expect(held.status).toBe(201);
      const res = await post('/v1/public/bookings', A.pub, { reservationId: held.body.id, customer: { name: 'Hanna', phone: '030 1234567' }, notes: 'web' });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ status: 'confirmed', source: 'web', customerId, staffId: ben, start: at(1, '15:00'), manageUrl: expect.stringMatching(/\/b\/[^/]+$/) });
      const token = res.body.manageUrl.split('/b/')[1];
      const read = await request(app).get(`/v1/public/bookings/${token}`);
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({ id: res.body.id, status: 'confirmed' });
      const slots = await request(app).get(`/v1/public/bookings/${token}/availability?from=${date(1)}&to=${date(1)}`);
      expect(slots.status).toBe(200);
      const moved = await request(app).post(`/v1/public/bookings/${token}/reschedule`).send({ start: at(1, '16:00') });
      expect(moved.status).toBe(200);
      expect(moved.body).toMatchObject({ start: at(1, '16:00'), rescheduledCount: 1 });
      const cancelled = await request(app).post(`/v1/public/bookings/${token}/cancel`).send({});
      expect(cancelled.status).toBe(200);
      expect(cancelled.body.status).toBe('cancelled');
      expectProblem(await request(app).get(`/v1/public/bookings/${token}x`), 404, 'not_found');
    });
  });

  describe('Outbound webhooks', () => {
    it('endpoints CRUD: 201 {id, url, events, secret}; unknown event 400; deliveries list; manager only', async () => {
      const created = await post('/v1/webhook-endpoints', A.manager, { url: 'http://127.0.0.1:9/hook', events: ['booking.confirmed', 'sync_failure.opened'], description: 'audit' });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ id: expect.any(String), url: 'http://127.0.0.1:9/hook', events: ['booking.confirmed', 'sync_failure.opened'], secret: expect.any(String) });
      expectProblem(await post('/v1/webhook-endpoints', A.manager, { url: 'http://127.0.0.1:9/hook', events: ['booking.created'] }), 400, 'validation_error');
      expectProblem(await post('/v1/webhook-endpoints', A.booking, { url: 'http://127.0.0.1:9/hook', events: ['booking.confirmed'] }), 403, 'forbidden');
      const all = ['booking.confirmed', 'booking.failed', 'booking.awaiting_approval', 'booking.declined', 'booking.rescheduled', 'booking.cancelled', 'booking.no_show', 'booking.completed', 'waitlist.offered', 'waitlist.booked', 'sync_failure.opened', 'sync_failure.resolved'];
      expect((await post('/v1/webhook-endpoints', A.manager, { url: 'http://127.0.0.1:9/all', events: all })).status).toBe(201);
      const path = `/v1/webhook-endpoints/${created.body.id}`;
      const read = await get(path, A.manager);
      expect(read.status).toBe(200);
      expect(read.body.secret).toBeUndefined();
      const changed = await patch(path, A.manager, { events: ['booking.cancelled'] });
      expect(changed.status).toBe(200);
      expect(changed.body.events).toEqual(['booking.cancelled']);
      const deliveries = await get(`${path}/deliveries`, A.manager);
      expect(deliveries.status).toBe(200);
      expect(Array.isArray(deliveries.body.data)).toBe(true);
      const booked = await post('/v1/bookings', A.booking, { branchId, serviceId, customerId, staffId: ben, start: at(18, '11:00') });
      expect(booked.status).toBe(201);
      const cancelled = await post(`/v1/bookings/${booked.body.id}/cancel`, A.booking, {});
      expect(cancelled.status).toBe(200);
      const listed = await eventually(async () => {
        const res = await get(`${path}/deliveries`, A.support);
        return res.body.data.length > 0 ? res.body.data : undefined;
      }, 15_000);
      expect(listed).toEqual([expect.objectContaining({ id: expect.any(String), event: 'booking.cancelled', status: expect.stringMatching(/^(pending|delivered|failed)$/), attempts: expect.any(Number), lastStatusCode: null, createdAt: expect.any(String) })]);
      const retried = await post(`${path}/deliveries/${listed[0].id}/retry`, A.manager);
      expect(retried.status).toBe(202);
      expectProblem(await post(`${path}/deliveries/${listed[0].id}/retry`, B), 404, 'not_found');
      expectProblem(await get(path, B), 404, 'not_found');
      expect((await del(path, A.manager)).status).toBe(200);
      expectProblem(await get(path, A.manager), 404, 'not_found');
    });
  });

  describe('Calendar connections', () => {
    it('CRUD shapes, 422 on a refused key or a plain http non-loopback URL, reconcile 202, delete unlinks branches', async () => {
      const list = await get('/v1/calendar-connections', A.manager);
      expect(list.status).toBe(200);
      const conn = list.body.data.find((c: { id: string }) => c.id === connectionId);
      expect(conn).toMatchObject({ id: connectionId, name: 'Cal.com', provider: 'calcom', baseUrl: stack.emulator.url, status: 'active', account: { id: expect.anything() }, webhookUrl: expect.stringContaining(`/v1/webhooks/calcom/${connectionId}`), createdAt: expect.any(String) });
      expect(conn).toHaveProperty('lastReconciledAt');
      expect(conn.drift).toEqual({ repaired: expect.any(Number), open: expect.any(Number) });
      expect(conn.apiKey).toBeUndefined();
      expectProblem(await post('/v1/calendar-connections', A.manager, { name: 'x', provider: 'calcom', baseUrl: stack.emulator.url, apiKey: 'cal_wrong' }), 422, 'calendar_connection_invalid');
      expectProblem(await post('/v1/calendar-connections', A.manager, { name: 'x', provider: 'calcom', baseUrl: 'http://cal.example.com', apiKey: 'k' }), 422, 'calendar_connection_invalid');
      const unreachable = await post('/v1/calendar-connections', A.manager, { name: 'x', provider: 'calcom', baseUrl: 'http://127.0.0.1:9', apiKey: 'k' });
      expect({ status: unreachable.status, code: unreachable.body.code }).toEqual({ status: expect.any(Number), code: expect.any(String) });
      expect([422, 503]).toContain(unreachable.status);
      expect(JSON.stringify(unreachable.body)).not.toMatch(/127\.0\.0\.1|:9\b|ECONNREFUSED/);
      const other = await createEmulatorAccount(stack.emulator.url);
      const second = await post('/v1/calendar-connections', A.manager, { name: 'Second', provider: 'calcom', baseUrl: stack.emulator.url, apiKey: other.apiKey });
      expect(second.status).toBe(201);
      expect(Object.keys(second.body)).toEqual(expect.arrayContaining(['id', 'name', 'provider', 'baseUrl', 'status', 'account', 'webhookUrl', 'createdAt']));
      expect(second.body.account).toMatchObject({ id: expect.anything(), email: expect.anything() });
      const hooks = await fetch(`${stack.emulator.url}/v2/webhooks`, { headers: { authorization: `Bearer ${other.apiKey}` } });
      const hookList = (await hooks.json()) as { data: Array<{ subscriberUrl: string; triggers: string[] }> };
      expect(hookList.data).toEqual([expect.objectContaining({ subscriberUrl: expect.stringContaining(`/v1/webhooks/calcom/${second.body.id}`), triggers: expect.arrayContaining(['BOOKING_CREATED', 'BOOKING_RESCHEDULED', 'BOOKING_CANCELLED']) })]);
      const path = `/v1/calendar-connections/${second.body.id}`;
      const renamed = await patch(path, A.manager, { name: 'Renamed' });
      expect(renamed.status).toBe(200);
      expect(renamed.body.name).toBe('Renamed');
      expectProblem(await patch(path, A.manager, { apiKey: 'cal_wrong_key' }), 422, 'calendar_connection_invalid');
      const rekeyed = await patch(path, A.manager, { apiKey: other.apiKey });
      expect(rekeyed.status).toBe(200);
      expect(JSON.stringify(rekeyed.body)).not.toContain(other.apiKey);
      expectProblem(await patch(path, A.booking, { name: 'x' }), 403, 'forbidden');
      const reconcile = await post(`${path}/reconcile`, A.manager);
      expect(reconcile.status).toBe(202);
      expect(reconcile.body).toEqual({ workflowId: expect.any(String) });
      const branch2 = await post('/v1/branches', A.manager, { name: 'Nord', timezone: ZONE, operatingHours: {}, calendarConnectionId: second.body.id });
      expect(branch2.status).toBe(201);
      expect(branch2.body.calendarConnectionId).toBe(second.body.id);
      const removed = await del(path, A.manager);
      expect(removed.status).toBe(200);
      expect((await get(`/v1/branches/${branch2.body.id}`, A.manager)).body.calendarConnectionId).toBeNull();
      expectProblem(await get(path, A.manager), 404, 'not_found');
      const unsigned = await request(app).post(`/v1/webhooks/calcom/${connectionId}`).send({ triggerEvent: 'BOOKING_CANCELLED', payload: {} });
      expect(unsigned.status).toBe(401);
    });
  });

  describe('Series, waiting list, sync failures', () => {
    it('series with an rrule: occurrences indexed from 0 in time order; more than 366 is a 400', async () => {
      const res = await post('/v1/series', A.booking, { branchId, serviceId, customerId, staffId: ben, start: at(0, '17:00'), recurrence: { rrule: 'FREQ=WEEKLY;BYDAY=MO,WE;COUNT=3' } });
      expect([201, 202]).toContain(res.status);
      const done = res.status === 201 ? res.body : await eventually(async () => {
        const s = await get(`/v1/series/${res.body.id}`, A.booking);
        return s.body.status === 'completed' ? s.body : undefined;
      });
      expect(done.occurrences.map((o: { index: number; start: string; status: string }) => [o.index, o.start, o.status])).toEqual([
        [0, at(0, '17:00'), 'booked'], [1, at(2, '17:00'), 'booked'], [2, at(7, '17:00'), 'booked'],
      ]);
      expectProblem(await post('/v1/series', A.booking, { branchId, serviceId, customerId, start: at(0, '17:00'), recurrence: { rrule: 'FREQ=DAILY;COUNT=367' } }), 400, 'validation_error');
      expectProblem(await get(`/v1/series/${res.body.id}`, B), 404, 'not_found');
    });

    it('waiting list: 201 {id, status: waiting, workflowId, expiresAt}; bounds are 400s; DELETE → cancelled', async () => {
      const body = { branchId, serviceId, customerId, from: date(0), to: date(1) };
      const res = await post('/v1/waiting-list', A.booking, body);
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ id: expect.any(String), status: 'waiting', workflowId: expect.any(String), expiresAt: expect.any(String) });
      expectProblem(await post('/v1/waiting-list', A.booking, { ...body, expiresAt: DateTime.now().plus({ days: 91 }).toISO() }), 400, 'validation_error');
      expectProblem(await post('/v1/waiting-list', A.booking, { ...body, to: DateTime.now().setZone(ZONE).plus({ days: 120 }).toISODate() }), 400, 'validation_error');
      expectProblem(await post('/v1/waiting-list', A.booking, { ...body, from: date(1), to: date(0) }), 400, 'validation_error');
      const read = await get(`/v1/waiting-list/${res.body.id}`, A.booking);
      expect(Object.keys(read.body)).toEqual(expect.arrayContaining(['id', 'status', 'offers', 'notificationsSent', 'expiresAt']));
      const removed = await del(`/v1/waiting-list/${res.body.id}`, A.booking);
      expect(removed.status).toBe(200);
      expect(removed.body.status).toBe('cancelled');
      expectProblem(await get(`/v1/waiting-list/${res.body.id}`, B), 404, 'not_found');
    });

    it('sync failures: support resolves; status filter; another company 404', async () => {
      const list = await get('/v1/sync-failures?status=resolved', A.support);
      expect(list.status).toBe(200);
      expect(list.body).toEqual({ data: expect.any(Array), nextCursor: null });
      expectProblem(await post('/v1/sync-failures/sf_unknown/retry', A.support), 404, 'not_found');
      expectProblem(await post('/v1/sync-failures/sf_unknown/retry', A.booking), 403, 'forbidden');
      expectProblem(await post('/v1/sync-failures/sf_unknown/resolve', A.support, { note: 'line\u2028break' }), 400, 'validation_error');
    });
  });

  describe('Booking rules', () => {
    it('consultation first: 422 consultation_required', async () => {
      const consult = await newService({ name: 'Consultation', durationMinutes: 15 });
      const perm = await newService({ name: 'Perm', requiresConsultation: true, consultationServiceId: consult });
      const cust = await newCustomer('Ida');
      const res = await post('/v1/bookings', A.booking, { branchId, serviceId: perm, customerId: cust, start: at(3, '16:00') });
      expectProblem(res, 422, 'booking_rule_violation');
      expect(res.body.violations).toEqual([{ rule: 'consultation_required', message: expect.any(String) }]);
    });

    it('every failing rule listed: minimum_notice and the like; no-show and complete only after the start', async () => {
      const sunday = await post('/v1/bookings', A.booking, { branchId, serviceId, customerId, staffId: anna, start: at(6, '10:00') });
      expectProblem(sunday, 422, 'booking_rule_violation');
      expect(sunday.body.violations.map((v: { rule: string }) => v.rule)).toEqual(expect.arrayContaining(['business_hours']));
      for (const v of sunday.body.violations) expect(Object.keys(v).sort()).toEqual(['message', 'rule']);
      const soon = DateTime.now().setZone(ZONE).plus({ minutes: 30 }).startOf('minute').toISO({ suppressMilliseconds: true });
      const early = await post('/v1/bookings', A.booking, { branchId, serviceId, customerId, staffId: anna, start: soon });
      expectProblem(early, 422, 'booking_rule_violation');
      expect(early.body.violations.map((v: { rule: string }) => v.rule)).toContain('minimum_notice');
      const far = await post('/v1/bookings', A.booking, { branchId, serviceId, customerId, staffId: anna, start: monday.plus({ days: 120 }).set({ hour: 10 }).toISO() });
      expect(far.body.violations.map((v: { rule: string }) => v.rule)).toContain('max_advance');
      const b = await post('/v1/bookings', A.booking, { branchId, serviceId, customerId, staffId: anna, start: at(3, '09:00') });
      expect(b.status).toBe(201);
      expectProblem(await post(`/v1/bookings/${b.body.id}/complete`, A.booking), 409, 'invalid_state');
      expectProblem(await post(`/v1/bookings/${b.body.id}/no-show`, A.booking), 409, 'invalid_state');
    });

    it('reschedule keeps idempotency and counts; 404 for another company', async () => {
      const b = await post('/v1/bookings', A.booking, { branchId, serviceId, customerId, staffId: anna, start: at(3, '10:00') });
      expect(b.status).toBe(201);
      const key = `resched-${Date.now()}`;
      const one = await request(app).post(`/v1/bookings/${b.body.id}/reschedule`).set(A.booking).set('Idempotency-Key', key).send({ start: at(3, '11:00') });
      expect(one.status).toBe(200);
      expect(one.body).toMatchObject({ start: at(3, '11:00'), rescheduledCount: 1 });
      const two = await request(app).post(`/v1/bookings/${b.body.id}/reschedule`).set(A.booking).set('Idempotency-Key', key).send({ start: at(3, '11:00') });
      expect(two.headers['idempotent-replayed']).toBe('true');
      expect(two.body.rescheduledCount).toBe(1);
      expectProblem(await request(app).post(`/v1/bookings/${b.body.id}/reschedule`).set(A.booking).set('Idempotency-Key', key).send({ start: at(3, '12:00') }), 422, 'idempotency_key_reused');
      expectProblem(await post(`/v1/bookings/${b.body.id}/reschedule`, B, { start: at(3, '12:00') }), 404, 'not_found');
      const history = (await get(`/v1/bookings/${b.body.id}`, A.booking)).body.history;
      expect(history.length).toBeGreaterThan(0);
      for (const h of history) expect(Object.keys(h)).toEqual(expect.arrayContaining(['at', 'event', 'detail']));
    });
  });

  describe('Reviews', () => {
    it('staff answers carry rating {average, count}; GET /v1/staff/:id/reviews lists them', async () => {
      const staff = await get(`/v1/staff/${anna}`, A.pub);
      expect(staff.body.rating).toEqual({ average: null, count: 0 });
      const reviews = await get(`/v1/staff/${anna}/reviews`, A.manager);
      expect(reviews.status).toBe(200);
      expect(reviews.body).toEqual({ data: [], nextCursor: null });
    });
  });

  describe('Limits of input', () => {
    it('a body over the size limit is 413 payload_too_large', async () => {
      const res = await post('/v1/customers', A.manager, { name: 'x', notes: 'y'.repeat(2_000_000) });
      expectProblem(res, 413, 'payload_too_large');
    });
  });

  /** Every string of `value` that looks like an instant (date, 'T', time, zone). */
  function instantsIn(value: unknown, path = '$', out: Array<[string, string]> = []): Array<[string, string]> {
    if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) out.push([path, value]);
    else if (Array.isArray(value)) value.forEach((v, i) => instantsIn(v, `${path}[${i}]`, out));
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) instantsIn(v, `${path}.${k}`, out);
    return out;
  }
  /** API.md: output instants are rendered in the branch's offset (Berlin: +01:00 or +02:00, never Z). */
  function expectBranchOffsets(label: string, body: unknown, someExpected = true): void {
    const found = instantsIn(body);
    if (someExpected) expect(found.length).toBeGreaterThan(0);
    // A customer belongs to the company, not to a branch: its own instants are not judged here.
    const wrong = found.filter(([path, v]) => !/\.customer\./.test(path) && !/[+-]0[12]:00$/.test(v));
    expect({ label, wrong }).toEqual({ label, wrong: [] });
  }

  describe('Output instants in the branch offset', () => {
    it('bookings, reservations, time off, waiting list, series, notifications, self-service', async () => {
      const b = await post('/v1/bookings', A.booking, { branchId, serviceId, customerId, staffId: ben, start: at(4, '10:00') });
      expect(b.status).toBe(201);
      expectBranchOffsets('booking', b.body);
      expectBranchOffsets('booking read', (await get(`/v1/bookings/${b.body.id}?expand=customer,service,staff`, A.booking)).body);
      expectBranchOffsets('booking list', (await get(`/v1/bookings?branchId=${branchId}&limit=5`, A.booking)).body);
      await eventually(async () => ((await get(`/v1/bookings/${b.body.id}/notifications`, A.booking)).body.data.length > 0 ? true : undefined));
      expectBranchOffsets('notifications', (await get(`/v1/bookings/${b.body.id}/notifications`, A.booking)).body, false);
      const r = await post('/v1/reservations', A.pub, { branchId, serviceId, staffId: ben, start: at(4, '12:00') });
      expectBranchOffsets('reservation', r.body);
      expectBranchOffsets('reservation read', (await get(`/v1/reservations/${r.body.id}`, A.pub)).body);
      const t = await post(`/v1/staff/${ben}/time-off`, A.manager, { start: '2027-01-20T08:00:00Z', end: '2027-01-20T09:00:00Z' });
      expect(t.body.start).toBe('2027-01-20T09:00:00+01:00');
      expectBranchOffsets('time off', t.body);
      const w = await post('/v1/waiting-list', A.booking, { branchId, serviceId, customerId, from: date(0), to: date(0) });
      expectBranchOffsets('waiting list', w.body);
      expectBranchOffsets('waiting list read', (await get(`/v1/waiting-list/${w.body.id}`, A.booking)).body);
      await del(`/v1/waiting-list/${w.body.id}`, A.booking);
      const series = (await get(`/v1/bookings?branchId=${branchId}&limit=200`, A.booking)).body.data.find((x: { seriesId: string | null }) => x.seriesId);
      if (series) expectBranchOffsets('series', (await get(`/v1/series/${series.seriesId}`, A.booking)).body);
    });
  });

  describe('Calendar links', () => {
    it('calcomUserId / calcomEventTypeId unknown to the account: 422 calendar_link_invalid; unknown connection id on a branch: 404', async () => {
      expectProblem(await post('/v1/staff', A.manager, { branchId, name: 'Zoe', languages: [], skills: [], workingHours: {}, calcomUserId: 987654 }), 422, 'calendar_link_invalid');
      expectProblem(await patch(`/v1/services/${serviceId}`, A.manager, { calcomEventTypeId: 987654 }), 422, 'calendar_link_invalid');
      expectProblem(await patch(`/v1/branches/${branchId}`, A.manager, { calendarConnectionId: 'cal_unknown' }), 404, 'not_found');
      expectProblem(await post('/v1/branches', A.manager, { name: 'X', timezone: ZONE, operatingHours: {}, calendarConnectionId: 'cal_unknown' }), 404, 'not_found');
    });
  });

  describe('Admin', () => {
    it('a company answers {id, name, apiKey}; its currency defaults to EUR', async () => {
      const res = await request(app).post('/v1/admin/companies').set('Authorization', `Bearer ${ADMIN_KEY}`).send({ name: 'Defaults AG' });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ id: expect.any(String), name: 'Defaults AG', apiKey: expect.any(String), country: 'DE', currency: 'EUR' });
    });
  });

  describe('Assignment and alternatives', () => {
    it('auto-assignment picks the staff member with the fewest bookings that day; alternatives nearest first, same staff first', async () => {
      const day = 8;
      const first = await post('/v1/bookings', A.booking, { branchId, serviceId, customerId, staffId: anna, start: at(day, '09:00') });
      expect(first.status).toBe(201);
      const auto = await post('/v1/bookings', A.booking, { branchId, serviceId, customerId, start: at(day, '11:00') });
      expect(auto.status).toBe(201);
      expect(auto.body.staffId).toBe(ben);
      const clash = await post('/v1/bookings', A.booking, { branchId, serviceId, customerId, staffId: anna, start: at(day, '09:00') });
      expectProblem(clash, 409, 'slot_unavailable');
      expect(clash.body.alternatives.length).toBeGreaterThan(0);
      expect(clash.body.alternatives.length).toBeLessThanOrEqual(5);
      expect(clash.body.alternatives[0]).toMatchObject({ staffId: anna, staffName: 'Anna' });
      expect(clash.body.alternatives[0].start.slice(0, 10)).toBe(date(day));
    });

    it('explain names the reasons', async () => {
      const q = (start: string, staffId = anna) => get(`/v1/availability/explain?branchId=${branchId}&serviceId=${serviceId}&staffId=${staffId}&start=${encodeURIComponent(start)}`, A.booking);
      const sunday = await q(at(6, '10:00'));
      expect(sunday.status).toBe(200);
      expect(sunday.body.available).toBe(false);
      expect(sunday.body.reasons.map((r: { code: string }) => r.code)).toEqual(expect.arrayContaining(['branch_closed']));
      const busy = await q(at(8, '09:00'));
      expect(busy.body.reasons).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'staff_busy', staffId: anna, message: expect.any(String) })]));
      const late = await q(at(0, '19:00'));
      expect(late.body.reasons.map((r: { code: string }) => r.code)).toContain('outside_business_hours');
    });
  });

  describe('Groups, flexible lengths, preferences, held slots', () => {
    it('group: size is the number of participants; outside the group settings 422 group_size; without group settings 422', async () => {
      const svc = await newService({ name: 'Workshop', group: { minParticipants: 2, maxParticipants: 3 } });
      const two = [{ name: 'P1', email: 'p1@example.test' }, { name: 'P2' }];
      const ok = await post('/v1/bookings', A.booking, { branchId, serviceId: svc, customerId, staffId: anna, start: at(9, '09:00'), participants: two });
      expect(ok.status).toBe(201);
      expect(ok.body.participants).toEqual([expect.objectContaining({ name: 'P1', email: 'p1@example.test' }), expect.objectContaining({ name: 'P2' })]);
      const four = [...two, { name: 'P3' }, { name: 'P4' }];
      const big = await post('/v1/bookings', A.booking, { branchId, serviceId: svc, customerId, staffId: ben, start: at(9, '09:00'), participants: four });
      expectProblem(big, 422, 'booking_rule_violation');
      expect(big.body.violations.map((v: { rule: string }) => v.rule)).toContain('group_size');
      const notGroup = await post('/v1/bookings', A.booking, { branchId, serviceId, customerId, staffId: ben, start: at(9, '11:00'), participants: two });
      expectProblem(notGroup, 422, 'booking_rule_violation');
      expect(notGroup.body.violations.map((v: { rule: string }) => v.rule)).toContain('group_size');
    });

    it('flexible: durationMinutes within the bounds; availability honours it', async () => {
      const svc = await newService({ name: 'Coaching', category: 'flexible', durationMinutes: 30, flexible: { minMinutes: 30, maxMinutes: 90, stepMinutes: 30 } });
      const res = await get(`/v1/availability?branchId=${branchId}&serviceId=${svc}&staffId=${anna}&from=${date(10)}&to=${date(10)}&durationMinutes=90`, A.booking);
      expect(res.status).toBe(200);
      expect(res.body.days[0].slots[0]).toMatchObject({ start: at(10, '09:00'), end: at(10, '10:30') });
      const booked = await post('/v1/bookings', A.booking, { branchId, serviceId: svc, customerId, staffId: anna, start: at(10, '09:00'), durationMinutes: 60 });
      expect(booked.status).toBe(201);
      expect(booked.body.end).toBe(at(10, '10:00'));
      const odd = await post('/v1/bookings', A.booking, { branchId, serviceId: svc, customerId, staffId: anna, start: at(10, '13:00'), durationMinutes: 45 });
      expect([400, 422]).toContain(odd.status);
    });

    it('preferences: gender and language filter availability and auto-assignment', async () => {
      const res = await get(`/v1/availability?branchId=${branchId}&serviceId=${serviceId}&from=${date(11)}&to=${date(11)}&gender=female`, A.booking);
      for (const slot of res.body.days[0].slots) expect(slot.staffIds).toEqual([anna]);
      const none = await get(`/v1/availability?branchId=${branchId}&serviceId=${serviceId}&from=${date(11)}&to=${date(11)}&language=fr`, A.booking);
      expect(none.body.days[0].slots).toEqual([]);
      const auto = await post('/v1/bookings', A.booking, { branchId, serviceId, customerId, start: at(11, '09:00'), preferences: { gender: 'male' } });
      expect(auto.status).toBe(201);
      expect(auto.body.staffId).toBe(ben);
    });

    it('a reserved slot is offered to nobody else; another company’s reservation is unknown (409 reservation_expired)', async () => {
      const held = await post('/v1/reservations', A.pub, { branchId, serviceId, staffId: anna, start: at(11, '14:00') });
      expect(held.status).toBe(201);
      const direct = await post('/v1/bookings', A.booking, { branchId, serviceId, customerId, staffId: anna, start: at(11, '14:00') });
      expectProblem(direct, 409, 'slot_unavailable');
      const foreign = await post('/v1/bookings', B, { reservationId: held.body.id, customerId: stack.catalog.customerId });
      expectProblem(foreign, 409, 'reservation_expired');
      expect(JSON.stringify(foreign.body)).not.toContain(anna);
      expectProblem(await del(`/v1/reservations/${held.body.id}`, B), 404, 'not_found');
      expect((await del(`/v1/reservations/${held.body.id}`, A.booking)).status).toBe(200);
      expect((await post('/v1/bookings', A.booking, { branchId, serviceId, customerId, staffId: anna, start: at(11, '14:00') })).status).toBe(201);
    });

    it('self-service rules bind the token, not company keys: maxReschedules', async () => {
      await patch(`/v1/branches/${branchId}`, A.manager, { rules: { maxReschedules: 1, minimumNoticeMinutes: 0 } });
      try {
        const held = await post('/v1/reservations', A.pub, { branchId, serviceId, staffId: ben, start: at(14, '09:00') });
        expect(held.status).toBe(201);
        const created = await post('/v1/public/bookings', A.pub, { reservationId: held.body.id, customer: { name: 'Jan', email: `jan-${Date.now()}@example.test` } });
        expect(created.status).toBe(201);
        const token = created.body.manageUrl.split('/b/')[1];
        expect((await request(app).post(`/v1/public/bookings/${token}/reschedule`).send({ start: at(14, '10:00') })).status).toBe(200);
        const second = await request(app).post(`/v1/public/bookings/${token}/reschedule`).send({ start: at(14, '11:00') });
        expectProblem(second, 422, 'booking_rule_violation');
        expect(second.body.violations.map((v: { rule: string }) => v.rule)).toEqual(['max_reschedules']);
        const byKey = await post(`/v1/bookings/${created.body.id}/reschedule`, A.booking, { start: at(14, '11:00') });
        expect(byKey.status).toBe(200);
        expect(byKey.body.rescheduledCount).toBe(2);
      } finally {
        await patch(`/v1/branches/${branchId}`, A.manager, { rules: { maxReschedules: 3, minimumNoticeMinutes: 120 } });
      }
    });
  });

  describe('Explain codes and rule names', () => {
    it('explain: staff_time_off, staff_not_working, skill_mismatch, minimum_notice, max_advance, resource_unavailable', async () => {
      const cleo = await post('/v1/staff', A.manager, { branchId, name: 'Cleo', languages: ['en'], skills: [], workingHours: { monday: [{ start: '09:00', end: '18:00' }] } });
      expect(cleo.status).toBe(201);
      const off = await post(`/v1/staff/${anna}/time-off`, A.manager, { start: at(15, '09:00'), end: at(15, '12:00') });
      expect(off.status).toBe(201);
      const explain = async (start: string, staffId?: string, svc = serviceId) => {
        const res = await get(`/v1/availability/explain?branchId=${branchId}&serviceId=${svc}&start=${encodeURIComponent(start)}${staffId ? `&staffId=${staffId}` : ''}`, A.booking);
        expect(res.status).toBe(200);
        return res.body.reasons.map((r: { code: string }) => r.code) as string[];
      };
      const log: Record<string, string[]> = {};
      log.timeOff = await explain(at(15, '10:00'), anna);
      log.notWorking = await explain(at(16, '10:00'), cleo.body.id);
      log.skill = await explain(at(14, '10:00'), cleo.body.id);
      log.notice = await explain(DateTime.now().setZone(ZONE).plus({ minutes: 20 }).startOf('minute').toISO() as string, anna);
      log.advance = await explain(monday.plus({ days: 119 }).set({ hour: 10 }).toISO() as string, anna);
      const room = await post('/v1/resources', A.manager, { branchId, name: 'Room 1', kind: 'room' });
      expect(room.status).toBe(201);
      const roomSvc = await newService({ name: 'Sauna', resourceRequirements: [room.body.id] });
      const sauna = await post('/v1/bookings', A.booking, { branchId, serviceId: roomSvc, customerId, staffId: anna, start: at(16, '09:00') });
      expect(sauna.status).toBe(201);
      expect(sauna.body.resourceId).toBe(room.body.id);
      log.resource = await explain(at(16, '09:30'), ben, roomSvc);
      expect(log).toEqual({
        timeOff: expect.arrayContaining(['staff_time_off']),
        notWorking: expect.arrayContaining(['staff_not_working']),
        skill: expect.arrayContaining(['skill_mismatch']),
        notice: expect.arrayContaining(['minimum_notice']),
        advance: expect.arrayContaining(['max_advance']),
        resource: expect.arrayContaining(['resource_unavailable']),
      });
    });

    it('booking rules name staff_availability and max_daily_bookings', async () => {
      const res = await post('/v1/bookings', A.booking, { branchId, serviceId, customerId, staffId: anna, start: at(15, '10:00') });
      const rules = res.status === 422 ? res.body.violations.map((v: { rule: string }) => v.rule) : [];
      expect({ status: res.status, code: res.body.code, rules }).toEqual({ status: 422, code: 'booking_rule_violation', rules: expect.arrayContaining(['staff_availability']) });
      await patch(`/v1/staff/${ben}`, A.manager, { maxDailyBookings: 1 });
      try {
        expect((await post('/v1/bookings', A.booking, { branchId, serviceId, customerId, staffId: ben, start: at(17, '09:00') })).status).toBe(201);
        const second = await post('/v1/bookings', A.booking, { branchId, serviceId, customerId, staffId: ben, start: at(17, '13:00') });
        expectProblem(second, 422, 'booking_rule_violation');
        expect(second.body.violations.map((v: { rule: string }) => v.rule)).toContain('max_daily_bookings');
      } finally {
        await patch(`/v1/staff/${ben}`, A.manager, { maxDailyBookings: null });
      }
    });
  });

  describe('Bodies of actions', () => {
    it('actions without a body: no body, an empty JSON body, or {} are all accepted', async () => {
      const make = async (hm: string) => {
        const res = await post('/v1/bookings', A.booking, { branchId, serviceId, customerId, staffId: anna, start: at(17, hm) });
        expect(res.status).toBe(201);
        return res.body.id as string;
      };
      const bare = await request(app).post(`/v1/bookings/${await make('10:00')}/cancel`).set(A.booking);
      expect({ status: bare.status, body: bare.body.status ?? bare.body.code }).toEqual({ status: 200, body: 'cancelled' });
      const emptyJson = await request(app).post(`/v1/bookings/${await make('11:00')}/cancel`).set(A.booking).set('content-type', 'application/json');
      expect({ status: emptyJson.status, body: emptyJson.body.status ?? emptyJson.body.code }).toEqual({ status: 200, body: 'cancelled' });
      const viaFetch = await (async () => {
        const server = app.listen(0, '127.0.0.1');
        await new Promise((r) => server.once('listening', r));
        try {
          const { port } = server.address() as { port: number };
          const res = await fetch(`http://127.0.0.1:${port}/v1/bookings/${await make('12:00')}/cancel`, { method: 'POST', headers: { ...A.booking, 'content-type': 'application/json' } });
          return { status: res.status, body: ((await res.json()) as { status?: string; code?: string }) };
        } finally {
          await new Promise((r) => server.close(r));
        }
      })();
      expect({ status: viaFetch.status, body: viaFetch.body.status ?? viaFetch.body.code }).toEqual({ status: 200, body: 'cancelled' });
    });
  });

  describe('References to another company', () => {
    it('ids of another company in bodies and queries are 404s and never leak its data', async () => {
      const b = stack.catalog;
      const cases: Array<[string, Promise<request.Response>]> = [
        ['booking: branch', post('/v1/bookings', A.booking, { branchId: b.branchId, serviceId, customerId, start: at(1, '09:00') })],
        ['booking: service', post('/v1/bookings', A.booking, { branchId, serviceId: b.serviceId, customerId, start: at(1, '09:00') })],
        ['booking: customer', post('/v1/bookings', A.booking, { branchId, serviceId, customerId: b.customerId, start: at(1, '09:00') })],
        ['booking: staff', post('/v1/bookings', A.booking, { branchId, serviceId, customerId, staffId: b.staff.anna, start: at(1, '09:00') })],
        ['reservation: staff', post('/v1/reservations', A.booking, { branchId, serviceId, staffId: b.staff.anna, start: at(1, '09:00') })],
        ['series: customer', post('/v1/series', A.booking, { branchId, serviceId, customerId: b.customerId, start: at(1, '09:00'), recurrence: { frequency: 'weekly', count: 2 } })],
        ['waiting list: customer', post('/v1/waiting-list', A.booking, { branchId, serviceId, customerId: b.customerId, from: date(1), to: date(1) })],
        ['staff: branch', post('/v1/staff', A.manager, { branchId: b.branchId, name: 'X', languages: [], skills: [], workingHours: {} })],
        ['service: branch', post('/v1/services', A.manager, { branchId: b.branchId, name: 'X', durationMinutes: 30 })],
        ['service: package member', post('/v1/services', A.manager, { branchId, name: 'X', durationMinutes: 30, category: 'package', packageServiceIds: [b.serviceId] })],
        ['resource: branch', post('/v1/resources', A.manager, { branchId: b.branchId, name: 'X' })],
        ['availability: service', get(`/v1/availability?branchId=${branchId}&serviceId=${b.serviceId}&from=${date(1)}&to=${date(1)}`, A.booking)],
        ['availability: staff', get(`/v1/availability?branchId=${branchId}&serviceId=${serviceId}&staffId=${b.staff.anna}&from=${date(1)}&to=${date(1)}`, A.booking)],
        ['next: branch', get(`/v1/availability/next?branchId=${b.branchId}&serviceId=${serviceId}`, A.booking)],
        ['analytics: branch', get(`/v1/analytics?branchId=${b.branchId}&from=${date(0)}&to=${date(1)}`, A.manager)],
        ['time off: staff', post(`/v1/staff/${b.staff.anna}/time-off`, A.manager, { start: at(1, '09:00'), end: at(1, '10:00') })],
      ];
      const answers = await Promise.all(cases.map(async ([label, call]) => {
        const res = await call;
        return { label, status: res.status, code: res.body.code, leaks: JSON.stringify(res.body).includes('Carla') || JSON.stringify(res.body).includes(b.staff.ben) };
      }));
      expect(answers.filter((a) => a.status !== 404 || a.code !== 'not_found' || a.leaks)).toEqual([]);
    });
  });

  describe('Operations', () => {
    it('a page on another origin may call with a publishable key (CORS without credentials)', async () => {
      const origin = 'https://salon.example';
      const preflight = await request(app).options('/v1/reservations').set('Origin', origin)
        .set('Access-Control-Request-Method', 'POST').set('Access-Control-Request-Headers', 'authorization, content-type, idempotency-key');
      expect(preflight.status).toBe(204);
      expect(preflight.headers['access-control-allow-origin']).toBe('*');
      expect(preflight.headers['access-control-allow-methods']).toMatch(/POST/);
      expect(preflight.headers['access-control-allow-headers']).toMatch(/Authorization/i);
      expect(preflight.headers['access-control-allow-headers']).toMatch(/Idempotency-Key/i);
      const read = await request(app).get(`/v1/availability?branchId=${branchId}&serviceId=${serviceId}&from=${date(0)}&to=${date(0)}`).set(A.pub).set('Origin', origin);
      expect(read.status).toBe(200);
      expect(read.headers['access-control-allow-origin']).toBe('*');
      expect(read.headers['access-control-expose-headers']).toMatch(/X-Cache/);
      expect(read.headers['access-control-expose-headers']).toMatch(/\bETag\b/);
      expect(read.headers['access-control-allow-credentials']).toBeUndefined();
      const refused = await request(app).get('/v1/customers').set(A.pub).set('Origin', origin);
      expect(refused.status).toBe(403);
      expect(refused.headers['access-control-allow-origin']).toBe('*');
      // Not a preflight: OPTIONS keeps its 405 with Allow.
      expect((await request(app).options('/v1/branches').set(A.manager)).status).toBe(405);
    });

    it('an unknown /v1 path is a 404 problem', async () => {
      const res = await get('/v1/nothing-here', A.manager);
      expectProblem(res, 404, 'not_found');
    });

    it('healthz, openapi without a key; readyz names each check', async () => {
      expect((await request(app).get('/healthz')).status).toBe(200);
      const doc = await request(app).get('/openapi.json');
      expect(doc.status).toBe(200);
      expect(doc.body.openapi).toMatch(/^3\.1/);
      for (const p of ['/v1/staff/{id}/time-off/{timeOffId}', '/v1/webhook-endpoints/{id}/deliveries', '/v1/webhook-endpoints/{id}/deliveries/{deliveryId}/retry', '/v1/calendar-connections/{id}/reconcile', '/v1/public/bookings', '/v1/public/bookings/{token}/reschedule', '/v1/customers/find-or-create', '/v1/api-keys/{id}', '/v1/bookings/{id}/approve', '/v1/bookings/{id}/notifications', '/v1/webhooks/calcom/{connectionId}']) {
        expect(Object.keys(doc.body.paths)).toContain(p);
      }
    });
  });

  describe('The document', () => {
    it('every answer above matched the OpenAPI document the server serves', () => {
      expect(conformance.checked.length).toBeGreaterThan(200);
      expect(conformance.findings).toEqual([]);
    });
  });
});
