/**
 * The two API additions the console needs: resolving a sync failure by hand (support and manager;
 * open only; scoped to the company) and the customer search text `q` of the front desk.
 */
import request from 'supertest';
import { newId } from '../../infra/db/ids';
import { createCompany, startApiHarness, type ApiHarness, type TestCompany } from './api-harness';

let api: ApiHarness;
let acme: TestCompany;
let other: TestCompany;

async function keyFor(company: TestCompany, role: string) {
  const res = await request(api.app).post('/v1/api-keys').set(company.auth).send({ name: `${role} desk`, role });
  expect(res.status).toBe(201);
  return { Authorization: `Bearer ${res.body.apiKey}` };
}
async function failure(company: TestCompany, status = 'open') {
  const id = newId('syf');
  await api.db.syncFailure.create({ data: { id, companyId: company.id, bookingId: newId('bkg'), operation: 'create', error: 'Cal.com create answered 400', status, payload: { start: 'x' } } });
  return id;
}

beforeAll(async () => {
  api = await startApiHarness();
  acme = await createCompany(api.app, 'Acme console');
  other = await createCompany(api.app, 'Other console');
});
afterAll(async () => api.close());

describe('POST /v1/sync-failures/:id/resolve', () => {
  it('support resolves an open failure with a note; the note is kept, the list shows it resolved', async () => {
    const support = await keyFor(acme, 'support');
    const id = await failure(acme);
    const res = await request(api.app).post(`/v1/sync-failures/${id}/resolve`).set(support).send({ note: 'booked by hand in Cal.com' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, status: 'resolved', attempts: 1, operation: 'create' });
    const row = await api.db.syncFailure.findUniqueOrThrow({ where: { id } });
    expect(row.payload).toMatchObject({ start: 'x', resolution: { note: 'booked by hand in Cal.com', keyId: expect.any(String), at: expect.any(String) } });
    const list = await request(api.app).get('/v1/sync-failures').query({ status: 'resolved' }).set(support);
    expect(list.body.data.map((f: { id: string }) => f.id)).toContain(id);
  });

  it('refuses a resolved or retrying failure (409 invalid_state), bad notes (400), the booking role (403) and other companies (404)', async () => {
    const resolved = await failure(acme, 'resolved');
    const retrying = await failure(acme, 'retrying');
    const open = await failure(acme);
    const post = (id: string, auth: Record<string, string>, body: object = {}) => request(api.app).post(`/v1/sync-failures/${id}/resolve`).set(auth).send(body);
    expect((await post(resolved, acme.auth)).body).toMatchObject({ status: 409, code: 'invalid_state' });
    expect((await post(retrying, acme.auth)).body).toMatchObject({ status: 409, code: 'invalid_state' });
    expect((await post(open, acme.auth, { note: 'a\nb' })).body).toMatchObject({ status: 400, code: 'validation_error' });
    expect((await post(open, await keyFor(acme, 'booking'))).status).toBe(403);
    expect((await post(open, other.auth)).body).toMatchObject({ status: 404, code: 'not_found' });
    expect((await api.db.syncFailure.findUniqueOrThrow({ where: { id: open } })).status).toBe('open');
    expect((await api.db.syncFailure.findUniqueOrThrow({ where: { id: retrying } })).status).toBe('retrying');
  });
});

describe('GET /v1/customers?q=', () => {
  it('finds customers of the company by part of the name, e-mail or phone, in any case', async () => {
    const create = (company: TestCompany, body: object) => request(api.app).post('/v1/customers').set(company.auth).send(body);
    const carla = (await create(acme, { name: 'Carla Schulz', email: 'carla@example.test', phone: '+49 30 1234567' })).body;
    const karl = (await create(acme, { name: 'Karl Meier', email: 'km@example.test' })).body;
    await create(other, { name: 'Carla Other', email: 'carla@other.test' });
    const search = async (q: string) =>
      ((await request(api.app).get('/v1/customers').query({ q }).set(acme.auth)).body.data as Array<{ id: string }>).map((c) => c.id).sort();
    expect(await search('carla')).toEqual([carla.id]);
    expect(await search('SCHULZ')).toEqual([carla.id]);
    expect(await search('1234')).toEqual([carla.id]);
    expect(await search('km@')).toEqual([karl.id]);
    expect(await search('ar')).toEqual([carla.id, karl.id].sort());
    expect((await request(api.app).get('/v1/customers').query({ q: '' }).set(acme.auth)).status).toBe(400);
  });
});
