import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createAvailabilityCache, type AvailabilityCache } from './availability-cache';

// Real Redis: the shared one (isolated by a random prefix) and a private one on 6390 that the test
// kills to simulate an outage. The system Redis on 6379 is never stopped.
const SHARED_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PRIVATE_PORT = 6390;

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
