/**
 * Authentication, roles and tenant scoping through the real app and PostgreSQL (API.md "Auth"):
 * missing/unknown/revoked keys 401, keys of the wrong kind or role 403 (and nothing written),
 * another company's ids 404 on every resource kind, lists that never leak another company's rows.
 */
import request from 'supertest';
import { ADMIN_KEY, createBranch, createCompany, createKey, errorPaths, startApiHarness, type ApiHarness, type TestCompany } from './api-harness';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness();
});
afterAll(async () => {
  await h.close();
});

const admin = { Authorization: `Bearer ${ADMIN_KEY}` };

function expectProblem(res: request.Response, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, code, type: expect.any(String), title: expect.any(String) });
}

describe('authentication', () => {
  it('401 without a key, with an unknown key, a malformed header or a revoked key', async () => {
    expectProblem(await request(h.app).get('/v1/branches'), 401, 'unauthenticated');
    expectProblem(await request(h.app).get('/v1/branches').set('Authorization', 'Bearer nope'), 401, 'unauthenticated');
    expectProblem(await request(h.app).get('/v1/branches').set('Authorization', `Basic ${ADMIN_KEY}`), 401, 'unauthenticated');
    expectProblem(await request(h.app).post('/v1/admin/companies').send({ name: 'X' }), 401, 'unauthenticated');

    const company = await createCompany(h.app, 'Revoked Co');
    const key = await request(h.app).post('/v1/api-keys').set(company.auth).send({ name: 'old', role: 'support' });
    await h.db.apiKey.update({ where: { id: key.body.id }, data: { revokedAt: new Date() } });
    expectProblem(await request(h.app).get('/v1/branches').set('Authorization', `Bearer ${key.body.apiKey}`), 401, 'unauthenticated');
  });

  it('the admin key creates companies and may call nothing else', async () => {
    const res = await request(h.app).post('/v1/admin/companies').set(admin).send({ name: 'Fresh' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.any(String), name: 'Fresh', country: 'DE', currency: 'EUR', apiKey: expect.any(String) });
    expect(await h.db.apiKey.count({ where: { companyId: res.body.id } })).toBe(1);
    const stored = await h.db.apiKey.findFirst({ where: { companyId: res.body.id } });
    expect(JSON.stringify(stored)).not.toContain(res.body.apiKey); // hashed only

    expectProblem(await request(h.app).get('/v1/branches').set(admin), 403, 'forbidden');
    expectProblem(await request(h.app).post('/v1/api-keys').set(admin).send({ name: 'x', role: 'manager' }), 403, 'forbidden');

    const bad = await request(h.app).post('/v1/admin/companies').set(admin).send({ name: '', extra: 1 });
    expectProblem(bad, 400, 'validation_error');
    expect(errorPaths(bad.body)).toEqual(['extra', 'name']);
  });

  it('company keys may not call /v1/admin', async () => {
    const company = await createCompany(h.app, 'No Admin');
    expectProblem(await request(h.app).post('/v1/admin/companies').set(company.auth).send({ name: 'Sneaky' }), 403, 'forbidden');
  });
});

