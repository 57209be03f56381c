/**
 * Waiting-list benchmark (`npm run bench:waitlist`): 10,000 idle monitor workflows on the Temporal
 * dev server, served by one worker process (real activities over PostgreSQL, an in-process
 * Cal.com emulator); then, ROUNDS times, a booking that an auto-book entry waits for is cancelled
 * through the real cancellation workflow, and the time until that entry is booked is measured.
 * Prints the worker process RSS with the idle monitors and the cancellation → booked latencies
 * (target median ≤ 1 s), the history events an idle monitor costs per hour (events of one safety
 * check cycle, read from a monitor's history, times the cycles per hour at WAITLIST_CHECK_INTERVAL)
 * and the waiting_list_entries rows PostgreSQL read per cancellation (pg_stat delta: fan-out
 * lookup and the woken monitor's own queries). The idle entries wait for a closed Sunday far from
 * the freed slots, so the fan-out's indexed lookup never reads them.
 *
 * The worker is a process of its own, started as production starts it (`worker/main.ts` with its
 * environment: sticky cache WORKER_MAX_CACHED_WORKFLOWS, activity slots, database pool), so its RSS
 * is the worker's alone (read from /proc), not the bench's clients, emulator and sink. Nothing here
 * queries a monitor: a query on a workflow outside the sticky cache makes the worker replay it, which
 * an idle monitor in production never costs; idleness and checks are read from the server's histories.
 *
 * Needs the dev server (npm run temporal) and PostgreSQL (DATABASE_URL); mails go to an in-process
 * SMTP sink (the worker process sends to it). Cleans up after itself.
 * The worker runs compiled (`node dist/worker/main.js`, as the Docker image runs it; `npm run build`
 * first) when dist/ exists, else under tsx (BENCH_WORKER=tsx|dist chooses). Its memory is broken
 * down by a memory report it logs on SIGUSR2 (each V8 isolate after a full GC, the native rest).
 * Env: BENCH_WORKER_NODE_OPTIONS (node flags of the worker process; default docker-compose.yml's
 * NODE_OPTIONS of the worker), MALLOC_ARENA_MAX (default 2, as there).
 * Env: BENCH_MONITORS (10000), BENCH_ROUNDS (5), BENCH_IDLE_DAY (2027-03-07), BENCH_TIMELINE=1 (per
 * round, the steps of the cancel, monitor and saga workflows on one clock: where the time goes).
 */
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { entryReachUtc } from '../domain/waitlist/waitlist-policy';
import { startCalcomEmulator } from '../infra/calcom/emulator/emulator.server';
import { EMULATOR_API_KEY, loadConfig } from '../infra/config';
import { newId } from '../infra/db/ids';
import { migrate } from '../infra/db/migrator';
import { createPrisma, type Db } from '../infra/db/prisma';
import { startSmtpSink } from '../infra/notify/smtp-sink';
import { cancelWorkflowId } from '../workflows/cancel-booking.contract';
import { waitlistWorkflowId, type WaitlistMonitorInput } from '../workflows/waitlist-monitor.contract';
import { benchDatabaseUrl } from './lib/bench-database';
import { timeline } from './lib/history-breakdown';
import { bookingWorkflowId } from '../workflows/book-appointment.contract';
import { signalGroup, startWorkerProcess, type WorkerProcess } from '../test/harness/worker-process';
import { insertBooking, seedAvailabilityFixture, type AvailabilityFixture } from '../test/integration/availability.fixtures';

