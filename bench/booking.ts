/**
 * Booking benchmark (`npm run bench:booking`, issue 4 item 9).
 *
 * Everything real, in processes as deployed (bench/lib/bench-processes.ts): the HTTP app (createApp
 * over api/server.ts buildAppDeps, as `npm run api`) in one process, the booking worker
 * (buildWorkerDeps + createBookingWorker, as `npm run worker`, HOLD_SWEEPER_SCHEDULE=off) in
 * another, a private Cal.com emulator and SMTP sink in a third (so faults or mail of other runs do
 * not mix in); the load generator in this one. The `booking_bench` PostgreSQL database, the
 * configured Redis and Temporal dev server. CPU per request is printed per process.
 *
 * (a) POST /v1/bookings on distinct slots (every request can be confirmed) by 1, 10 and 50
 *     closed-loop clients: p50/p95/p99 latency and bookings/s (201 answers per second of wall
 *     time). Each level books in a fresh branch of 50 staff. CPU per booking by process, and of
 *     the Temporal dev server and PostgreSQL when they run on this machine (bench/lib/server-cpu.ts),
 *     including the work after the answer (the confirmation mail), which each level waits for
 *     before the next starts.
 * (b) The same dev server running a bare workflow with as many no-op activities as one saga ran,
 *     in its order and of its kinds (regular or local, read from a confirmed saga's history),
 *     started and awaited by the same number of clients: workflows/s, and CPU per workflow of
 *     this process (clients + worker) and of the servers.
 * (c) Ratio (a)/(b) per level.
 * (d) 200 requests for ONE slot at once: time until all answered, the 201/409/202/5xx counts, the
 *     409s with alternatives, CPU per request and how many workflows the storm started.
 *     With BENCH_ONLY=d a small storm on another branch warms the processes first.
 * Targets: p50 ≤ 150 ms at 10 clients, ratio ≥ 0.6; (d) settled ≤ 2 s, exactly one 201, 199×409
 * with alternatives, no 202, no 5xx, one workflow.
 * (e) Optional (BENCH_EXPERIMENT=local-activities): the saga vs. a variant with its DB steps as
 *     local activities, time to outcome without HTTP.
 *
 * Needs the dev server (npm run temporal) and PostgreSQL (DATABASE_URL); Redis optional.
 * Env: BENCH_LEVELS ("1:20,10:200,50:400" = clients:requests), BENCH_STORM (200), BENCH_ONLY=a
 * (only (a)) or d (only (d)), BENCH_CPU_PROF=<file> (CPU profiles of the API and worker during the 10-client level;
 * BENCH_CPU_PROF_LEVEL=<clients> another level, =storm the storm of (d)),
 * worker knobs BENCH_WORKER_ACTIVITIES, BENCH_WORKER_WORKFLOW_TASKS, BENCH_WORKER_CACHE,
 * BENCH_WORKER_DB_POOL (default: the SDK's and pg's defaults, as `npm run worker` runs).
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { Client, Connection, WithStartWorkflowOperation } from '@temporalio/client';
import { dataConverter } from '../infra/temporal/payload-codec';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { DateTime } from 'luxon';
import pino from 'pino';
import { createActivities } from '../activities';
import { EMULATOR_API_KEY, loadConfig, type AppConfig } from '../infra/config';
import { newId } from '../infra/db/ids';
import { awaitBookingOutcomeUpdate, bookingWorkflowId } from '../workflows/book-appointment.contract';
import { buildWorkerDeps } from '../worker/deps';
import type { WorkerTuning } from '../worker/booking-worker';
import type { bareStepsWorkflow, StepKind } from './lib/bare.workflow';
import { openBenchDatabase } from './lib/bench-database';
import { startBenchProcesses, type BenchProcesses } from './lib/bench-processes';
import { distinctSlots, seedBenchBranch, seedBenchCompany, type BenchBranch, type BenchCompany } from './lib/booking-scenario';
import { formatOutcomes, runClosedLoop, type ClosedLoopResult } from './lib/closed-loop';
import { historyBreakdown } from './lib/history-breakdown';
import { formatServerCpu, serverCpu } from './lib/server-cpu';
import { ms, verdict } from './lib/stats';

/** BENCH_CPU_PROF=<file>: V8 CPU profiles of the API and worker processes during the 10-client level (<file>.api, <file>.worker). */
const CPU_PROF_FILE = process.env.BENCH_CPU_PROF;
/** BENCH_CPU_PROF_LEVEL: the client count whose level is profiled (default 10). */
const PROFILED_LEVEL = Number(process.env.BENCH_CPU_PROF_LEVEL ?? 10);