describe('api keys and roles', () => {
  let company: TestCompany;
  let booking: { Authorization: string };
  let support: { Authorization: string };
  let branchId: string;

  beforeAll(async () => {
    company = await createCompany(h.app, 'Roles Co');
    booking = await createKey(h.app, company, 'booking');
    support = await createKey(h.app, company, 'support');
    branchId = (await createBranch(h.app, company)).id;
  });

  it('creates keys of each role and lists them without secrets', async () => {
    const res = await request(h.app).post('/v1/api-keys').set(company.auth).send({ name: 'Kiosk', role: 'booking' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.any(String), name: 'Kiosk', role: 'booking', apiKey: expect.any(String) });
    const list = await request(h.app).get('/v1/api-keys').set(company.auth);
    expect(list.status).toBe(200);
    expect(list.body.data.map((k: { role: string }) => k.role).sort()).toEqual(['booking', 'booking', 'manager', 'support']);
    expect(JSON.stringify(list.body)).not.toContain(res.body.apiKey);
    const bad = await request(h.app).post('/v1/api-keys').set(company.auth).send({ name: 7, role: 'owner' });
    expectProblem(bad, 400, 'validation_error');
    expect(errorPaths(bad.body)).toEqual(['name', 'role']);
  });

  it('booking keys reach customers, catalog reads (and the booking paths) only', async () => {
    expect((await request(h.app).post('/v1/customers').set(booking).send({ name: 'Ann' })).status).toBe(201);
    expect((await request(h.app).get('/v1/customers').set(booking)).status).toBe(200);
    expect((await request(h.app).get('/v1/branches').set(booking)).status).toBe(200);
    const before = await h.db.branch.count({ where: { companyId: company.id } });
    expectProblem(await request(h.app).post('/v1/branches').set(booking).send({}), 403, 'forbidden');
    expectProblem(await request(h.app).patch(`/v1/branches/${branchId}`).set(booking).send({ name: 'X' }), 403, 'forbidden');
    expectProblem(await request(h.app).post('/v1/services').set(booking).send({}), 403, 'forbidden');
    expectProblem(await request(h.app).post('/v1/api-keys').set(booking).send({ name: 'x', role: 'manager' }), 403, 'forbidden');
    expect(await h.db.branch.count({ where: { companyId: company.id } })).toBe(before);
  });

  it('support keys read everything and write nothing of the catalog', async () => {
    for (const path of ['/v1/branches', `/v1/branches/${branchId}`, '/v1/staff', '/v1/resources', '/v1/services', '/v1/customers', '/v1/api-keys']) {
      expect([path, (await request(h.app).get(path).set(support)).status]).toEqual([path, 200]);
    }
    expectProblem(await request(h.app).post('/v1/customers').set(support).send({ name: 'No' }), 403, 'forbidden');
    expectProblem(await request(h.app).patch(`/v1/branches/${branchId}`).set(support).send({ name: 'No' }), 403, 'forbidden');
    expectProblem(await request(h.app).post('/v1/api-keys').set(support).send({ name: 'x', role: 'manager' }), 403, 'forbidden');
    expect((await h.db.branch.findUnique({ where: { id: branchId } }))?.name).toBe('Mitte');
  });

  it('answers 404 for a path no route serves, whatever the role of the key (401 without one)', async () => {
    for (const auth of [company.auth, booking, support, admin]) {
      expectProblem(await request(h.app).get('/v1/no-such-thing').set(auth), 404, 'not_found');
      expectProblem(await request(h.app).post('/v1/no-such-thing/7').set(auth).send({}), 404, 'not_found');
    }
    expectProblem(await request(h.app).get(`/v1/branches/${branchId}/nothing-here`).set(support), 404, 'not_found');
    expectProblem(await request(h.app).get('/v1/no-such-thing'), 401, 'unauthenticated');
    // Paths match exactly as written (API.md): a trailing slash or another letter case is served by nothing.
    expectProblem(await request(h.app).get('/v1/branches/').set(booking), 404, 'not_found');
    expectProblem(await request(h.app).get('/v1/Branches').set(company.auth), 404, 'not_found');
    expectProblem(await request(h.app).get(`/v1/resources/${branchId}`).set(booking), 403, 'forbidden');
  });
});