const MONITORS = Number(process.env.BENCH_MONITORS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** A Sunday (the fixture branch is closed); BENCH_IDLE_DAY=2027-01-10 puts every idle entry in reach of the freed slots. */
const IDLE_DAY = process.env.BENCH_IDLE_DAY ?? '2027-03-07';
const TARGET_DAYS = ['2027-01-11', '2027-01-12', '2027-01-13', '2027-01-14', '2027-01-15', '2027-01-18', '2027-01-19', '2027-01-20'];
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

interface Ctx { db: Db; client: Client; taskQueue: string; fx: AvailabilityFixture; interval: number }

async function startEntry(ctx: Ctx, day: string, autoBook: boolean, window?: { start: string; end: string }): Promise<string> {
  const id = newId('wl');
  const expiresAt = new Date(Date.now() + 30 * 86_400_000);
  await ctx.db.waitingListEntry.create({
    data: {
      id, companyId: ctx.fx.companyId, branchId: ctx.fx.branchId, serviceId: ctx.fx.serviceId, customerId: ctx.fx.customerId,
      staffId: ctx.fx.staff.anna, fromDate: day, toDate: day, timeWindows: window ? [window] : [], autoBook, expiresAt, workflowId: waitlistWorkflowId(id),
    },
  });
  const input: WaitlistMonitorInput = { entryId: id, expiresAt: expiresAt.toISOString(), autoBook, checkIntervalMs: ctx.interval, reach: entryReachUtc({ fromDate: day, toDate: day }) };
  await ctx.client.workflow.start('waitlistMonitorWorkflow', { taskQueue: ctx.taskQueue, workflowId: waitlistWorkflowId(id), args: [input] });
  return id;
}

/** Rows of waiting_list_entries PostgreSQL has read so far (sequential and index fetches). */
async function entryRowsRead(db: Db): Promise<number> {
  const [row] = await db.$queryRaw<Array<{ n: bigint | null }>>`
    SELECT COALESCE(seq_tup_read, 0) + COALESCE(idx_tup_fetch, 0) AS n FROM pg_stat_user_tables WHERE relname = 'waiting_list_entries'`;
  return Number(row?.n ?? 0);
}

/** Timers the monitor has started so far, read from the server's history (one per safety-check wait). */
async function timersStarted(ctx: Ctx, entryId: string): Promise<number> {
  const events = (await ctx.client.workflow.getHandle(waitlistWorkflowId(entryId)).fetchHistory()).events ?? [];
  return events.filter((e) => e.timerStartedEventAttributes).length;
}

/** Waits until the monitor has run `checks` checks (each followed by a timer). */
async function awaitChecks(ctx: Ctx, entryId: string, checks: number, pollMs: number): Promise<void> {
  while ((await timersStarted(ctx, entryId)) < checks) await new Promise((r) => setTimeout(r, pollMs));
}

/** RSS of the worker's node process: the largest of its process group (tsx's loader process aside). */
function workerRss(proc: WorkerProcess): number {
  const group = proc.child.pid;
  let largest = 0;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== group) continue; // pgrp
      const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (rss) largest = Math.max(largest, Number(rss[1]) * 1024);
    } catch {
      // the process ended meanwhile
    }
  }
  return largest;
}

/** Events of one idle safety-check cycle (TimerStarted to the next TimerStarted) of a fast-checking monitor. */
async function eventsPerCheckCycle(ctx: Ctx): Promise<number> {
  const id = await startEntry({ ...ctx, interval: 2_000 }, IDLE_DAY, true);
  const handle = ctx.client.workflow.getHandle(waitlistWorkflowId(id));
  await awaitChecks(ctx, id, 4, 200);
  const events = (await handle.fetchHistory()).events ?? [];
  const timers = events.map((e, i) => (e.timerStartedEventAttributes ? i : -1)).filter((i) => i >= 0);
  await handle.terminate('measured');
  return timers.length >= 3 ? (timers[timers.length - 1] - timers[1]) / (timers.length - 2) : NaN;
}

