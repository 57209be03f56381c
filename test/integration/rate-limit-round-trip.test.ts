/**
 * The cached availability read costs ONE Redis round trip (issue 11 item 5, issue 14 benchmark):
 * on a real Redis, watched with MONITOR, a cached GET /v1/availability sends exactly the two
 * rate-limit increments (per address, per company) and no cache command, and the two leave the
 * rate-limit connection in one socket write. And the company increment started ahead of auth is
 * taken back whenever the company limiter would not have counted the request (refused per address,
 * forbidden by the role policy, keyless route), so the company's count is exactly what it was when
 * the limiters ran one after the other. Quotas of 200 and more are counted in leases
 * (api/rate-limit-lease.ts): a busy key's requests share a round trip per lease, and Redis still
 * counts every one of them.
 */
import { once } from 'node:events';
import net, { type Socket } from 'node:net';
import Redis from 'ioredis';
import pino from 'pino';
import request from 'supertest';
import { createAvailabilityDeps, type AvailabilityDeps } from '../../api/availability/availability.deps';
import { createRedisConnection, type RedisConnection } from '../../infra/cache/redis';
import { createRevocationBus, type RevocationBus } from '../../infra/cache/revocation-bus';
import { loadConfig } from '../../infra/config';
import { newId } from '../../infra/db/ids';
import { createCompany, startApiHarness, type ApiHarness, type TestCompany } from '../api/api-harness';

const redisUrl = loadConfig().redisUrl;
const dbIndex = Number(new URL(redisUrl).pathname.slice(1) || 0);
const logger = pino({ level: 'silent' });
// Quotas under 200 are not leased (api/rate-limit-lease.ts): every request counts in Redis.
const COMPANY_MAX = 50;
const ADDRESS_MAX = 150;
// Quotas a busy company and address count in leases of several tokens.
const BUSY_MAX = 20_000;

let h: ApiHarness;
let limits: RedisConnection;
let bus: RevocationBus;
let availability: AvailabilityDeps;
let company: TestCompany;
const ids = { branch: newId('br'), service: newId('svc'), staff: newId('stf') };
const cachePrefix = `rtt_${newId('x')}`;
const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  // A generous command timeout: a command past it makes a limiter count in memory for a second
  // (by design), and these tests are about what reaches Redis, not about a slow Redis under load.
  limits = createRedisConnection({ url: redisUrl, logger, commandTimeoutMs: 5_000 });
  bus = createRevocationBus({ url: redisUrl, logger });
  h = await startApiHarness({ rateLimit: { max: COMPANY_MAX, windowMs: 60_000, perAddressMax: ADDRESS_MAX }, rateLimitRedis: limits, revocations: bus });
  // The availability deps over the harness's database (the first ones only had no database yet).
  availability = createAvailabilityDeps({ config: h.config, db: h.db, logger, cachePrefix });
  Object.assign(h.deps, availability.deps);
  company = await createCompany(h.app, 'Round trips');
  await seedBranch(company.id, ids);
  for (let i = 0; i < 100 && (!limits.isUp() || !bus.isLive() || availability.deps.availabilityCache.status().mode !== 'redis'); i++) await new Promise((r) => setTimeout(r, 50));
}, 60_000);

afterAll(async () => {
  await availability?.close();
  await bus?.close();
  await limits?.close();
  await h?.close();
});

/** A branch open every day 09–18 with one person and one 30-minute service. */
async function seedBranch(companyId: string, at: { branch: string; service: string; staff: string }): Promise<void> {
  const day = { open: true, start: '09:00', end: '18:00' };
  const week = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
  await h.db.branch.create({
    data: {
      id: at.branch, companyId, name: 'Mitte', timezone: 'Europe/Berlin', specialHours: [], closures: [],
      operatingHours: Object.fromEntries(week.map((d) => [d, day])),
      rules: { minimumNoticeMinutes: 0, maxAdvanceDays: 90, slotIntervalMinutes: 30, maxDailyBookingsPerCustomer: null },
    },
  });
  await h.db.staff.create({ data: { id: at.staff, companyId, branchId: at.branch, name: 'Anna', workingHours: Object.fromEntries(week.map((d) => [d, [{ start: '09:00', end: '18:00' }]])), breaks: {} } });
  await h.db.service.create({ data: { id: at.service, companyId, branchId: at.branch, name: 'Cut', durationMinutes: 30 } });
}

