/**
 * Shared setup of the booking workflow tests: the time-skipping environment, a bundle of
 * booking-workflows.entry.ts (cached on disk by a hash of its sources, bundling costs seconds of
 * CPU), and a worker per test on a unique task queue with a fresh FakeBookingWorld.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, type WorkflowBundle } from '@temporalio/worker';
import { lifecycleWorkflowId } from '../../workflows/booking-lifecycle.contract';
import { createTestWorker, getTimeSkippingEnv } from '../harness/temporal';
import { FakeBookingWorld } from './booking-world.fakes';

const ROOT = path.resolve(__dirname, '..', '..');
const ENTRY = path.join(__dirname, 'booking-workflows.entry.ts');
let bundle: Promise<WorkflowBundle> | undefined;

/**
 * These tests fail activities on purpose, and the worker logs every failed attempt at WARN:
 * only errors reach the test output. Must run before anything creates the Runtime.
 */
export function quietTemporalRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' } } } });
  } catch {
    // already created in this module registry (another helper got there first): keep it
  }
}
quietTemporalRuntime();

function sourceHash(): string {
  const hash = createHash('sha256');
  const files = [ENTRY, ...fs.readdirSync(path.join(ROOT, 'workflows'), { recursive: true }).map((f) => path.join(ROOT, 'workflows', String(f)))];
  for (const file of files.filter((f) => f.endsWith('.ts')).sort()) hash.update(file).update(fs.readFileSync(file));
  hash.update(fs.readFileSync(path.join(ROOT, 'package-lock.json')));
  return hash.digest('hex').slice(0, 16);
}

export function bookingBundle(): Promise<WorkflowBundle> {
  bundle ??= (async () => {
    const dir = path.join(ROOT, '.data', 'workflow-bundles');
    const file = path.join(dir, `booking-${sourceHash()}.js`);
    if (fs.existsSync(file)) return { code: fs.readFileSync(file, 'utf8') };
    const { code } = await bundleWorkflowCode({ workflowsPath: ENTRY, logger: { trace() {}, debug() {}, info() {}, log() {}, warn: console.warn, error: console.error } });
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(`${file}.${process.pid}.tmp`, code);
    fs.renameSync(`${file}.${process.pid}.tmp`, file);
    return { code };
  })();
  return bundle;
}

/**
 * A confirming saga starts the booking's lifecycle as an abandoned child on this run's task
 * queue: let it finish (the fakes end it at once) while the worker is up, because a workflow task
 * left on a queue nobody polls any more stops the time-skipping server from skipping time.
 */
async function settleLifecycles(env: TestWorkflowEnvironment, world: FakeBookingWorld): Promise<void> {
  await Promise.all([...world.bookings.keys()].map((id) => env.client.workflow.getHandle(lifecycleWorkflowId(id)).result().catch(() => undefined)));
}

let queueSeq = 0;
let registered: Promise<void> | undefined;

/** The time-skipping server knows no custom search attributes until told (the saga upserts five). */
function registerSearchAttributes(env: TestWorkflowEnvironment): Promise<void> {
  const keyword = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
  const names = ['BookingId', 'CustomerId', 'BranchId', 'BookingStatus', 'WorkflowKind'];
  registered ??= env.connection.operatorService
    .addSearchAttributes({ namespace: env.namespace ?? 'default', searchAttributes: Object.fromEntries(names.map((n) => [n, keyword])) })
    .then(() => undefined, (error: Error) => {
      if (!/already/i.test(error.message)) throw error;
    });
  return registered;
}

export interface BookingTestRun {
  env: TestWorkflowEnvironment;
  world: FakeBookingWorld;
  taskQueue: string;
  /** Runs `fn` while a worker with the world's activities serves the task queue. */
  run<T>(fn: () => Promise<T>): Promise<T>;
}

/** `bundle` defaults to booking-workflows.entry.ts; the history recorder passes the worker's own bundle. */
export async function bookingTestRun(label: string, bundle?: WorkflowBundle): Promise<BookingTestRun> {
  const env = await getTimeSkippingEnv();
  await registerSearchAttributes(env);
  const world = new FakeBookingWorld();
  queueSeq += 1;
  const taskQueue = `${label}-${process.pid}-${queueSeq}-${Date.now()}`;
  const workflowBundle = bundle ?? (await bookingBundle());
  return {
    env,
    world,
    taskQueue,
    async run(fn) {
      const worker = await createTestWorker({ connection: env.nativeConnection, taskQueue, workflowBundle, activities: world.activities() });
      return worker.runUntil(async () => {
        const result = await fn();
        await settleLifecycles(env, world);
        return result;
      });
    },
  };
}
