/**
 * Services and customers through the real app and PostgreSQL: happy paths (defaults, every
 * settings block, PATCH merging), bad input (every bad field listed, nothing written), reference
 * checks (foreign ids 404, other-branch ids 400), pagination and onBranchChanged.
 */
import request from 'supertest';
import { connectBranchViaApi } from '../harness/calendar-link';
import {
  BERLIN_BRANCH, createBranch, createCompany, createKey, errorPaths, expectValidation, useCatalogHarness, type TestCompany,
} from './api-harness';

const { h, branchChanged } = useCatalogHarness();

async function setup(): Promise<{ company: TestCompany; branch: { id: string } }> {
  const company = await createCompany(h.app, 'Services Co');
  const branch = await createBranch(h.app, company);
  branchChanged.mockClear();
  return { company, branch };
}

async function createResource(company: TestCompany, branchId: string, name = 'Room 1'): Promise<string> {
  const res = await request(h.app).post('/v1/resources').set(company.auth).send({ branchId, name, kind: 'room' });
  expect(res.status).toBe(201);
  return res.body.id;
}

const haircut = (branchId: string, extra: object = {}) => ({ branchId, name: 'Haircut', durationMinutes: 30, ...extra });

describe('services', () => {
  it('creates a service with the documented defaults and invalidates its branch', async () => {
    const { company, branch } = await setup();
    const res = await request(h.app).post('/v1/services').set(company.auth).send(haircut(branch.id));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      branchId: branch.id, name: 'Haircut', durationMinutes: 30, price: null, bufferBeforeMinutes: 0, bufferAfterMinutes: 0,
      requiredSkills: [], resourceRequirements: [], requiresConsultation: false, category: 'fixed', flexible: null,
      packageServiceIds: [], group: null, travelMinutes: 0, calcomEventTypeId: null, active: true,
    });
    expect(res.body.id).toEqual(expect.any(String));
    expect(res.body.createdAt).toMatch(/\+0[12]:00$/); // rendered in Europe/Berlin
    expect(branchChanged).toHaveBeenCalledWith(company.id, branch.id);
    const got = await request(h.app).get(`/v1/services/${res.body.id}`).set(company.auth);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(res.body);
  });

  it('stores every setting: price, buffers, skills, resources, flexible, group, travel, Cal.com event type', async () => {
    const { company, branch } = await setup();
    const { account } = await connectBranchViaApi(h.app, company.auth, branch.id);
    const roomA = await createResource(company, branch.id, 'A');
    const roomB = await createResource(company, branch.id, 'B');
    const body = haircut(branch.id, {
      name: 'Colour', durationMinutes: 60, price: 49.9, bufferBeforeMinutes: 5, bufferAfterMinutes: 10,
      requiredSkills: ['colour'], resourceRequirements: [roomA, roomB], requiresConsultation: true, category: 'flexible',
      flexible: { minMinutes: 30, maxMinutes: 90, stepMinutes: 15 }, group: { minParticipants: 1, maxParticipants: 4 },
      travelMinutes: 20, calcomEventTypeId: account.eventTypeIds[2],
    });
    const res = await request(h.app).post('/v1/services').set(company.auth).send(body);
    expect(res.status).toBe(201);
    const { branchId: _b, ...expected } = body;
    expect(res.body).toMatchObject(expected);
  });

  it('creates a package of services of the same branch', async () => {
    const { company, branch } = await setup();
    const a = (await request(h.app).post('/v1/services').set(company.auth).send(haircut(branch.id))).body.id;
    const b = (await request(h.app).post('/v1/services').set(company.auth).send(haircut(branch.id, { name: 'Wash' }))).body.id;
    const res = await request(h.app).post('/v1/services').set(company.auth)
      .send(haircut(branch.id, { name: 'Full', durationMinutes: 60, category: 'package', packageServiceIds: [a, b] }));
    expect(res.status).toBe(201);
    expect(res.body.packageServiceIds).toEqual([a, b]);
    const nested = await request(h.app).post('/v1/services').set(company.auth)
      .send(haircut(branch.id, { name: 'Nested', category: 'package', packageServiceIds: [res.body.id] }));
    expect(nested.status).toBe(400);
    expect(errorPaths(nested.body)).toEqual(['packageServiceIds.0']);
  });

  it('answers 400 listing every bad field and writes nothing', async () => {
    const { company, branch } = await setup();
    const res = await request(h.app).post('/v1/services').set(company.auth).send({
      branchId: branch.id, name: '', durationMinutes: -30, price: -1, bufferBeforeMinutes: -5, bufferAfterMinutes: 'ten',
      requiredSkills: 'cutting', category: 'flexible', group: { minParticipants: 5, maxParticipants: 2 }, travelMinutes: 1.5,
      calcomEventTypeId: 0, colour: 'red',
    });
    expectValidation(res, [
      'bufferAfterMinutes', 'bufferBeforeMinutes', 'calcomEventTypeId', 'colour', 'durationMinutes', 'flexible',
      'group.maxParticipants', 'name', 'price', 'requiredSkills', 'travelMinutes',
    ]);
    expect(await h.db.service.count({ where: { companyId: company.id } })).toBe(0);
    expect(branchChanged).not.toHaveBeenCalled();
  });

  it('rejects inconsistent category settings', async () => {
    const { company, branch } = await setup();
    const res = await request(h.app).post('/v1/services').set(company.auth).send(haircut(branch.id, {
      durationMinutes: 120, flexible: { minMinutes: 30, maxMinutes: 20, stepMinutes: 0 }, packageServiceIds: ['svc_x'],
    }));
    expect(res.status).toBe(400);
    expect(errorPaths(res.body)).toEqual(['flexible.maxMinutes', 'flexible.stepMinutes', 'packageServiceIds']);
    const outside = await request(h.app).post('/v1/services').set(company.auth).send(haircut(branch.id, {
      durationMinutes: 120, category: 'flexible', flexible: { minMinutes: 30, maxMinutes: 90, stepMinutes: 15 },
    }));
    expect(outside.status).toBe(400);
    expect(errorPaths(outside.body)).toEqual(['durationMinutes']);
    const emptyPackage = await request(h.app).post('/v1/services').set(company.auth).send(haircut(branch.id, { category: 'package' }));
    expect(errorPaths(emptyPackage.body)).toEqual(['packageServiceIds']);
    expect(await h.db.service.count({ where: { companyId: company.id } })).toBe(0);
  });

  it('answers 404 for a foreign or unknown branch or resource, 400 for a resource of another branch', async () => {
    const { company, branch } = await setup();
    const other = await setup();
    const foreignRoom = await createResource(other.company, other.branch.id);
    const otherBranch = await createBranch(h.app, company, { ...BERLIN_BRANCH, name: 'Nord' });
    const otherBranchRoom = await createResource(company, otherBranch.id);

    const foreignBranch = await request(h.app).post('/v1/services').set(company.auth).send(haircut(other.branch.id));
    expect(foreignBranch.status).toBe(404);
    expect(foreignBranch.body.code).toBe('not_found');
    const foreignResource = await request(h.app).post('/v1/services').set(company.auth).send(haircut(branch.id, { resourceRequirements: [foreignRoom] }));
    expect(foreignResource.status).toBe(404);
    const unknownResource = await request(h.app).post('/v1/services').set(company.auth).send(haircut(branch.id, { resourceRequirements: ['res_nope'] }));
    expect(unknownResource.status).toBe(404);
    const misfit = await request(h.app).post('/v1/services').set(company.auth).send(haircut(branch.id, { resourceRequirements: [otherBranchRoom] }));
    expect(misfit.status).toBe(400);
    expect(errorPaths(misfit.body)).toEqual(['resourceRequirements.0']);
    expect(await h.db.service.count({ where: { companyId: company.id } })).toBe(0);
  });

  it('PATCH changes given fields, keeps the rest, checks the merged result and invalidates', async () => {
    const { company, branch } = await setup();
    const { account } = await connectBranchViaApi(h.app, company.auth, branch.id);
    const created = (await request(h.app).post('/v1/services').set(company.auth).send(haircut(branch.id, { price: 20 }))).body;
    branchChanged.mockClear();
    const calcomEventTypeId = account.eventTypeIds[0];
    const res = await request(h.app).patch(`/v1/services/${created.id}`).set(company.auth)
      .send({ durationMinutes: 45, bufferAfterMinutes: 15, calcomEventTypeId, group: { minParticipants: 2, maxParticipants: 6 } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'Haircut', price: 20, durationMinutes: 45, bufferAfterMinutes: 15, calcomEventTypeId, group: { minParticipants: 2, maxParticipants: 6 } });
    expect(branchChanged).toHaveBeenCalledWith(company.id, branch.id);

    const cleared = await request(h.app).patch(`/v1/services/${created.id}`).set(company.auth).send({ group: null, price: null });
    expect(cleared.body).toMatchObject({ group: null, price: null });

    const inconsistent = await request(h.app).patch(`/v1/services/${created.id}`).set(company.auth).send({ category: 'flexible' });
    expect(inconsistent.status).toBe(400);
    expect(errorPaths(inconsistent.body)).toEqual(['flexible']);
    const bad = await request(h.app).patch(`/v1/services/${created.id}`).set(company.auth).send({ durationMinutes: 0, name: 5 });
    expect(errorPaths(bad.body)).toEqual(['durationMinutes', 'name']);
    const after = await request(h.app).get(`/v1/services/${created.id}`).set(company.auth);
    expect(after.body).toMatchObject({ category: 'fixed', durationMinutes: 45, name: 'Haircut' });
  });

  it('moving a service to another branch invalidates both branches', async () => {
    const { company, branch } = await setup();
    const nord = await createBranch(h.app, company, { ...BERLIN_BRANCH, name: 'Nord' });
    const created = (await request(h.app).post('/v1/services').set(company.auth).send(haircut(branch.id))).body;
    branchChanged.mockClear();
    const res = await request(h.app).patch(`/v1/services/${created.id}`).set(company.auth).send({ branchId: nord.id });
    expect(res.status).toBe(200);
    expect(res.body.branchId).toBe(nord.id);
    expect(branchChanged.mock.calls).toEqual([[company.id, branch.id], [company.id, nord.id]]);
  });

  it('lists with pagination and filters, scoped to the company', async () => {
    const { company, branch } = await setup();
    const nord = await createBranch(h.app, company, { ...BERLIN_BRANCH, name: 'Nord' });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await request(h.app).post('/v1/services').set(company.auth).send(haircut(i < 3 ? branch.id : nord.id, { name: `S${i}` }))).body.id);
    }
    const other = await setup();
    await request(h.app).post('/v1/services').set(other.company.auth).send(haircut(other.branch.id));

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: request.Response = await request(h.app).get('/v1/services').query({ limit: 2, ...(cursor ? { cursor } : {}) }).set(company.auth);
      expect(res.status).toBe(200);
      expect(res.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.data.map((s: { id: string }) => s.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(ids);

    const ofNord = await request(h.app).get('/v1/services').query({ branchId: nord.id }).set(company.auth);
    expect(ofNord.body.data.map((s: { id: string }) => s.id)).toEqual(ids.slice(3));
    const badQuery = await request(h.app).get('/v1/services').query({ limit: 0, category: 'cheap' }).set(company.auth);
    expect(badQuery.status).toBe(400);
    expect(errorPaths(badQuery.body)).toEqual(['category', 'limit']);
  });

  it('unknown or foreign service ids are 404 for GET and PATCH', async () => {
    const { company } = await setup();
    const other = await setup();
    const foreign = (await request(h.app).post('/v1/services').set(other.company.auth).send(haircut(other.branch.id))).body.id;
    for (const id of [foreign, 'svc_unknown']) {
      expect((await request(h.app).get(`/v1/services/${id}`).set(company.auth)).status).toBe(404);
      const patch = await request(h.app).patch(`/v1/services/${id}`).set(company.auth).send({ name: 'Stolen' });
      expect(patch.status).toBe(404);
      expect(patch.body.code).toBe('not_found');
    }
    expect((await h.db.service.findUnique({ where: { id: foreign } }))?.name).toBe('Haircut');
  });
});

