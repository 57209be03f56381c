/**
 * Limits and revocations hold across API processes (API.md "Roles and keys"): two real API
 * processes (`tsx api/server.ts`) against one Redis share each company's quota (all its keys
 * together) and the unknown-key throttle of a client address; a key revoked through one is
 * refused by the other within 2 s. A third process whose Redis is unreachable still limits (in
 * process) and still refuses a revoked key within 2 s (its short key cache). Two more processes
 * with a quota large enough to be counted in leases (api/rate-limit-lease.ts) admit the quota
 * between them, less at most their last leases, and never more.
 */
import Redis from 'ioredis';
import request from 'supertest';
import { startApiProcess, type ApiProcess } from '../harness/api-process';
import { ADMIN_KEY, apiTestDatabaseUrl, createCompany, startApiHarness, type ApiHarness } from '../api/api-harness';

const LIMIT = 20;
let h: ApiHarness;
let a: ApiProcess;
let b: ApiProcess;
let noRedis: ApiProcess;
/** Quotas of 200 and more are counted in leases of up to 1% of the quota (here 4 tokens). */
const LEASED_LIMIT = 400;
let leasedA: ApiProcess;
let leasedB: ApiProcess;

/** Deletes rate-limit counters of this checkout's Redis db (they outlive a run by up to their window). */
async function clearCounters(pattern: string): Promise<void> {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  try {
    const stale = await redis.keys(pattern);
    if (stale.length > 0) await redis.del(...stale);
  } finally {
    redis.disconnect();
  }
}

beforeAll(async () => {
  // A run within a minute of the last one would find the admin key's quota (LIMIT here) and this
  // address's unknown-key quota spent.
  await clearCounters('booking:rl:company:admin');
  await clearCounters('booking:rl:badkey:*');
  h = await startApiHarness(); // migrates the database the processes use
  const env = {
    DATABASE_URL: apiTestDatabaseUrl(),
    ADMIN_API_KEY: ADMIN_KEY,
    RATE_LIMIT_MAX: String(LIMIT),
    RATE_LIMIT_WINDOW: '60s',
    RATE_LIMIT_ADDRESS_MAX: '100000',
    RATE_LIMIT_UNKNOWN_KEY_MAX: '5',
  };
  [a, b, noRedis, leasedA, leasedB] = await Promise.all([
    startApiProcess(env),
    startApiProcess(env),
    startApiProcess({ ...env, REDIS_URL: 'redis://127.0.0.1:1/0' }),
    startApiProcess({ ...env, RATE_LIMIT_MAX: String(LEASED_LIMIT) }),
    startApiProcess({ ...env, RATE_LIMIT_MAX: String(LEASED_LIMIT) }),
  ]);
}, 90_000);
afterAll(async () => {
  await Promise.all([a, b, noRedis, leasedA, leasedB].filter(Boolean).map((p) => p.stop()));
  await h?.close();
});

async function company(url: string, name: string) {
  const res = await request(url).post('/v1/admin/companies').set('Authorization', `Bearer ${ADMIN_KEY}`).send({ name });
  expect(res.status).toBe(201);
  return { id: res.body.id as string, auth: { Authorization: `Bearer ${res.body.apiKey}` } };
}

describe('two API processes counting one company in leases', () => {
  it('admit at most the quota between them, and at most one lease each short of it', async () => {
    // Created in the harness (not through the admin key's quota of these processes).
    const co = await createCompany(h.app, 'Leased Quota Co');
    const auth = co.auth;
    const statuses: number[] = [];
    // 500 reads, 20 at a time, alternating between the processes: both lease from one window.
    for (let burst = 0; burst < 25; burst++) {
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => request(i % 2 ? leasedB.url : leasedA.url).get('/v1/customers').set(auth)));
      statuses.push(...answers.map((r) => r.status));
    }
    const admitted = statuses.filter((s) => s === 200).length;
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
    // Every admitted request holds a count leased in Redis by one process: never over the quota.
    // Each process may end holding the unused rest of its last lease (at most 1% of the quota).
    expect(admitted).toBeLessThanOrEqual(LEASED_LIMIT);
    expect(admitted).toBeGreaterThanOrEqual(LEASED_LIMIT - 2 * (LEASED_LIMIT / 100));
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    try {
      // Redis counted them: every leased token, the refused requests' included, is in the window's count.
      expect(Number(await redis.get(`booking:rl:company:company:${co.id}`))).toBeGreaterThanOrEqual(admitted);
    } finally {
      redis.disconnect();
    }
  });
});

