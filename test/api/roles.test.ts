/**
 * The roles of API.md "Roles and keys" beyond the route matrix (test/api/route-matrix.test.ts):
 * what booking and public keys see of the catalog, what a booking key may change on a customer,
 * publishable key prefixes, and DELETE /v1/api-keys/:id refused by every API process within 2 s
 * (two apps, each with its own key cache and its own Redis subscription, as two processes have;
 * and an app without Redis, which relies on its short key cache).
 */
import request from 'supertest';
import pino from 'pino';
import { createApp } from '../../api/app';
import { createRevocationBus, type RevocationBus } from '../../infra/cache/revocation-bus';
import { connectBranchViaApi, type EmulatorAccountInfo } from '../harness/calendar-link';
import { createBranch, createCompany, createKey, startApiHarness, type ApiHarness, type TestCompany } from './api-harness';

let h: ApiHarness;
let company: TestCompany;
let booking: { Authorization: string };
let support: { Authorization: string };
let account: EmulatorAccountInfo;
let publicKey: { Authorization: string };
let branchId: string;
let staffId: string;
let serviceId: string;

beforeAll(async () => {
  h = await startApiHarness();
  company = await createCompany(h.app, 'Roles Co');
  booking = await createKey(h.app, company, 'booking');
  support = await createKey(h.app, company, 'support');
  publicKey = await createKey(h.app, company, 'public');
  branchId = (await createBranch(h.app, company)).id;
  // Cal.com ids are accepted only from the company's own account (an emulator account here).
  ({ account } = await connectBranchViaApi(h.app, company.auth, branchId));
  const staff = await request(h.app).post('/v1/staff').set(company.auth)
    .send({ branchId, name: 'Lea', email: 'lea@staff.example', calcomUserId: account.userIds[1], workingHours: {} });
  expect(staff.status).toBe(201);
  staffId = staff.body.id;
  const service = await request(h.app).post('/v1/services').set(company.auth)
    .send({ branchId, name: 'Cut', durationMinutes: 30, category: 'fixed', calcomEventTypeId: account.eventTypeIds[1] });
  expect(service.status).toBe(201);
  serviceId = service.body.id;
});
afterAll(() => h.close());

describe('catalog reads', () => {
  it('booking and public keys read branches, services and staff without e-mails or Cal.com ids', async () => {
    for (const auth of [booking, publicKey]) {
      const staffList = await request(h.app).get(`/v1/staff?branchId=${branchId}`).set(auth);
      const staffOne = await request(h.app).get(`/v1/staff/${staffId}`).set(auth);
      const services = await request(h.app).get('/v1/services').set(auth);
      const serviceOne = await request(h.app).get(`/v1/services/${serviceId}`).set(auth);
      const branch = await request(h.app).get(`/v1/branches/${branchId}`).set(auth);
      for (const res of [staffList, staffOne, services, serviceOne, branch]) expect(res.status).toBe(200);
      expect(staffOne.body).toMatchObject({ id: staffId, name: 'Lea' });
      expect(serviceOne.body).toMatchObject({ id: serviceId, name: 'Cut', durationMinutes: 30 });
      const text = JSON.stringify([staffList.body, staffOne.body, services.body, serviceOne.body, branch.body]);
      expect(text).not.toContain('lea@staff.example');
      expect(text).not.toMatch(/calcomUserId|calcomEventTypeId|calendarConnectionId|"email":/); // a field, not the "email" reminder channel
    }
  });

  it('managers and support see every field', async () => {
    for (const auth of [company.auth, support]) {
      const staff = await request(h.app).get(`/v1/staff/${staffId}`).set(auth);
      expect(staff.body).toMatchObject({ email: 'lea@staff.example', calcomUserId: account.userIds[1] });
      const service = await request(h.app).get(`/v1/services/${serviceId}`).set(auth);
      expect(service.body).toMatchObject({ calcomEventTypeId: account.eventTypeIds[1] });
    }
  });
});

