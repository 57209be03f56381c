/**
 * Branches, resources, staff and time off through the real app and PostgreSQL: happy paths,
 * PATCH semantics, onBranchChanged, pagination, and the bad input of issue 2 (malformed JSON,
 * wrong types, unknown zones, end before start, overlapping intervals) answered 400 with every
 * bad field listed and nothing written.
 */
import request from 'supertest';
import { connectBranchViaApi } from '../harness/calendar-link';
import { BERLIN_BRANCH, createBranch, createCompany, errorPaths, expectValidation, useCatalogHarness, type TestCompany } from './api-harness';

const { h, branchChanged } = useCatalogHarness();

const counts = async (companyId: string) => ({
  branches: await h.db.branch.count({ where: { companyId } }),
  resources: await h.db.resource.count({ where: { companyId } }),
  staff: await h.db.staff.count({ where: { companyId } }),
  timeOff: await h.db.staffTimeOff.count({ where: { companyId } }),
});

describe('branches', () => {
  it('creates a branch with rule defaults, reads it back and invalidates it', async () => {
    const company = await createCompany(h.app, 'Branch Co');
    const body = {
      ...BERLIN_BRANCH,
      specialHours: [{ date: '2026-12-24', open: true, start: '09:00', end: '13:00' }, { date: '2026-12-31', open: false }],
      closures: [{ date: '2026-12-25', reason: 'Christmas' }],
      rules: { minimumNoticeMinutes: 60 },
    };
    const res = await request(h.app).post('/v1/branches').set(company.auth).send(body);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: 'Mitte', timezone: 'Europe/Berlin', operatingHours: BERLIN_BRANCH.operatingHours, specialHours: body.specialHours, closures: body.closures,
      rules: { minimumNoticeMinutes: 60, maxAdvanceDays: 90, slotIntervalMinutes: 15, maxDailyBookingsPerCustomer: null },
    });
    expect(branchChanged).toHaveBeenCalledWith(company.id, res.body.id);
    const got = await request(h.app).get(`/v1/branches/${res.body.id}`).set(company.auth);
    expect(got.body).toEqual(res.body);
  });

  it('PATCH replaces given fields, merges rules and invalidates', async () => {
    const company = await createCompany(h.app, 'Branch Co');
    const branch = await createBranch(h.app, company);
    branchChanged.mockClear();
    const res = await request(h.app).patch(`/v1/branches/${branch.id}`).set(company.auth)
      .send({ name: 'Mitte 2', timezone: 'America/New_York', rules: { slotIntervalMinutes: 30, maxDailyBookingsPerCustomer: 2 } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      name: 'Mitte 2', timezone: 'America/New_York', operatingHours: BERLIN_BRANCH.operatingHours,
      rules: { minimumNoticeMinutes: 120, maxAdvanceDays: 90, slotIntervalMinutes: 30, maxDailyBookingsPerCustomer: 2 },
    });
    expect(res.body.updatedAt).toMatch(/-0[45]:00$/);
    expect(branchChanged).toHaveBeenCalledWith(company.id, branch.id);
  });

  it('answers 400 listing every bad field, and writes nothing', async () => {
    const company = await createCompany(h.app, 'Bad Branch Co');
    const before = await counts(company.id);
    const res = await request(h.app).post('/v1/branches').set(company.auth).send({
      name: 12,
      timezone: 'Europe/Atlantis',
      operatingHours: { monday: { open: true, start: '18:00', end: '09:00' }, tuesday: { open: 'yes' }, funday: { open: false }, friday: { open: true, start: '25:00', end: '26:00' } },
      specialHours: [{ date: '2026-02-30', open: false }, { date: '2026-12-24', open: true, start: '13:00', end: '09:00' }],
      closures: [{ date: '2026-12-25' }, { date: '2026-12-25' }],
      rules: { minimumNoticeMinutes: -1, slotIntervalMinutes: 'fifteen', surprise: true },
    });
    expectValidation(res, [
      'name', 'timezone', 'operatingHours.monday.end', 'operatingHours.tuesday.open', 'operatingHours.funday',
      'operatingHours.friday.start', 'operatingHours.friday.end', 'specialHours.0.date', 'specialHours.1.end',
      'closures.1.date', 'rules.minimumNoticeMinutes', 'rules.slotIntervalMinutes', 'rules.surprise',
    ]);
    expect(await counts(company.id)).toEqual(before);
    expect(branchChanged).not.toHaveBeenCalled();
  });

  it('malformed JSON, a non-JSON body and an empty body are 400 problems, never 5xx', async () => {
    const company = await createCompany(h.app, 'Malformed Co');
    const malformed = await request(h.app).post('/v1/branches').set(company.auth).set('Content-Type', 'application/json').send('{"name": "Mitte",');
    expectValidation(malformed, ['body']);
    const text = await request(h.app).post('/v1/branches').set(company.auth).set('Content-Type', 'text/plain').send('name=Mitte');
    expectValidation(text, ['body']);
    const array = await request(h.app).post('/v1/branches').set(company.auth).send([BERLIN_BRANCH]);
    expectValidation(array, ['body']);
    const empty = await request(h.app).post('/v1/branches').set(company.auth).send({});
    expectValidation(empty, ['name', 'operatingHours', 'timezone']);
    const badPatch = await request(h.app).patch('/v1/branches/br_x').set(company.auth).send({ timezone: 'Nowhere/City' });
    expectValidation(badPatch, ['timezone']);
    expect(await counts(company.id)).toEqual({ branches: 0, resources: 0, staff: 0, timeOff: 0 });
  });

  it('paginates branches with a stable cursor', async () => {
    const company = await createCompany(h.app, 'Paged Co');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await createBranch(h.app, company, { ...BERLIN_BRANCH, name: `B${i}` })).id);
    const first = await request(h.app).get('/v1/branches?limit=2').set(company.auth);
    expect(first.body.data.map((b: { id: string }) => b.id)).toEqual(ids.slice(0, 2));
    const second = await request(h.app).get(`/v1/branches?limit=2&cursor=${first.body.nextCursor}`).set(company.auth);
    expect(second.body.data.map((b: { id: string }) => b.id)).toEqual(ids.slice(2, 4));
    const third = await request(h.app).get(`/v1/branches?limit=2&cursor=${second.body.nextCursor}`).set(company.auth);
    expect(third.body).toEqual({ data: [expect.objectContaining({ id: ids[4] })], nextCursor: null });
    const all = await request(h.app).get('/v1/branches').set(company.auth);
    expect(all.body.data).toHaveLength(5);
    expect(all.body.nextCursor).toBeNull();
    expectValidation(await request(h.app).get('/v1/branches?limit=201').set(company.auth), ['limit']);
    expectValidation(await request(h.app).get('/v1/branches?limit=abc&cursor=%%%').set(company.auth), ['limit']);
    expectValidation(await request(h.app).get('/v1/branches?cursor=bm90LWpzb24').set(company.auth), ['cursor']);
  });
});

