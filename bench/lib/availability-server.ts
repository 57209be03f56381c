/**
 * The API process of the HTTP availability benchmark, forked by bench/availability.ts so the app
 * has its own event loop and CPU (the load generator runs in the parent: a client sharing the
 * server's loop would inflate latency and hide where the time goes).
 *
 * It builds the app as api/server.ts does (createApp + createAvailabilityDeps over the
 * `booking_bench` database and the configured Redis), with request logs at info written to
 * /dev/null, so their cost is paid as in production without flooding the terminal.
 *
 * Environment: BENCH_MODE=cached|uncached, BENCH_CACHE_PREFIX (Redis key prefix), BENCH_RATE_LIMIT=1
 * (the production rate limiter as api/server.ts wires it: express-rate-limit counting in Redis per
 * address and per company, quotas from RATE_LIMIT_*; off otherwise).
 * IPC protocol (parent → child): {type:'cpu'} → {type:'cpu', cpu: process.cpuUsage()},
 * {type:'profile-start'} / {type:'profile-stop', file} → V8 CPU profile of exactly the measured
 * run (inspector Profiler, 100 µs sampling) written to `file`, answered {type:'profiled'},
 * {type:'layers', reset, requests} → {type:'layers', report} (BENCH_LAYER_TIMING=1: per-middleware
 * synchronous self time per request since the last reset, bench/lib/layer-timing.ts),
 * {type:'stop'} → closes everything and exits 0.
 * Child → parent on start: {type:'ready', url} or {type:'failed', error}.
 */
import { writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { Session } from 'node:inspector';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { createApp } from '../../api/app';
import type { AppDeps } from '../../api/app-deps';
import { createAvailabilityDeps } from '../../api/availability/availability.deps';
import { createAvailabilityService } from '../../api/availability/availability.service';
import { rateLimitOptions } from '../../api/rate-limit';
import { createRedisConnection } from '../../infra/cache/redis';
import { createRevocationBus } from '../../infra/cache/revocation-bus';
import type { AvailabilityCache } from '../../infra/cache/availability-cache';
import { loadConfig } from '../../infra/config';
import { openBenchDatabase } from './bench-database';
import { timeLayers } from './layer-timing';

export type ServerMessage =
  | { type: 'ready'; url: string }
  | { type: 'failed'; error: string }
  | { type: 'cpu'; cpu: NodeJS.CpuUsage }
  | { type: 'profiled' }
  | { type: 'layers'; report: string };
export type ParentMessage =
  | { type: 'cpu' }
  | { type: 'profile-start' }
  | { type: 'profile-stop'; file: string }
  | { type: 'layers'; reset: boolean; requests: number }
  | { type: 'stop' };

function createProfiler() {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) => session.post(method, params, (err, result) => (err ? reject(err) : resolve(result))));
  return {
    async start() {
      await post('Profiler.enable');
      await post('Profiler.setSamplingInterval', { interval: 100 });
      await post('Profiler.start');
    },
    async stop(file: string) {
      const { profile } = (await post('Profiler.stop')) as { profile: object };
      writeFileSync(file, JSON.stringify(profile));
    },
  };
}

/**
 * A cache on which every lookup is a real miss: it asks the real cache for a key no request used
 * before (version from memory or Redis, L1 miss, L2 GET miss). Each lookup's stamp is tagged with
 * its number, so the service's coalescing of identical concurrent misses (one computation for
 * all requests of one key and version, a production feature) cannot merge the bench's requests
 * into one. Answers are stored as in production (encode, L1, Redis SET) under the real stamp but
 * 64 rotating keys no lookup uses, so Redis and L1 stay small.
 */
function missingCache<V>(cache: AvailabilityCache<V>): AvailabilityCache<V> {
  let lookups = 0;
  let stores = 0;
  return {
    ...cache,
    async get(key) {
      const n = lookups++;
      const lookup = await cache.get({ ...key, query: `${key.query}|miss${n}` });
      return { ...lookup, stamp: lookup.stamp && { ...lookup.stamp, epoch: `${lookup.stamp.epoch}~${n}` } };
    },
    set: (key, value, stamp) =>
      cache.set({ ...key, query: `${key.query}|store${stores++ % 64}` }, value, stamp && { ...stamp, epoch: stamp.epoch.replace(/~\d+$/, '') }),
  };
}

async function main(): Promise<void> {
  const send = (m: ServerMessage) => process.send?.(m);
  const mode = process.env.BENCH_MODE === 'uncached' ? 'uncached' : 'cached';
  const config = loadConfig();
  const { db } = await openBenchDatabase({ max: 8 });
  const logger = pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: false }));
  const availability = createAvailabilityDeps({ config, db, logger, cachePrefix: process.env.BENCH_CACHE_PREFIX });
  const cache = availability.deps.availabilityCache;
  const service =
    mode === 'uncached'
      ? createAvailabilityService({ db, logger, cache: missingCache(cache), recorder: availability.deps.searchRecorder })
      : availability.deps.availability;
  const limited = process.env.BENCH_RATE_LIMIT === '1';
  const rateLimitRedis = limited ? createRedisConnection({ url: config.redisUrl, logger, commandTimeoutMs: 200 }) : undefined;
  // As api/server.ts: the key cache is kept 30 s while the revocation bus is live (1 s otherwise).
  const revocations = createRevocationBus({ url: config.redisUrl, logger });
  const deps: AppDeps = {
    config, db, logger, readiness: {}, revocations, ...availability.deps, availability: service,
    ...(limited ? { rateLimit: rateLimitOptions(config), rateLimitRedis } : { rateLimit: false as const }),
  };
  for (let i = 0; i < 100 && cache.status().mode !== 'redis'; i++) await new Promise((r) => setTimeout(r, 50));
  for (let i = 0; i < 100 && rateLimitRedis && !rateLimitRedis.isUp(); i++) await new Promise((r) => setTimeout(r, 50));
  const app = createApp(deps);
  const layers = process.env.BENCH_LAYER_TIMING === '1' ? timeLayers(app) : undefined;
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  server.keepAliveTimeout = 60_000;

  const profiler = createProfiler();
  process.on('message', (m: ParentMessage) => {
    if (m.type === 'cpu') send({ type: 'cpu', cpu: process.cpuUsage() });
    if (m.type === 'profile-start') void profiler.start().then(() => send({ type: 'profiled' }));
    if (m.type === 'layers') {
      send({ type: 'layers', report: layers?.report(m.requests) ?? '' });
      if (m.reset) layers?.reset();
    }
    if (m.type === 'profile-stop') void profiler.stop(m.file).then(() => send({ type: 'profiled' }));
    if (m.type === 'stop') {
      server.closeAllConnections();
      server.close();
      void (async () => {
        await availability.close();
        await rateLimitRedis?.close();
        await revocations.close();
        await db.$disconnect();
        process.exit(0);
      })();
    }
  });
  send({ type: 'ready', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
}

main().catch((err: unknown) => {
  process.send?.({ type: 'failed', error: err instanceof Error ? err.stack ?? err.message : String(err) });
  process.exit(1);
});