async function startProfiles(h: Harness): Promise<{ stop(file: string): Promise<void> }> {
  const profiled = h.processes.children.filter((c) => c.role !== 'services');
  await Promise.all(profiled.map((c) => c.profileStart()));
  return {
    async stop(file) {
      for (const c of profiled) {
        const out = file.replace(/(\.cpuprofile)?$/, `.${c.role}.cpuprofile`);
        await c.profileStop(out);
        console.log(`    CPU profile of the ${c.role} process (${process.env.BENCH_CPU_PROF_LEVEL ?? 10}): ${out} (npx tsx bench/lib/cpu-profile-summary.ts ${out} 40)`);
      }
    },
  };
}

const LEVELS = (process.env.BENCH_LEVELS ?? '1:20,10:200,50:400').split(',').map((pair) => {
  const [clients, requests] = pair.split(':').map(Number);
  return { clients, requests };
});
const STORM = Number(process.env.BENCH_STORM ?? 200);
const STAFF_PER_BRANCH = 50;
const optionalInt = (name: string): number | undefined => (process.env[name] ? Number(process.env[name]) : undefined);

interface Harness {
  config: AppConfig;
  db: Awaited<ReturnType<typeof openBenchDatabase>>['db'];
  url: string;
  client: Client;
  company: BenchCompany;
  processes: BenchProcesses;
  close(): Promise<void>;
}

async function startHarness(): Promise<Harness> {
  // The SDK logs every worker state change at INFO; only problems matter here.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const { url: databaseUrl, db } = await openBenchDatabase({ max: 4 });
  const base: AppConfig = {
    ...loadConfig(),
    databaseUrl,
    temporalTaskQueue: `bench-booking-${randomUUID()}`,
    calcomApiKey: EMULATOR_API_KEY,
    calcomEmulated: true,
    holdSweeperSchedule: false,
  };
  const processes = await startBenchProcesses(base, workerTuning(), `bench-${randomUUID()}`);
  const client = new Client({ connection: await Connection.connect({ address: base.temporalAddress }), namespace: base.temporalNamespace, dataConverter: dataConverter(base) });
  const company = await seedBenchCompany(db);

  return {
    config: processes.config, db, client, company, processes,
    url: processes.url,
    async close() {
      await processes.close();
      await client.connection.close();
      await db.company.delete({ where: { id: company.companyId } }).catch((err: Error) => console.warn(`    cleanup: ${err.message.split('\n')[0]}`));
      await db.$disconnect();
    },
  };
}

function workerTuning(): WorkerTuning {
  const options: WorkerTuning = {};
  const activities = optionalInt('BENCH_WORKER_ACTIVITIES');
  const workflowTasks = optionalInt('BENCH_WORKER_WORKFLOW_TASKS');
  const cache = optionalInt('BENCH_WORKER_CACHE');
  if (activities !== undefined) options.maxConcurrentActivityTaskExecutions = activities;
  if (workflowTasks !== undefined) options.maxConcurrentWorkflowTaskExecutions = workflowTasks;
  if (cache !== undefined) options.maxCachedWorkflows = cache;
  return options;
}

/** Workflow tasks of a warm-up saga, compared with the bare workflow's in (b). */
let sagaWorkflowTasks = 0;

/** Per status: the first body seen, so a failing level shows why. */
const sampleBodies = new Map<number, string>();

async function postBooking(h: Harness, branch: BenchBranch, slot: { staffId: string; start: string }): Promise<string> {
  const res = await fetch(`${h.url}/v1/bookings`, {
    method: 'POST',
    headers: { authorization: h.company.authorization, 'content-type': 'application/json' },
    body: JSON.stringify({ branchId: branch.branchId, serviceId: branch.serviceId, customerId: branch.customerId, staffId: slot.staffId, start: slot.start }),
  });
  const text = await res.text();
  if (res.status !== 201 && !sampleBodies.has(res.status)) sampleBodies.set(res.status, text.slice(0, 300));
  return String(res.status);
}