describe('customers and a booking key', () => {
  it('changes name, phone, language and timezone; never the e-mail or the block', async () => {
    const created = await request(h.app).post('/v1/customers').set(company.auth).send({ name: 'Ann', email: 'ann@example.test' });
    const id = created.body.id as string;
    await request(h.app).post(`/v1/customers/${id}/block`).set(company.auth).send({ reason: 'no-shows' }).expect(200);

    const patched = await request(h.app).patch(`/v1/customers/${id}`).set(booking)
      .send({ name: 'Ann B', phone: '+4930123456', language: 'de', timezone: 'Europe/Berlin' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'Ann B', language: 'de', email: 'ann@example.test' });

    const repoint = await request(h.app).patch(`/v1/customers/${id}`).set(booking).send({ email: 'attacker@evil.test' });
    expect(repoint.status).toBe(403);
    const mixed = await request(h.app).patch(`/v1/customers/${id}`).set(booking).send({ name: 'X', email: 'attacker@evil.test' });
    expect(mixed.status).toBe(403);
    expect((await request(h.app).post(`/v1/customers/${id}/unblock`).set(booking).send({})).status).toBe(403);
    expect((await request(h.app).post(`/v1/customers/${id}/block`).set(booking).send({})).status).toBe(403);

    const stored = await h.db.customer.findUniqueOrThrow({ where: { id } });
    expect(stored).toMatchObject({ name: 'Ann B', email: 'ann@example.test', blocked: true, blockedReason: 'no-shows' });
    // A manager still may.
    expect((await request(h.app).patch(`/v1/customers/${id}`).set(company.auth).send({ email: 'ann2@example.test' })).status).toBe(200);
  });
});

describe('public keys', () => {
  it('are publishable (pk_live_) and reach the catalog and availability only', async () => {
    expect(publicKey.Authorization).toMatch(/^Bearer pk_live_/);
    expect(booking.Authorization).toMatch(/^Bearer sk_live_/);
    const list = await request(h.app).get('/v1/api-keys').set(company.auth);
    expect(list.body.data.find((k: { role: string }) => k.role === 'public').prefix).toMatch(/^pk_live_/);
    for (const [method, path] of [['get', '/v1/customers'], ['post', '/v1/customers'], ['get', '/v1/bookings'], ['post', '/v1/bookings'], ['get', '/v1/sync-failures'], ['get', '/v1/api-keys']] as const) {
      expect([method, path, (await request(h.app)[method](path).set(publicKey).send({})).status]).toEqual([method, path, 403]);
    }
    const availability = await request(h.app).get(`/v1/availability?branchId=${branchId}&serviceId=${serviceId}&from=2030-01-07&to=2030-01-07`).set(publicKey);
    expect(availability.status).not.toBe(403);
  });
});