/** A client address of its own (sent as X-Forwarded-For to an app that trusts it): a whole address quota. */
const randomAddress = () => `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;

const companyCount = async (companyId: string) => {
  const redis = new Redis(redisUrl);
  try {
    return Number((await redis.get(`booking:rl:company:company:${companyId}`)) ?? 0);
  } finally {
    redis.disconnect();
  }
};

/**
 * Sends `send` until a request is counted in Redis (at most 5 s): a limiter that met a slow Redis
 * (a command past its timeout on a loaded machine) counts in memory for a second before it tries
 * Redis again, and these tests are about the Redis path.
 */
async function untilCountedInRedis(companyId: string, send: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const before = await companyCount(companyId);
    await send();
    if ((await companyCount(companyId)) > before) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the company limiter never counted in Redis');
}

/** One MONITOR line's arguments: `+1700000000.123456 [5 127.0.0.1:40960] "evalsha" "abc" "1" "key"`. */
function monitorLine(line: string): { database: number; source: string; args: string[] } | undefined {
  const head = /^\+\d+\.\d+ \[(\d+) ([^\]]+)\] (.*)$/.exec(line);
  if (!head) return undefined;
  const args = [...head[3].matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1].replace(/\\(.)/g, '$1'));
  return { database: Number(head[1]), source: head[2], args };
}

/**
 * Commands of this Redis db that MONITOR sees while `fn` runs. A plain socket speaking RESP, not
 * ioredis's monitor(): ioredis can take a line of other clients' traffic (another suite's PING)
 * for the reply to its own MONITOR and fail with "Command queue state error".
 */
async function monitored(fn: () => Promise<void>): Promise<string[][]> {
  const url = new URL(redisUrl);
  const socket = net.connect(Number(url.port || 6379), url.hostname);
  let text = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (text += chunk));
  await once(socket, 'connect');
  socket.write('MONITOR\r\n');
  for (let i = 0; i < 100 && !text.startsWith('+OK\r\n'); i++) await new Promise((r) => setTimeout(r, 20));
  expect(text.startsWith('+OK\r\n')).toBe(true);
  try {
    await fn();
    await new Promise((r) => setTimeout(r, 200)); // MONITOR lines trail the replies
  } finally {
    socket.destroy();
  }
  return text
    .split('\r\n')
    .slice(1)
    .map(monitorLine)
    .filter((line) => line !== undefined && line.database === dbIndex && !line.source.startsWith('lua'))
    .map((line) => line!.args);
}

/**
 * `fn`'s result, the Redis commands of this db that MONITOR saw meanwhile, and the socket writes of
 * the rate-limit connection (Node calls _write or _writev once per write syscall batch).
 */
async function watched<T>(fn: () => Promise<T>): Promise<{ result: T; commands: string[][]; writes: number }> {
  const socket = limits.client.stream as Socket & { _write: (...a: unknown[]) => unknown; _writev?: (...a: unknown[]) => unknown };
  let writes = 0;
  const write = socket._write.bind(socket);
  const writev = socket._writev?.bind(socket);
  socket._write = (...a: unknown[]) => (writes++, write(...a));
  if (writev) socket._writev = (...a: unknown[]) => (writes++, writev(...a));
  let result!: T;
  try {
    const commands = await monitored(async () => {
      result = await fn();
    });
    return { result, commands, writes };
  } finally {
    socket._write = write;
    if (writev) socket._writev = writev;
  }
}

describe('one Redis round trip per cached availability request', () => {
  it('sends only the two rate-limit increments, in one write of the rate-limit connection', async () => {
    const path = `/v1/availability?branchId=${ids.branch}&serviceId=${ids.service}&from=${tomorrow}&to=${tomorrow}`;
    const first = await request(h.app).get(path).set(company.auth);
    expect(first.status).toBe(200);
    const hit = await request(h.app).get(path).set(company.auth);
    expect(hit.headers['x-cache']).toBe('HIT');
    await untilCountedInRedis(company.id, () => request(h.app).get(path).set(company.auth));

    const { result: res, commands, writes } = await watched(() => request(h.app).get(path).set(company.auth));
    expect(res.status).toBe(200);
    expect(res.headers['x-cache']).toBe('HIT');
    expect(res.headers['ratelimit-limit']).toBe(String(COMPANY_MAX));
    // This app's commands: the increments (EVALSHA of rate-limit-redis's script) of this request and
    // nothing else: no GET/MGET/EXISTS/TTL of the cache (versions known, L1 hit), no key lookup.
    const ours = commands
      .filter((c) => c.some((arg) => arg.includes(cachePrefix) || arg.includes(company.id) || arg.startsWith('booking:rl:addr:')))
      .map((c) => `${c[0].toLowerCase()} ${c[3]}`)
      .sort();
    expect(ours).toHaveLength(2);
    expect(ours[0]).toMatch(/^evalsha booking:rl:addr:\S+$/);
    expect(ours[1]).toBe(`evalsha booking:rl:company:company:${company.id}`);
    expect(writes).toBe(1);
  });
});

describe('leased counts for busy keys (quotas of 200 and more)', () => {
  it('sends a key\'s two leases in one write, and a busy key\'s requests share them: a fraction of the round trips, every request counted', async () => {
    const busy = await startApiHarness({ rateLimit: { max: BUSY_MAX, windowMs: 60_000, perAddressMax: 4 * BUSY_MAX }, rateLimitRedis: limits, revocations: bus });
    Object.assign(busy.deps, availability.deps);
    busy.app.set('trust proxy', true);
    const address = randomAddress();
    try {
      const co = await createCompany(h.app, 'Busy');
      const at = { branch: newId('br'), service: newId('svc'), staff: newId('stf') };
      await seedBranch(co.id, at);
      const path = `/v1/availability?branchId=${at.branch}&serviceId=${at.service}&from=${tomorrow}&to=${tomorrow}`;
      const get = () => request(busy.app).get(path).set(co.auth).set('X-Forwarded-For', address);
      // The first request puts the key into busy's key cache and spends the first (one-token) leases.
      expect((await get()).status).toBe(200);
      expect(await companyCount(co.id)).toBe(1);

      const { result: second, commands: secondCommands, writes } = await watched(get);
      expect(second.status).toBe(200);
      const companyKey = `booking:rl:company:company:${co.id}`;
      const leases = (commands: string[][]) => commands.filter((c) => c[0].toLowerCase() === 'evalsha' && (c[3] === companyKey || c[3]?.startsWith('booking:rl:addr:')));
      expect(leases(secondCommands).map((c) => c[3]).sort()).toEqual([expect.stringMatching(/^booking:rl:addr:/), companyKey]);
      expect(writes).toBe(1);

      const before = await companyCount(co.id);
      const statuses: number[] = [];
      const commands = await monitored(async () => {
        for (let burst = 0; burst < 40; burst++) {
          const answers = await Promise.all(Array.from({ length: 10 }, () => get()));
          statuses.push(...answers.map((a) => a.status));
        }
      });
      expect(statuses.filter((s) => s === 200)).toHaveLength(400);
      const companyLeases = leases(commands).filter((c) => c[3] === companyKey);
      expect(companyLeases.length).toBeLessThan(400 / 4);
      // Redis counted every request, and at most the rest of the last lease more: the tokens leased
      // in the window are the count.
      const counted = (await companyCount(co.id)) - before;
      expect(counted).toBeGreaterThanOrEqual(400);
      expect(counted).toBeLessThan(400 + BUSY_MAX / 100);
      expect(companyLeases.reduce((sum, c) => sum + Number(c[4]), 0)).toBe(counted);
    } finally {
      await busy.close();
    }
  });
});

describe('the company increment started before auth counts exactly the requests the company limiter counts', () => {
  it('is taken back for a role the policy refuses (403) and for a keyless route', async () => {
    const co = await createCompany(h.app, 'Take back');
    const support = await request(h.app).post('/v1/api-keys').set(co.auth).send({ name: 'support', role: 'support' });
    expect(support.status).toBe(201);
    const auth = { Authorization: `Bearer ${support.body.apiKey}` };
    expect((await request(h.app).get('/v1/customers').set(auth)).status).toBe(200); // the key is now in the key cache
    await untilCountedInRedis(co.id, () => request(h.app).get('/v1/customers').set(auth));
    const before = await companyCount(co.id);
    for (let i = 0; i < 3; i++) expect((await request(h.app).post('/v1/customers').set(auth).send({ name: 'X' })).status).toBe(403);
    expect((await request(h.app).get('/v1/public/bookings/not-a-token').set(auth)).status).toBeGreaterThanOrEqual(400);
    await new Promise((r) => setTimeout(r, 100)); // take-backs are sent once their increment answered
    expect(await companyCount(co.id)).toBe(before);
    const allowed = await request(h.app).get('/v1/customers').set(auth);
    expect(allowed.status).toBe(200);
    expect(await companyCount(co.id)).toBe(before + 1);
    expect(Number(allowed.headers['ratelimit-remaining'])).toBe(COMPANY_MAX - before - 1);
  });

  it('is taken back when the address limit refuses the request', async () => {
    // Its own client address (X-Forwarded-For, trusted here), so its address quota is whole.
    const tight = await startApiHarness({ rateLimit: { max: 100, windowMs: 60_000, perAddressMax: 3 }, rateLimitRedis: limits, revocations: bus });
    tight.app.set('trust proxy', true);
    const address = randomAddress();
    try {
      // The tight app's limiters count in Redis before the measured requests (a company and
      // addresses of their own, one per request, so no quota of the measured ones is spent).
      const warm = await createCompany(h.app, 'Address refused, warm-up');
      await untilCountedInRedis(warm.id, () => request(tight.app).get('/v1/customers').set(warm.auth).set('X-Forwarded-For', randomAddress()));
      const co = await createCompany(h.app, 'Address refused');
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await request(tight.app).get('/v1/customers').set(co.auth).set('X-Forwarded-For', address)).status);
      await new Promise((r) => setTimeout(r, 100)); // take-backs are sent once their increment answered
      // The first request put the key in the tight app's key cache: requests 2..6 started the company's increment before auth.
      expect(statuses).toEqual([200, 200, 200, 429, 429, 429]);
      // Only the requests that passed the address limit count for the company (its creation counted for the admin key).
      expect(await companyCount(co.id)).toBe(3);
    } finally {
      await tight.close();
    }
  });
});
