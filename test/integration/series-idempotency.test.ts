/**
 * Idempotency-Key on POST /v1/series over HTTP on the real stack (series-waitlist.harness.ts): a
 * sequential repeat replays the 201 with `Idempotent-Replayed: true`; six concurrent repeats write
 * one series and book each occurrence once, all answering the same body; a 202 is not stored, so a
 * later repeat joins the same workflow and answers its 201; the key with another body is 422
 * idempotency_key_reused and writes nothing.
 */
import { randomUUID } from 'node:crypto';
import { dropCompany } from './availability.fixtures';
import { http, seedTenant, startStack, type Stack, type Tenant } from './series-waitlist.harness';

let stack: Stack;
let t: Tenant;

describe('recurring series with Idempotency-Key', () => {
  beforeAll(async () => {
    stack = await startStack('series-idem');
    t = await seedTenant(stack.db, stack.emulator.url);
  });
  afterAll(async () => {
    if (t) {
      await stack.db.idempotencyRecord.deleteMany({ where: { companyId: t.companyId } });
      await dropCompany(stack.db, t.companyId);
    }
    await stack?.close();
  });

  const body = (start: string, extra: object = {}) => ({
    branchId: t.branchId, serviceId: t.serviceId, customerId: t.customerId, staffId: t.staff.anna,
    start, recurrence: { frequency: 'weekly', count: 2 }, ...extra,
  });
  const post = (key: string, payload: object) => http(stack).post('/v1/series').set(t.auth).set('Idempotency-Key', key).send(payload);
  const seriesCount = () => stack.db.series.count({ where: { companyId: t.companyId } });
  const bookingsOf = (seriesId: string) => stack.db.booking.findMany({ where: { seriesId }, orderBy: { startAt: 'asc' } });

  it('replays the 201 for a sequential repeat and writes one series', async () => {
    const key = randomUUID();
    const before = await seriesCount();
    const first = await post(key, body('2027-04-05T10:00:00+02:00'));
    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(first.body.occurrences.map((o: { status: string }) => o.status)).toEqual(['booked', 'booked']);

    const again = await post(key, body('2027-04-05T10:00:00+02:00'));
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await seriesCount()).toBe(before + 1);
    expect((await bookingsOf(first.body.id)).map((b) => b.status)).toEqual(['confirmed', 'confirmed']);
  });

  it('six concurrent repeats write one series, book each occurrence once and answer one body', async () => {
    const key = randomUUID();
    const before = await seriesCount();
    const answers = await Promise.all(Array.from({ length: 6 }, () => post(key, body('2027-04-05T12:00:00+02:00'))));
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(201));
    for (const a of answers) expect(a.body).toEqual(answers[0].body);
    expect(answers.filter((a) => a.headers['idempotent-replayed'] === 'true')).toHaveLength(5);
    expect(answers[0].body.status).toBe('completed');
    expect(await seriesCount()).toBe(before + 1);
    const bookings = await bookingsOf(answers[0].body.id);
    expect(bookings.map((b) => [b.startAt.toISOString(), b.status])).toEqual([
      ['2027-04-05T10:00:00.000Z', 'confirmed'],
      ['2027-04-12T10:00:00.000Z', 'confirmed'],
    ]);
    expect(await stack.db.seriesOccurrence.count({ where: { seriesId: answers[0].body.id } })).toBe(2);
  });

  it('does not store a 202: a later repeat joins the same workflow and replays its 201', async () => {
    const key = randomUUID();
    const before = await seriesCount();
    const config = stack.api.deps.config;
    stack.api.deps.config = { ...config, bookingWaitMs: 0 };
    let pending;
    try {
      pending = await post(key, body('2027-04-05T14:00:00+02:00'));
    } finally {
      stack.api.deps.config = config;
    }
    expect(pending.status).toBe(202);
    expect(pending.body.status).toBe('running');
    const record = await stack.db.idempotencyRecord.findFirstOrThrow({ where: { companyId: t.companyId, key } });
    expect(record.responseStatus).toBeNull();

    const joined = await post(key, body('2027-04-05T14:00:00+02:00'));
    expect(joined.status).toBe(201);
    expect(joined.headers['idempotent-replayed']).toBe('true');
    expect(joined.body).toMatchObject({ id: pending.body.id, workflowId: pending.body.workflowId, status: 'completed' });
    expect(await seriesCount()).toBe(before + 1);
    expect((await bookingsOf(pending.body.id)).map((b) => b.status)).toEqual(['confirmed', 'confirmed']);
    const stored = await stack.db.idempotencyRecord.findUniqueOrThrow({ where: { id: record.id } });
    expect(stored.responseStatus).toBe(201);
  });

  it('answers 422 idempotency_key_reused for the key with another body and writes nothing', async () => {
    const key = randomUUID();
    const first = await post(key, body('2027-04-05T16:00:00+02:00'));
    expect(first.status).toBe(201);
    const [series, bookings] = [await seriesCount(), await stack.db.booking.count({ where: { companyId: t.companyId } })];
    const other = await post(key, body('2027-04-05T16:00:00+02:00', { recurrence: { frequency: 'weekly', count: 3 } }));
    expect(other.status).toBe(422);
    expect(other.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(other.body.code).toBe('idempotency_key_reused');
    expect(await seriesCount()).toBe(series);
    expect(await stack.db.booking.count({ where: { companyId: t.companyId } })).toBe(bookings);
    const replay = await post(key, body('2027-04-05T16:00:00+02:00'));
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(first.body);
  });
});