describe('DELETE /v1/api-keys/:id', () => {
  const logger = pino({ level: 'silent' });
  const buses: RevocationBus[] = [];
  afterAll(async () => Promise.all(buses.map((b) => b.close())));

  async function liveBus(): Promise<RevocationBus> {
    const bus = createRevocationBus({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', logger });
    buses.push(bus);
    const deadline = Date.now() + 5000;
    while (!bus.isLive()) {
      if (Date.now() > deadline) throw new Error('revocation bus did not subscribe');
      await new Promise((r) => setTimeout(r, 20));
    }
    return bus;
  }

  it('revokes: 200 {id, revokedAt}, and two API processes refuse the key within 2 s; one without Redis too', async () => {
    const apiA = createApp({ ...h.deps, revocations: await liveBus() });
    const apiB = createApp({ ...h.deps, revocations: await liveBus() });
    const apiNoRedis = createApp({ ...h.deps, revocations: undefined });
    const key = await createKey(h.app, company, 'booking');
    // Every process has the key in its cache.
    for (const app of [apiA, apiB, apiNoRedis]) expect((await request(app).get('/v1/customers').set(key)).status).toBe(200);

    const keyId = (await h.db.apiKey.findFirstOrThrow({ where: { companyId: company.id, revokedAt: null, name: 'booking key' }, orderBy: { createdAt: 'desc' } })).id;
    const revoked = await request(apiA).delete(`/v1/api-keys/${keyId}`).set(company.auth);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toEqual({ id: keyId, revokedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) });
    const at = Date.now();

    for (const app of [apiA, apiB, apiNoRedis]) {
      let status = 0;
      while (Date.now() - at < 2000) {
        status = (await request(app).get('/v1/customers').set(key)).status;
        if (status === 401) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(status).toBe(401);
    }
    expect(Date.now() - at).toBeLessThan(2000);
    // The processes with a live bus refused at once (not after the fallback TTL).
    expect((await request(apiB).get('/v1/customers').set(key)).status).toBe(401);

    // Idempotent; another company's key or an unknown id is a 404; only managers may.
    const again = await request(apiB).delete(`/v1/api-keys/${keyId}`).set(company.auth);
    expect(again.body).toEqual(revoked.body);
    const other = await createCompany(h.app, 'Other Co');
    expect((await request(h.app).delete(`/v1/api-keys/${keyId}`).set(other.auth)).status).toBe(404);
    expect((await request(h.app).delete('/v1/api-keys/key_nope').set(company.auth)).status).toBe(404);
    expect((await request(h.app).delete(`/v1/api-keys/${keyId}`).set(booking)).status).toBe(403);
    expect((await request(h.app).delete(`/v1/api-keys/${keyId}`).set(support)).status).toBe(403);
  });

  it('a process with a live bus refuses at once, before its fallback TTL could expire', async () => {
    const apiA = createApp({ ...h.deps, revocations: await liveBus() });
    const apiB = createApp({ ...h.deps, revocations: await liveBus() });
    const key = await createKey(h.app, company, 'support');
    expect((await request(apiB).get('/v1/customers').set(key)).status).toBe(200);
    const row = await h.db.apiKey.findFirstOrThrow({ where: { companyId: company.id, role: 'support', revokedAt: null }, orderBy: { createdAt: 'desc' } });
    await request(apiA).delete(`/v1/api-keys/${row.id}`).set(company.auth).expect(200);
    const at = Date.now();
    let status = 0;
    while (Date.now() - at < 2000 && status !== 401) status = (await request(apiB).get('/v1/customers').set(key)).status;
    expect(status).toBe(401);
    expect(Date.now() - at).toBeLessThan(500);
  });
});

describe('booking keys and bookings in the past', () => {
  async function bookingAt(start: Date): Promise<string> {
    const customer = await request(h.app).post('/v1/customers').set(company.auth).send({ name: 'Past Pete' });
    const id = `bkg_past_${Math.random().toString(36).slice(2)}`;
    await h.db.booking.create({
      data: {
        id, companyId: company.id, branchId, serviceId, customerId: customer.body.id, staffId, startAt: start,
        endAt: new Date(start.getTime() + 30 * 60_000), blockedStart: start, blockedEnd: new Date(start.getTime() + 30 * 60_000), status: 'confirmed',
      },
    });
    return id;
  }

  it('may not cancel a booking that has started (403, unchanged); a manager key passes that check', async () => {
    const past = await bookingAt(new Date(Date.now() - 2 * 3_600_000));
    const refused = await request(h.app).post(`/v1/bookings/${past}/cancel`).set(booking).send({ reason: 'oops' });
    expect([refused.status, refused.body.code]).toEqual([403, 'forbidden']);
    expect((await h.db.booking.findUniqueOrThrow({ where: { id: past } })).status).toBe('confirmed');
    // This app has no Temporal client: passing the role check ends in 503 dependency_unavailable.
    expect((await request(h.app).post(`/v1/bookings/${past}/cancel`).set(company.auth).send({})).status).toBe(503);
    const future = await bookingAt(new Date(Date.now() + 48 * 3_600_000));
    expect((await request(h.app).post(`/v1/bookings/${future}/cancel`).set(booking).send({})).status).toBe(503);
  });
});

describe('production', () => {
  it('refuses the demo company\'s well-known keys even when the database holds them', async () => {
    const { hashApiKey, apiKeyDisplayPrefix } = await import('../../infra/db/api-keys');
    const { DEMO_API_KEYS } = await import('../../infra/config');
    const demo = company.id; // any company will do: the point is a stored row with the well-known secret
    await h.db.apiKey.deleteMany({ where: { keyHash: hashApiKey(DEMO_API_KEYS.booking) } });
    await h.db.apiKey.create({
      data: { id: `key_demo_${Date.now()}`, companyId: demo, name: 'demo', role: 'booking', keyHash: hashApiKey(DEMO_API_KEYS.booking), prefix: apiKeyDisplayPrefix(DEMO_API_KEYS.booking) },
    });
    const auth = { Authorization: `Bearer ${DEMO_API_KEYS.booking}` };
    expect((await request(h.app).get('/v1/customers').set(auth)).status).toBe(200);
    const prod = createApp({ ...h.deps, config: { ...h.deps.config, nodeEnv: 'production' } });
    expect((await request(prod).get('/v1/customers').set(auth)).status).toBe(401);
    await h.db.apiKey.deleteMany({ where: { keyHash: hashApiKey(DEMO_API_KEYS.booking) } });
  });
});
