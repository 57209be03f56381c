/**
 * Customers by phone over HTTP on the real PostgreSQL (API.md "Reservations, next free slots,
 * phone lookup"): numbers stored in E.164 read with the company's country, found under any
 * spelling, find-or-create making one customer under 10 concurrent calls, Idempotency-Key on
 * POST /v1/customers, keys following a changed number, and the migration's SQL normalisation
 * agreeing with libphonenumber-js on the spellings it meets.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import { toE164 } from '../../api/customers/phone';
import { ADMIN_KEY, createCompany, createKey, startApiHarness, type ApiHarness, type TestCompany } from '../api/api-harness';

let h: ApiHarness;
let company: TestCompany;
let booking: { Authorization: string };

const SPELLINGS = ['+49 30 1234567', '+49301234567', '030 1234567', '(030) 123-4567', '0049 30 1234567', '030/1234567', '+49 (0)30 1234567'];

const post = (auth: Record<string, string>, body: object, key?: string) => {
  const req = request(h.app).post('/v1/customers').set(auth);
  if (key) req.set('Idempotency-Key', key);
  return req.send(body);
};
const findOrCreate = (auth: Record<string, string>, body: object) => request(h.app).post('/v1/customers/find-or-create').set(auth).send(body);
const byPhone = (auth: Record<string, string>, phone: string) => request(h.app).get('/v1/customers').query({ phone }).set(auth);

beforeAll(async () => {
  h = await startApiHarness({ rateLimit: false });
  company = await createCompany(h.app, 'Phones');
  booking = await createKey(h.app, company, 'booking');
});
afterAll(async () => {
  await h?.close();
});

describe('customers by phone', () => {
  it('stores a national number in E.164 and finds it under every spelling (booking key)', async () => {
    const created = await post(booking, { name: 'Max', phone: '030 1234567' });
    expect(created.status).toBe(201);
    expect(created.body.phone).toBe('+49301234567');
    for (const spelling of SPELLINGS) {
      const found = await byPhone(booking, spelling);
      expect({ spelling, status: found.status, ids: found.body.data.map((c: { id: string }) => c.id) }).toEqual({ spelling, status: 200, ids: [created.body.id] });
    }
    const other = await createCompany(h.app, 'Other phones');
    expect((await byPhone(other.auth, '+49301234567')).body.data).toEqual([]);
  });

  it("reads national numbers with the company's country; a bad number or country is a 400", async () => {
    const res = await request(h.app).post('/v1/admin/companies').set('Authorization', `Bearer ${ADMIN_KEY}`).send({ name: 'Wien', country: 'AT' });
    expect(res.status).toBe(201);
    expect(res.body.country).toBe('AT');
    const vienna = { Authorization: `Bearer ${res.body.apiKey}` };
    const created = await post(vienna, { name: 'Anna', phone: '01 5123456' });
    expect(created.body.phone).toBe('+4315123456');
    expect((await byPhone(vienna, '+43 1 5123456')).body.data.map((c: { id: string }) => c.id)).toEqual([created.body.id]);

    const bad = await post(booking, { name: 'Nobody', phone: '12' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(['phone']);
    expect((await byPhone(booking, '12')).status).toBe(400);
    const badCountry = await request(h.app).post('/v1/admin/companies').set('Authorization', `Bearer ${ADMIN_KEY}`).send({ name: 'X', country: 'XX' });
    expect(badCountry.status).toBe(400);
    expect(badCountry.body.errors.map((e: { path: string }) => e.path)).toEqual(['country']);
  });

  it('find-or-create: 201 created, then 200 found under another spelling; e-mail alone works; neither is a 400', async () => {
    const first = await findOrCreate(booking, { phone: '+49 30 7654321', name: 'Lena', language: 'de' });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ created: true, name: 'Lena', phone: '+49307654321', language: 'de' });
    const again = await findOrCreate(booking, { phone: '030 765 43 21' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: first.body.id, created: false, name: 'Lena' });

    const mail = await findOrCreate(booking, { email: 'Jo@Example.test' });
    expect(mail.status).toBe(201);
    expect(mail.body.name).toBe('Jo@Example.test');
    expect((await findOrCreate(booking, { email: 'jo@example.test' })).body).toMatchObject({ id: mail.body.id, created: false });

    const neither = await findOrCreate(booking, { name: 'Nobody' });
    expect(neither.status).toBe(400);
    expect(neither.body.code).toBe('validation_error');
  });

  it('10 concurrent find-or-create for one number (various spellings) make one customer', async () => {
    const spellings = ['+49 40 5550101', '040 5550101', '0049405550101', '(040) 555 01 01', '+49405550101'];
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => findOrCreate(booking, { phone: spellings[i % spellings.length], name: `Caller ${i}` })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    const rows = await h.db.customer.findMany({ where: { companyId: company.id, phone: '+49405550101' } });
    expect(rows).toHaveLength(1);
  });

  it('finds a customer written without keys (seed, direct insert): the oldest with the number', async () => {
    await h.db.customer.create({ data: { id: `cus_seed_${Date.now()}`, companyId: company.id, name: 'Seeded', phone: '+49891234567' } });
    const found = await findOrCreate(booking, { phone: '089 1234567' });
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ name: 'Seeded', created: false });
  });

  it('a changed number moves with the customer: the old number no longer finds them', async () => {
    const a = await findOrCreate(booking, { phone: '+49 221 1111111', name: 'Moving' });
    const patched = await request(h.app).patch(`/v1/customers/${a.body.id}`).set(booking).send({ phone: '0221 2222222' });
    expect(patched.status).toBe(200);
    expect(patched.body.phone).toBe('+492212222222');
    expect((await findOrCreate(booking, { phone: '0221 2222222' })).body).toMatchObject({ id: a.body.id, created: false });
    const old = await findOrCreate(booking, { phone: '0221 1111111', name: 'Newcomer' });
    expect(old.status).toBe(201);
    expect(old.body.id).not.toBe(a.body.id);
  });

  it('POST /v1/customers with Idempotency-Key: repeats (sequential and concurrent) answer the first, one customer; another body is 422', async () => {
    const key = `cus-${Date.now()}`;
    const body = { name: 'Once', phone: '+49 30 9999001' };
    const answers = await Promise.all(Array.from({ length: 5 }, () => post(booking, body, key)));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201, 201]);
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    const replay = await post(booking, body, key);
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(answers[0].body);
    expect(await h.db.customer.count({ where: { companyId: company.id, name: 'Once' } })).toBe(1);
    const other = await post(booking, { ...body, name: 'Twice' }, key);
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('idempotency_key_reused');
  });
});

describe('the phone migration', () => {
  it("normalises stored spellings exactly as libphonenumber-js does (country DE)", async () => {
    const sql = readFileSync(path.resolve(__dirname, '../../prisma/migrations/20261203140000_customer_phone_keys/migration.sql'), 'utf8');
    const update = /UPDATE "customers" c[\s\S]*?;/.exec(sql)?.[0];
    expect(update).toBeDefined();
    const inputs = [...SPELLINGS, '0151 23456789', '+1 (212) 555-0123', '0044 20 7946 0958', '89 1234567', 'call me', '+49301234567'];
    const pg = new Client({ connectionString: h.config.databaseUrl });
    await pg.connect();
    try {
      // A temporary "customers" shadows the real table in this session only.
      await pg.query('CREATE TEMP TABLE "customers" (id text PRIMARY KEY, phone text)');
      for (const [i, phone] of inputs.entries()) await pg.query('INSERT INTO "customers" VALUES ($1, $2)', [`c${i}`, phone]);
      await pg.query(update!);
      const { rows } = await pg.query<{ id: string; phone: string }>('SELECT id, phone FROM "customers"');
      const after = new Map(rows.map((r) => [r.id, r.phone]));
      for (const [i, phone] of inputs.entries()) expect({ phone, stored: after.get(`c${i}`) }).toEqual({ phone, stored: toE164(phone, 'DE') ?? phone });
    } finally {
      await pg.end();
    }
  });
});
