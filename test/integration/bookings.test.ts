/**
 * POST/GET /v1/bookings through HTTP on the real stack (booking-http.helpers.ts): a confirmed
 * booking with its Cal.com twin, a same-slot storm, Idempotency-Key replays (sequential,
 * concurrent, different body), bad input, unknown ids, and Temporal unreachable.
 */
import request from 'supertest';
import { createTemporalClient } from '../../infra/temporal/temporal-client';
import { createApp } from '../../api/app';
import { bookingWorkflowId } from '../../workflows/book-appointment.contract';
import { createCompany, errorPaths } from '../api/api-harness';
import { bookingBody, calendarBookings, postBooking, startBookingStack, type BookingStack } from './booking-http.helpers';

let stack: BookingStack;

describe('bookings over HTTP', () => {
  beforeAll(async () => {
    stack = await startBookingStack('bookings-http');
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('books a free slot: 201 confirmed, synced to Cal.com, readable with history and in the list', async () => {
    const res = await postBooking(stack, bookingBody(stack.catalog, '2027-02-01T10:00:00+01:00', { source: 'phone', notes: 'first visit' }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      status: 'confirmed',
      branchId: stack.catalog.branchId,
      staffId: stack.catalog.staff.anna,
      start: '2027-02-01T10:00:00+01:00',
      end: '2027-02-01T11:00:00+01:00',
      source: 'phone',
      notes: 'first visit',
      rescheduledCount: 0,
      calendar: { status: 'synced' },
      workflowId: bookingWorkflowId(res.body.id),
      failureReason: null,
    });
    const calendar = await calendarBookings(stack.emulator);
    expect(calendar.filter((b) => b.metadata?.bookingId === res.body.id)).toEqual([
      expect.objectContaining({ uid: res.body.calendar.externalId, status: 'accepted', start: '2027-02-01T09:00:00.000Z' }),
    ]);

    const one = await request(stack.app).get(`/v1/bookings/${res.body.id}`).set(stack.company.auth);
    expect(one.status).toBe(200);
    expect(one.body.history.map((h: { event: string }) => h.event)).toEqual(expect.arrayContaining(['held', 'confirmed']));

    const list = await request(stack.app)
      .get('/v1/bookings')
      .query({ branchId: stack.catalog.branchId, staffId: stack.catalog.staff.anna, status: 'confirmed', from: '2027-02-01', to: '2027-02-01' })
      .set(stack.company.auth);
    expect(list.status).toBe(200);
    expect(list.body.data.map((b: { id: string }) => b.id)).toEqual([res.body.id]);
    const other = await request(stack.app).get('/v1/bookings').query({ from: '2027-02-02T00:00:00Z' }).set(stack.company.auth);
    expect(other.body.data.map((b: { id: string }) => b.id)).not.toContain(res.body.id);
  });

  it('a storm of 20 requests for one slot: exactly one 201, the rest 409 with alternatives, no 5xx', async () => {
    const body = bookingBody(stack.catalog, '2027-02-02T14:00:00+01:00');
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => postBooking(stack, body, `storm-${i}-${stack.taskQueue}`)));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([201, ...Array(19).fill(409)]);
    for (const refused of answers.filter((a) => a.status === 409)) {
      expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(refused.body.code).toBe('slot_unavailable');
      expect(refused.body.alternatives.length).toBeGreaterThan(0);
      expect(refused.body.alternatives.length).toBeLessThanOrEqual(5);
      expect(refused.body.alternatives[0]).toEqual({ start: expect.stringMatching(/\+01:00$/), end: expect.any(String), staffId: expect.any(String), staffName: expect.any(String) });
    }
    const live = await stack.workerDb.booking.findMany({
      where: { staffId: stack.catalog.staff.anna, startAt: new Date('2027-02-02T13:00:00Z'), status: { in: ['pending', 'confirmed'] } },
    });
    expect(live).toHaveLength(1);
    expect(live[0].status).toBe('confirmed');
  });

  it('replays a keyed request sequentially with the same answer and one booking; another body is 422', async () => {
    const key = `seq-${stack.taskQueue}`;
    const body = bookingBody(stack.catalog, '2027-02-03T09:00:00+01:00');
    const first = await postBooking(stack, body, key);
    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    for (let i = 0; i < 3; i++) {
      const again = await postBooking(stack, { ...body }, key);
      expect(again.status).toBe(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
    }
    const reused = await postBooking(stack, { ...body, start: '2027-02-03T11:00:00+01:00' }, key);
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('idempotency_key_reused');
    const rows = await stack.workerDb.booking.count({ where: { companyId: stack.company.id, startAt: { gte: new Date('2027-02-03T00:00:00Z'), lt: new Date('2027-02-04T00:00:00Z') } } });
    expect(rows).toBe(1);
  });

  it('replays concurrent repeats of one key: one booking, identical answers', async () => {
    const key = `conc-${stack.taskQueue}`;
    const body = bookingBody(stack.catalog, '2027-02-04T15:00:00+01:00', { staffId: stack.catalog.staff.ben });
    const answers = await Promise.all(Array.from({ length: 8 }, () => postBooking(stack, body, key)));
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(201));
    expect(new Set(answers.map((a) => JSON.stringify(a.body))).size).toBe(1);
    expect(answers.filter((a) => a.headers['idempotent-replayed'] === 'true')).toHaveLength(7);
    const rows = await stack.workerDb.booking.findMany({ where: { companyId: stack.company.id, staffId: stack.catalog.staff.ben, startAt: new Date('2027-02-04T14:00:00Z') } });
    expect(rows.map((r) => r.id)).toEqual([answers[0].body.id]);
    expect((await calendarBookings(stack.emulator)).filter((b) => b.metadata?.bookingId === rows[0].id)).toHaveLength(1);
  });

  it('answers 400 listing every invalid field, a start without offset included, and writes nothing', async () => {
    const before = await stack.workerDb.booking.count({ where: { companyId: stack.company.id } });
    const res = await postBooking(stack, { serviceId: stack.catalog.serviceId, customerId: '', start: '2027-02-01T10:00:00', source: 'fax', participants: [{}], extra: 1 }, `bad-${stack.taskQueue}`);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_error');
    expect(errorPaths(res.body)).toEqual(['branchId', 'customerId', 'extra', 'participants.0.name', 'source', 'start']);
    expect(await stack.workerDb.booking.count({ where: { companyId: stack.company.id } })).toBe(before);
    expect(await stack.workerDb.idempotencyRecord.count({ where: { key: `bad-${stack.taskQueue}` } })).toBe(0);
  });

  it('answers 404 for unknown ids (and another company\'s), nothing written', async () => {
    const key = `unknown-${stack.taskQueue}`;
    const res = await postBooking(stack, bookingBody(stack.catalog, '2027-02-01T15:00:00+01:00', { serviceId: 'svc_doesnotexist0000', staffId: 'stf_doesnotexist0000' }), key);
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('not_found');
    expect(res.body.detail).toContain('svc_doesnotexist0000');
    expect(res.body.detail).toContain('stf_doesnotexist0000');
    expect(await stack.workerDb.idempotencyRecord.count({ where: { key } })).toBe(0);
    for (const path of ['/v1/bookings/bkg_doesnotexist0000', '/v1/sync-failures/syf_doesnotexist0000/retry']) {
      const method = path.endsWith('retry') ? 'post' : 'get';
      const answer = await request(stack.app)[method](path).set(stack.company.auth);
      expect(answer.status).toBe(404);
    }
    const mine = await stack.workerDb.booking.findFirstOrThrow({ where: { companyId: stack.company.id } });
    const stranger = await createCompany(stack.app, 'Stranger');
    const foreign = await request(stack.app).get(`/v1/bookings/${mine.id}`).set(stranger.auth);
    expect(foreign.status).toBe(404);
    expect(JSON.stringify(foreign.body)).not.toContain(mine.staffId);
    const reschedule = await request(stack.app).post('/v1/bookings/bkg_doesnotexist0000/reschedule').set(stack.company.auth).send({ start: '2027-02-01T15:00:00+01:00' });
    expect(reschedule.status).toBe(404);
  });

  it('answers 202 pending when the saga has no outcome within BOOKING_WAIT_MS; a repeat joins the same run', async () => {
    // A task queue no worker polls: the saga is started but cannot advance.
    const idle = await stack.extraApp({ config: { ...stack.api.deps.config, temporalTaskQueue: `idle-${stack.taskQueue}`, bookingWaitMs: 1000 } });
    const key = `slow-${stack.taskQueue}`;
    const body = bookingBody(stack.catalog, '2027-02-05T16:00:00+01:00');
    const send = () => request(idle.app).post('/v1/bookings').set(stack.company.auth).set('Idempotency-Key', key).send(body);
    const first = await send();
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ status: 'pending', start: '2027-02-05T16:00:00+01:00', end: '2027-02-05T17:00:00+01:00', workflowId: bookingWorkflowId(first.body.id) });
    const repeat = await send();
    expect(repeat.status).toBe(202);
    expect(repeat.headers['idempotent-replayed']).toBe('true');
    expect(repeat.body.id).toBe(first.body.id);
    const handle = stack.api.deps.temporal!.workflow.getHandle(first.body.workflowId);
    expect((await handle.describe()).status.name).toBe('RUNNING');
    await handle.terminate('test cleanup');
  });

  it('answers 503 dependency_unavailable when Temporal is unreachable, and nothing is half-written', async () => {
    const dead = createTemporalClient({ config: { temporalAddress: '127.0.0.1:1', temporalNamespace: 'default' }, connectTimeoutMs: 500, maxAttempts: 2 });
    try {
      const app = createApp({ ...stack.api.deps, temporal: dead.client, config: { ...stack.api.deps.config, bookingWaitMs: 1500 } });
      const key = `dead-${stack.taskQueue}`;
      const res = await request(app).post('/v1/bookings').set(stack.company.auth).set('Idempotency-Key', key).send(bookingBody(stack.catalog, '2027-02-05T10:00:00+01:00'));
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ code: 'dependency_unavailable', dependency: 'temporal' });
      expect(await stack.workerDb.idempotencyRecord.count({ where: { key } })).toBe(0);
      expect(await stack.workerDb.booking.count({ where: { companyId: stack.company.id, startAt: new Date('2027-02-05T09:00:00Z') } })).toBe(0);
    } finally {
      await dead.close();
    }
  });
});
