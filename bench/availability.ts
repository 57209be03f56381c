/**
 * Availability benchmark (`npm run bench:availability`, issue 3 item 9).
 *
 * (a) The pure engine (computeAvailability): 1 branch, 20 staff, 30 days, 15-minute interval,
 *     2,000 live bookings; BENCH_RUNS (60) timed runs after a warm-up; median and p95.
 *     Target: median ≤ 15 ms.
 * (b) GET /v1/availability for 7 days through HTTP: the real app (createApp + the availability
 *     deps api/server.ts wires) listening on a real port, over the `booking_bench` PostgreSQL
 *     database seeded with the same workload and the configured Redis (REDIS_URL), driven by
 *     autocannon for BENCH_SECONDS (10) per run with BENCH_CONNECTIONS (10):
 *       cached   — one query, answered from the two-tier cache after the first request;
 *       uncached — the branch's cache version is bumped before every lookup (what any change to
 *                  the branch does), so every request loads from PostgreSQL and runs the engine.
 *     Prints p50/p95/p99 latency and requests/s. Targets: cached p99 ≤ 5 ms at ≥ 1,000 req/s,
 *     uncached p95 ≤ 50 ms.
 * Staff are not linked to Cal.com, so no calendar call is made (the external-busy path is
 * covered by the integration tests). The seeded company is deleted at the end.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import pino from 'pino';
import { createApp } from '../api/app';
import type { AppDeps } from '../api/app-deps';
import { createAvailabilityDeps } from '../api/availability/availability.deps';
import { createAvailabilityService } from '../api/availability/availability.service';
import { createSearchRecorder } from '../api/availability/search-recorder';
import { computeAvailability } from '../domain/scheduling/slot-engine';
import { addDays } from '../domain/scheduling/local-time';
import type { AvailabilityCache } from '../infra/cache/availability-cache';
import { loadConfig } from '../infra/config';
import { generateApiKey } from '../infra/db/api-keys';
import { newId } from '../infra/db/ids';
import type { PrismaClient } from '../infra/db/prisma';
import { buildScenario, type AvailabilityScenario } from './lib/availability-scenario';
import { openBenchDatabase } from './lib/bench-database';
import { runLoad, type LoadResult } from './lib/load';
import { ms, summarize, verdict } from './lib/stats';

const RUNS = Number(process.env.BENCH_RUNS ?? 60);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);

function engineBench(): void {
  const from = '2027-05-03';
  const sc = buildScenario({ from });
  const input = { branch: sc.branch, staff: sc.staff, service: sc.service, busy: sc.busy, now: Date.parse('2027-05-02T00:00:00Z') };
  const run = () => computeAvailability({ ...input, query: { from: sc.from, to: sc.to } });
  const first = run();
  const slots = first.days.reduce((n, d) => n + d.slots.length, 0);
  for (let i = 0; i < 10; i++) run(); // warm-up (JIT)
  const samples: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    const c = process.cpuUsage();
    run();
    const used = process.cpuUsage(c);
    samples.push(performance.now() - t);
    cpu.push((used.user + used.system) / 1000);
  }
  const s = summarize(samples);
  const c = summarize(cpu);
  console.log(`\n(a) pure engine: ${sc.staff.length} staff, 30 days (${sc.from}..${sc.to}), 15-min interval, ${sc.busy.length} bookings → ${slots} slot starts`);
  console.log(`    ${RUNS} runs: median ${ms(s.median)}, p95 ${ms(s.p95)}, min ${ms(s.min)}, max ${ms(s.max)}`);
  console.log(`    process CPU time per run (unaffected by other processes on the machine): median ${ms(c.median)}, p95 ${ms(c.p95)}`);
  console.log(`    target median ≤ 15 ms: ${verdict(s.median <= 15)}`);
}

interface Seeded {
  companyId: string;
  branchId: string;
  serviceId: string;
  auth: string;
  from: string;
}

async function seed(db: PrismaClient, sc: AvailabilityScenario, staffIds: string[]): Promise<Seeded> {
  const companyId = newId('cmp');
  const branchId = newId('br');
  const serviceId = newId('svc');
  const customerId = newId('cus');
  const key = generateApiKey();
  await db.company.create({ data: { id: companyId, name: 'Availability bench' } });
  await db.apiKey.create({ data: { id: newId('key'), companyId, name: 'bench', role: 'manager', keyHash: key.hash, prefix: key.prefix } });
  const b = sc.branch;
  await db.branch.create({
    data: { id: branchId, companyId, name: 'Bench', timezone: b.timezone, operatingHours: b.operatingHours as object, specialHours: [], closures: [], rules: b.rules as object },
  });
  await db.staff.createMany({
    data: sc.staff.map((s, i) => ({
      id: staffIds[i], companyId, branchId, name: s.name, gender: s.gender, languages: s.languages, skills: s.skills,
      workingHours: s.workingHours as object, breaks: s.breaks as object,
    })),
  });
  const svc = sc.service;
  await db.service.create({
    data: { id: serviceId, companyId, branchId, name: 'Cut', durationMinutes: svc.durationMinutes, bufferBeforeMinutes: svc.bufferBeforeMinutes, bufferAfterMinutes: svc.bufferAfterMinutes, requiredSkills: svc.requiredSkills },
  });
  await db.customer.create({ data: { id: customerId, companyId, name: 'Bench Customer', email: 'bench@example.test' } });
  await db.booking.createMany({
    data: sc.bookings.map((bk) => ({
      id: newId('bkg'), companyId, branchId, serviceId, customerId, staffId: bk.staffId, startAt: bk.start, endAt: bk.end,
      blockedStart: new Date(bk.start.getTime() - svc.bufferBeforeMinutes * 60_000), blockedEnd: new Date(bk.end.getTime() + svc.bufferAfterMinutes * 60_000),
      status: 'confirmed', source: 'api',
    })),
  });
  return { companyId, branchId, serviceId, auth: `Bearer ${key.key}`, from: sc.from };
}

async function listen(deps: AppDeps): Promise<{ server: Server; url: string }> {
  const app = createApp(deps);
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  server.keepAliveTimeout = 60_000;
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function printLoad(label: string, r: LoadResult): void {
  const l = r.latency;
  console.log(
    `    ${label.padEnd(9)} p50 ${ms(l.median)}, p95 ${ms(l.p95)}, p99 ${ms(l.p99)}, max ${ms(l.max)}; ${r.requestsPerSecond.toFixed(0)} req/s (${r.total} requests, ${r.non2xx} non-2xx, ${r.errors} errors)`,
  );
}

/** A cache whose lookups first bump the branch's version: every request is a real miss. */
function bustingCache(cache: AvailabilityCache): AvailabilityCache {
  return {
    ...cache,
    async get(key) {
      await cache.invalidateBranch(key.branchId);
      return cache.get(key);
    },
  };
}

