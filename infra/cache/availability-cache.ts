/**
 * Two-tier availability cache: L1 in-process LRU, L2 Redis, both with the same TTL (5 minutes).
 *
 * Invalidation is by version, never by deleting keys: every branch has a counter in Redis
 * (`INCR avail:ver:<branch>` on each change, published on `avail:changes` in the same MULTI), and
 * every entry's key carries the counter it was computed under. A lookup needs the branch's current
 * counter: this process remembers the counters it has read while it is subscribed to the change
 * channel (branch-versions.ts), so a hit costs no Redis round trip; a published bump makes it
 * read Redis again. Multi-process correctness, in short (details in branch-versions.ts):
 *   - a bump in this process reaches every cache of the process synchronously, before the INCR
 *     is sent, and the branch is served uncached until the INCR has settled;
 *   - a bump in another process (API or worker) is seen as soon as its message is read: Redis
 *     writes it in the same pass as the bumping process's reply, so it is in this process's
 *     socket before that process can answer its client and anyone can ask again;
 *   - no subscription (connecting, lost, no PING answer for 3 s) → counters are read from Redis
 *     on every lookup (one MGET, as before), which is exact.
 *
 * The stamp (epoch + version) is read BEFORE the caller loads data and passed back to `set`, so a
 * result computed concurrently with a change is stored under the old version and never read.
 *
 * Redis down: the cache is bypassed (stamp null, every request computed fresh), which is correct
 * with any number of processes. Invalidations that could not reach Redis are covered by a global
 * epoch that each process bumps when its link comes back, which orphans every older entry.
 * Without a `redisUrl` the cache runs L1-only with in-process versions (single-process use).
 */
import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { ChainableCommander } from 'ioredis';
import { createBranchVersions, type BranchVersions } from './branch-versions';
import { createRedisConnection, type CacheLogger, type RedisConnection } from './redis';

/** How values are written to (and read back from) Redis, as bytes; L1 keeps the decoded value. */
export interface CacheCodec<V> {
  /** May be asynchronous (compression off the event loop): a write is never awaited by a request. */
  encode(value: V): Buffer | string | Promise<Buffer | string>;
  /** undefined: unreadable (an older format), treated as a miss. */
  decode(bytes: Buffer): V | undefined | Promise<V | undefined>;
}

const TEXT: CacheCodec<string> = { encode: (v) => v, decode: (b) => b.toString('utf8') };

export interface AvailabilityCacheOptions<V = string> {
  /** null/undefined: L1 only, versions kept in process (one API process only). */
  redisUrl?: string | null;
  logger: CacheLogger;
  ttlMs?: number;
  l1Max?: number;
  /** Redis key prefix, so tests can isolate themselves on a shared Redis. */
  prefix?: string;
  /** Values other than text: L1 holds them decoded, so a hit neither parses nor copies. */
  codec?: CacheCodec<V>;
}

export interface AvailabilityCacheKey {
  branchId: string;
  /** Everything else the answer depends on (service, staff, range, query params). */
  query: string;
}

/** The versions a lookup saw; null when the cache is bypassed (Redis unreachable). */
export interface CacheStamp {
  epoch: string;
  version: string;
}

export interface CacheLookup<V = string> {
  value: V | undefined;
  source: 'l1' | 'l2' | undefined;
  stamp: CacheStamp | null;
}

export interface AvailabilityCacheStatus {
  mode: 'redis' | 'degraded' | 'in-process';
  l1Entries: number;
  /** Whether lookups use remembered branch versions (subscribed to changes) or read Redis. */
  versions?: 'subscribed' | 'read-per-lookup';
}

export interface AvailabilityCache<V = string> {
  get(key: AvailabilityCacheKey): Promise<CacheLookup<V>>;
  /** Stores `value` under the stamp its `get` returned; a null stamp is a no-op. */
  set(key: AvailabilityCacheKey, value: V, stamp: CacheStamp | null): Promise<void>;
  invalidateBranch(branchId: string): Promise<void>;
  status(): AvailabilityCacheStatus;
  close(): Promise<void>;
}

