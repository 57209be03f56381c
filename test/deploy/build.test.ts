/**
 * `npm run build` and what it produces, as the Docker image runs it: the compiled worker
 * (`node <out>/worker/main.js`, no tsx, no bundling at start) polls the shared dev server as a
 * Worker Deployment version named by the build id in build-info.json, exports the SDK's metrics
 * on WORKER_METRICS_PORT, and runs one booking saga to `confirmed`, PINNED to that build.
 * Also: every package the compiled code requires is a production dependency (the runtime stage
 * installs `npm ci --omit=dev` only).
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startCalcomEmulator, type CalcomEmulator } from '../../infra/calcom/emulator/emulator.server';
import { linkCalendar } from '../harness/calendar-link';
import { newId } from '../../infra/db/ids';
import { createPrisma, type Db } from '../../infra/db/prisma';
import { bookingWorkflowId, type BookAppointmentInput } from '../../workflows/book-appointment.contract';
import type { bookAppointmentWorkflow } from '../../workflows/book-appointment.workflow';
import type { BuildInfo } from '../../worker/build-info';
import { workflowBuildId } from '../../worker/workflow-bundle';
import { testEnv } from '../harness/env';
import { getTestEnv } from '../harness/temporal';
import { signalGroup, startWorkerProcess, within, type WorkerProcess } from '../harness/worker-process';
import { dropCompany, seedAvailabilityFixture, uniqueCalcomUserId, type AvailabilityFixture } from '../integration/availability.fixtures';

const ROOT = path.resolve(__dirname, '..', '..');
const OUT = path.join(ROOT, '.data', `build-test-${process.pid}`);
const env = testEnv();
const taskQueue = `built-worker-${randomUUID()}`;
const deploymentName = `booking-build-test-${randomUUID().slice(0, 8)}`;

let temporal: TestWorkflowEnvironment;
let db: Db;
let fx: AvailabilityFixture;
let worker: WorkerProcess | undefined;
let info: BuildInfo;
let emulator: CalcomEmulator;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** The value of an unlabelled-by-us gauge line (`name{...} value`). */
function gauge(metrics: string, name: string): number {
  const line = metrics.split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
  if (!line) throw new Error(`${name} is not exported`);
  return Number(line.split(' ').pop());
}

/** Metric names in the dashboard's queries (every selector is written `name{...}` or `name[...]`). */
function dashboardMetrics(): string[] {
  const dashboard = JSON.parse(fs.readFileSync(path.join(ROOT, 'deploy', 'grafana', 'booking-dashboard.json'), 'utf8')) as { panels: Array<{ targets: Array<{ expr: string }> }> };
  const names = dashboard.panels.flatMap((p) => p.targets.flatMap((t) => [...t.expr.matchAll(/([a-z_:][a-z0-9_:]*)\s*[{[]/g)].map((m) => m[1])));
  return [...new Set(names)].filter((name) => !['by', 'rate', 'increase', 'sum', 'max', 'histogram_quantile'].includes(name));
}

function jsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? jsFiles(full) : e.name.endsWith('.js') ? [full] : [];
  });
}

beforeAll(async () => {
  const build = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/build.ts', OUT], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}\n${build.stderr}`);
  info = JSON.parse(fs.readFileSync(path.join(OUT, 'build-info.json'), 'utf8')) as BuildInfo;
  temporal = await getTestEnv();
  emulator = await startCalcomEmulator();
  db = createPrisma(env.databaseUrl, { max: 2 });
  fx = await seedAvailabilityFixture(db, { calcomUserId: uniqueCalcomUserId() });
  // The company's own Cal.com account on this file's emulator (its faults disturb no other suite).
  await linkCalendar(db, { companyId: fx.companyId, branchId: fx.branchId, emulatorUrl: emulator.url, staffIds: [fx.staff.anna], serviceIds: [fx.serviceId] });
}, 150_000);

afterAll(async () => {
  if (worker) {
    signalGroup(worker, 'SIGTERM');
    const stopped = await Promise.race([worker.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 15_000).unref())]);
    if (!stopped) signalGroup(worker, 'SIGKILL');
  }
  await emulator?.close();
  if (fx) await dropCompany(db, fx.companyId);
  await db?.$disconnect();
  fs.rmSync(OUT, { recursive: true, force: true });
});

