/**
 * Outbound webhooks on the real stack (issue 15 item 7): the API over the API test database, an
 * in-process worker, the real dispatcher and delivery workflows on the dev server, the database
 * outbox triggers, and a local HTTP receiver. Signatures are checked with the `standardwebhooks`
 * library the way a receiver would.
 */
import request from 'supertest';
import { Webhook } from 'standardwebhooks';
import { WEBHOOK_DISPATCHER_WORKFLOW } from '../../workflows/webhook-delivery.contract';
import { getTestEnv } from '../harness/temporal';
import { startWebhookReceiver, type ReceivedWebhook, type WebhookReceiver } from '../harness/webhook-receiver';
import { createCompany, createKey } from '../api/api-harness';
import { bookingBody, eventually, postBooking, startBookingStack, type BookingStack } from './booking-http.helpers';

jest.setTimeout(180_000);

let stack: BookingStack;
let receiver: WebhookReceiver;
let dispatcherId: string;

type Body = { type: string; timestamp: string; data: Record<string, unknown> };
const bodyOf = (r: ReceivedWebhook) => JSON.parse(r.body) as Body;
const forBooking = (path: string, bookingId: string) => receiver.on(path).filter((r) => bodyOf(r).data.id === bookingId);

async function addEndpoint(path: string, events: string[]) {
  const res = await request(stack.app).post('/v1/webhook-endpoints').set(stack.company.auth).send({ url: receiver.url(path), events, description: `receiver ${path}` });
  expect(res.status).toBe(201);
  return res.body as { id: string; secret: string; url: string; events: string[] };
}

async function deliveries(endpointId: string) {
  const res = await request(stack.app).get(`/v1/webhook-endpoints/${endpointId}/deliveries`).set(stack.company.auth);
  expect(res.status).toBe(200);
  return res.body.data as Array<{ id: string; event: string; status: string; attempts: number; lastStatusCode: number | null; subjectId: string }>;
}

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  stack = await startBookingStack('webhooks', { bookingWaitMs: 20_000 });
  const { client } = await getTestEnv();
  dispatcherId = `webhook-dispatcher-${stack.taskQueue}`;
  // The Schedule's workflow, run directly for the whole suite (quick backoff: 300 ms doubling).
  await client.workflow.start(WEBHOOK_DISPATCHER_WORKFLOW, { workflowId: dispatcherId, taskQueue: stack.taskQueue, args: [{ runMs: 600_000, pollMs: 300, baseBackoffMs: 300 }] });
});

afterAll(async () => {
  const { client } = await getTestEnv();
  await client.workflow.getHandle(dispatcherId).terminate('suite over').catch(() => undefined);
  await stack?.close();
  await receiver?.close();
});

test('confirm then cancel: both delivered in order, signed (verified with standardwebhooks), data as the API renders it', async () => {
  const endpoint = await addEndpoint('/ok', ['booking.confirmed', 'booking.cancelled']);
  expect(endpoint.secret).toMatch(/^whsec_/);
  const fetched = await request(stack.app).get(`/v1/webhook-endpoints/${endpoint.id}`).set(stack.company.auth);
  expect(fetched.status).toBe(200);
  expect(fetched.body.secret).toBeUndefined();
  expect(JSON.stringify(fetched.body)).not.toContain(endpoint.secret.slice(6));

  const booked = await postBooking(stack, bookingBody(stack.catalog, '2027-03-01T10:00:00+01:00'));
  expect(booked.status).toBe(201);
  const bookingId = booked.body.id as string;
  const cancelled = await request(stack.app).post(`/v1/bookings/${bookingId}/cancel`).set(stack.company.auth).send({ reason: 'changed plans' });
  expect(cancelled.status).toBe(200);

  const got = await eventually(async () => (forBooking('/ok', bookingId).length >= 2 ? forBooking('/ok', bookingId) : undefined));
  expect(got.map((r) => bodyOf(r).type)).toEqual(['booking.confirmed', 'booking.cancelled']);
  expect(got.map((r) => bodyOf(r).data.status)).toEqual(['confirmed', 'cancelled']);
  const wh = new Webhook(endpoint.secret);
  for (const r of got) {
    expect(r.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/=]+$/);
    expect(r.headers['webhook-id']).toMatch(/^whd_/);
    expect(wh.verify(r.body, r.headers)).toEqual(JSON.parse(r.body));
  }
  // A tampered body or another endpoint's secret fails verification.
  expect(() => wh.verify(got[0]!.body.replace('confirmed', 'cancelled'), got[0]!.headers)).toThrow();
  const detail = await request(stack.app).get(`/v1/bookings/${bookingId}`).set(stack.company.auth);
  const { history: _history, ...view } = detail.body;
  // The same fields, rendered the same way; the snapshot is the booking at the cancel's commit,
  // before the calendar cancel finished (calendar status and updatedAt moved on since).
  const cancelledData = bodyOf(got[1]!).data;
  expect(Object.keys(cancelledData).sort()).toEqual(Object.keys(view).sort());
  expect({ ...cancelledData, calendar: null, updatedAt: null }).toEqual({ ...view, calendar: null, updatedAt: null });
  expect(cancelledData.calendar).toEqual({ status: 'pending', externalId: view.calendar.externalId });
  expect(bodyOf(got[0]!).timestamp).toMatch(/\+01:00$/);

  await eventually(async () => ((await deliveries(endpoint.id)).filter((d) => d.subjectId === bookingId && d.status === 'delivered').length === 2 ? true : undefined));
  const log = (await deliveries(endpoint.id)).filter((d) => d.subjectId === bookingId);
  expect(log).toEqual([
    expect.objectContaining({ event: 'booking.confirmed', status: 'delivered', attempts: 1, lastStatusCode: 204 }),
    expect.objectContaining({ event: 'booking.cancelled', status: 'delivered', attempts: 1, lastStatusCode: 204 }),
  ]);
});

