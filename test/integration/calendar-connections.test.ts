/**
 * Calendar connections on the real stack (API.md "Calendar connections"; PostgreSQL, Temporal dev
 * server, the Cal.com emulator over HTTP): each company books into its own Cal.com account, an
 * unlinked booking makes no calendar call and confirms as `not_linked`, links to another account
 * are refused, the key is verified, stored encrypted and never answered or logged, and deleting a
 * connection unlinks its branches while bookings keep their calendar status; its reconciliation
 * Schedule goes with it, with its company, or by itself once its rows went in SQL.
 */
import pino from 'pino';
import request from 'supertest';
import { Writable } from 'node:stream';
import { createCompany, createKey, type TestCompany } from '../api/api-harness';
import { connectBranchViaApi, createEmulatorAccount, linkCalendar } from '../harness/calendar-link';
import { ScheduleNotFoundError } from '@temporalio/client';
import { reconcileScheduleId } from '../../workflows/calendar-reconcile.contract';
import { dropCompany } from './availability.fixtures';
import { bookingBody, eventually, postBooking, seedCatalog, startBookingStack, type BookingStack } from './booking-http.helpers';

jest.setTimeout(120_000);

let stack: BookingStack;
const lines: string[] = [];
let app: BookingStack['app'];

describe('calendar connections', () => {
  beforeAll(async () => {
    stack = await startBookingStack('calendar-connections');
    // An app over the same stack whose log lines are kept (the key must appear in none).
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => void (lines.push(chunk.toString()), done()) });
    app = (await stack.extraApp({ logger: pino({ level: 'debug' }, sink) })).app;
  });
  afterAll(async () => {
    await stack?.close();
  });

  const emulatorRequests = () => stack.emulator.state.requests.filter((r) => r.path.startsWith('/v2/')).length;
  const accountOf = (uid: string) => stack.emulator.state.storedBooking(uid).account.apiKey;

  it('connects an account: key verified with /v2/me, webhook registered, key never answered or logged; bad keys and URLs are 422 with nothing stored', async () => {
    const company = await createCompany(app, 'Connect Co');
    const account = await createEmulatorAccount(stack.emulator.url);
    const res = await request(app).post('/v1/calendar-connections').set(company.auth).send({ name: 'Our Cal.com', provider: 'calcom', baseUrl: stack.emulator.url, apiKey: account.apiKey });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^cal_/), name: 'Our Cal.com', provider: 'calcom', baseUrl: stack.emulator.url, status: 'active',
      account: { id: account.userIds[0], email: expect.any(String) }, webhookUrl: expect.stringMatching(new RegExp(`/v1/webhooks/calcom/${res.body.id}$`)),
      webhookRegistered: true, lastReconciledAt: null, drift: { repaired: 0, open: 0 }, createdAt: expect.any(String), updatedAt: expect.any(String),
    });
    const hooks = stack.emulator.state.accounts.byApiKey(account.apiKey)!.webhooks;
    expect(hooks).toEqual([expect.objectContaining({ subscriberUrl: res.body.webhookUrl, triggers: ['BOOKING_CREATED', 'BOOKING_RESCHEDULED', 'BOOKING_CANCELLED'], secret: expect.stringMatching(/^[0-9a-f]{64}$/) })]);
    const row = await stack.workerDb.calendarConnection.findUniqueOrThrow({ where: { id: res.body.id } });
    expect(row.apiKeyEnc).not.toContain(account.apiKey);
    expect(row.webhookSecretEnc).not.toContain(hooks[0]!.secret);

    const support = await createKey(app, company, 'support');
    const got = await request(app).get(`/v1/calendar-connections/${res.body.id}`).set(support);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(res.body);
    const list = await request(app).get('/v1/calendar-connections').set(company.auth);
    expect(list.body).toEqual({ data: [res.body], nextCursor: null });
    const renamed = await request(app).patch(`/v1/calendar-connections/${res.body.id}`).set(company.auth).send({ name: 'Renamed', apiKey: account.apiKey });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('Renamed');
    expect((await stack.workerDb.calendarConnection.findUniqueOrThrow({ where: { id: res.body.id } })).keyVersion).toBe(2);

    const wrongKey = await request(app).post('/v1/calendar-connections').set(company.auth).send({ name: 'x', provider: 'calcom', baseUrl: stack.emulator.url, apiKey: 'cal_wrong_key_123' });
    expect(wrongKey.status).toBe(422);
    expect(wrongKey.body.code).toBe('calendar_connection_invalid');
    const plainHttp = await request(app).post('/v1/calendar-connections').set(company.auth).send({ name: 'x', provider: 'calcom', baseUrl: 'http://cal.example.test', apiKey: account.apiKey });
    expect(plainHttp.status).toBe(422);
    expect(plainHttp.body.code).toBe('calendar_connection_invalid');
    const other = await createEmulatorAccount(stack.emulator.url);
    const foreignKey = await request(app).patch(`/v1/calendar-connections/${res.body.id}`).set(company.auth).send({ apiKey: other.apiKey });
    expect(foreignKey.status).toBe(422);
    expect(await stack.workerDb.calendarConnection.count({ where: { companyId: company.id } })).toBe(1);
    const bad = await request(app).post('/v1/calendar-connections').set(company.auth).send({ name: 'x\u0000y', provider: 'google', baseUrl: 'nope', apiKey: '' });
    expect(bad.status).toBe(400);
    expect([...new Set(bad.body.errors.map((e: { path: string }) => e.path))].sort()).toEqual(['apiKey', 'baseUrl', 'name', 'provider']);

    // Another company sees none of it.
    const stranger = await createCompany(app, 'Stranger Co');
    expect((await request(app).get(`/v1/calendar-connections/${res.body.id}`).set(stranger.auth)).status).toBe(404);
    expect((await request(app).patch(`/v1/calendar-connections/${res.body.id}`).set(stranger.auth).send({ name: 'mine' })).status).toBe(404);
    expect((await request(app).get('/v1/calendar-connections').set(stranger.auth)).body.data).toEqual([]);
    const strangerBranch = await request(app).post('/v1/branches').set(stranger.auth).send({ name: 'S', timezone: 'Europe/Berlin', operatingHours: {}, calendarConnectionId: res.body.id });
    expect(strangerBranch.status).toBe(404);

    for (const key of [account.apiKey, other.apiKey, 'cal_wrong_key_123']) {
      expect(lines.join('\n')).not.toContain(key);
      for (const answer of [res, got, list, renamed, wrongKey, plainHttp, foreignKey, bad]) expect(JSON.stringify(answer.body)).not.toContain(key);
    }
  });

  it('two companies, each with its own account, book the same start: both synced, each in its own account', async () => {
    const second = await createCompany(app, 'Second Co');
    const catalog = await seedCatalog(stack.workerDb, second.id);
    const secondCalendar = await linkCalendar(stack.workerDb, { companyId: second.id, branchId: catalog.branchId, emulatorUrl: stack.emulator.url, staffIds: [catalog.staff.anna, catalog.staff.ben], serviceIds: [catalog.serviceId] });
    // Same Cal.com-side slot shape in both accounts: the first user of each account at one instant.
    const start = '2027-03-01T10:00:00+01:00';
    const [a, b] = await Promise.all([
      postBooking(stack, bookingBody(stack.catalog, start)),
      request(app).post('/v1/bookings').set(second.auth).send(bookingBody(catalog, start)),
    ]);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.calendar).toEqual({ status: 'synced', externalId: expect.any(String) });
    expect(b.body.calendar).toEqual({ status: 'synced', externalId: expect.any(String) });
    expect(accountOf(a.body.calendar.externalId)).toBe(stack.calendar.account.apiKey);
    expect(accountOf(b.body.calendar.externalId)).toBe(secondCalendar.account.apiKey);
    const remote = stack.emulator.state.getBooking(b.body.calendar.externalId);
    expect(remote.metadata).toEqual({ bookingId: b.body.id, companyId: second.id });
    expect(remote.hosts.map((h) => h.id)).toEqual([secondCalendar.account.userIds[0]]);
  });

  it('two unlinked staff at the same start: both confirmed as not_linked, no calendar call at all', async () => {
    const company = await createCompany(app, 'Unlinked Co');
    const catalog = await seedCatalog(stack.workerDb, company.id);
    const before = emulatorRequests();
    const start = '2027-03-02T10:00:00+01:00';
    const [a, b] = await Promise.all([
      request(app).post('/v1/bookings').set(company.auth).send(bookingBody(catalog, start)),
      request(app).post('/v1/bookings').set(company.auth).send(bookingBody(catalog, start, { staffId: catalog.staff.ben })),
    ]);
    expect([a.status, b.status]).toEqual([201, 201]);
    for (const r of [a, b]) expect(r.body).toMatchObject({ status: 'confirmed', calendar: { status: 'not_linked', externalId: null } });
    // Cancel and reschedule stay local too.
    const moved = await request(app).post(`/v1/bookings/${a.body.id}/reschedule`).set(company.auth).send({ start: '2027-03-02T12:00:00+01:00' });
    expect(moved.status).toBe(200);
    expect(moved.body.calendar.status).toBe('not_linked');
    const cancelled = await request(app).post(`/v1/bookings/${b.body.id}/cancel`).set(company.auth).send({});
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.calendar.status).toBe('not_linked');
    expect(emulatorRequests()).toBe(before);
  });

  it("links to another account's users or event types are refused (422 calendar_link_invalid); unlinked branches take no ids", async () => {
    const company: TestCompany = await createCompany(app, 'Links Co');
    const branch = await request(app).post('/v1/branches').set(company.auth).send({ name: 'B', timezone: 'Europe/Berlin', operatingHours: {} });
    const hours = {};
    const noConnection = await request(app).post('/v1/staff').set(company.auth).send({ branchId: branch.body.id, name: 'N', workingHours: hours, calcomUserId: 5 });
    expect(noConnection.status).toBe(422);
    expect(noConnection.body.code).toBe('calendar_link_invalid');
    const { account } = await connectBranchViaApi(app, company.auth, branch.body.id, stack.emulator.url);
    const foreign = stack.calendar.account;
    const staffForeign = await request(app).post('/v1/staff').set(company.auth).send({ branchId: branch.body.id, name: 'F', workingHours: hours, calcomUserId: foreign.userIds[0] });
    expect(staffForeign.status).toBe(422);
    expect(staffForeign.body.code).toBe('calendar_link_invalid');
    const serviceForeign = await request(app).post('/v1/services').set(company.auth).send({ branchId: branch.body.id, name: 'S', durationMinutes: 30, calcomEventTypeId: foreign.eventTypeIds[0] });
    expect(serviceForeign.status).toBe(422);
    expect(serviceForeign.body.code).toBe('calendar_link_invalid');
    expect(await stack.workerDb.staff.count({ where: { companyId: company.id } })).toBe(0);
    const own = await request(app).post('/v1/staff').set(company.auth).send({ branchId: branch.body.id, name: 'O', workingHours: hours, calcomUserId: account.userIds[2] });
    expect(own.status).toBe(201);
    const patchForeign = await request(app).patch(`/v1/staff/${own.body.id}`).set(company.auth).send({ calcomUserId: foreign.userIds[1] });
    expect(patchForeign.status).toBe(422);
    expect((await request(app).get(`/v1/staff/${own.body.id}`).set(company.auth)).body.calcomUserId).toBe(account.userIds[2]);
  });

  it("a time the linked staff member is busy with in Cal.com is not offered, and booking it is 409 with alternatives, never 502", async () => {
    const annaUser = stack.calendar.account.userIds[0]!;
    const outside = async (start: string, end: string) => {
      const res = await fetch(`${stack.emulator.url}/__control/bookings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: annaUser, start, end, title: 'Dentist' }) });
      expect(res.status).toBe(201);
    };
    // Known before the request: the plan refuses it (no saga, no Cal.com create).
    await outside('2027-03-08T09:00:00Z', '2027-03-08T10:00:00Z');
    const avail = await request(app).get('/v1/availability').set(stack.company.auth).query({ branchId: stack.catalog.branchId, serviceId: stack.catalog.serviceId, staffId: stack.catalog.staff.anna, from: '2027-03-08', to: '2027-03-08' });
    expect(avail.status).toBe(200);
    expect(avail.headers['x-calendar-status']).toBe('ok');
    const starts = avail.body.days[0].slots.map((s: { start: string }) => s.start);
    expect(starts).not.toContain('2027-03-08T10:00:00+01:00');
    expect(starts).toContain('2027-03-08T11:00:00+01:00');
    const busy = await postBooking(stack, bookingBody(stack.catalog, '2027-03-08T10:00:00+01:00'));
    expect(busy.status).toBe(409);
    expect(busy.body.code).toBe('slot_unavailable');
    expect(busy.body.alternatives.length).toBeGreaterThan(0);
    expect(busy.body.alternatives.map((a: { start: string; staffId: string }) => `${a.staffId}@${a.start}`)).not.toContain(`${stack.catalog.staff.anna}@2027-03-08T10:00:00+01:00`);

    // Made in Cal.com after our cached listing of that day: Cal.com refuses the create; still a 409.
    expect((await postBooking(stack, bookingBody(stack.catalog, '2027-03-09T09:00:00+01:00'))).status).toBe(201);
    await outside('2027-03-09T11:00:00Z', '2027-03-09T12:00:00Z');
    const late = await postBooking(stack, bookingBody(stack.catalog, '2027-03-09T12:00:00+01:00'));
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('slot_unavailable');
    expect(Array.isArray(late.body.alternatives)).toBe(true);
    // It went through the saga (held, refused by Cal.com, compensated), not through the plan.
    expect(await stack.workerDb.booking.count({ where: { branchId: stack.catalog.branchId, startAt: new Date('2027-03-09T11:00:00Z'), status: 'failed' } })).toBe(1);
  });

  it('deleting a connection unlinks its branches; bookings keep their calendar status and later ones are not_linked', async () => {
    const company = await createCompany(app, 'Delete Co');
    const catalog = await seedCatalog(stack.workerDb, company.id);
    const { connectionId } = await linkCalendar(stack.workerDb, { companyId: company.id, branchId: catalog.branchId, emulatorUrl: stack.emulator.url, staffIds: [catalog.staff.anna, catalog.staff.ben], serviceIds: [catalog.serviceId] });
    const synced = await request(app).post('/v1/bookings').set(company.auth).send(bookingBody(catalog, '2027-03-03T10:00:00+01:00'));
    expect(synced.body.calendar.status).toBe('synced');
    const deleted = await request(app).delete(`/v1/calendar-connections/${connectionId}`).set(company.auth);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ id: connectionId, deleted: true, unlinkedBranchIds: [catalog.branchId] });
    expect((await request(app).get(`/v1/branches/${catalog.branchId}`).set(company.auth)).body.calendarConnectionId).toBeNull();
    expect((await request(app).get(`/v1/bookings/${synced.body.id}`).set(company.auth)).body.calendar.status).toBe('synced');
    const later = await request(app).post('/v1/bookings').set(company.auth).send(bookingBody(catalog, '2027-03-03T12:00:00+01:00'));
    expect(later.body).toMatchObject({ status: 'confirmed', calendar: { status: 'not_linked' } });
  });

  describe('reconciliation Schedules go with their connection', () => {
    const scheduleOf = (connectionId: string) => stack.api.deps.temporal!.schedule.getHandle(reconcileScheduleId(connectionId));
    const gone = (connectionId: string) => scheduleOf(connectionId).describe().then(() => false, (error: unknown) => (error instanceof ScheduleNotFoundError ? true : Promise.reject(error)));
    async function connected(name: string): Promise<{ company: TestCompany; connectionId: string }> {
      const company = await createCompany(app, name);
      const account = await createEmulatorAccount(stack.emulator.url);
      const created = await request(app).post('/v1/calendar-connections').set(company.auth).send({ name: 'Cal.com', provider: 'calcom', baseUrl: stack.emulator.url, apiKey: account.apiKey });
      expect(created.status).toBe(201);
      expect((await scheduleOf(created.body.id).describe()).action).toMatchObject({ type: 'startWorkflow', taskQueue: stack.taskQueue });
      return { company, connectionId: created.body.id };
    }

    it('creating then deleting a connection leaves no Schedule', async () => {
      const { company, connectionId } = await connected('Schedule deleted Co');
      expect((await request(app).delete(`/v1/calendar-connections/${connectionId}`).set(company.auth)).status).toBe(200);
      await expect(gone(connectionId)).resolves.toBe(true);
    });

    it("deleting a company (the tests' dropCompany, infra/company/delete-company.ts) deletes its connections' Schedules", async () => {
      const first = await connected('Schedule company Co');
      const account = await createEmulatorAccount(stack.emulator.url);
      const second = await request(app).post('/v1/calendar-connections').set(first.company.auth).send({ name: 'Second', provider: 'calcom', baseUrl: stack.emulator.url, apiKey: account.apiKey });
      expect(second.status).toBe(201);
      await dropCompany(stack.workerDb, first.company.id);
      expect(await stack.workerDb.company.findUnique({ where: { id: first.company.id } })).toBeNull();
      await expect(gone(first.connectionId)).resolves.toBe(true);
      await expect(gone(second.body.id)).resolves.toBe(true);
    });

    it("closing a test stack deletes the Schedules of the connections made through its API, and only those", async () => {
      const mine = await connected('Schedule kept Co');
      const other = await startBookingStack('calendar-connections-close');
      let connectionId: string;
      try {
        const company = await createCompany(other.app, 'Schedule stack Co');
        const account = await createEmulatorAccount(other.emulator.url);
        const created = await request(other.app).post('/v1/calendar-connections').set(company.auth).send({ name: 'Cal.com', provider: 'calcom', baseUrl: other.emulator.url, apiKey: account.apiKey });
        expect(created.status).toBe(201);
        connectionId = created.body.id;
        expect((await scheduleOf(connectionId).describe()).action).toMatchObject({ taskQueue: other.taskQueue });
      } finally {
        await other.close();
      }
      await expect(gone(connectionId)).resolves.toBe(true);
      await expect(gone(mine.connectionId)).resolves.toBe(false);
    });

    it('a Schedule whose connection went without it (rows deleted in SQL) deletes itself at its next run', async () => {
      const { connectionId } = await connected('Schedule orphan Co');
      await stack.workerDb.$executeRaw`DELETE FROM "calendar_connections" WHERE "id" = ${connectionId}`;
      await scheduleOf(connectionId).trigger();
      await eventually(async () => ((await gone(connectionId)) ? true : undefined), 30_000);
    });
  });
});
