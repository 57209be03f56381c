/**
 * Fixed-window counts taken from Redis in leases of several tokens, so a busy key (a company or a
 * client address sending hundreds of requests a second to one API process) costs one Redis round
 * trip per lease instead of one per request.
 *
 * A lease is an INCRBY of the shared window counter by n (one Lua script, which also starts the
 * window's expiry): the process then owns the counts (total − n, total] and hands them out to its
 * requests without I/O. Every count a request gets was added to Redis before, by exactly one
 * process, so all processes together never admit more than the quota: leasing can refuse early
 * (tokens leased by one process and not used while another is refused), never late.
 *
 * What bounds the early refusals:
 *   - a lease is at most 1% of the quota (and at most MAX_LEASE tokens); quotas under 200 are not
 *     leased at all (one increment per request, exact, as rate-limit-redis counts);
 *   - its size adapts to the key's traffic in this process: it doubles when the previous lease was
 *     spent within LEASE_HORIZON_MS and halves when it lasted more than ten horizons, so a quiet
 *     key leases one token at a time;
 *   - near the end of the quota a lease is at most a quarter of what the process last saw left.
 * RateLimit-Remaining is the quota less the count of the request's token: it does not include what
 * other processes counted since this process's last lease (at most their own leases apart).
 *
 * Hand-written: rate-limit-redis (which counts the other limiters) increments by one per request
 * and has no notion of a batch; no maintained Store for express-rate-limit leases counts.
 */
import { createHash } from 'node:crypto';
import type { IncrementResponse } from 'express-rate-limit';
import { LRUCache } from 'lru-cache';

/** A lease that was spent within this many ms doubles the next one. */
const LEASE_HORIZON_MS = 100;
/** Largest lease in tokens. */
export const MAX_LEASE = 64;
/** A lease is at most 1 / QUOTA_SHARE of the quota: quotas under 2 × this are not leased. */
export const QUOTA_SHARE = 100;

/** INCRBY with the window's expiry set when the window starts; answers [total, ms to the window's end]. */
const LEASE_SCRIPT = `local total = redis.call('INCRBY', KEYS[1], ARGV[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl <= 0 then
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
  ttl = tonumber(ARGV[2])
end
return { total, ttl }`;
const LEASE_SHA = createHash('sha1').update(LEASE_SCRIPT).digest('hex');

/** Sends one Redis command (api/rate-limit.ts batchedSend: the commands of a tick share one write). */
export type RedisSend = (args: string[]) => Promise<unknown>;

interface Lease {
  /** The window's count before this lease's first token. */
  base: number;
  size: number;
  /** Tokens handed out (past `size` once the quota is spent: those requests are refused). */
  used: number;
  resetAt: number;
  takenAt: number;
}

interface KeyState {
  lease?: Lease;
  /** Size of the next lease. */
  size: number;
  renewing?: Promise<void>;
  /** Requests waiting for the lease under way: it is made large enough for them. */
  waiting: number;
}

export class LeasedCounter {
  private readonly keys: LRUCache<string, KeyState>;
  private readonly maxLease: number;

  constructor(
    private readonly send: RedisSend,
    private readonly prefix: string,
    private readonly limit: number,
    private readonly windowMs: number,
  ) {
    this.maxLease = Math.max(1, Math.min(MAX_LEASE, Math.floor(limit / QUOTA_SHARE)));
    // A key's state lives for its window; one evicted early only loses the rest of its lease.
    this.keys = new LRUCache({ max: 100_000, ttl: windowMs });
  }

  /** False when the quota is too small to lease (callers count every request in Redis). */
  get leases(): boolean {
    return this.maxLease > 1;
  }

  async increment(key: string): Promise<IncrementResponse> {
    let state = this.keys.get(key);
    if (!state) {
      state = { size: 1, waiting: 0 };
      this.keys.set(key, state);
    }
    for (;;) {
      const lease = state.lease;
      // A token of the lease, or (the quota spent as of the lease) a refusal without asking Redis.
      if (lease && Date.now() < lease.resetAt && (lease.used < lease.size || lease.base + lease.size >= this.limit)) {
        lease.used++;
        return { totalHits: lease.base + lease.used, resetTime: new Date(lease.resetAt) };
      }
      if (!state.renewing) {
        const s = state;
        s.renewing = this.renew(key, s).finally(() => (s.renewing = undefined));
      }
      state.waiting++;
      try {
        await state.renewing;
      } finally {
        state.waiting--;
      }
    }
  }

  /** Gives a token back to this process's lease; false when there is none to give it to (the caller decrements in Redis). */
  release(key: string): boolean {
    const lease = this.keys.get(key)?.lease;
    if (!lease || Date.now() >= lease.resetAt || lease.used === 0) return false;
    lease.used--;
    return true;
  }

  forget(key: string): void {
    this.keys.delete(key);
  }

  private async renew(key: string, state: KeyState): Promise<void> {
    const previous = state.lease;
    const now = Date.now();
    let size = state.size;
    if (previous && now < previous.resetAt) {
      const lasted = now - previous.takenAt;
      if (lasted < LEASE_HORIZON_MS) size = Math.min(this.maxLease, size * 2);
      else if (lasted > 10 * LEASE_HORIZON_MS) size = Math.max(1, Math.floor(size / 2));
    }
    state.size = size;
    // Enough for the requests already waiting (the one that started this renewal among them).
    size = Math.min(this.maxLease, Math.max(size, state.waiting + 1));
    if (previous && now < previous.resetAt) size = Math.max(1, Math.min(size, Math.floor((this.limit - previous.base - previous.size) / 4)));
    const [total, ttlMs] = await this.take(key, size);
    const at = Date.now();
    state.lease = { base: total - size, size, used: 0, resetAt: at + ttlMs, takenAt: at };
  }

  private async take(key: string, n: number): Promise<[number, number]> {
    const args = ['1', this.prefix + key, String(n), String(this.windowMs)];
    try {
      return (await this.send(['EVALSHA', LEASE_SHA, ...args])) as [number, number];
    } catch (err) {
      if (!String((err as Error)?.message).includes('NOSCRIPT')) throw err;
      return (await this.send(['EVAL', LEASE_SCRIPT, ...args])) as [number, number];
    }
  }
}
