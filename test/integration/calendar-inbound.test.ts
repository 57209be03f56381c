/**
 * Inbound calendar sync on the real stack (API.md "Calendar connections", inbound changes):
 * PostgreSQL, Temporal dev server, Redis and the Cal.com emulator, which delivers its signed
 * webhooks over HTTP to an API listening on a port (the connection registers
 * PUBLIC_BASE_URL/v1/webhooks/calcom/:id). Cancel and reschedule made in Cal.com flow back within
 * seconds; a reschedule onto a time busy here opens an `inbound_reschedule` sync failure; bad
 * signatures, unknown connections and malformed bodies change nothing; a redelivery is a no-op; a
 * webhook about another company's booking changes nothing; a booking made in Cal.com by someone
 * else blocks that time at once; a dropped webhook is repaired by reconciliation.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { createAvailabilityDeps, type AvailabilityDeps } from '../../api/availability/availability.deps';
import { webhookBody, webhookSignature } from '../../infra/calcom/emulator/emulator.webhooks';
import { createCompany, type TestCompany } from '../api/api-harness';
import { createEmulatorAccount, type EmulatorAccountInfo } from '../harness/calendar-link';
import { ScheduleNotFoundError } from '@temporalio/client';
import { reconcileScheduleId } from '../../workflows/calendar-reconcile.contract';
import { bookingBody, eventually, seedCatalog, setFaults, startBookingStack, type BookingCatalog, type BookingStack } from './booking-http.helpers';

jest.setTimeout(300_000);

let stack: BookingStack;
let server: Server;
let app: BookingStack['app'];
let availability: AvailabilityDeps;
const silent = { info: () => undefined, warn: () => undefined };

interface Tenant {
  company: TestCompany;
  catalog: BookingCatalog;
  connectionId: string;
  account: EmulatorAccountInfo;
}

async function control(path: string, body: unknown = {}): Promise<{ status: number; body: { data?: { uid: string; start: string } } }> {
  const res = await fetch(`${stack.emulator.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as { data?: { uid: string; start: string } } };
}

/** A company that connects its own emulator account through the API (webhook registered) and links Anna, Ben and the service. */
async function tenant(name: string): Promise<Tenant> {
  const company = await createCompany(app, name);
  const catalog = await seedCatalog(stack.workerDb, company.id);
  const account = await createEmulatorAccount(stack.emulator.url);
  const created = await request(app).post('/v1/calendar-connections').set(company.auth).send({ name: 'Cal.com', provider: 'calcom', baseUrl: stack.emulator.url, apiKey: account.apiKey });
  expect(created.status).toBe(201);
  expect(created.body.webhookRegistered).toBe(true);
  expect((await request(app).patch(`/v1/branches/${catalog.branchId}`).set(company.auth).send({ calendarConnectionId: created.body.id })).status).toBe(200);
  await stack.workerDb.staff.update({ where: { id: catalog.staff.anna }, data: { calcomUserId: account.userIds[0]! } });
  await stack.workerDb.staff.update({ where: { id: catalog.staff.ben }, data: { calcomUserId: account.userIds[1]! } });
  await stack.workerDb.service.update({ where: { id: catalog.serviceId }, data: { calcomEventTypeId: account.eventTypeIds[0]! } });
  return { company, catalog, connectionId: created.body.id, account };
}

async function book(t: Tenant, start: string, extra: Record<string, unknown> = {}) {
  const res = await request(app).post('/v1/bookings').set(t.company.auth).send(bookingBody(t.catalog, start, extra));
  expect(res.status).toBe(201);
  expect(res.body.calendar.status).toBe('synced');
  return res.body as { id: string; start: string; calendar: { externalId: string } };
}

const getBooking = async (t: Tenant, id: string) => (await request(app).get(`/v1/bookings/${id}`).set(t.company.auth)).body;
const secretOf = (t: Tenant) => stack.emulator.state.accounts.byApiKey(t.account.apiKey)!.webhooks[0]!.secret!;

/** A delivery as the emulator (Cal.com) would make it, signed with `secret`. */
function delivery(trigger: string, uid: string, secret: string, extra: Record<string, unknown> = {}, createdAt = new Date().toISOString()) {
  const body = webhookBody(trigger, createdAt, stack.emulator.state.getBooking(uid), extra);
  return { body, signature: webhookSignature(body, secret) };
}

const post = (connectionId: string, body: string, signature?: string) => {
  const req = request(app).post(`/v1/webhooks/calcom/${connectionId}`).set('content-type', 'application/json');
  if (signature !== undefined) req.set('x-cal-signature-256', signature);
  return req.send(body);
};