async function httpBench(): Promise<void> {
  const config = loadConfig();
  const { db } = await openBenchDatabase({ max: 8 });
  const logger = pino({ level: 'warn' });
  const tomorrow = addDays(new Date().toISOString().slice(0, 10), 1);
  const staffIds = Array.from({ length: 20 }, () => newId('stf'));
  const sc = buildScenario({ from: tomorrow, ids: (kind, i) => (kind === 'staff' ? staffIds[i] : `bkg_${i}`) });
  const seeded = await seed(db, sc, staffIds);
  const availability = createAvailabilityDeps({ config, db, logger, cachePrefix: `avbench_${newId('x')}` });
  const base: AppDeps = { config, db, logger, readiness: {}, rateLimit: false };
  const path = `/v1/availability?branchId=${seeded.branchId}&serviceId=${seeded.serviceId}&from=${seeded.from}&to=${addDays(seeded.from, 6)}`;
  const headers = { Authorization: seeded.auth };
  const recorder = createSearchRecorder({ db, logger });
  const uncachedService = createAvailabilityService({ db, logger, cache: bustingCache(availability.deps.availabilityCache), recorder });
  const apps = [
    { label: 'cached', deps: { ...base, ...availability.deps } },
    { label: 'uncached', deps: { ...base, ...availability.deps, availability: uncachedService } },
  ];
  console.log(`\n(b) GET /v1/availability, 7 days (${seeded.from}..${addDays(seeded.from, 6)}), ${sc.staff.length} staff, ${sc.bookings.length} bookings over 30 days`);
  console.log(`    PostgreSQL booking_bench, Redis ${config.redisUrl}; autocannon ${CONNECTIONS} connections × ${SECONDS} s`);
  const results: Record<string, LoadResult> = {};
  try {
    for (const { label, deps } of apps) {
      const { server, url } = await listen(deps);
      try {
        const cache = availability.deps.availabilityCache;
        for (let i = 0; i < 100 && cache.status().mode !== 'redis'; i++) await new Promise((r) => setTimeout(r, 50));
        const probe = await fetch(url + path, { headers });
        if (probe.status !== 200) throw new Error(`${label}: probe answered ${probe.status}: ${await probe.text()}`);
        const body = (await probe.json()) as { days: { slots: unknown[] }[] };
        console.log(`    ${label}: probe ${probe.status}, X-Cache ${probe.headers.get('x-cache')}, cache mode ${availability.deps.availabilityCache.status().mode}, ${body.days.reduce((n, d) => n + d.slots.length, 0)} slot starts`);
        await runLoad({ url: url + path, headers, connections: CONNECTIONS, durationSeconds: 2 }); // warm-up
        results[label] = await runLoad({ url: url + path, headers, connections: CONNECTIONS, durationSeconds: SECONDS });
        printLoad(label, results[label]);
        const after = await fetch(url + path, { headers });
        console.log(`    ${label}: X-Cache of a request after the run: ${after.headers.get('x-cache')}`);
      } finally {
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    }
  } finally {
    await recorder.close();
    await availability.close();
    await db.company.delete({ where: { id: seeded.companyId } }).catch((err: Error) => console.warn(`    cleanup: ${err.message}`));
    await db.$disconnect();
  }
  const cached = results.cached;
  const uncached = results.uncached;
  console.log(`    target cached p99 ≤ 5 ms at ≥ 1,000 req/s: ${verdict(cached.latency.p99 <= 5 && cached.requestsPerSecond >= 1000)}`);
  console.log(`    target uncached p95 ≤ 50 ms: ${verdict(uncached.latency.p95 <= 50)}`);
}

async function main(): Promise<void> {
  console.log(`availability benchmark — node ${process.version}, load average ${(await import('node:os')).loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  engineBench();
  await httpBench();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