export const DEFAULT_CACHE_TTL_MS = 300_000;

export function createAvailabilityCache(options: AvailabilityCacheOptions<string>): AvailabilityCache<string>;
export function createAvailabilityCache<V extends object | string>(options: AvailabilityCacheOptions<V> & { codec: CacheCodec<V> }): AvailabilityCache<V>;
export function createAvailabilityCache<V extends object | string>(options: AvailabilityCacheOptions<V>): AvailabilityCache<V> {
  const ttlMs = options.ttlMs ?? DEFAULT_CACHE_TTL_MS;
  const prefix = options.prefix ?? 'avail';
  const codec = options.codec ?? (TEXT as unknown as CacheCodec<V>);
  const l1 = new LRUCache<string, V>({ max: options.l1Max ?? 5000, ttl: ttlMs });
  const versionKey = (branchId: string) => `${prefix}:ver:${branchId}`;
  const epochKey = `${prefix}:epoch`;
  const channel = `${prefix}:changes`;
  const entryKey = (key: AvailabilityCacheKey, stamp: CacheStamp) =>
    `${prefix}:slots:${stamp.epoch}:${key.branchId}:${stamp.version}:${key.query}`;

  if (!options.redisUrl) return createInProcessCache(l1, entryKey);

  // Set when an invalidation may not have reached Redis: the cache stays bypassed until a new
  // epoch is written.
  let needsEpochBump = false;
  let bumping: Promise<void> | null = null;
  const bumpEpoch = () => {
    bumping ??= (async () => {
      try {
        await exec(redis.client.multi().incr(epochKey).publish(channel, 'e'));
        needsEpochBump = false;
        l1.clear();
      } catch {
        // Still unreachable: the next 'up' transition retries.
      } finally {
        bumping = null;
      }
    })();
    return bumping;
  };
  const redis: RedisConnection = createRedisConnection({
    url: options.redisUrl,
    logger: options.logger,
    onTransition: (state) => {
      versions?.forgetAll();
      if (state === 'down') {
        needsEpochBump = true;
        l1.clear();
      } else if (needsEpochBump) {
        void bumpEpoch();
      }
    },
  });
  const usable = () => redis.isUp() && !needsEpochBump;
  const bypass: CacheLookup<V> = { value: undefined, source: undefined, stamp: null };

  // Versions are remembered once something is read (the subscription is made then, so a process
  // that only invalidates, like the worker, never subscribes).
  let versions: BranchVersions | undefined;
  const sender = randomUUID();
  const watch = () => (versions ??= createBranchVersions({ url: options.redisUrl!, channel, sender }));
  // Branches with a bump of this process in flight: served uncached until it settles.
  const changing = new Map<string, number>();
  const busKey = `${options.redisUrl}|${prefix}`;
  const onLocalChange: LocalChange = (branchId, phase) => {
    changing.set(branchId, (changing.get(branchId) ?? 0) + (phase === 'begin' ? 1 : -1));
    if (changing.get(branchId) === 0) changing.delete(branchId);
    if (phase === 'begin') versions?.forget(branchId);
  };
  joinBus(busKey, onLocalChange);

  async function stampOf(branchId: string): Promise<CacheStamp | null> {
    const w = watch();
    const known = w.known(branchId);
    if (known) return known;
    const generation = w.generation();
    try {
      const [epoch, version] = await redis.client.mget(epochKey, versionKey(branchId));
      const stamp = { epoch: epoch ?? '0', version: version ?? '0' };
      if (generation !== null) w.learn(branchId, stamp, generation);
      return stamp;
    } catch {
      return null;
    }
  }

  return {
    async get(key) {
      if (!usable() || changing.has(key.branchId)) return bypass;
      const stamp = await stampOf(key.branchId);
      if (!stamp) return bypass;
      const full = entryKey(key, stamp);
      const local = l1.get(full);
      if (local !== undefined) return { value: local, source: 'l1', stamp };
      try {
        const remote = await redis.client.getBuffer(full);
        const value = remote === null ? undefined : await codec.decode(remote);
        if (value !== undefined) {
          l1.set(full, value);
          return { value, source: 'l2', stamp };
        }
      } catch {
        // L2 unreadable: a miss; the stamp is still valid for L1.
      }
      return { value: undefined, source: undefined, stamp };
    },
    async set(key, value, stamp) {
      if (!stamp) return;
      const full = entryKey(key, stamp);
      l1.set(full, value);
      try {
        await redis.client.set(full, await codec.encode(value), 'PX', ttlMs);
      } catch {
        // L2 is an optimisation; L1 still holds the entry under the same version.
      }
    },
    async invalidateBranch(branchId) {
      // Every cache of this process stops using the branch's version now, before any await.
      emitLocal(busKey, branchId, 'begin');
      const generation = versions?.generation() ?? null;
      try {
        const [version, epoch] = await exec(redis.client.multi().incr(versionKey(branchId)).get(epochKey).publish(channel, `v ${sender} ${branchId}`));
        // The INCR's answer is the current version unless a change was heard meanwhile (then the
        // generation moved and the next lookup reads Redis): this process's next search after
        // its own change needs no MGET.
        if (generation !== null) versions!.learn(branchId, { epoch: String(epoch ?? '0'), version: String(version) }, generation);
      } catch {
        // The bump was lost: bypass the cache until a new epoch orphans every older entry.
        needsEpochBump = true;
        l1.clear();
        if (redis.isUp()) await bumpEpoch();
      } finally {
        emitLocal(busKey, branchId, 'end');
      }
    },
    status: () => ({
      mode: usable() ? 'redis' : 'degraded',
      l1Entries: l1.size,
      versions: versions?.isLive() ? 'subscribed' : 'read-per-lookup',
    }),
    async close() {
      leaveBus(busKey, onLocalChange);
      await versions?.close();
      await redis.close();
    },
  };
}

