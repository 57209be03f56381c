/**
 * Idempotency-Key on POST /v1/waiting-list over HTTP on the real stack (series-waitlist.harness.ts):
 * a sequential repeat replays the 201 with `Idempotent-Replayed: true`; six concurrent repeats
 * write one entry and join one monitor, all answering the same body; the key with another body is
 * 422 idempotency_key_reused and writes nothing. Also GET /v1/waiting-list (filters, pagination).
 * Entries watch a Sunday (the branch is closed), so monitors find nothing and send no email; every
 * entry is deleted at the end so its monitor ends.
 */
import { randomUUID } from 'node:crypto';
import { newId } from '../../infra/db/ids';
import { dropCompany } from './availability.fixtures';
import { http, seedTenant, startStack, type Stack, type Tenant } from './series-waitlist.harness';

let stack: Stack;
let t: Tenant;

const SUNDAY = '2027-03-07';

describe('waiting list with Idempotency-Key', () => {
  beforeAll(async () => {
    stack = await startStack('waitlist-idem');
    t = await seedTenant(stack.db, stack.emulator.url);
  });
  afterAll(async () => {
    if (t) {
      const open = await stack.db.waitingListEntry.findMany({ where: { companyId: t.companyId, status: { in: ['waiting', 'notified'] } } });
      for (const entry of open) await http(stack).delete(`/v1/waiting-list/${entry.id}`).set(t.auth);
      await stack.db.idempotencyRecord.deleteMany({ where: { companyId: t.companyId } });
      await dropCompany(stack.db, t.companyId);
    }
    await stack?.close();
  });

  const body = (extra: object = {}) => ({
    branchId: t.branchId, serviceId: t.serviceId, customerId: t.customerId, from: SUNDAY, to: SUNDAY,
    timeWindows: [{ start: '10:00', end: '12:00' }], ...extra,
  });
  const post = (key: string, payload: object) => http(stack).post('/v1/waiting-list').set(t.auth).set('Idempotency-Key', key).send(payload);
  const entries = () => stack.db.waitingListEntry.count({ where: { companyId: t.companyId } });

  it('replays the 201 for a sequential repeat and writes one entry', async () => {
    const key = randomUUID();
    const before = await entries();
    const first = await post(key, body());
    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(first.body).toMatchObject({ status: 'waiting', workflowId: `waitlist-${first.body.id}` });

    const again = await post(key, body());
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await entries()).toBe(before + 1);
    const monitor = await stack.temporal.client.workflow.getHandle(first.body.workflowId).describe();
    expect(monitor.status.name).toBe('RUNNING');
  });

  it('six concurrent repeats write one entry, join one monitor and answer one body', async () => {
    const key = randomUUID();
    const before = await entries();
    // No expiresAt: each request computes its own default, yet all answer the one stored entry.
    const answers = await Promise.all(Array.from({ length: 6 }, () => post(key, body({ autoBook: false }))));
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(201));
    for (const a of answers) expect(a.body).toEqual(answers[0].body);
    expect(answers.filter((a) => a.headers['idempotent-replayed'] === 'true')).toHaveLength(5);
    expect(await entries()).toBe(before + 1);
    const row = await stack.db.waitingListEntry.findUniqueOrThrow({ where: { id: answers[0].body.id } });
    expect(row.workflowId).toBe(`waitlist-${row.id}`);
    expect(new Date(answers[0].body.expiresAt).getTime()).toBe(row.expiresAt.getTime());
    const monitor = await stack.temporal.client.workflow.getHandle(row.workflowId).describe();
    expect(monitor.status.name).toBe('RUNNING');
  });

  it('answers 422 idempotency_key_reused for the key with another body and writes nothing', async () => {
    const key = randomUUID();
    const first = await post(key, body());
    expect(first.status).toBe(201);
    const before = await entries();
    const other = await post(key, body({ autoBook: true }));
    expect(other.status).toBe(422);
    expect(other.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(other.body.code).toBe('idempotency_key_reused');
    expect(await entries()).toBe(before);
    // The key still answers its own body.
    const replay = await post(key, body());
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(first.body);
  });

  it('lists entries by customer, branch and status, page by page', async () => {
    const customerId = newId('cus');
    await stack.db.customer.create({ data: { id: customerId, companyId: t.companyId, name: 'List test' } });
    const created: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await http(stack).post('/v1/waiting-list').set(t.auth).send(body({ customerId }));
      expect(res.status).toBe(201);
      created.push(res.body.id);
    }
    const cancelled = await http(stack).delete(`/v1/waiting-list/${created[2]}`).set(t.auth);
    expect(cancelled.status).toBe(200);

    const first = await http(stack).get('/v1/waiting-list').set(t.auth).query({ customerId, branchId: t.branchId, status: 'waiting', limit: 1 });
    expect(first.status).toBe(200);
    expect(first.body.data.map((e: { id: string }) => e.id)).toEqual([created[0]]);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await http(stack).get('/v1/waiting-list').set(t.auth).query({ customerId, status: 'waiting', limit: 1, cursor: first.body.nextCursor });
    expect(second.body.data.map((e: { id: string }) => e.id)).toEqual([created[1]]);
    expect(second.body.nextCursor).toBeNull();

    const all = await http(stack).get('/v1/waiting-list').set(t.auth).query({ customerId });
    expect(all.body.data.map((e: { id: string; status: string }) => [e.id, e.status])).toEqual([
      [created[0], 'waiting'],
      [created[1], 'waiting'],
      [created[2], 'cancelled'],
    ]);
    expect(all.body.data[0]).toMatchObject({ customerId, branchId: t.branchId, from: SUNDAY, expiresAt: expect.stringMatching(/\+0[12]:00$/) });

    const bad = await http(stack).get('/v1/waiting-list').set(t.auth).query({ status: 'sleeping', limit: 500 });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['limit', 'status']);
  });
});
