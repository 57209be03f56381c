/**
 * Availability benchmark (`npm run bench:availability`, issue 3 item 9).
 *
 * (a) The pure engine (computeAvailability): 1 branch, 20 staff, 30 days, 15-minute interval,
 *     2,000 live bookings; BENCH_RUNS (60) timed runs after a warm-up; median and p95.
 *     Target: median ≤ 15 ms.
 * (b) GET /v1/availability for 7 days through HTTP: the real app (createApp + the availability
 *     deps api/server.ts wires) in its OWN process (bench/lib/availability-server.ts, forked),
 *     over the `booking_bench` PostgreSQL database seeded with the same workload and the
 *     configured Redis (REDIS_URL), driven by autocannon from this process for BENCH_SECONDS (10)
 *     per run with BENCH_CONNECTIONS (10):
 *       cached   — one query, answered from the two-tier cache after the first request;
 *       uncached — every lookup is a real miss (a key never used before: version, L1 miss, L2
 *                  GET miss; the answer stored as in production under keys no lookup uses, see
 *                  bench/lib/availability-server.ts), so every request loads from PostgreSQL,
 *                  runs the engine, serializes and writes the cache.
 *     Each case runs unpaced (autocannon, maximum throughput; latency there is mostly queueing:
 *     connections / throughput) and then paced, open loop (bench/lib/paced-load.ts: one request
 *     every 1/rate s whatever is in flight): cached at BENCH_PACED_RATE (1,000) req/s, the run the
 *     "p99 ≤ 5 ms at ≥ 1,000 req/s" target is judged on; uncached at BENCH_UNCACHED_PACED_RATE
 *     (100) req/s.
 *     The uncached target is judged at saturation (the stricter reading), the paced figure shown.
 *     A paced GET /healthz on the same process follows: the latency floor of the machine as loaded
 *     at that moment (scheduling delays on a shared machine reach the p99 of any endpoint).
 *     Prints p50/p95/p99 latency and requests/s, and the API process's CPU time per request
 *     (process.cpuUsage delta / requests), which other load on the machine barely moves, with
 *     the load average. Targets: cached p99 ≤ 5 ms at ≥ 1,000 req/s, uncached p95 ≤ 50 ms.
 *     BENCH_SERVER_FLAGS adds node flags to the API process (e.g. GC experiments).
 *     BENCH_CPU_PROF=<dir> writes a V8 CPU profile of the API process during each measured run
 *     there and prints its top self-time functions (bench/lib/cpu-profile-summary.ts).
 * (a') The engine on the same workload for a package of 3 parts: median and ratio to (a) (≤ 3x).
 *     BENCH_ENGINE_ONLY=1 runs (a) and (a') only.
 * Staff are not linked to Cal.com, so no calendar call is made (the external-busy path is
 * covered by the integration tests). The seeded company is deleted at the end.
 */
import { fork } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { computeAvailability } from '../domain/scheduling/slot-engine';
import { addDays } from '../domain/scheduling/local-time';
import { loadConfig } from '../infra/config';
import { generateApiKey } from '../infra/db/api-keys';
import { newId } from '../infra/db/ids';
import type { PrismaClient } from '../infra/db/prisma';
import type { ParentMessage, ServerMessage } from './lib/availability-server';
import { summarizeProfile } from './lib/cpu-profile-summary';
import { buildScenario, type AvailabilityScenario } from './lib/availability-scenario';
import { openBenchDatabase } from './lib/bench-database';
import { runLoad, type LoadResult } from './lib/load';
import { runPacedLoad } from './lib/paced-load';
import { ms, summarize, verdict } from './lib/stats';

const RUNS = Number(process.env.BENCH_RUNS ?? 60);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
/** Throughput of the paced cached run, the one the latency target is judged on. */
const PACED_RATE = Number(process.env.BENCH_PACED_RATE ?? 1000);
/** Pace of the extra uncached run (latency of a miss when the server is not saturated). */
const UNCACHED_PACED_RATE = Number(process.env.BENCH_UNCACHED_PACED_RATE ?? 100);
/** Set to a directory to profile the API process during each measured run (profiling slows it). */
const CPU_PROF_DIR = process.env.BENCH_CPU_PROF;