test('a receiver that fails twice gets it on the third attempt; the log shows attempts and the last status; a manual retry sends it again', async () => {
  const endpoint = await addEndpoint('/flaky', ['booking.confirmed']);
  const booked = await postBooking(stack, bookingBody(stack.catalog, '2027-03-02T10:00:00+01:00'));
  expect(booked.status).toBe(201);
  const bookingId = booked.body.id as string;

  const attempts = await eventually(async () => {
    const got = forBooking('/flaky', bookingId);
    return got.some((r) => r.status === 200) ? got : undefined;
  }, 60_000);
  expect(attempts.map((r) => r.status)).toEqual([500, 500, 200]);
  expect(new Set(attempts.map((r) => r.headers['webhook-id'])).size).toBe(1);
  for (const r of attempts) expect(() => new Webhook(endpoint.secret).verify(r.body, r.headers)).not.toThrow();

  const delivered = await eventually(async () => (await deliveries(endpoint.id)).find((d) => d.subjectId === bookingId && d.status === 'delivered'));
  expect(delivered).toMatchObject({ event: 'booking.confirmed', attempts: 3, lastStatusCode: 200 });

  const retry = await request(stack.app).post(`/v1/webhook-endpoints/${endpoint.id}/deliveries/${delivered.id}/retry`).set(stack.company.auth).send();
  expect(retry.status).toBe(202);
  expect(retry.body).toMatchObject({ id: delivered.id, status: 'pending' });
  const again = await eventually(async () => (await deliveries(endpoint.id)).find((d) => d.id === delivered.id && d.status === 'delivered' && d.attempts === 4));
  expect(again.lastStatusCode).toBe(200);
  expect(forBooking('/flaky', bookingId).filter((r) => r.status === 200)).toHaveLength(2);
});

test('a redirect is not followed: it counts as a failed attempt', async () => {
  const endpoint = await addEndpoint('/redirect', ['booking.confirmed']);
  const booked = await postBooking(stack, bookingBody(stack.catalog, '2027-03-03T10:00:00+01:00'));
  expect(booked.status).toBe(201);
  const failing = await eventually(async () => (await deliveries(endpoint.id)).find((d) => d.subjectId === booked.body.id && d.attempts >= 2));
  expect(failing).toMatchObject({ status: 'pending', lastStatusCode: 302 });
  const redirected = forBooking('/redirect', booked.body.id);
  expect(redirected.length).toBeGreaterThanOrEqual(2);
  // Nothing of this endpoint's delivery ever reached the redirect's target.
  expect(receiver.on('/ok').filter((r) => r.headers['webhook-id'] === failing.id)).toHaveLength(0);
  await request(stack.app).delete(`/v1/webhook-endpoints/${endpoint.id}`).set(stack.company.auth).expect(200);
});