describe('npm run build', () => {
  it('writes the workflow bundle and a build id that is the hash of that bundle', () => {
    const code = fs.readFileSync(path.join(OUT, 'workflow-bundle.js'), 'utf8');
    expect(info.buildId).toBe(workflowBuildId(code));
    expect(info.buildId).toMatch(/^[0-9a-f]{16}$/);
    for (const entry of ['api/server.js', 'worker/main.js', 'scripts/migrate.js']) expect(fs.existsSync(path.join(OUT, entry))).toBe(true);
    expect(fs.readdirSync(path.join(OUT, 'prisma', 'migrations')).length).toBe(fs.readdirSync(path.join(ROOT, 'prisma', 'migrations')).length);
  });

  it('the built API starts with plain node and exports the HTTP metrics the dashboard charts', async () => {
    const port = await freePort();
    const api = spawn(process.execPath, [path.join(OUT, 'api', 'server.js')], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'warn', PORT: String(port), DATABASE_URL: env.databaseUrl, REDIS_URL: env.redisUrl, TEMPORAL_ADDRESS: env.temporalAddress },
      stdio: 'ignore',
    });
    try {
      const deadline = Date.now() + 60_000;
      while (!(await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false))) {
        if (Date.now() > deadline || api.exitCode !== null) throw new Error(`the built API did not answer /healthz (exit ${api.exitCode})`);
        await new Promise((r) => setTimeout(r, 200));
      }
      await fetch(`http://127.0.0.1:${port}/v1/bookings`, { method: 'POST' }); // a 401, counted
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      for (const name of dashboardMetrics().filter((n) => n.startsWith('http_'))) expect([name, metrics.includes(`${name}{`)]).toEqual([name, true]);
    } finally {
      api.kill('SIGTERM');
    }
  }, 90_000);

  it('compiled code requires only production dependencies and Node built-ins', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const allowed = new Set([...Object.keys(pkg.dependencies), ...builtinModules]);
    const offenders = new Set<string>();
    for (const file of jsFiles(OUT)) {
      if (file.endsWith('workflow-bundle.js')) continue; // self-contained webpack bundle
      for (const [, spec] of fs.readFileSync(file, 'utf8').matchAll(/require\("([^"./][^"]*)"\)/g)) {
        const name = spec.startsWith('node:') ? spec.slice(5) : spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
        if (!allowed.has(name)) offenders.add(`${path.relative(OUT, file)} → ${spec}`);
      }
    }
    expect([...offenders]).toEqual([]);
  });

  it('the built worker runs a booking to confirmed, pinned to its build id, with SDK metrics on its port', async () => {
    const metricsPort = await freePort();
    worker = startWorkerProcess({
      taskQueue,
      calcomBaseUrl: emulator.url,
      command: { file: process.execPath, args: [path.join(OUT, 'worker', 'main.js')] },
      env: { WORKER_DEPLOYMENT_NAME: deploymentName, WORKER_METRICS_PORT: String(metricsPort) },
    });
    const proc = worker;
    const bookingId = newId('bkg');
    const input: BookAppointmentInput = {
      bookingId, companyId: fx.companyId, branchId: fx.branchId, serviceId: fx.serviceId, customerId: fx.customerId,
      staffId: fx.staff.anna, start: '2027-03-08T09:00:00.000Z', source: 'api',
    };
    const handle = await temporal.client.workflow.start<typeof bookAppointmentWorkflow>('bookAppointmentWorkflow', {
      taskQueue, workflowId: bookingWorkflowId(bookingId), args: [input],
    });
    const result = await within('the booking on the built worker', handle.result(), 60_000, proc);
    expect(result.kind).toBe('confirmed');
    expect((await db.booking.findUniqueOrThrow({ where: { id: bookingId } })).status).toBe('confirmed');

    const output = proc.output.join('');
    expect(output).toContain('prebuilt workflow bundle');
    expect(output).not.toContain('workflows bundled');

    const described = await temporal.client.workflowService.describeWorkflowExecution({
      namespace: env.temporalNamespace, execution: { workflowId: handle.workflowId },
    });
    const versioning = described.workflowExecutionInfo?.versioningInfo;
    expect(versioning?.deploymentVersion?.deploymentName).toBe(deploymentName);
    expect(versioning?.deploymentVersion?.buildId).toBe(info.buildId);
    expect(versioning?.behavior).toBe(1); // VERSIONING_BEHAVIOR_PINNED

    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`temporal_workflow_completed\\{[^}]*task_queue="${taskQueue}"[^}]*\\} 1`));
    expect(metrics).toMatch(/temporal_activity_execution_latency_bucket\{[^}]*task_queue="/);
    // Business metrics on the same endpoint: the saga's outcome, and the gauges sampled at start.
    expect(metrics).toMatch(new RegExp(`booking_outcomes\\{[^}]*outcome="confirmed"[^}]*taskQueue="${taskQueue}"[^}]*\\} 1`));
    const openFailures = await db.syncFailure.count({ where: { status: { in: ['open', 'retrying'] } } });
    expect(gauge(metrics, 'sync_failures_open')).toBe(openFailures);
    expect(gauge(metrics, 'waitlist_monitors_running')).toBe(await db.waitingListEntry.count({ where: { status: { in: ['waiting', 'notified'] } } }));

    // A refused calendar create compensates: counted by undo step.
    const refused = await fetch(`${emulator.url}/__control/faults`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ mode: 'error', status: 400, operations: ['create'] }),
    });
    expect(refused.status).toBe(200);
    const failedId = newId('bkg');
    const failed = await temporal.client.workflow.execute<typeof bookAppointmentWorkflow>('bookAppointmentWorkflow', {
      taskQueue, workflowId: bookingWorkflowId(failedId), args: [{ ...input, bookingId: failedId, start: '2027-03-08T10:00:00.000Z' }],
    });
    expect(failed.kind).toBe('calendar_failed');
    const after = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(after).toMatch(new RegExp(`booking_outcomes\\{[^}]*outcome="calendar_failed"[^}]*\\} 1`));
    expect(after).toMatch(/booking_compensations\{[^}]*step="releaseHold"[^}]*workflowType="bookAppointmentWorkflow"[^}]*\} 1/);

    // Every worker metric the Grafana dashboard charts is one this worker exports.
    const charted = dashboardMetrics().filter((name) => !name.startsWith('http_'));
    expect(charted.length).toBeGreaterThan(8);
    const exported = new Set(after.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(/[{ ]/)[0]));
    // Counters the SDK exports only once they happened (nothing failed here).
    const onlyAfterTheirEvent = ['temporal_workflow_failed'];
    expect(charted.filter((name) => !exported.has(name) && !onlyAfterTheirEvent.includes(name))).toEqual([]);
  }, 120_000);
});