/** ms from the cancellation's start until the waiting customer's booking is confirmed, and until the entry is marked booked. */
async function round(ctx: Ctx, day: string): Promise<{ confirmed: number; booked: number }> {
  const start = new Date(`${day}T10:00:00+01:00`);
  const taken = await insertBooking(ctx.db, ctx.fx, { staffId: ctx.fx.staff.anna, start });
  const entryId = await startEntry(ctx, day, true, { start: '10:00', end: '11:00' });
  await awaitChecks(ctx, entryId, 1, 20);
  const t0 = performance.now();
  const wallT0 = Date.now();
  await ctx.client.workflow.start('cancelBookingWorkflow', { taskQueue: ctx.taskQueue, workflowId: cancelWorkflowId(taken), args: [{ bookingId: taken, reason: 'bench' }] });
  let confirmed: number | null = null;
  for (;;) {
    // The freed slot confirmed for the waiting customer (the saga's confirm step), then the
    // entry marked booked (after the saga ended: its mail and lifecycle start come first).
    const [row, booking] = await Promise.all([
      ctx.db.waitingListEntry.findUniqueOrThrow({ where: { id: entryId } }),
      confirmed === null ? ctx.db.booking.findFirst({ where: { id: { not: taken }, branchId: ctx.fx.branchId, staffId: ctx.fx.staff.anna, startAt: start, status: 'confirmed' }, select: { id: true } }) : null,
    ]);
    if (confirmed === null && (booking || row.status === 'booked')) confirmed = performance.now() - t0;
    if (row.status === 'booked') {
      const took = performance.now() - t0;
      if (process.env.BENCH_TIMELINE) {
        // Where the time went (ms after the cancellation's start): task/activity = scheduled/started/completed.
        for (const [label, id] of [['cancel', cancelWorkflowId(taken)], ['monitor', waitlistWorkflowId(entryId)], ['saga', bookingWorkflowId(row.bookingId ?? '')]] as const) {
          const lines = await timeline(ctx.client, id, wallT0).catch((e: Error) => [e.message]);
          console.log(`    ${label}: ${lines.join(', ')}`);
        }
      }
      return { confirmed: confirmed ?? took, booked: took };
    }
    if (performance.now() - t0 > 60_000) throw new Error(`entry ${entryId} not booked after 60 s`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The worker's own memory report (SIGUSR2, infra/process/memory-report.ts), as it logged it. */
async function memoryBreakdown(proc: WorkerProcess): Promise<string> {
  const seen = proc.output.join('').split('memory report: ').length;
  process.kill(proc.child.pid!, 'SIGUSR2');
  for (const t0 = Date.now(); Date.now() - t0 < 30_000; ) {
    const parts = proc.output.join('').split('memory report: ');
    if (parts.length > seen) return parts[parts.length - 1].split('"')[0];
    await new Promise((r) => setTimeout(r, 100));
  }
  return 'no memory report within 30 s';
}

const COMPILED = path.resolve(__dirname, '..', 'dist', 'worker', 'main.js');
/** docker-compose.yml's worker NODE_OPTIONS (README, worker memory). */
const WORKER_NODE_OPTIONS = '--max-semi-space-size=4 --max-old-space-size=256';

/** Resolves when the worker process logs that it polls; rejects when it exits first. */
async function waitForPolling(proc: WorkerProcess): Promise<void> {
  for (const t0 = Date.now(); Date.now() - t0 < 120_000; ) {
    if (proc.output.join('').includes('worker polling')) return;
    if (proc.child.exitCode !== null) throw new Error(`worker exited: ${proc.output.join('').slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('worker not polling after 120 s');
}

async function main(): Promise<void> {
  // The benchmarks' own database (BENCH_DB), never the development or test one.
  const config = { ...loadConfig(), databaseUrl: benchDatabaseUrl() };
  await migrate(config.databaseUrl, path.resolve(__dirname, '..', 'prisma', 'migrations'));
  const db = createPrisma(config.databaseUrl, { max: 10 });
  const emulator = await startCalcomEmulator({ apiKey: EMULATOR_API_KEY });
  // Real mail delivery into an in-process sink: the saga's confirmation mail is part of the path.
  const sink = await startSmtpSink({ port: 0, apiPort: 0 });
  const taskQueue = `bench-waitlist-${randomUUID()}`;
  const connection = await Connection.connect({ address: config.temporalAddress });
  const client = new Client({ connection, namespace: config.temporalNamespace });
  const compiled = (process.env.BENCH_WORKER ?? (existsSync(COMPILED) ? 'dist' : 'tsx')) === 'dist';
  // As docker-compose.yml starts the worker (its NODE_OPTIONS and MALLOC_ARENA_MAX) unless told otherwise.
  const nodeOptions = (process.env.BENCH_WORKER_NODE_OPTIONS ?? WORKER_NODE_OPTIONS).split(' ').filter(Boolean);
  const worker = startWorkerProcess({
    taskQueue,
    calcomBaseUrl: emulator.url,
    command: { file: process.execPath, args: compiled ? [...nodeOptions, COMPILED] : [...nodeOptions, '--import', 'tsx', 'worker/main.ts'] },
    env: { DATABASE_URL: config.databaseUrl, SMTP_URL: sink.smtpUrl, HOLD_SWEEPER_SCHEDULE: 'off', MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2' },
  });
  await waitForPolling(worker);
  const fx = await seedAvailabilityFixture(db);
  const ctx: Ctx = { db, client, taskQueue, fx, interval: config.waitlistCheckIntervalMs };
  const rssBefore = workerRss(worker);
  console.log(
    `waitlist benchmark — load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}; worker ${compiled ? 'node dist/worker/main.js' : 'node --import tsx worker/main.ts'}` +
      `${nodeOptions.length ? ` ${nodeOptions.join(' ')}` : ''}, MALLOC_ARENA_MAX ${process.env.MALLOC_ARENA_MAX ?? '2'}; WORKER_MAX_CACHED_WORKFLOWS ${config.workerMaxCachedWorkflows}, activity slots ${config.workerMaxConcurrentActivities}, db pool ${config.workerDbPoolSize}`,
  );
  console.log(`worker memory before monitors: ${await memoryBreakdown(worker)}`);
  try {
    const started = performance.now();
    const ids: string[] = [];
    await inBatches(Array.from({ length: MONITORS }, (_, i) => i), 200, async () => ids.push(await startEntry(ctx, IDLE_DAY, true)));
    // Idle means every monitor ran its first check and sleeps on its timer (read from the server).
    await inBatches(ids, 100, (id) => awaitChecks(ctx, id, 1, 250));
    await new Promise((r) => setTimeout(r, 3_000));
    const rssIdle = workerRss(worker);
    console.log(`idle entries wait for ${IDLE_DAY}`);
    console.log(`monitors started: ${MONITORS} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    console.log(
      `worker process RSS: ${mb(rssBefore)} before, ${mb(rssIdle)} with ${MONITORS} idle monitors (sticky cache ${config.workerMaxCachedWorkflows}; target ≤ 350 MB) ` +
        `${rssIdle <= 350 * 1024 * 1024 ? 'OK' : 'OVER TARGET'}; load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`,
    );
    console.log(`worker memory with ${MONITORS} idle monitors: ${await memoryBreakdown(worker)}`);
    const latencies: number[] = [];
    const confirmations: number[] = [];
    const rowsRead: number[] = [];
    for (const day of TARGET_DAYS.slice(0, ROUNDS)) {
      const before = await entryRowsRead(db);
      const { confirmed, booked } = await round(ctx, day);
      await new Promise((r) => setTimeout(r, 1_000)); // statistics are reported with a short delay
      rowsRead.push((await entryRowsRead(db)) - before);
      latencies.push(booked);
      confirmations.push(confirmed);
      console.log(`cancellation → booking confirmed ${confirmed.toFixed(0)} ms, → entry booked ${booked.toFixed(0)} ms (${day}), waiting_list_entries rows read ${rowsRead[rowsRead.length - 1]}`);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    console.log(
      `cancellation → booking confirmed: median ${median(confirmations).toFixed(0)} ms; → entry booked: median ${median(latencies).toFixed(0)} ms, max ${Math.max(...latencies).toFixed(0)} ms ` +
        `(target median ≤ 1000 ms: confirmed ${median(confirmations) <= 1000 ? 'OK' : 'OVER TARGET'}, entry booked ${median(latencies) <= 1000 ? 'OK' : 'OVER TARGET'}); load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`,
    );
    console.log(`rows read per slot-freed event: ${rowsRead.join(', ')} with ${MONITORS} idle entries in the branch (goal: independent of their number)`);
    const perCycle = await eventsPerCheckCycle(ctx);
    const perHour = (perCycle * 3_600_000) / ctx.interval;
    console.log(
      `history events per idle monitor per hour: ${perHour.toFixed(2)} (${perCycle.toFixed(1)} events per safety check, read from a monitor's history, ` +
        `one check every ${(ctx.interval / 3_600_000).toFixed(1)} h ± 20 %; goal ≤ 1) ${perHour <= 1 ? 'OK' : 'OVER GOAL'}`,
    );
    console.log(`worker process RSS at the end: ${mb(workerRss(worker))}; load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  } finally {
    const open = await db.waitingListEntry.findMany({ where: { companyId: fx.companyId }, select: { workflowId: true } });
    await inBatches(open, 50, (e) => client.workflow.getHandle(e.workflowId).terminate('bench done').catch(() => undefined));
    await db.notification.deleteMany({ where: { companyId: fx.companyId } });
    await db.waitingListEntry.deleteMany({ where: { companyId: fx.companyId } });
    await db.bookingHistory.deleteMany({ where: { booking: { companyId: fx.companyId } } });
    await db.syncFailure.deleteMany({ where: { companyId: fx.companyId } });
    await db.booking.deleteMany({ where: { companyId: fx.companyId } });
    await db.company.delete({ where: { id: fx.companyId } }).catch(() => undefined);
    signalGroup(worker, 'SIGTERM');
    await worker.exited;
    await connection.close();
    await emulator.close();
    await sink.close();
    await db.$disconnect();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