describe('resources', () => {
  it('creates, lists (by branch) and reads resources; invalidates the branch', async () => {
    const company = await createCompany(h.app, 'Res Co');
    const a = await createBranch(h.app, company);
    const b = await createBranch(h.app, company, { ...BERLIN_BRANCH, name: 'Nord' });
    branchChanged.mockClear();
    const room = await request(h.app).post('/v1/resources').set(company.auth).send({ branchId: a.id, name: 'Room 1', kind: 'room' });
    expect(room.status).toBe(201);
    expect(room.body).toMatchObject({ branchId: a.id, name: 'Room 1', kind: 'room' });
    expect(branchChanged).toHaveBeenCalledWith(company.id, a.id);
    const chair = await request(h.app).post('/v1/resources').set(company.auth).send({ branchId: b.id, name: 'Chair' });
    expect(chair.body.kind).toBeNull();
    const ofA = await request(h.app).get('/v1/resources').query({ branchId: a.id }).set(company.auth);
    expect(ofA.body).toEqual({ data: [room.body], nextCursor: null });
    expect((await request(h.app).get(`/v1/resources/${chair.body.id}`).set(company.auth)).body).toEqual(chair.body);
    const page = await request(h.app).get('/v1/resources').query({ limit: 1 }).set(company.auth);
    expect(page.body.data).toEqual([room.body]);
    expect(page.body.nextCursor).toEqual(expect.any(String));
  });

  it('bad input is 400 with every field; an unknown branch 404; nothing written', async () => {
    const company = await createCompany(h.app, 'Res Co');
    expectValidation(await request(h.app).post('/v1/resources').set(company.auth).send({ name: '', kind: 3, size: 'L' }), ['branchId', 'kind', 'name', 'size']);
    const unknown = await request(h.app).post('/v1/resources').set(company.auth).send({ branchId: 'br_nope', name: 'Room' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('not_found');
    expect((await counts(company.id)).resources).toBe(0);
  });
});

const workingHours = { monday: [{ start: '09:00', end: '13:00' }, { start: '14:00', end: '18:00' }], tuesday: [{ start: '09:00', end: '17:00' }] };

describe('staff', () => {
  let company: TestCompany;
  let branch: { id: string };
  beforeEach(async () => {
    company = await createCompany(h.app, 'Staff Co');
    branch = await createBranch(h.app, company);
    branchChanged.mockClear();
  });

  it('creates a staff member with every field and defaults, and invalidates the branch', async () => {
    const { account } = await connectBranchViaApi(h.app, company.auth, branch.id);
    const calcomUserId = account.userIds[1];
    branchChanged.mockClear();
    const res = await request(h.app).post('/v1/staff').set(company.auth).send({
      branchId: branch.id, name: 'Mia', email: 'mia@example.com', gender: 'female', languages: ['de', 'en-GB'], skills: ['cut', 'colour'],
      workingHours, breaks: { monday: [{ start: '11:00', end: '11:15' }] }, maxDailyBookings: 8, calcomUserId,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      branchId: branch.id, name: 'Mia', email: 'mia@example.com', gender: 'female', languages: ['de', 'en-GB'], skills: ['cut', 'colour'],
      workingHours, breaks: { monday: [{ start: '11:00', end: '11:15' }] }, maxDailyBookings: 8, calcomUserId, active: true,
    });
    expect(branchChanged).toHaveBeenCalledWith(company.id, branch.id);
    const minimal = await request(h.app).post('/v1/staff').set(company.auth).send({ branchId: branch.id, name: 'Leo', workingHours: {} });
    expect(minimal.body).toMatchObject({ email: null, gender: null, languages: [], skills: [], breaks: {}, maxDailyBookings: null, calcomUserId: null });
    expect((await request(h.app).get(`/v1/staff/${res.body.id}`).set(company.auth)).body).toEqual(res.body);
  });

  it('lists staff by branch with pagination', async () => {
    const nord = await createBranch(h.app, company, { ...BERLIN_BRANCH, name: 'Nord' });
    const ids: string[] = [];
    for (const [i, b] of [branch.id, nord.id, branch.id].entries()) {
      ids.push((await request(h.app).post('/v1/staff').set(company.auth).send({ branchId: b, name: `S${i}`, workingHours })).body.id);
    }
    const ofMitte = await request(h.app).get('/v1/staff').query({ branchId: branch.id }).set(company.auth);
    expect(ofMitte.body.data.map((s: { id: string }) => s.id)).toEqual([ids[0], ids[2]]);
    const first = await request(h.app).get('/v1/staff').query({ limit: 2 }).set(company.auth);
    const second = await request(h.app).get('/v1/staff').query({ limit: 2, cursor: first.body.nextCursor }).set(company.auth);
    expect([...first.body.data, ...second.body.data].map((s: { id: string }) => s.id)).toEqual(ids);
    expect(second.body.nextCursor).toBeNull();
  });

  it('overlapping working intervals, end before start, breaks outside work and wrong types: 400 listing all, nothing written', async () => {
    const res = await request(h.app).post('/v1/staff').set(company.auth).send({
      branchId: branch.id, name: '', email: 'nope', gender: 'robot', languages: ['deutsch!'], skills: 'cut',
      workingHours: {
        monday: [{ start: '09:00', end: '13:00' }, { start: '12:00', end: '18:00' }],
        tuesday: [{ start: '17:00', end: '09:00' }],
        wednesday: [{ start: '9:00', end: '17:00' }],
      },
      maxDailyBookings: -2, calcomUserId: 'abc',
    });
    expectValidation(res, [
      'name', 'email', 'gender', 'languages.0', 'skills', 'workingHours.monday.1', 'workingHours.tuesday.0.end',
      'workingHours.wednesday.0.start', 'maxDailyBookings', 'calcomUserId',
    ]);
    const outside = await request(h.app).post('/v1/staff').set(company.auth)
      .send({ branchId: branch.id, name: '', workingHours, breaks: { monday: [{ start: '12:30', end: '14:30' }], sunday: [{ start: '10:00', end: '10:15' }] } });
    expectValidation(outside, ['breaks.monday.0', 'breaks.sunday.0', 'name']);
    expect(await counts(company.id)).toMatchObject({ staff: 0 });
    expect(branchChanged).not.toHaveBeenCalled();
  });

  it('PATCH replaces given fields, re-checks breaks against the result, moves between branches', async () => {
    const nord = await createBranch(h.app, company, { ...BERLIN_BRANCH, name: 'Nord' });
    const staff = (await request(h.app).post('/v1/staff').set(company.auth)
      .send({ branchId: branch.id, name: 'Mia', workingHours, breaks: { monday: [{ start: '11:00', end: '11:15' }] } })).body;
    branchChanged.mockClear();
    const res = await request(h.app).patch(`/v1/staff/${staff.id}`).set(company.auth).send({ skills: ['beard'], active: false, email: null });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'Mia', skills: ['beard'], active: false, email: null, workingHours });
    expect(branchChanged).toHaveBeenCalledWith(company.id, branch.id);

    const breaksOut = await request(h.app).patch(`/v1/staff/${staff.id}`).set(company.auth).send({ workingHours: { tuesday: workingHours.tuesday } });
    expectValidation(breaksOut, ['breaks.monday.0']);
    const overlapping = await request(h.app).patch(`/v1/staff/${staff.id}`).set(company.auth)
      .send({ workingHours: { friday: [{ start: '09:00', end: '12:00' }, { start: '11:00', end: '15:00' }] }, name: '' });
    expectValidation(overlapping, ['name', 'workingHours.friday.1']);
    expect((await h.db.staff.findUnique({ where: { id: staff.id } }))?.workingHours).toEqual(workingHours);

    branchChanged.mockClear();
    const moved = await request(h.app).patch(`/v1/staff/${staff.id}`).set(company.auth).send({ branchId: nord.id });
    expect(moved.body.branchId).toBe(nord.id);
    expect(branchChanged.mock.calls).toEqual([[company.id, branch.id], [company.id, nord.id]]);
    const foreign = await request(h.app).patch(`/v1/staff/${staff.id}`).set(company.auth).send({ branchId: 'br_nope' });
    expect(foreign.status).toBe(404);
  });

  it('time off: created from instants, listed in the branch offset, invalidates; bad input 400', async () => {
    const staff = (await request(h.app).post('/v1/staff').set(company.auth).send({ branchId: branch.id, name: 'Mia', workingHours })).body;
    branchChanged.mockClear();
    const res = await request(h.app).post(`/v1/staff/${staff.id}/time-off`).set(company.auth)
      .send({ start: '2026-12-01T08:00:00Z', end: '2026-12-01T12:00:00Z', reason: 'Dentist' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ staffId: staff.id, start: '2026-12-01T09:00:00+01:00', end: '2026-12-01T13:00:00+01:00', reason: 'Dentist' });
    expect(branchChanged).toHaveBeenCalledWith(company.id, branch.id);
    const second = await request(h.app).post(`/v1/staff/${staff.id}/time-off`).set(company.auth)
      .send({ start: '2026-07-01T00:00:00+02:00', end: '2026-07-15T00:00:00+02:00' });
    expect(second.body).toMatchObject({ start: '2026-07-01T00:00:00+02:00', reason: null });

    const list = await request(h.app).get(`/v1/staff/${staff.id}/time-off`).query({ limit: 1 }).set(company.auth);
    expect(list.body.data).toEqual([res.body]);
    const rest = await request(h.app).get(`/v1/staff/${staff.id}/time-off`).query({ limit: 1, cursor: list.body.nextCursor }).set(company.auth);
    expect(rest.body).toEqual({ data: [second.body], nextCursor: null });

    branchChanged.mockClear();
    const backwards = await request(h.app).post(`/v1/staff/${staff.id}/time-off`).set(company.auth)
      .send({ start: '2026-12-01T12:00:00Z', end: '2026-12-01T08:00:00Z' });
    expectValidation(backwards, ['end']);
    const noOffset = await request(h.app).post(`/v1/staff/${staff.id}/time-off`).set(company.auth)
      .send({ start: '2026-12-01T08:00:00', end: 'tomorrow', reason: 5 });
    expectValidation(noOffset, ['end', 'reason', 'start']);
    expect(await h.db.staffTimeOff.count({ where: { staffId: staff.id } })).toBe(2);
    expect(branchChanged).not.toHaveBeenCalled();
  });

  it('values the database cannot hold are 400 field errors, never 500, and write nothing', async () => {
    const staff = (await request(h.app).post('/v1/staff').set(company.auth).send({ branchId: branch.id, name: 'Mia', workingHours })).body;
    const bigId = await request(h.app).post('/v1/staff').set(company.auth).send({ branchId: branch.id, name: 'Big', workingHours, calcomUserId: 2 ** 40 });
    expectValidation(bigId, ['calcomUserId']);
    const bigEventType = await request(h.app).post('/v1/services').set(company.auth).send({ branchId: branch.id, name: 'S', durationMinutes: 30, calcomEventTypeId: 2 ** 40 });
    expectValidation(bigEventType, ['calcomEventTypeId']);
    const yearZero = await request(h.app).post(`/v1/staff/${staff.id}/time-off`).set(company.auth)
      .send({ start: '0000-01-01T00:00:00Z', end: '9999-12-31T23:59:59-14:00' });
    expectValidation(yearZero, ['end', 'start']);
    const cursor = (key: unknown[]) => Buffer.from(JSON.stringify(key)).toString('base64url');
    for (const key of [['2026-01-01T00:00:00Z', 'a\u0000'], ['-200000-01-01T00:00:00Z', 'br_x'], ['2026-01-01T00:00:00Z', 7]]) {
      expectValidation(await request(h.app).get('/v1/staff').query({ cursor: cursor(key) }).set(company.auth), ['cursor']);
    }
    expect(await counts(company.id)).toMatchObject({ staff: 1, timeOff: 0 });
    expect(await h.db.service.count({ where: { companyId: company.id } })).toBe(0);
  });
});