let hostBase = 10_000;
async function freshBranch(h: Harness): Promise<BenchBranch> {
  hostBase += 1_000;
  return seedBenchBranch(h.db, h.company.companyId, { staffCount: STAFF_PER_BRANCH, calcomHostBase: hostBase, customerEmail: `bench-${randomUUID()}@example.test` });
}

const firstDay = DateTime.now().setZone('Europe/Berlin').plus({ days: 7 }).toISODate() as string;

function printLevel(label: string, r: ClosedLoopResult, unit: string, count: number): void {
  const l = r.latency;
  console.log(
    `    ${label.padEnd(11)} p50 ${ms(l.median, 1)}, p95 ${ms(l.p95, 1)}, p99 ${ms(l.p99, 1)}, max ${ms(l.max, 1)}; ` +
      `${((count * 1000) / r.wallMs).toFixed(1)} ${unit}/s  [${formatOutcomes(r.outcomes)}]`,
  );
}

/** The activities one saga ran, in order and by kind (its history), so the bare workflow does the same. */
async function stepsPerSaga(h: Harness, bookingId: string): Promise<StepKind[]> {
  const history = await h.client.workflow.getHandle(bookingWorkflowId(bookingId)).fetchHistory();
  return (history.events ?? []).flatMap((e): StepKind[] => {
    if (e.activityTaskScheduledEventAttributes) return ['remote'];
    if (e.markerRecordedEventAttributes?.markerName === 'core_local_activity') return ['local'];
    return [];
  });
}

/** Workflow tasks one run took (WorkflowTaskCompleted events of its history). */
async function workflowTasksOf(h: Harness, workflowId: string): Promise<number> {
  const history = await h.client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).filter((e) => e.workflowTaskCompletedEventAttributes).length;
}

const describeSteps = (steps: StepKind[]) =>
  `${steps.length} sequential no-op activities (${steps.filter((k) => k === 'local').length} of them local, as the saga's)`;

/** Median queue wait and run time per step (from histories), to see where latency goes. */
async function printBreakdown(h: Harness, label: string, workflowIds: string[]): Promise<void> {
  const { steps, totalP50 } = await historyBreakdown(h.client, workflowIds);
  console.log(`    ${label} (${workflowIds.length} runs, median start→close ${ms(totalP50, 0)}): medians of scheduled→started, started→completed, scheduled→completed`);
  for (const s of steps) {
    const per = String(Math.round(s.count / workflowIds.length));
    console.log(
      `      ${s.name.padEnd(26)} ×${per.padEnd(2)} wait ${ms(s.queueP50, 1).padStart(9)}  run ${ms(s.runP50, 1).padStart(9)} (p95 ${ms(s.runP95, 1)})  total ${ms(s.totalP50, 1)}`,
    );
  }
}