/** Runs a MULTI and returns its commands' results; rejects when it or any command failed. */
async function exec(multi: ChainableCommander): Promise<unknown[]> {
  const results = await multi.exec();
  const failed = results?.find(([err]) => err);
  if (!results || failed) throw failed?.[0] ?? new Error('MULTI aborted');
  return results.map(([, value]) => value);
}

// The in-process bus: every cache of this process on the same Redis and prefix hears a bump of
// any of them synchronously (an API process normally has one cache; tests build several).
type LocalChange = (branchId: string, phase: 'begin' | 'end') => void;
const localBus = new Map<string, Set<LocalChange>>();
function joinBus(key: string, listener: LocalChange): void {
  let set = localBus.get(key);
  if (!set) localBus.set(key, (set = new Set()));
  set.add(listener);
}
function leaveBus(key: string, listener: LocalChange): void {
  const set = localBus.get(key);
  set?.delete(listener);
  if (set?.size === 0) localBus.delete(key);
}
function emitLocal(key: string, branchId: string, phase: 'begin' | 'end'): void {
  for (const listener of localBus.get(key) ?? []) listener(branchId, phase);
}

function createInProcessCache<V extends object | string>(
  l1: LRUCache<string, V>,
  entryKey: (key: AvailabilityCacheKey, stamp: CacheStamp) => string,
): AvailabilityCache<V> {
  const versions = new Map<string, number>();
  const stampOf = (branchId: string): CacheStamp => ({ epoch: '0', version: String(versions.get(branchId) ?? 0) });
  return {
    async get(key) {
      const stamp = stampOf(key.branchId);
      const value = l1.get(entryKey(key, stamp));
      return { value, source: value === undefined ? undefined : 'l1', stamp };
    },
    async set(key, value, stamp) {
      if (stamp) l1.set(entryKey(key, stamp), value);
    },
    async invalidateBranch(branchId) {
      versions.set(branchId, (versions.get(branchId) ?? 0) + 1);
    },
    status: () => ({ mode: 'in-process', l1Entries: l1.size }),
    close: async () => l1.clear(),
  };
}