describe('customers', () => {
  it('creates, reads, changes, blocks and unblocks a customer', async () => {
    const company = await createCompany(h.app, 'Customers Co');
    const booking = await createKey(h.app, company, 'booking');
    const created = await request(h.app).post('/v1/customers').set(booking)
      .send({ name: 'Ada', email: 'ada@example.com', phone: '+49 30 1234567', language: 'de', timezone: 'Europe/Berlin' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Ada', email: 'ada@example.com', phone: '+49301234567', language: 'de', timezone: 'Europe/Berlin', blocked: false, blockedReason: null });
    const id = created.body.id as string;
    expect(branchChanged).not.toHaveBeenCalled();

    expect((await request(h.app).get(`/v1/customers/${id}`).set(booking)).body).toEqual(created.body);
    const patched = await request(h.app).patch(`/v1/customers/${id}`).set(booking).send({ phone: null, language: 'en-GB' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ phone: null, language: 'en-GB', email: 'ada@example.com' });

    const blocked = await request(h.app).post(`/v1/customers/${id}/block`).set(company.auth).send({ reason: 'no-shows' });
    expect(blocked.status).toBe(200);
    expect(blocked.body).toMatchObject({ id, blocked: true, blockedReason: 'no-shows' });
    const blockedList = await request(h.app).get('/v1/customers').query({ blocked: 'true' }).set(booking);
    expect(blockedList.body.data.map((c: { id: string }) => c.id)).toEqual([id]);
    const unblocked = await request(h.app).post(`/v1/customers/${id}/unblock`).set(company.auth);
    expect(unblocked.status).toBe(200);
    expect(unblocked.body).toMatchObject({ blocked: false, blockedReason: null });
    expect((await h.db.customer.findUnique({ where: { id } }))?.blocked).toBe(false);
  });

  it('answers 400 listing every bad field and writes nothing', async () => {
    const company = await createCompany(h.app, 'Customers Co');
    const res = await request(h.app).post('/v1/customers').set(company.auth)
      .send({ name: 42, email: 'not-an-email', phone: 'call me', language: 'german!', timezone: 'Mars/Olympus', vip: true });
    expectValidation(res, ['email', 'language', 'name', 'phone', 'timezone', 'vip']);
    const empty = await request(h.app).post('/v1/customers').set(company.auth).send({});
    expect(errorPaths(empty.body)).toEqual(['name']);
    const customer = (await request(h.app).post('/v1/customers').set(company.auth).send({ name: 'Bob' })).body;
    const badBlock = await request(h.app).post(`/v1/customers/${customer.id}/block`).set(company.auth).send({ reason: 7, until: 'x' });
    expect(badBlock.status).toBe(400);
    expect(errorPaths(badBlock.body)).toEqual(['reason', 'until']);
    expect(await h.db.customer.count({ where: { companyId: company.id } })).toBe(1);
    expect((await h.db.customer.findUnique({ where: { id: customer.id } }))?.blocked).toBe(false);
  });

  it('foreign or unknown customers are 404 on every endpoint; lists do not leak', async () => {
    const mine = await createCompany(h.app, 'Mine');
    const theirs = await createCompany(h.app, 'Theirs');
    const foreign = (await request(h.app).post('/v1/customers').set(theirs.auth).send({ name: 'Eve', email: 'eve@example.com' })).body.id;
    for (const id of [foreign, 'cus_unknown']) {
      expect((await request(h.app).get(`/v1/customers/${id}`).set(mine.auth)).status).toBe(404);
      expect((await request(h.app).patch(`/v1/customers/${id}`).set(mine.auth).send({ name: 'X' })).status).toBe(404);
      expect((await request(h.app).post(`/v1/customers/${id}/block`).set(mine.auth).send({})).status).toBe(404);
      expect((await request(h.app).post(`/v1/customers/${id}/unblock`).set(mine.auth).send({})).status).toBe(404);
    }
    const list = await request(h.app).get('/v1/customers').query({ email: 'EVE@example.com' }).set(mine.auth);
    expect(list.body).toEqual({ data: [], nextCursor: null });
    const theirList = await request(h.app).get('/v1/customers').query({ email: 'EVE@example.com' }).set(theirs.auth);
    expect(theirList.body.data.map((c: { id: string }) => c.id)).toEqual([foreign]);
    expect((await h.db.customer.findUnique({ where: { id: foreign } }))).toMatchObject({ name: 'Eve', blocked: false });
  });

  it('paginates customers', async () => {
    const company = await createCompany(h.app, 'Many');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await request(h.app).post('/v1/customers').set(company.auth).send({ name: `C${i}` })).body.id);
    const first = await request(h.app).get('/v1/customers').query({ limit: 2 }).set(company.auth);
    expect(first.body.data.map((c: { id: string }) => c.id)).toEqual(ids.slice(0, 2));
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await request(h.app).get('/v1/customers').query({ limit: 2, cursor: first.body.nextCursor }).set(company.auth);
    expect(second.body).toEqual({ data: [expect.objectContaining({ id: ids[2] })], nextCursor: null });
    const badCursor = await request(h.app).get('/v1/customers').query({ cursor: 'garbage' }).set(company.auth);
    expect(badCursor.status).toBe(400);
    expect(errorPaths(badCursor.body)).toEqual(['cursor']);
  });
});