test('another company sees none of it: every endpoint and delivery route is a 404', async () => {
  const mine = await addEndpoint('/ok', ['booking.no_show']);
  const other = await createCompany(stack.app, 'Other webhooks');
  for (const [method, path] of [
    ['get', `/v1/webhook-endpoints/${mine.id}`],
    ['patch', `/v1/webhook-endpoints/${mine.id}`],
    ['delete', `/v1/webhook-endpoints/${mine.id}`],
    ['get', `/v1/webhook-endpoints/${mine.id}/deliveries`],
  ] as const) {
    const res = await request(stack.app)[method](path).set(other.auth).send(method === 'patch' ? { description: 'x' } : undefined);
    expect([method, path, res.status]).toEqual([method, path, 404]);
  }
  const list = await request(stack.app).get('/v1/webhook-endpoints').set(other.auth);
  expect(list.body.data).toEqual([]);
  const log = await deliveries(mine.id);
  const retry = await request(stack.app).post(`/v1/webhook-endpoints/${mine.id}/deliveries/${log[0]?.id ?? 'whd_none'}/retry`).set(other.auth).send();
  expect(retry.status).toBe(404);
});

test('PATCH changes url and events (checked again), DELETE removes it', async () => {
  const endpoint = await addEndpoint('/ok', ['booking.completed']);
  const patched = await request(stack.app).patch(`/v1/webhook-endpoints/${endpoint.id}`).set(stack.company.auth).send({ events: ['booking.completed', 'waitlist.booked'], description: null });
  expect(patched.status).toBe(200);
  expect(patched.body).toMatchObject({ id: endpoint.id, events: ['booking.completed', 'waitlist.booked'], description: null });
  const bad = await request(stack.app).patch(`/v1/webhook-endpoints/${endpoint.id}`).set(stack.company.auth).send({ url: 'ftp://127.0.0.1/x' });
  expect(bad.status).toBe(422);
  const invalid = await request(stack.app).post('/v1/webhook-endpoints').set(stack.company.auth).send({ url: receiver.url('/ok'), events: ['booking.exploded'] });
  expect(invalid.status).toBe(400);
  await request(stack.app).delete(`/v1/webhook-endpoints/${endpoint.id}`).set(stack.company.auth).expect(200);
  await request(stack.app).get(`/v1/webhook-endpoints/${endpoint.id}`).set(stack.company.auth).expect(404);
});

test('in production a private, loopback or plain-http url is refused with 422 (WEBHOOKS_ALLOW_PRIVATE=1 allows it)', async () => {
  const production = await stack.extraApp({ config: { ...stack.api.config, nodeEnv: 'production', webhooksAllowPrivate: false } });
  for (const url of [receiver.url('/ok'), 'https://127.0.0.1/hook', 'https://10.1.2.3/hook', 'https://[::1]/hook', 'https://169.254.169.254/latest', 'https://localhost/hook', 'https://[::ffff:127.0.0.1]/hook']) {
    const res = await request(production.app).post('/v1/webhook-endpoints').set(stack.company.auth).send({ url, events: ['booking.confirmed'] });
    expect([url, res.status, res.body.code]).toEqual([url, 422, 'webhook_url_invalid']);
  }
  const allowed = await stack.extraApp({ config: { ...stack.api.config, nodeEnv: 'production', webhooksAllowPrivate: true } });
  const res = await request(allowed.app).post('/v1/webhook-endpoints').set(stack.company.auth).send({ url: receiver.url('/ok'), events: ['booking.confirmed'] });
  expect(res.status).toBe(201);
  await request(stack.app).delete(`/v1/webhook-endpoints/${res.body.id}`).set(stack.company.auth).expect(200);
});

test('roles: booking and support keys may not manage endpoints', async () => {
  const endpoint = await addEndpoint('/ok', ['booking.declined']);
  for (const role of ['booking', 'support'] as const) {
    const auth = await createKey(stack.app, stack.company, role);
    expect((await request(stack.app).post('/v1/webhook-endpoints').set(auth).send({ url: receiver.url('/ok'), events: ['booking.confirmed'] })).status).toBe(403);
    expect((await request(stack.app).delete(`/v1/webhook-endpoints/${endpoint.id}`).set(auth)).status).toBe(403);
    expect((await request(stack.app).get(`/v1/webhook-endpoints/${endpoint.id}`).set(auth)).status).toBe(role === 'support' ? 200 : 403);
  }
});