async function benchBookings(h: Harness): Promise<{ perLevel: Map<number, number>; steps: StepKind[] }> {
  console.log(`\n(a) POST /v1/bookings, distinct slots, fresh branch of ${STAFF_PER_BRANCH} staff per level (closed loop)`);
  const warm = await freshBranch(h);
  const warmSlots = distinctSlots(warm, firstDay, 20);
  const warmUp = await runClosedLoop(warmSlots, 5, (slot) => postBooking(h, warm, slot));
  console.log(`    warm-up     ${warmSlots.length} requests [${formatOutcomes(warmUp.outcomes)}]`);
  await drainBranch(h, warm.branchId);
  const confirmed = await h.db.booking.findFirst({ where: { branchId: warm.branchId, status: 'confirmed' }, select: { id: true } });
  if (!confirmed) throw new Error(`no warm-up booking was confirmed: ${[...sampleBodies].map(([s, b]) => `${s} ${b}`).join('; ')}`);
  const steps = await stepsPerSaga(h, confirmed.id);
  sagaWorkflowTasks = await workflowTasksOf(h, bookingWorkflowId(confirmed.id));

  const perLevel = new Map<number, number>();
  for (const { clients, requests } of LEVELS) {
    const branch = await freshBranch(h);
    const slots = distinctSlots(branch, firstDay, requests);
    const profiling = clients === PROFILED_LEVEL && CPU_PROF_FILE ? await startProfiles(h) : null;
    await h.processes.cpuSince();
    const servers = serverCpu();
    const loadBefore = os.loadavg()[0];
    const result = await runClosedLoop(slots, clients, (slot) => postBooking(h, branch, slot));
    const created = result.outcomes['201'] ?? 0;
    printLevel(`${clients} client${clients > 1 ? 's' : ''}`, result, 'bookings', created);
    // CPU per booking includes the work after the answer (the confirmation mail), drained first.
    const drainMs = await drainBranch(h, branch.branchId);
    const used = await h.processes.cpuSince();
    const serversUsed = servers.since();
    await profiling?.stop(CPU_PROF_FILE as string);
    const perRequest = Object.entries(used).map(([proc, cpuMs]) => `${proc} ${(cpuMs / requests).toFixed(1)}`).join(', ');
    console.log(
      `    ${''.padEnd(11)} CPU ms per request by process: ${perRequest} (services = emulator + SMTP sink)${formatServerCpu(serversUsed, requests)}; ` +
        `load average ${loadBefore.toFixed(2)} → ${os.loadavg()[0].toFixed(2)}`,
    );
    console.log(`    ${''.padEnd(11)} after the last answer the sagas' notifications took ${ms(drainMs, 0)} more (not in the latency and bookings/s above, in the CPU figures; waited for so the next level starts on an idle machine)`);
    const rows = await h.db.booking.groupBy({ by: ['status'], where: { branchId: branch.branchId }, _count: true });
    const byStatus = Object.fromEntries(rows.map((r) => [r.status, r._count]));
    if ((byStatus.confirmed ?? 0) !== created) console.log(`    !! database: ${JSON.stringify(byStatus)} for ${created} answers 201`);
    perLevel.set(clients, (created * 1000) / result.wallMs);
    if (clients === 10) {
      console.log(`    target p50 ≤ 150 ms at 10 clients: ${verdict(result.latency.median <= 150)}`);
      const sample = await h.db.booking.findMany({ where: { branchId: branch.branchId, status: 'confirmed' }, select: { id: true }, take: 20 });
      await printBreakdown(h, 'saga steps at 10 clients', sample.map((b) => bookingWorkflowId(b.id)));
    }
  }
  for (const [status, body] of sampleBodies) console.log(`    sample ${status}: ${body}`);
  await benchBookThenRead(h);
  return { perLevel, steps };
}

/**
 * Read-your-writes as a client sees it: warm the availability cache for a staff member's day,
 * book one of its starts, read availability again at once. Prints the p50 of book + read and
 * how often the booked start was gone from that read (must be 100 %).
 */
async function benchBookThenRead(h: Harness, rounds = 20): Promise<void> {
  const branch = await freshBranch(h);
  const slots = distinctSlots(branch, firstDay, rounds);
  const headers = { authorization: h.company.authorization };
  const startsOf = async (slot: { staffId: string; start: string }) => {
    const day = DateTime.fromISO(slot.start).setZone('Europe/Berlin').toISODate() as string;
    const query = new URLSearchParams({ branchId: branch.branchId, serviceId: branch.serviceId, staffId: slot.staffId, from: day, to: day });
    const res = await fetch(`${h.url}/v1/availability?${query}`, { headers });
    const body = (await res.json()) as { days: Array<{ slots: Array<{ start: string }> }> };
    return { hit: res.headers.get('x-cache') === 'HIT', starts: new Set(body.days.flatMap((d) => d.slots.map((x) => Date.parse(x.start)))) };
  };
  const samples: number[] = [];
  let gone = 0;
  let warmHits = 0;
  for (const slot of slots) {
    await startsOf(slot);
    if ((await startsOf(slot)).hit) warmHits += 1;
    const t0 = performance.now();
    const status = await postBooking(h, branch, slot);
    const after = await startsOf(slot);
    samples.push(performance.now() - t0);
    if (status === '201' && !after.starts.has(Date.parse(slot.start))) gone += 1;
  }
  samples.sort((a, b) => a - b);
  console.log(
    `    book then read availability at once (${rounds} rounds, cache warm before each: ${warmHits}/${rounds} hits): p50 ${ms(samples[Math.floor(samples.length / 2)], 1)}, ` +
      `booked start gone ${((100 * gone) / rounds).toFixed(0)} % ${verdict(gone === rounds)}`,
  );
  await drainBranch(h, branch.branchId);
}