describe('tenant scoping', () => {
  let mine: TestCompany;
  let theirs: TestCompany;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    mine = await createCompany(h.app, 'Mine');
    theirs = await createCompany(h.app, 'Theirs');
    await createBranch(h.app, mine);
    ids.branch = (await createBranch(h.app, theirs)).id;
    const post = async (path: string, body: object) => {
      const res = await request(h.app).post(path).set(theirs.auth).send(body);
      if (res.status !== 201) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.id as string;
    };
    ids.resource = await post('/v1/resources', { branchId: ids.branch, name: 'Room' });
    ids.staff = await post('/v1/staff', { branchId: ids.branch, name: 'Sam', workingHours: { monday: [{ start: '09:00', end: '17:00' }] } });
    ids.timeOff = await post(`/v1/staff/${ids.staff}/time-off`, { start: '2026-12-01T09:00:00+01:00', end: '2026-12-01T12:00:00+01:00' });
    ids.service = await post('/v1/services', { branchId: ids.branch, name: 'Cut', durationMinutes: 30 });
    ids.customer = await post('/v1/customers', { name: 'Eve' });
  });

  it('another company\'s ids are 404 on every resource kind, reads and writes alike', async () => {
    const attempts: Array<[string, request.Test]> = [
      ['GET branch', request(h.app).get(`/v1/branches/${ids.branch}`)],
      ['PATCH branch', request(h.app).patch(`/v1/branches/${ids.branch}`).send({ name: 'Mine now' })],
      ['GET resource', request(h.app).get(`/v1/resources/${ids.resource}`)],
      ['GET staff', request(h.app).get(`/v1/staff/${ids.staff}`)],
      ['PATCH staff', request(h.app).patch(`/v1/staff/${ids.staff}`).send({ name: 'Mine now' })],
      ['GET time off', request(h.app).get(`/v1/staff/${ids.staff}/time-off`)],
      ['POST time off', request(h.app).post(`/v1/staff/${ids.staff}/time-off`).send({ start: '2026-12-02T09:00:00Z', end: '2026-12-02T10:00:00Z' })],
      ['GET service', request(h.app).get(`/v1/services/${ids.service}`)],
      ['PATCH service', request(h.app).patch(`/v1/services/${ids.service}`).send({ name: 'Mine now' })],
      ['GET customer', request(h.app).get(`/v1/customers/${ids.customer}`)],
      ['PATCH customer', request(h.app).patch(`/v1/customers/${ids.customer}`).send({ name: 'Mine now' })],
      ['block customer', request(h.app).post(`/v1/customers/${ids.customer}/block`).send({})],
      ['unblock customer', request(h.app).post(`/v1/customers/${ids.customer}/unblock`).send({})],
      ['resource in their branch', request(h.app).post('/v1/resources').send({ branchId: ids.branch, name: 'R' })],
      ['staff in their branch', request(h.app).post('/v1/staff').send({ branchId: ids.branch, name: 'S', workingHours: {} })],
      ['service in their branch', request(h.app).post('/v1/services').send({ branchId: ids.branch, name: 'S', durationMinutes: 30 })],
    ];
    for (const [what, req] of attempts) {
      const res = await req.set(mine.auth);
      expect([what, res.status, res.body.code]).toEqual([what, 404, 'not_found']);
      expect(JSON.stringify(res.body)).not.toContain('Theirs');
    }
    expect((await h.db.branch.findUnique({ where: { id: ids.branch } }))?.name).toBe('Mitte');
    expect((await h.db.staff.findUnique({ where: { id: ids.staff } }))?.name).toBe('Sam');
    expect((await h.db.service.findUnique({ where: { id: ids.service } }))?.name).toBe('Cut');
    expect((await h.db.customer.findUnique({ where: { id: ids.customer } }))).toMatchObject({ name: 'Eve', blocked: false });
    expect(await h.db.staffTimeOff.count({ where: { staffId: ids.staff } })).toBe(1);
    expect(await h.db.resource.count({ where: { companyId: mine.id } })).toBe(0);
    expect(await h.db.staff.count({ where: { companyId: mine.id } })).toBe(0);
    expect(await h.db.service.count({ where: { companyId: mine.id } })).toBe(0);
  });

  it('unknown ids are 404 too', async () => {
    for (const path of ['/v1/branches/br_nope', '/v1/resources/res_nope', '/v1/staff/stf_nope', '/v1/staff/stf_nope/time-off', '/v1/services/svc_nope', '/v1/customers/cus_nope']) {
      const res = await request(h.app).get(path).set(mine.auth);
      expect([path, res.status, res.body.code]).toEqual([path, 404, 'not_found']);
    }
  });

  it('lists never show another company\'s rows, also when filtered by its branch', async () => {
    for (const path of ['/v1/branches', '/v1/resources', '/v1/staff', '/v1/services', '/v1/customers', '/v1/api-keys']) {
      const res = await request(h.app).get(path).set(mine.auth);
      expect(res.status).toBe(200);
      const listed = JSON.stringify(res.body.data);
      for (const id of Object.values(ids)) expect([path, listed.includes(id)]).toEqual([path, false]);
    }
    for (const path of ['/v1/resources', '/v1/staff', '/v1/services']) {
      const res = await request(h.app).get(path).query({ branchId: ids.branch }).set(mine.auth);
      expect([path, res.body]).toEqual([path, { data: [], nextCursor: null }]);
    }
    const theirList = await request(h.app).get('/v1/staff').set(theirs.auth);
    expect(theirList.body.data.map((s: { id: string }) => s.id)).toEqual([ids.staff]);
  });
});
