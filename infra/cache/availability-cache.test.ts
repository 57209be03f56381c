import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import Redis from 'ioredis';
import { createAvailabilityCache, type AvailabilityCache } from './availability-cache';

// Real Redis: the shared one (isolated by a random prefix) and a private one on 6390 that the test
// kills to simulate an outage. The system Redis on 6379 is never stopped.
const SHARED_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PRIVATE_PORT = 6390;
const PUBSUB_PORT = 6391;
const REPO = path.resolve(__dirname, '..', '..');

const logs: string[] = [];
const logger = {
  info: (_obj: object, msg?: string) => logs.push(`info ${msg}`),
  warn: (_obj: object, msg?: string) => logs.push(`warn ${msg}`),
} as never;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}

function startRedis(port: number): ChildProcess {
  return spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
}
async function stopRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

const key = { branchId: 'br_1', query: 'svc_1|2026-12-01|2026-12-07' };

describe('availability cache (two processes on one Redis)', () => {
  let a: AvailabilityCache;
  let b: AvailabilityCache;
  beforeAll(async () => {
    const prefix = `t${randomUUID().slice(0, 8)}`;
    a = createAvailabilityCache({ redisUrl: SHARED_URL, logger, prefix });
    b = createAvailabilityCache({ redisUrl: SHARED_URL, logger, prefix });
    await until(() => a.status().mode === 'redis' && b.status().mode === 'redis');
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  it('misses, then hits L1 in the writer and L2 in the other process', async () => {
    const miss = await a.get(key);
    expect(miss).toMatchObject({ value: undefined, source: undefined });
    expect(miss.stamp).not.toBeNull();
    await a.set(key, '{"days":[]}', miss.stamp);
    expect(await a.get(key)).toMatchObject({ value: '{"days":[]}', source: 'l1' });
    expect(await b.get(key)).toMatchObject({ value: '{"days":[]}', source: 'l2' });
    expect(await b.get(key)).toMatchObject({ source: 'l1' });
  });

  it('a bump in one process hides the other process L1 entry at once', async () => {
    await b.invalidateBranch('br_1');
    expect(await a.get(key)).toMatchObject({ value: undefined });
    expect(await b.get(key)).toMatchObject({ value: undefined });
    // Other branches keep their entries.
    const other = { branchId: 'br_2', query: 'x' };
    const s = await a.get(other);
    await a.set(other, 'v', s.stamp);
    await a.invalidateBranch('br_1');
    expect(await b.get(other)).toMatchObject({ value: 'v' });
  });

  it('a result computed under an old version is never served after the bump', async () => {
    const before = await a.get(key);
    await b.invalidateBranch('br_1');
    await a.set(key, 'stale', before.stamp);
    expect(await a.get(key)).toMatchObject({ value: undefined });
  });
});

describe('availability cache with Redis going away', () => {
  let redis: ChildProcess;
  let cache: AvailabilityCache;
  beforeAll(async () => {
    redis = startRedis(PRIVATE_PORT);
    cache = createAvailabilityCache({ redisUrl: `redis://127.0.0.1:${PRIVATE_PORT}`, logger });
    await until(() => cache.status().mode === 'redis');
  });
  afterAll(async () => {
    await cache.close();
    await stopRedis(redis);
  });

  it('bypasses while down, logs once, and never serves an entry older than a lost bump', async () => {
    const s = await cache.get(key);
    await cache.set(key, 'before-outage', s.stamp);
    expect(await cache.get(key)).toMatchObject({ value: 'before-outage' });

    logs.length = 0;
    await stopRedis(redis);
    await until(() => cache.status().mode === 'degraded');
    const down = await cache.get(key);
    expect(down).toEqual({ value: undefined, source: undefined, stamp: null });
    await cache.invalidateBranch('br_1'); // lost: Redis is gone
    await sleep(300); // several failed reconnects
    expect(logs.filter((l) => l.includes('cache degraded to in-process'))).toHaveLength(1);

    redis = startRedis(PRIVATE_PORT);
    await until(() => cache.status().mode === 'redis');
    expect(logs.some((l) => l.includes('cache recovered'))).toBe(true);
    const after = await cache.get(key);
    expect(after.value).toBeUndefined();
    expect(after.stamp).not.toBeNull();
    await cache.set(key, 'fresh', after.stamp);
    expect(await cache.get(key)).toMatchObject({ value: 'fresh', source: 'l1' });
  });
});

/** Bumps a branch from ANOTHER process (no in-process bus), as an API or worker process would. */
function bumpInOtherProcess(redisUrl: string, prefix: string, branchId: string): Promise<void> {
  const code = `
    const { createAvailabilityCache } = require('./infra/cache/availability-cache');
    const logger = { info() {}, warn() {} };
    const cache = createAvailabilityCache({ redisUrl: ${JSON.stringify(redisUrl)}, logger, prefix: ${JSON.stringify(prefix)} });
    const wait = () => (cache.status().mode === 'redis' ? Promise.resolve() : new Promise((r) => setTimeout(r, 20)).then(wait));
    wait().then(() => cache.invalidateBranch(${JSON.stringify(branchId)})).then(() => cache.close()).then(() => process.exit(0), () => process.exit(1));`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', code], { cwd: REPO, stdio: 'inherit' });
    child.once('exit', (status) => (status === 0 ? resolve() : reject(new Error(`bumping process exited ${status}`))));
  });
}

