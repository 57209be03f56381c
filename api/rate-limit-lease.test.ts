/**
 * LeasedCounter (rate-limit-lease.ts) on the real Redis: a busy key costs one round trip per lease,
 * two "processes" (two counters on one key) together never admit more than the quota and refuse at
 * most a lease each early, a quiet key leases one token, tokens go back to the lease, a spent
 * window refuses without Redis, a new window starts over, and a Redis that lost the script (restart,
 * SCRIPT FLUSH) is answered with EVAL.
 */
import Redis from 'ioredis';
import { loadConfig } from '../infra/config';
import { newId } from '../infra/db/ids';
import { LeasedCounter, MAX_LEASE, QUOTA_SHARE, type RedisSend } from './rate-limit-lease';

const redis = new Redis(loadConfig().redisUrl);
const prefix = `test:lease:${newId('x')}:`;

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

/** A send over the real connection that counts the commands it sends. */
function countingSend(): RedisSend & { commands: string[][] } {
  const commands: string[][] = [];
  const send = ((args: string[]) => {
    commands.push(args);
    return redis.call(args[0], ...args.slice(1));
  }) as RedisSend & { commands: string[][] };
  send.commands = commands;
  return send;
}

const countInRedis = async (key: string) => Number((await redis.get(prefix + key)) ?? 0);

describe('LeasedCounter', () => {
  it('does not lease quotas under twice its share (every request counts in Redis)', () => {
    expect(new LeasedCounter(countingSend(), prefix, 2 * QUOTA_SHARE - 1, 60_000).leases).toBe(false);
    expect(new LeasedCounter(countingSend(), prefix, 2 * QUOTA_SHARE, 60_000).leases).toBe(true);
  });

  it('leases one token to a quiet key', async () => {
    const send = countingSend();
    const counter = new LeasedCounter(send, prefix, 10_000, 60_000);
    const key = newId('k');
    const hits = await counter.increment(key);
    expect(hits.totalHits).toBe(1);
    expect(await countInRedis(key)).toBe(1);
    expect(send.commands).toHaveLength(1);
    expect(send.commands[0].slice(0, 1)).toEqual(['EVALSHA']);
    expect(hits.resetTime!.getTime()).toBeGreaterThan(Date.now() + 59_000);
  });

  it('costs a busy key one round trip per lease, and counts every token it hands out', async () => {
    const send = countingSend();
    const counter = new LeasedCounter(send, prefix, 100_000, 60_000);
    const key = newId('k');
    const seen: number[] = [];
    for (let burst = 0; burst < 100; burst++) {
      const answers = await Promise.all(Array.from({ length: 10 }, () => counter.increment(key)));
      seen.push(...answers.map((a) => a.totalHits));
    }
    // 1,000 requests; the leases grow to MAX_LEASE, so a few dozen round trips instead of 1,000.
    expect(send.commands.length).toBeLessThan(1000 / 10);
    // Every request got its own count, and Redis holds them all (plus at most the rest of the last lease).
    expect(new Set(seen).size).toBe(1000);
    expect(Math.max(...seen)).toBeLessThanOrEqual(await countInRedis(key));
    expect(await countInRedis(key)).toBeLessThan(1000 + MAX_LEASE);
  });

  it('never admits more than the quota across processes, and refuses at most a lease per process early', async () => {
    const limit = 2_000; // leases up to 20 tokens
    const key = newId('k');
    const a = new LeasedCounter(countingSend(), prefix, limit, 60_000);
    const b = new LeasedCounter(countingSend(), prefix, limit, 60_000);
    let admitted = 0;
    for (let burst = 0; burst < 300; burst++) {
      const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).increment(key)));
      admitted += answers.filter((hits) => hits.totalHits <= limit).length;
    }
    expect(admitted).toBeLessThanOrEqual(limit);
    expect(admitted).toBeGreaterThanOrEqual(limit - 2 * (limit / QUOTA_SHARE));
  });

  it('refuses without asking Redis once the window is spent, and starts over in the next window', async () => {
    const send = countingSend();
    const limit = 200;
    const counter = new LeasedCounter(send, prefix, limit, 1_000);
    const key = newId('k');
    const first = await Promise.all(Array.from({ length: limit }, () => counter.increment(key)));
    expect(first.every((hits) => hits.totalHits <= limit)).toBe(true);
    const sent = send.commands.length;
    const refused = await Promise.all(Array.from({ length: 50 }, () => counter.increment(key)));
    expect(refused.every((hits) => hits.totalHits > limit)).toBe(true);
    expect(send.commands.length).toBeLessThanOrEqual(sent + 1); // one lease may find the quota spent
    await new Promise((r) => setTimeout(r, 1_100));
    const fresh = await counter.increment(key);
    expect(fresh.totalHits).toBe(1);
  });

  it('takes a token back into the lease (no DECR), and says so', async () => {
    const send = countingSend();
    const counter = new LeasedCounter(send, prefix, 10_000, 60_000);
    const key = newId('k');
    const one = await counter.increment(key);
    expect(counter.release(key)).toBe(true);
    const again = await counter.increment(key);
    expect(again.totalHits).toBe(one.totalHits);
    expect(send.commands).toHaveLength(1);
    expect(await countInRedis(key)).toBe(1);
    // Nothing handed out for a key: the caller decrements in Redis.
    expect(counter.release(newId('k'))).toBe(false);
  });

  it('loads the script again (EVAL) when Redis answers NOSCRIPT', async () => {
    const real = countingSend();
    let refusedOnce = false;
    const send: RedisSend = (args) => {
      if (args[0] === 'EVALSHA' && !refusedOnce) {
        refusedOnce = true;
        return Promise.reject(new Error('NOSCRIPT No matching script. Please use EVAL.'));
      }
      return real(args);
    };
    const counter = new LeasedCounter(send, prefix, 10_000, 60_000);
    const key = newId('k');
    expect((await counter.increment(key)).totalHits).toBe(1);
    expect(real.commands.map((c) => c[0])).toEqual(['EVAL']);
    expect(await countInRedis(key)).toBe(1);
  });
});