/**
 * Waits until no saga of the branch runs any more: the answer comes at the outcome, the
 * confirmation mail after it, so a level leaves work behind that would load the next one.
 */
async function drainBranch(h: Harness, branchId: string, timeoutMs = 120_000): Promise<number> {
  const started = Date.now();
  const query = `BranchId = '${branchId}' AND ExecutionStatus = 'Running'`;
  while (Date.now() - started < timeoutMs) {
    const { count } = await h.client.workflow.count(query);
    if (count === 0) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  console.log(`    !! sagas of branch ${branchId} still running after ${ms(timeoutMs, 0)}`);
  return Date.now() - started;
}

async function benchBare(h: Harness, steps: StepKind[]): Promise<Map<number, number>> {
  console.log(`\n(b) bare workflow with ${describeSteps(steps)} on the same dev server (start + await result): the floor of the saga's shape`);
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('./lib/bare.workflow'), logger: silentBundler });
  const connection = await NativeConnection.connect({ address: h.config.temporalAddress });
  const taskQueue = `bench-bare-${randomUUID()}`;
  const worker = await Worker.create({
    connection, namespace: h.config.temporalNamespace, taskQueue, workflowBundle: { code }, dataConverter: dataConverter(h.config),
    activities: { noop: async () => undefined }, ...workerTuning(),
  });
  const perLevel = new Map<number, number>();
  await worker.runUntil(async () => {
    const ids: string[] = [];
    const execute = () => {
      const workflowId = `bench-bare-${randomUUID()}`;
      ids.push(workflowId);
      return h.client.workflow
        .execute<typeof bareStepsWorkflow>('bareStepsWorkflow', { taskQueue, workflowId, args: [steps] })
        .then(() => 'completed');
    };
    await runClosedLoop(Array.from({ length: 20 }), 5, execute); // warm-up
    for (const { clients, requests } of LEVELS) {
      const servers = serverCpu();
      const own = process.cpuUsage();
      const result = await runClosedLoop(Array.from({ length: requests }), clients, execute);
      const ownMs = (({ user, system }) => (user + system) / 1000)(process.cpuUsage(own));
      printLevel(`${clients} client${clients > 1 ? 's' : ''}`, result, 'workflows', result.outcomes.completed ?? 0);
      console.log(`    ${''.padEnd(11)} CPU ms per workflow: this process (clients + worker) ${(ownMs / requests).toFixed(1)}${formatServerCpu(servers.since(), requests)}`);
      perLevel.set(clients, ((result.outcomes.completed ?? 0) * 1000) / result.wallMs);
      if (clients === 10) await printBreakdown(h, 'bare steps at 10 clients', ids.slice(-20));
    }
    const bareTasks = await workflowTasksOf(h, ids[ids.length - 1]);
    console.log(
      `    contains per run: ${steps.filter((k) => k === 'remote').length} remote + ${steps.filter((k) => k === 'local').length} local no-op activities in the saga's order; ` +
        `workflow tasks per run: bare ${bareTasks}, saga ${sagaWorkflowTasks}${bareTasks === sagaWorkflowTasks ? ' (same)' : ' (the saga adds its update/visibility tasks)'}`,
    );
  });
  await connection.close();
  return perLevel;
}