function engineBench(): number {
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
  return s.median;
}

/**
 * (a') The same workload for a package of 3 parts (issue 16): wash 15 min (+5 after), the 45-minute
 * service (5/10 buffers), colour 30 min; every part must fit (domain/scheduling/packages.ts).
 * Median and its ratio to the single-service median of (a). Target: ratio ≤ 3.
 */
function packageEngineBench(singleMedian: number): void {
  const sc = buildScenario({ from: '2027-05-03' });
  const part = (id: string, durationMinutes: number, before: number, after: number) =>
    ({ ...sc.service, id, durationMinutes, bufferBeforeMinutes: before, bufferAfterMinutes: after });
  const parts = [part('svc_wash', 15, 0, 5), sc.service, part('svc_colour', 30, 0, 0)];
  const pkg = { ...sc.service, id: 'svc_package', category: 'package', requiredSkills: [] };
  const input = { branch: sc.branch, staff: sc.staff, service: pkg, packageParts: parts, busy: sc.busy, now: Date.parse('2027-05-02T00:00:00Z') };
  const run = () => computeAvailability({ ...input, query: { from: sc.from, to: sc.to } });
  const slots = run().days.reduce((n, d) => n + d.slots.length, 0);
  for (let i = 0; i < 10; i++) run();
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    run();
    samples.push(performance.now() - t);
  }
  const s = summarize(samples);
  const ratio = s.median / singleMedian;
  console.log(`\n(a') pure engine, package of ${parts.length} parts: ${sc.staff.length} staff, 30 days, ${sc.busy.length} bookings → ${slots} package starts`);
  console.log(`    ${RUNS} runs: median ${ms(s.median)}, p95 ${ms(s.p95)}; ratio to the single service (a): ${ratio.toFixed(2)}x`);
  console.log(`    target ratio ≤ 3x: ${verdict(ratio <= 3)}`);
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

function printLoad(label: string, r: LoadResult, cpuPerRequestUs: number): void {
  const l = r.latency;
  console.log(
    `    ${label.padEnd(22)} p50 ${ms(l.median)}, p95 ${ms(l.p95)}, p99 ${ms(l.p99)}, max ${ms(l.max)}; ${r.requestsPerSecond.toFixed(0)} req/s (${r.total} requests, ${r.non2xx} non-2xx, ${r.errors} errors)`,
  );
  console.log(`    ${''.padEnd(22)} server CPU ${(cpuPerRequestUs / 1000).toFixed(3)} ms per request (user+system of the API process / requests; unaffected by machine load)`);
}

const loadAverage = () => loadavg().map((x) => x.toFixed(2)).join(' ');

interface ServerProcess {
  url: string;
  cpu(): Promise<NodeJS.CpuUsage>;
  profile(m: Extract<ParentMessage, { type: 'profile-start' | 'profile-stop' }>): Promise<void>;
  stop(): Promise<void>;
}