describe('availability cache remembering versions (pub/sub)', () => {
  let redis: ChildProcess;
  let admin: Redis;
  let cache: AvailabilityCache;
  const url = `redis://127.0.0.1:${PUBSUB_PORT}`;
  const mgetCalls = async () => Number(/cmdstat_mget:calls=(\d+)/.exec(await admin.info('commandstats'))?.[1] ?? 0);
  beforeAll(async () => {
    redis = startRedis(PUBSUB_PORT);
    admin = new Redis(url, { retryStrategy: (n) => Math.min(50 * n, 500) });
    cache = createAvailabilityCache({ redisUrl: url, logger, prefix: 'ps' });
    await until(() => cache.status().mode === 'redis');
    await cache.get(key); // starts the subscription
    await until(() => cache.status().versions === 'subscribed');
  });
  afterAll(async () => {
    await cache.close();
    admin.disconnect();
    await stopRedis(redis);
  });

  it('serves hits without reading versions from Redis, and sees another process bump at once', async () => {
    const s = await cache.get(key);
    await cache.set(key, 'v1', s.stamp);
    const before = await mgetCalls();
    for (let i = 0; i < 20; i++) expect(await cache.get(key)).toMatchObject({ value: 'v1', source: 'l1' });
    expect((await mgetCalls()) - before).toBeLessThanOrEqual(1);

    await bumpInOtherProcess(url, 'ps', key.branchId);
    const after = await cache.get(key);
    expect(after.value).toBeUndefined();
    expect(Number(after.stamp?.version)).toBe(Number(s.stamp?.version) + 1);
    await cache.set(key, 'v2', after.stamp);
    expect(await cache.get(key)).toMatchObject({ value: 'v2', source: 'l1' });
  });

  it("learns its own bump's version: the next lookup after a change needs no MGET", async () => {
    const s = await cache.get(key);
    const before = await mgetCalls();
    await cache.invalidateBranch(key.branchId);
    const after = await cache.get(key);
    expect(after.value).toBeUndefined();
    expect(Number(after.stamp?.version)).toBe(Number(s.stamp?.version) + 1);
    expect((await mgetCalls()) - before).toBe(0);
  });

  it('reads versions per lookup while unsubscribed, and never serves an entry older than a bump made then', async () => {
    const s = await cache.get(key);
    await cache.set(key, 'before', s.stamp);
    // Drop the subscriber connection only: the command connection stays up.
    await admin.client('KILL', 'TYPE', 'pubsub');
    await until(() => cache.status().versions === 'read-per-lookup');
    await admin.incr(`ps:ver:${key.branchId}`); // a bump whose message nobody receives
    expect(await cache.get(key)).toMatchObject({ value: undefined });
    await until(() => cache.status().versions === 'subscribed');
    const fresh = await cache.get(key);
    await cache.set(key, 'after', fresh.stamp);
    expect(await cache.get(key)).toMatchObject({ value: 'after' });
  });
});

describe('availability cache without Redis (in-process versions)', () => {
  it('caches and invalidates per branch', async () => {
    const cache = createAvailabilityCache({ logger });
    const s = await cache.get(key);
    await cache.set(key, 'v', s.stamp);
    expect(await cache.get(key)).toMatchObject({ value: 'v', source: 'l1' });
    await cache.invalidateBranch('br_1');
    expect(await cache.get(key)).toMatchObject({ value: undefined });
    expect(cache.status().mode).toBe('in-process');
    await cache.close();
  });
});