async function workflowResult(workflowId: string): Promise<{ kind: string; reason?: string; repaired?: number; open?: number }> {
  return stack.api.deps.temporal!.workflow.getHandle(workflowId).result();
}

describe('inbound calendar sync', () => {
  let a: Tenant;
  let b: Tenant;

  beforeAll(async () => {
    // A shared 2-core machine: the booking answer may take a while, 201 is what matters here.
    stack = await startBookingStack('calendar-inbound', { bookingWaitMs: 60_000 });
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const publicBaseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const config = { ...stack.api.deps.config, publicBaseUrl };
    // Cached availability with Cal.com busy times, invalidated through the worker's cache prefix.
    availability = createAvailabilityDeps({ config, db: stack.api.db, logger: silent, cachePrefix: stack.cachePrefix });
    app = (await stack.extraApp({ config, ...availability.deps })).app;
    server.on('request', app);
    a = await tenant('Inbound A');
    b = await tenant('Inbound B');
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await availability?.close();
    await stack?.close();
  });

  it('a cancellation made in Cal.com flows back within seconds: cancelled_in_calendar, slot free at once, customer mailed', async () => {
    const booked = await book(a, '2027-04-05T10:00:00+02:00');
    const started = Date.now();
    expect((await control(`/__control/bookings/${booked.calendar.externalId}/cancel`, { cancellationReason: 'ill' })).status).toBe(200);
    const cancelled = await eventually(async () => {
      const got = await getBooking(a, booked.id);
      return got.status === 'cancelled' ? got : undefined;
    }, 45_000);
    const seconds = (Date.now() - started) / 1000;
    console.log(`inbound cancel applied after ${seconds.toFixed(2)} s`);
    // Within seconds (a loaded 2-core box shares the server with other suites).
    expect(seconds).toBeLessThan(30);
    expect(cancelled.calendar).toEqual({ status: 'synced', externalId: booked.calendar.externalId });
    expect(cancelled.history.map((h: { event: string }) => h.event)).toContain('cancelled_in_calendar');
    // The slot is free at once: the same time books again.
    const again = await book(a, '2027-04-05T10:00:00+02:00');
    expect(again.id).not.toBe(booked.id);
    await eventually(async () => ((await stack.workerDb.notification.count({ where: { bookingId: booked.id, kind: 'booking_cancelled' } })) === 1 ? true : undefined), 45_000);
  });

  it('a reschedule made in Cal.com flows back: moved, rescheduled_in_calendar, rescheduledCount + 1, new externalId', async () => {
    const booked = await book(a, '2027-04-06T10:00:00+02:00');
    const started = Date.now();
    const moved = await control(`/__control/bookings/${booked.calendar.externalId}/reschedule`, { start: '2027-04-06T12:00:00Z' });
    expect(moved.status).toBe(200);
    const newUid = moved.body.data!.uid;
    expect(newUid).not.toBe(booked.calendar.externalId);
    const got = await eventually(async () => {
      const row = await getBooking(a, booked.id);
      return row.rescheduledCount === 1 ? row : undefined;
    }, 45_000);
    console.log(`inbound reschedule applied after ${((Date.now() - started) / 1000).toFixed(2)} s`);
    expect(got).toMatchObject({ status: 'confirmed', start: '2027-04-06T14:00:00+02:00', calendar: { status: 'synced', externalId: newUid } });
    expect(got.history.map((h: { event: string }) => h.event)).toContain('rescheduled_in_calendar');
    // The old time is free again, the new one taken.
    await book(a, '2027-04-06T10:00:00+02:00');
    const taken = await request(app).post('/v1/bookings').set(a.company.auth).send(bookingBody(a.catalog, '2027-04-06T14:00:00+02:00'));
    expect(taken.status).toBe(409);
  });

  it('a reschedule in Cal.com onto a time busy here keeps the booking and opens an inbound_reschedule sync failure', async () => {
    const booked = await book(a, '2027-04-07T10:00:00+02:00');
    // Busy here only: a reservation of Anna at 15:00 (Cal.com knows nothing of it).
    const held = await request(app).post('/v1/reservations').set(a.company.auth).send({ branchId: a.catalog.branchId, serviceId: a.catalog.serviceId, staffId: a.catalog.staff.anna, start: '2027-04-07T15:00:00+02:00', ttlSeconds: 900 });
    expect(held.status).toBe(201);
    expect((await control(`/__control/bookings/${booked.calendar.externalId}/reschedule`, { start: '2027-04-07T13:00:00Z' })).status).toBe(200);
    const failure = await eventually(async () => (await stack.workerDb.syncFailure.findFirst({ where: { bookingId: booked.id } })) ?? undefined, 45_000);
    expect(failure).toMatchObject({ operation: 'inbound_reschedule', status: 'open', companyId: a.company.id });
    expect(failure.error).toMatch(/slot_unavailable/);
    const listed = await request(app).get('/v1/sync-failures?status=open').set(a.company.auth);
    expect(listed.body.data).toEqual(expect.arrayContaining([expect.objectContaining({ id: failure.id, operation: 'inbound_reschedule' })]));
    const got = await getBooking(a, booked.id);
    expect(got).toMatchObject({ status: 'confirmed', start: '2027-04-07T10:00:00+02:00', rescheduledCount: 0 });
  });

  it('bad or missing signature 401, stale 401, unknown connection 404, malformed body 400: nothing changes', async () => {
    const booked = await book(a, '2027-04-08T10:00:00+02:00');
    const uid = booked.calendar.externalId;
    const good = delivery('BOOKING_CANCELLED', uid, secretOf(a));
    const badSig = await post(a.connectionId, good.body, webhookSignature(good.body, 'not-the-secret'));
    expect(badSig.status).toBe(401);
    expect(badSig.body.code).toBe('unauthenticated');
    expect((await post(a.connectionId, good.body)).status).toBe(401);
    expect((await post(a.connectionId, good.body, 'zz')).status).toBe(401);
    // Signed by another connection's secret.
    expect((await post(a.connectionId, good.body, webhookSignature(good.body, secretOf(b)))).status).toBe(401);
    const stale = delivery('BOOKING_CANCELLED', uid, secretOf(a), {}, new Date(Date.now() - 2 * 3_600_000).toISOString());
    expect((await post(a.connectionId, stale.body, stale.signature)).status).toBe(401);
    const unknown = await post('cal_doesnotexist00000', good.body, good.signature);
    expect(unknown.status).toBe(404);
    const notJson = '{"triggerEvent": "BOOKING_CANCELLED", ';
    const malformed = await post(a.connectionId, notJson, webhookSignature(notJson, secretOf(a)));
    expect(malformed.status).toBe(400);
    const shapeless = JSON.stringify({ triggerEvent: 'BOOKING_CANCELLED', createdAt: new Date().toISOString(), payload: { uid: 'x y', startTime: 'soon' } });
    const invalid = await post(a.connectionId, shapeless, webhookSignature(shapeless, secretOf(a)));
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['payload.uid', 'payload.startTime', 'payload.endTime']));
    // No key is needed, and a key changes nothing (still verified by signature).
    expect((await request(app).post(`/v1/webhooks/calcom/${a.connectionId}`).set(a.company.auth).set('content-type', 'application/json').send(good.body)).status).toBe(401);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await getBooking(a, booked.id)).toMatchObject({ status: 'confirmed' });
    // An untracked trigger is received and ignored.
    const ping = JSON.stringify({ triggerEvent: 'PING', createdAt: new Date().toISOString(), payload: { uid: 'ping', startTime: new Date().toISOString(), endTime: new Date().toISOString() } });
    const pinged = await post(a.connectionId, ping, webhookSignature(ping, secretOf(a)));
    expect(pinged.status).toBe(200);
    expect(pinged.body).toEqual({ received: true, handled: false, workflowId: null, duplicate: false });
  });

  it('a redelivered event is a no-op: one workflow, one history entry, one mail', async () => {
    const booked = await book(a, '2027-04-09T10:00:00+02:00');
    const uid = booked.calendar.externalId;
    // Cancelled in Cal.com with the deliveries dropped, then delivered by hand twice (same body).
    await control('/__control/webhooks', { mode: 'drop' });
    try {
      expect((await control(`/__control/bookings/${uid}/cancel`, {})).status).toBe(200);
    } finally {
      await control('/__control/webhooks', { mode: 'deliver' });
    }
    const event = delivery('BOOKING_CANCELLED', uid, secretOf(a), { cancellationReason: 'ill' });
    const first = await post(a.connectionId, event.body, event.signature);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ received: true, handled: true, duplicate: false });
    expect(await workflowResult(first.body.workflowId)).toEqual({ kind: 'cancelled', bookingId: booked.id });
    const second = await post(a.connectionId, event.body, event.signature);
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ workflowId: first.body.workflowId, duplicate: true });
    // The same change in another delivery (new createdAt) starts a workflow that changes nothing.
    const later = delivery('BOOKING_CANCELLED', uid, secretOf(a), { cancellationReason: 'ill' }, new Date(Date.now() + 1000).toISOString());
    const third = await post(a.connectionId, later.body, later.signature);
    expect(third.status).toBe(200);
    if (!third.body.duplicate) expect(await workflowResult(third.body.workflowId)).toMatchObject({ kind: 'ignored' });
    const history = await stack.workerDb.bookingHistory.count({ where: { bookingId: booked.id, event: 'cancelled_in_calendar' } });
    expect(history).toBe(1);
    await eventually(async () => ((await stack.workerDb.notification.count({ where: { bookingId: booked.id, kind: 'booking_cancelled' } })) === 1 ? true : undefined), 45_000);
  });

  it("an event about another company's booking changes nothing, even when signed for this connection", async () => {
    const theirs = await book(b, '2027-04-12T10:00:00+02:00');
    // B's booking as Cal.com would describe it, delivered to A's connection with A's secret.
    const forged = delivery('BOOKING_CANCELLED', theirs.calendar.externalId, secretOf(a));
    const res = await post(a.connectionId, forged.body, forged.signature);
    expect(res.status).toBe(200);
    expect(await workflowResult(res.body.workflowId)).toMatchObject({ kind: 'ignored' });
    // Claiming A's company for B's booking id does not help either.
    const claimed = delivery('BOOKING_CANCELLED', theirs.calendar.externalId, secretOf(a), { metadata: { bookingId: theirs.id, companyId: a.company.id } });
    const res2 = await post(a.connectionId, claimed.body, claimed.signature);
    expect(await workflowResult(res2.body.workflowId)).toMatchObject({ kind: 'ignored', reason: 'unknown_booking' });
    expect(await getBooking(b, theirs.id)).toMatchObject({ status: 'confirmed' });
  });

  it('a booking made in Cal.com by someone else blocks that time here at once', async () => {
    const start = '2027-04-13T08:00:00Z';
    const before = await request(app).get(`/v1/availability?branchId=${a.catalog.branchId}&serviceId=${a.catalog.serviceId}&staffId=${a.catalog.staff.anna}&from=2027-04-13&to=2027-04-13`).set(a.company.auth);
    expect(before.status).toBe(200);
    type Day = { slots: Array<{ start: string }> };
    const starts = (res: typeof before) => (res.body.days as Day[]).some((d) => d.slots.some((slot) => slot.start === '2027-04-13T10:00:00+02:00'));
    expect(starts(before)).toBe(true);
    // Cached now: only the webhook's invalidation can make the next answer see the Cal.com booking.
    expect((await request(app).get(`/v1/availability?branchId=${a.catalog.branchId}&serviceId=${a.catalog.serviceId}&staffId=${a.catalog.staff.anna}&from=2027-04-13&to=2027-04-13`).set(a.company.auth)).headers['x-cache']).toBe('HIT');
    const created = await control('/__control/bookings', { userId: a.account.userIds[0], start, lengthInMinutes: 60 });
    expect(created.status).toBe(201);
    await eventually(async () => {
      const after = await request(app).get(`/v1/availability?branchId=${a.catalog.branchId}&serviceId=${a.catalog.serviceId}&staffId=${a.catalog.staff.anna}&from=2027-04-13&to=2027-04-13`).set(a.company.auth);
      return starts(after) ? undefined : true;
    }, 30_000);
    const refused = await request(app).post('/v1/bookings').set(a.company.auth).send(bookingBody(a.catalog, '2027-04-13T10:00:00+02:00'));
    expect(refused.status).toBe(409);
  });

  it('a dropped webhook is repaired by reconciliation (POST .../reconcile → 202): cancel and move applied, a busy move left open; lastReconciledAt and drift shown', async () => {
    const c = await tenant('Reconcile C');
    const schedule = await stack.api.deps.temporal!.schedule.getHandle(reconcileScheduleId(c.connectionId)).describe();
    expect(schedule.spec.intervals).toEqual([expect.objectContaining({ every: 15 * 60_000 })]);
    // Inside the 62 days reconciliation compares (January: +01:00 in Berlin).
    const x = await book(c, '2027-01-12T10:00:00+01:00');
    const y = await book(c, '2027-01-12T12:00:00+01:00');
    const z = await book(c, '2027-01-12T15:00:00+01:00');
    const held = await request(app).post('/v1/reservations').set(c.company.auth).send({ branchId: c.catalog.branchId, serviceId: c.catalog.serviceId, staffId: c.catalog.staff.anna, start: '2027-01-12T17:00:00+01:00', ttlSeconds: 900 });
    expect(held.status).toBe(201);
    // Made some minutes ago (changes of the last two minutes may have a saga of ours in flight and wait for the next run).
    await stack.workerDb.$executeRaw`UPDATE bookings SET updated_at = now() - interval '5 minutes' WHERE id IN (${x.id}, ${y.id}, ${z.id})`;
    await control('/__control/webhooks', { mode: 'drop' });
    let movedUid: string;
    try {
      expect((await control(`/__control/bookings/${x.calendar.externalId}/cancel`, {})).status).toBe(200);
      movedUid = (await control(`/__control/bookings/${y.calendar.externalId}/reschedule`, { start: '2027-01-13T09:00:00Z' })).body.data!.uid;
      expect((await control(`/__control/bookings/${z.calendar.externalId}/reschedule`, { start: '2027-01-12T16:00:00Z' })).status).toBe(200);
    } finally {
      await control('/__control/webhooks', { mode: 'deliver' });
    }
    expect((await getBooking(c, x.id)).status).toBe('confirmed');

    // Cal.com down: the run fails, nothing is changed, the connection shows no run.
    await setFaults(stack.emulator, { mode: 'error', status: 503, operations: ['list', 'get'] });
    try {
      const down = await request(app).post(`/v1/calendar-connections/${c.connectionId}/reconcile`).set(c.company.auth);
      expect(down.status).toBe(202);
      const failed = await workflowResult(down.body.workflowId).then(() => null, (error: Error) => error);
      expect(failed).toBeInstanceOf(Error);
    } finally {
      await setFaults(stack.emulator, { mode: 'none' });
    }
    expect((await getBooking(c, x.id)).status).toBe('confirmed');
    expect((await request(app).get(`/v1/calendar-connections/${c.connectionId}`).set(c.company.auth)).body.lastReconciledAt).toBeNull();

    const started = Date.now();
    const run = await request(app).post(`/v1/calendar-connections/${c.connectionId}/reconcile`).set(c.company.auth);
    expect(run.status).toBe(202);
    expect(run.body).toEqual({ workflowId: expect.any(String) });
    expect(await workflowResult(run.body.workflowId)).toMatchObject({ kind: 'done', repaired: 2, open: 1 });
    console.log(`reconciliation (3 drifted bookings) took ${((Date.now() - started) / 1000).toFixed(2)} s`);
    const cancelled = await getBooking(c, x.id);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.history.map((h: { event: string }) => h.event)).toContain('cancelled_in_calendar');
    const moved = await getBooking(c, y.id);
    expect(moved).toMatchObject({ status: 'confirmed', start: '2027-01-13T10:00:00+01:00', rescheduledCount: 1, calendar: { status: 'synced', externalId: movedUid! } });
    expect(moved.history.map((h: { event: string }) => h.event)).toContain('rescheduled_in_calendar');
    expect(await getBooking(c, z.id)).toMatchObject({ status: 'confirmed', start: '2027-01-12T15:00:00+01:00' });
    expect(await stack.workerDb.syncFailure.findFirst({ where: { bookingId: z.id } })).toMatchObject({ operation: 'inbound_reschedule', status: 'open' });
    const connection = (await request(app).get(`/v1/calendar-connections/${c.connectionId}`).set(c.company.auth)).body;
    expect(connection.lastReconciledAt).toEqual(expect.any(String));
    expect(connection.drift).toEqual({ repaired: 2, open: 1 });

    // Again: nothing left to repair; the refused move is still open. Another company's key: 404.
    const again = await request(app).post(`/v1/calendar-connections/${c.connectionId}/reconcile`).set(c.company.auth);
    expect(await workflowResult(again.body.workflowId)).toMatchObject({ kind: 'done', repaired: 0, open: 1 });
    expect(await stack.workerDb.bookingHistory.count({ where: { bookingId: { in: [x.id, y.id] }, event: { in: ['cancelled_in_calendar', 'rescheduled_in_calendar'] } } })).toBe(2);
    expect((await request(app).post(`/v1/calendar-connections/${c.connectionId}/reconcile`).set(a.company.auth)).status).toBe(404);

    // Deleting the connection deletes its Schedule.
    expect((await request(app).delete(`/v1/calendar-connections/${c.connectionId}`).set(c.company.auth)).status).toBe(200);
    await expect(stack.api.deps.temporal!.schedule.getHandle(reconcileScheduleId(c.connectionId)).describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
  });
});
