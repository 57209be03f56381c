/**
 * Temporal stopped (issue 12): every API path that talks to Temporal answers 503
 * dependency_unavailable within 2 s through the one client api/server.ts builds
 * (infra/temporal/temporal-client.ts: short deadlines, cached reachability probe), and changes
 * nothing. A private dev server is started, used (so the client's channel is established, as in a
 * running API), then stopped.
 */
import net from 'node:net';
import request from 'supertest';
import { createApp } from '../../api/app';
import { newId } from '../../infra/db/ids';
import { createTemporalClient, type TemporalClientHandle } from '../../infra/temporal/temporal-client';
import { ensureTemporalServer, type TemporalServerHandle } from '../../scripts/lib/temporal-server';
import { bookingBody, postBooking, startBookingStack, type BookingStack } from './booking-http.helpers';

jest.setTimeout(180_000);

let stack: BookingStack;
let server: TemporalServerHandle | undefined;
let dead: TemporalClientHandle | undefined;

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

beforeAll(async () => {
  stack = await startBookingStack('temporal-down');
  const address = `127.0.0.1:${await freePort()}`;
  server = await ensureTemporalServer({ address });
  dead = createTemporalClient({ config: { temporalAddress: address, temporalNamespace: 'default', temporalRpcTimeoutMs: 1_500 } });
  await dead.connection.workflowService.getSystemInfo({});
  await server.stop();
}, 150_000);
afterAll(async () => {
  await dead?.close();
  await server?.stop();
  await stack?.close();
});

test('every Temporal path answers 503 dependency_unavailable within 2 s and writes nothing', async () => {
  const { catalog, company } = stack;
  // Fixtures made while the suite's own Temporal runs: a confirmed booking, a series row, an
  // entry, a sync failure.
  const booked = await postBooking(stack, bookingBody(catalog, '2027-04-05T10:00:00+01:00'));
  expect(booked.status).toBe(201);
  const entry = await request(stack.app).post('/v1/waiting-list').set(company.auth).send({
    branchId: catalog.branchId, serviceId: catalog.serviceId, customerId: catalog.customerId, from: '2027-04-04', to: '2027-04-04', // a Sunday: closed, never matches
  });
  expect(entry.status).toBe(201);
  const failureId = newId('syf');
  await stack.workerDb.syncFailure.create({ data: { id: failureId, companyId: company.id, bookingId: booked.body.id, operation: 'create', error: 'HTTP 500' } });
  const seriesId = newId('ser');
  await stack.workerDb.series.create({
    data: {
      id: seriesId, companyId: company.id, branchId: catalog.branchId, serviceId: catalog.serviceId, customerId: catalog.customerId, staffId: null,
      start: new Date('2027-04-07T10:00:00+02:00'), recurrence: { frequency: 'weekly', count: 2 }, onConflict: 'skip', workflowId: `series-${seriesId}`, status: 'running',
    },
  });
  const bookingsBefore = await stack.workerDb.booking.count({ where: { companyId: company.id } });


  const app = createApp({ ...stack.api.deps, temporal: dead!.client });
  const auth = company.auth;
  const calls: Array<[string, () => request.Test]> = [
    ['POST /v1/bookings', () => request(app).post('/v1/bookings').set(auth).set('Idempotency-Key', `down-${stack.taskQueue}`).send(bookingBody(catalog, '2027-04-05T12:00:00+02:00'))],
    ['POST reschedule', () => request(app).post(`/v1/bookings/${booked.body.id}/reschedule`).set(auth).send({ start: '2027-04-05T14:00:00+02:00' })],
    ['POST cancel', () => request(app).post(`/v1/bookings/${booked.body.id}/cancel`).set(auth).send({})],
    ['POST /v1/series', () => request(app).post('/v1/series').set(auth).send({
      branchId: catalog.branchId, serviceId: catalog.serviceId, customerId: catalog.customerId, start: '2027-04-08T10:00:00+02:00', recurrence: { frequency: 'weekly', count: 2 },
    })],
    ['POST series cancel', () => request(app).post(`/v1/series/${seriesId}/cancel`).set(auth).send({})],
    ['POST /v1/waiting-list', () => request(app).post('/v1/waiting-list').set(auth).send({
      branchId: catalog.branchId, serviceId: catalog.serviceId, customerId: catalog.customerId, from: '2027-04-09', to: '2027-04-09',
    })],
    ['DELETE waiting-list entry', () => request(app).delete(`/v1/waiting-list/${entry.body.id}`).set(auth)],
    ['POST sync-failure retry', () => request(app).post(`/v1/sync-failures/${failureId}/retry`).set(auth)],
  ];
  const answers: Array<{ path: string; status: number; code: unknown; dependency: unknown; fast: boolean }> = [];
  for (const [path, call] of calls) {
    const started = Date.now();
    const res = await call();
    const ms = Date.now() - started;
    answers.push({ path, status: res.status, code: res.body.code, dependency: res.body.dependency, fast: ms < 2_000 });
  }
  expect(answers).toEqual(calls.map(([path]) => ({ path, status: 503, code: 'dependency_unavailable', dependency: 'temporal', fast: true })));

  // Nothing changed: no booking held, the booking still confirmed, the entry still waiting, the failure open, no new series.
  expect(await stack.workerDb.booking.count({ where: { companyId: company.id } })).toBe(bookingsBefore);
  expect((await stack.workerDb.booking.findUniqueOrThrow({ where: { id: booked.body.id } })).status).toBe('confirmed');
  expect((await stack.workerDb.waitingListEntry.findUniqueOrThrow({ where: { id: entry.body.id } })).status).toBe('waiting');
  expect((await stack.workerDb.syncFailure.findUniqueOrThrow({ where: { id: failureId } })).status).toBe('open');
  expect(await stack.workerDb.series.count({ where: { companyId: company.id } })).toBe(1);
});