describe('two API processes, one Redis', () => {
  it('share one quota per company, over all its keys; 429 carries Retry-After and RateLimit-* headers', async () => {
    const co = await company(a.url, 'Quota Co');
    const second = await request(b.url).post('/v1/api-keys').set(co.auth).send({ name: 'second', role: 'booking' });
    expect(second.status).toBe(201);
    const keys = [co.auth, { Authorization: `Bearer ${second.body.apiKey}` }];
    const statuses: number[] = [];
    let limited: request.Response | undefined;
    for (let i = 0; i < 30; i++) {
      const res = await request(i % 2 ? b.url : a.url).get('/v1/customers').set(keys[Math.floor(i / 2) % 2]);
      statuses.push(res.status);
      if (res.status === 200) {
        expect(res.headers['ratelimit-limit']).toBe(String(LIMIT));
        expect(Number(res.headers['ratelimit-remaining'])).toBeLessThan(LIMIT);
        expect(Number(res.headers['ratelimit-reset'])).toBeGreaterThan(0);
      }
      if (res.status === 429) limited ??= res;
    }
    // 1 request (the key creation) + 19 reads fit the quota, whichever process and key served them.
    expect(statuses.filter((s) => s === 200)).toHaveLength(LIMIT - 1);
    expect(statuses.filter((s) => s === 429)).toHaveLength(30 - (LIMIT - 1));
    expect(limited!.body).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(Number(limited!.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited!.headers['ratelimit-remaining']).toBe('0');
    // Another company is not affected.
    const other = await company(b.url, 'Other Quota Co');
    expect((await request(a.url).get('/v1/customers').set(other.auth)).status).toBe(200);
  });

  it('a key revoked through one process is refused by the other within 2 s; the process without Redis too', async () => {
    const co = await company(a.url, 'Revoke Co');
    const created = await request(a.url).post('/v1/api-keys').set(co.auth).send({ name: 'phone desk', role: 'booking' });
    const key = { Authorization: `Bearer ${created.body.apiKey}` };
    for (const p of [a, b, noRedis]) expect((await request(p.url).get('/v1/customers').set(key)).status).toBe(200);

    const revoked = await request(a.url).delete(`/v1/api-keys/${created.body.id}`).set(co.auth);
    expect(revoked.status).toBe(200);
    const at = Date.now();
    for (const p of [b, noRedis, a]) {
      let status = 0;
      while (Date.now() - at < 2000 && (status = (await request(p.url).get('/v1/customers').set(key)).status) !== 401) {
        await new Promise((r) => setTimeout(r, 25));
      }
      expect(status).toBe(401);
    }
    expect(Date.now() - at).toBeLessThan(2000);
  });

  it('without Redis a process still limits, in process', async () => {
    const co = await company(noRedis.url, 'Local Quota Co');
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 3; i++) statuses.push((await request(noRedis.url).get('/v1/customers').set(co.auth)).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(LIMIT);
    expect(statuses.slice(LIMIT)).toEqual([429, 429, 429]);
  });

  // Last: it throttles this test's client address for a minute.
  it('throttles unknown tokens per client address across processes, before authentication', async () => {
    // The revoked key above counted too: start from a clean count (this Redis db is this checkout's).
    await clearCounters('booking:rl:badkey:*');
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await request(i % 2 ? b.url : a.url).get('/v1/customers').set('Authorization', `Bearer sk_live_guess${i}`);
      statuses.push(res.status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    // The address stays throttled, a valid key included, until the window ends.
    const late = await request(b.url).get('/v1/customers').set('Authorization', 'Bearer sk_live_guess_late');
    expect(late.status).toBe(429);
    expect(Number(late.headers['retry-after'])).toBeGreaterThan(0);
  });
});