async function benchStorm(h: Harness): Promise<void> {
  console.log(`\n(d) ${STORM} concurrent POST /v1/bookings for one slot`);
  if (process.env.BENCH_ONLY === 'd') {
    // A storm meets a running service: without (a) before it, warm the processes first (module
    // loading, JIT, pools) with a few bookings and a small storm on another branch.
    const warm = await freshBranch(h);
    const [taken, ...free] = distinctSlots(warm, firstDay, 11);
    const warmUp = await runClosedLoop([...free, ...Array.from({ length: 20 }, () => taken)], 20, (s) => postBooking(h, warm, s));
    await drainBranch(h, warm.branchId);
    console.log(`    warm-up     ${10 + 20} requests on another branch [${formatOutcomes(warmUp.outcomes)}]`);
  }
  const branch = await freshBranch(h);
  const [slot] = distinctSlots(branch, firstDay, 1);
  sampleBodies.clear();
  let withAlternatives = 0;
  const profiling = CPU_PROF_FILE && process.env.BENCH_CPU_PROF_LEVEL === 'storm' ? await startProfiles(h) : null;
  await h.processes.cpuSince();
  const servers = serverCpu();
  const loadBefore = os.loadavg();
  const result = await runClosedLoop(Array.from({ length: STORM }, () => slot), STORM, async (s) => {
    const res = await fetch(`${h.url}/v1/bookings`, {
      method: 'POST',
      headers: { authorization: h.company.authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ branchId: branch.branchId, serviceId: branch.serviceId, customerId: branch.customerId, staffId: s.staffId, start: s.start }),
    });
    const text = await res.text();
    if (res.status === 409 && ((JSON.parse(text) as { alternatives?: unknown[] }).alternatives?.length ?? 0) > 0) withAlternatives++;
    if (res.status !== 201 && !sampleBodies.has(res.status)) sampleBodies.set(res.status, text.slice(0, 300));
    return String(res.status);
  });
  const loadAfter = os.loadavg();
  const count = (pred: (status: number) => boolean) =>
    Object.entries(result.outcomes).reduce((n, [label, c]) => (pred(Number(label)) ? n + c : n), 0);
  const created = count((s) => s === 201);
  const conflicts = count((s) => s === 409);
  const accepted = count((s) => s === 202);
  const serverErrors = count((s) => s >= 500) + count((s) => Number.isNaN(s));
  console.log(`    settled in ${ms(result.wallMs, 0)} (latency p50 ${ms(result.latency.median, 0)}, p99 ${ms(result.latency.p99, 0)}): ${formatOutcomes(result.outcomes)}`);
  console.log(`    201: ${created}, 409: ${conflicts} (${withAlternatives} with alternatives), 202: ${accepted}, 5xx/errors: ${serverErrors}`);
  const used = await h.processes.cpuSince();
  await profiling?.stop(CPU_PROF_FILE as string);
  const perRequest = Object.entries(used).map(([proc, cpuMs]) => `${proc} ${(cpuMs / STORM).toFixed(1)}`).join(', ');
  console.log(
    `    CPU ms per request by process: ${perRequest}${formatServerCpu(servers.since(), STORM)}; ` +
      `load average ${loadBefore.map((x) => x.toFixed(2)).join(' ')} → ${loadAfter.map((x) => x.toFixed(2)).join(' ')}`,
  );
  const rows = await h.db.booking.groupBy({ by: ['status'], where: { branchId: branch.branchId }, _count: true });
  console.log(`    database: ${JSON.stringify(Object.fromEntries(rows.map((r) => [r.status, r._count])))}`);
  for (const [status, body] of sampleBodies) console.log(`    sample ${status}: ${body}`);

  // Where the storm's time goes: the sagas of this branch (search attribute BranchId), once closed.
  const ids: string[] = [];
  for await (const wf of h.client.workflow.list({ query: `BranchId = '${branch.branchId}'` })) ids.push(wf.workflowId);
  const results = await Promise.all(ids.map((id) => h.client.workflow.getHandle(id).result().then((r: { kind: string }) => r.kind, () => 'error')));
  const kinds = results.reduce<Record<string, number>>((acc, kind) => ({ ...acc, [kind]: (acc[kind] ?? 0) + 1 }), {});
  console.log(`    workflows the storm started: ${ids.length} (goal 1; the alternatives search runs in the API, no workflow), outcomes ${formatOutcomes(kinds)}`);
  const met = result.wallMs <= 2000 && created === 1 && conflicts === STORM - 1 && withAlternatives === conflicts && accepted === 0 && serverErrors === 0 && ids.length === 1;
  console.log(`    target settled ≤ 2 s, exactly one 201, ${STORM - 1}×409 with alternatives, no 202, no 5xx, one workflow: ${verdict(met)}`);
  await printBreakdown(h, 'storm saga steps', ids.slice(0, 40));
}