/** Forks bench/lib/availability-server.ts (the API in its own process) and waits for its URL. */
function startServer(mode: 'cached' | 'uncached', cachePrefix: string): Promise<ServerProcess> {
  const child = fork(path.join(__dirname, 'lib', 'availability-server.ts'), [], {
    execArgv: ['--import', 'tsx', ...(process.env.BENCH_SERVER_FLAGS ?? '').split(' ').filter(Boolean)],
    env: { ...process.env, BENCH_MODE: mode, BENCH_CACHE_PREFIX: cachePrefix },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = <T extends ServerMessage['type']>(type: T) =>
    new Promise<Extract<ServerMessage, { type: T }>>((resolve, reject) => {
      const onMessage = (m: ServerMessage) => {
        if (m.type === 'failed') reject(new Error(`${mode} server failed: ${m.error}`));
        else if (m.type === type) {
          child.off('message', onMessage);
          child.off('exit', onExit);
          resolve(m as Extract<ServerMessage, { type: T }>);
        }
      };
      const onExit = (code: number | null) => reject(new Error(`${mode} server exited (${code}) before '${type}'`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const send = (m: ParentMessage) => child.send(m);
  return next('ready').then(({ url }) => ({
    url,
    async cpu() {
      const reply = next('cpu');
      send({ type: 'cpu' });
      return (await reply).cpu;
    },
    async profile(m) {
      const reply = next('profiled');
      send(m);
      await reply;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        send({ type: 'stop' });
      }),
  }));
}

const cpuMs = (a: NodeJS.CpuUsage, b: NodeJS.CpuUsage) => (b.user - a.user + b.system - a.system) / 1000;

async function httpBench(): Promise<void> {
  const config = loadConfig();
  if (CPU_PROF_DIR) mkdirSync(CPU_PROF_DIR, { recursive: true });
  const { db } = await openBenchDatabase({ max: 2 });
  const tomorrow = addDays(new Date().toISOString().slice(0, 10), 1);
  const staffIds = Array.from({ length: 20 }, () => newId('stf'));
  const sc = buildScenario({ from: tomorrow, ids: (kind, i) => (kind === 'staff' ? staffIds[i] : `bkg_${i}`) });
  const seeded = await seed(db, sc, staffIds);
  const cachePrefix = `avbench_${newId('x')}`;
  const route = `/v1/availability?branchId=${seeded.branchId}&serviceId=${seeded.serviceId}&from=${seeded.from}&to=${addDays(seeded.from, 6)}`;
  const headers = { Authorization: seeded.auth };
  console.log(`\n(b) GET /v1/availability, 7 days (${seeded.from}..${addDays(seeded.from, 6)}), ${sc.staff.length} staff, ${sc.bookings.length} bookings over 30 days`);
  console.log(`    PostgreSQL booking_bench, Redis ${config.redisUrl}; autocannon ${CONNECTIONS} connections × ${SECONDS} s in this process, the API in a forked one`);
  const results: Record<string, LoadResult> = {};
  let paced: LoadResult | undefined;
  let uncachedPaced: LoadResult | undefined;
  try {
    for (const mode of ['cached', 'uncached'] as const) {
      const server = await startServer(mode, cachePrefix);
      try {
        const probe = await fetch(server.url + route, { headers });
        if (probe.status !== 200) throw new Error(`${mode}: probe answered ${probe.status}: ${await probe.text()}`);
        const slotCount = (b: unknown) => (b as { days: { slots: unknown[] }[] }).days.reduce((n, d) => n + d.slots.length, 0);
        const probeText = await probe.text();
        const slots = slotCount(JSON.parse(probeText));
        console.log(`    ${mode}: probe ${probe.status}, X-Cache ${probe.headers.get('x-cache')}, ${slots} slot starts, ${(probeText.length / 1024).toFixed(0)} KB of JSON; load average ${loadAverage()}`);
        await runLoad({ url: server.url + route, headers, connections: CONNECTIONS, durationSeconds: 2 }); // warm-up
        if (CPU_PROF_DIR) await server.profile({ type: 'profile-start' });
        const before = await server.cpu();
        results[mode] = await runLoad({ url: server.url + route, headers, connections: CONNECTIONS, durationSeconds: SECONDS });
        const after = await server.cpu();
        printLoad(`${mode}, max`, results[mode], (cpuMs(before, after) * 1000) / results[mode].total);
        if (mode === 'uncached') {
          const paced0 = await server.cpu();
          uncachedPaced = await runPacedLoad({ url: server.url + route, headers, durationSeconds: SECONDS, rate: UNCACHED_PACED_RATE });
          printLoad(`${mode}, paced at ${UNCACHED_PACED_RATE}/s`, uncachedPaced, (cpuMs(paced0, await server.cpu()) * 1000) / uncachedPaced.total);
        }
        if (mode === 'cached') {
          const paced0 = await server.cpu();
          paced = await runPacedLoad({ url: server.url + route, headers, durationSeconds: SECONDS, rate: PACED_RATE });
          printLoad(`${mode}, paced at ${PACED_RATE}/s`, paced, (cpuMs(paced0, await server.cpu()) * 1000) / paced.total);
          // The floor this machine allows right now: the same process answering GET /healthz
          // (no auth, no cache, a few bytes) at the same pace.
          const floor0 = await server.cpu();
          const floor = await runPacedLoad({ url: server.url + '/healthz', durationSeconds: Math.min(SECONDS, 5), rate: PACED_RATE });
          printLoad(`/healthz, paced`, floor, (cpuMs(floor0, await server.cpu()) * 1000) / floor.total);
        }
        if (CPU_PROF_DIR) {
          const file = path.join(CPU_PROF_DIR, `availability-${mode}.cpuprofile`);
          await server.profile({ type: 'profile-stop', file });
          console.log(summarizeProfile(file, 15).replace(/^/gm, '      '));
        }
        const last = await fetch(server.url + route, { headers });
        const lastSlots = slotCount(await last.json());
        if (lastSlots !== slots) throw new Error(`${mode}: ${lastSlots} slot starts after the run, ${slots} before`);
        console.log(`    ${mode}: a request after the run: X-Cache ${last.headers.get('x-cache')}, the same ${lastSlots} slot starts; load average ${loadAverage()}`);
      } finally {
        await server.stop();
      }
    }
  } finally {
    await db.company.delete({ where: { id: seeded.companyId } }).catch((err: Error) => console.warn(`    cleanup: ${err.message}`));
    await db.$disconnect();
  }
  const cached = results.cached;
  const uncached = results.uncached;
  // "p99 ≤ 5 ms at ≥ 1,000 req/s": the latency of a run paced at 1,000 req/s that the server
  // kept up with, and a maximum throughput of at least 1,000 req/s.
  const kept = paced !== undefined && paced.requestsPerSecond >= 0.95 * PACED_RATE && paced.non2xx === 0 && paced.errors === 0;
  console.log(
    `    target cached p99 ≤ 5 ms at ≥ 1,000 req/s: ${verdict(kept && paced!.latency.p99 <= 5 && PACED_RATE >= 1000 && cached.requestsPerSecond >= 1000)}` +
      ` (p99 ${ms(paced?.latency.p99 ?? NaN)} paced at ${PACED_RATE}/s, max ${cached.requestsPerSecond.toFixed(0)} req/s with p99 ${ms(cached.latency.p99)})`,
  );
  // Judged at saturation (the stricter reading: 10 connections queue behind each other); the
  // paced figure is the latency of an uncached search when the server is not saturated.
  console.log(
    `    target uncached p95 ≤ 50 ms: ${verdict(uncached.latency.p95 <= 50)} (p95 ${ms(uncached.latency.p95)} at its maximum, ${uncached.requestsPerSecond.toFixed(0)} req/s;` +
      ` p95 ${ms(uncachedPaced?.latency.p95 ?? NaN)} paced at ${UNCACHED_PACED_RATE}/s)`,
  );
  if (CPU_PROF_DIR) console.log(`    CPU profiles of the measured runs in ${CPU_PROF_DIR} (more rows: npx tsx bench/lib/cpu-profile-summary.ts <file> 60)`);
}

async function main(): Promise<void> {
  console.log(`availability benchmark — node ${process.version}, ${cpus().length} CPUs, load average ${loadAverage()}`);
  packageEngineBench(engineBench());
  // BENCH_ENGINE_ONLY=1: the pure engine cases only (no database, no API process).
  if (process.env.BENCH_ENGINE_ONLY !== '1') await httpBench();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