/**
 * (e) Experiment (BENCH_EXPERIMENT=local-activities): time to outcome through update-with-start,
 * without HTTP, of the real saga vs. the same happy path with plan/hold/confirm as local
 * activities (bench/lib/local-steps-saga.workflow.ts). Shows how much latency is server round trips.
 */
async function benchLocalActivities(h: Harness): Promise<void> {
  console.log('\n(e) experiment: time to outcome (update-with-start, no HTTP), real saga vs. DB steps as local activities');
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('./lib/local-steps-saga.workflow'), logger: silentBundler });
  const connection = await NativeConnection.connect({ address: h.config.temporalAddress });
  const taskQueue = `bench-local-${randomUUID()}`;
  // This variant's activities run in this process (the real saga's in the worker process).
  const workerDeps = buildWorkerDeps(h.config, pino({ level: 'error' }), { cachePrefix: `bench-${randomUUID()}` });
  const worker = await Worker.create({
    connection, namespace: h.config.temporalNamespace, taskQueue, workflowBundle: { code },
    activities: createActivities(workerDeps.activities), ...workerTuning(),
  });
  await worker.runUntil(async () => {
    for (const variant of [
      { label: 'saga', workflowType: 'bookAppointmentWorkflow', taskQueue: h.config.temporalTaskQueue },
      { label: 'local DB', workflowType: 'localStepsBookingWorkflow', taskQueue },
    ]) {
      for (const clients of [1, 10]) {
        const branch = await freshBranch(h);
        const slots = distinctSlots(branch, firstDay, clients === 1 ? 20 : 100);
        const result = await runClosedLoop(slots, clients, async (slot) => {
          const bookingId = newId('bkg');
          const start = new WithStartWorkflowOperation(variant.workflowType, {
            workflowId: bookingWorkflowId(bookingId),
            taskQueue: variant.taskQueue,
            workflowIdConflictPolicy: 'USE_EXISTING',
            args: [{ bookingId, companyId: h.company.companyId, branchId: branch.branchId, serviceId: branch.serviceId, customerId: branch.customerId, staffId: slot.staffId, start: slot.start }],
          });
          const outcome = await h.client.workflow.executeUpdateWithStart(awaitBookingOutcomeUpdate, { startWorkflowOperation: start });
          return outcome.kind;
        });
        printLevel(`${variant.label}, ${clients}`, result, 'bookings', result.outcomes.confirmed ?? 0);
      }
    }
  });
  await connection.close();
  await workerDeps.close();
}

async function main(): Promise<void> {
  console.log(
    `booking benchmark — node ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}, ` +
      `worker tuning ${JSON.stringify(workerTuning())}, worker db pool ${process.env.BENCH_WORKER_DB_POOL ?? 'default'}`,
  );
  const h = await startHarness();
  try {
    if (process.env.BENCH_ONLY === 'd') return await benchStorm(h);
    const { perLevel: bookings, steps } = await benchBookings(h);
    if (process.env.BENCH_ONLY === 'a') return;
    const bare = await benchBare(h, steps);
    console.log('\n(c) ratio bookings/s (a) ÷ workflows/s (b)');
    let best = 0;
    for (const { clients } of LEVELS) {
      const ratio = (bookings.get(clients) ?? 0) / (bare.get(clients) ?? Infinity);
      best = Math.max(best, ratio);
      console.log(`    ${String(clients).padStart(2)} client${clients > 1 ? 's' : ' '}  ${(bookings.get(clients) ?? 0).toFixed(1)} / ${(bare.get(clients) ?? 0).toFixed(1)} = ${ratio.toFixed(2)}`);
    }
    const top = LEVELS[LEVELS.length - 1].clients;
    const topRatio = (bookings.get(top) ?? 0) / (bare.get(top) ?? Infinity);
    console.log(`    target ratio ≥ 0.6 (at ${top} clients): ${verdict(topRatio >= 0.6)}`);
    await benchStorm(h);
    if (process.env.BENCH_EXPERIMENT === 'local-activities') await benchLocalActivities(h);
  } finally {
    await h.close();
  }
}

const noop = () => undefined;
const silentBundler = { trace: noop, debug: noop, info: noop, log: noop, warn: noop, error: (m: string) => console.error(m) };

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
