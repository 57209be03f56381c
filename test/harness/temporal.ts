/**
 * Temporal for suites. One environment and one workflow bundle per test file (Jest gives every
 * file its own module registry), torn down by an afterAll this module registers itself, so no
 * native handle outlives its file and Jest exits on its own.
 *
 * - createTestWorker(): Worker.create for suites. The teardown shuts down every worker still
 *   running before it stops the servers: a test that timed out inside `worker.runUntil` leaves its
 *   worker polling, and a worker polling a stopped time-skipping server retries forever (every
 *   10 s) and keeps Jest from exiting; that is how a CI run once sat out its 90 minutes.
 *
 * - getTestEnv(): the shared dev server started by `npm test` or the global setup
 *   (createFromExistingServer: no start-up deadline, Update and search attributes work).
 * - getTimeSkippingEnv(): the Java time-skipping server from .tools (existing-path: no download),
 *   for timers measured in days. It does not skip time while waiting on an Update.
 * - bundleOnce(): the worker's bundle of workflows/index.ts (worker/workflow-bundle.ts), also
 *   cached on disk by a hash of the workflow and domain sources, because bundling costs ~2 s of CPU
 *   per file on 2 cores.
 */
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { dataConverter } from '../../infra/temporal/payload-codec';
import { Worker, type WorkerOptions, type WorkflowBundle } from '@temporalio/worker';
import { createLogger } from '../../infra/logger';
import { loadWorkflowBundle } from '../../worker/workflow-bundle';
import { ensureTimeSkippingServer } from '../../scripts/lib/toolchain';
import { testEnv } from './env';

const ROOT = path.resolve(__dirname, '..', '..');
const BUNDLE_CACHE_DIR = path.join(ROOT, '.data', 'workflow-bundles');

let existing: Promise<TestWorkflowEnvironment> | undefined;
let timeSkipping: Promise<TestWorkflowEnvironment> | undefined;
let bundle: Promise<WorkflowBundle> | undefined;

/** The shared Temporal dev server (address from TEMPORAL_ADDRESS), one environment per test file. */
export function getTestEnv(): Promise<TestWorkflowEnvironment> {
  const { temporalAddress, temporalNamespace } = testEnv();
  existing ??= TestWorkflowEnvironment.createFromExistingServer({
    address: temporalAddress,
    namespace: temporalNamespace,
    client: { dataConverter: testDataConverter() },
  });
  return existing;
}

/** The service's payload encryption (infra/temporal/payload-codec.ts), as the API and worker use it. */
export function testDataConverter() {
  return dataConverter(testEnv());
}

/** A time-skipping test server of its own for this test file. */
export function getTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  timeSkipping ??= (async () => {
    const serverPath = await ensureTimeSkippingServer();
    const create = () => TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: serverPath } } });
    // The SDK gives the server 5 s to start; on a busy 2-core machine try once more.
    return create().catch(() => create());
  })();
  return timeSkipping;
}

const liveWorkers = new Set<Worker>();
const WORKER_STOP_MS = 15_000;

/** Worker.create, remembered so that the teardown can stop it if the test could not. */
export async function createTestWorker(options: WorkerOptions): Promise<Worker> {
  const worker = await Worker.create(options);
  liveWorkers.add(worker);
  return worker;
}

/** Shuts down the remembered workers that are still running and waits (bounded) until they stopped. */
async function stopLiveWorkers(): Promise<void> {
  const workers = [...liveWorkers];
  liveWorkers.clear();
  await Promise.all(
    workers.map(async (worker) => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      const deadline = Date.now() + WORKER_STOP_MS;
      while (['STOPPING', 'DRAINING', 'DRAINED'].includes(worker.getState()) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }),
  );
}

/** Stops this file's leftover workers, then tears down whichever environments it created. Registered as afterAll automatically. */
export async function teardownTestEnvs(): Promise<void> {
  await stopLiveWorkers();
  const envs = [existing, timeSkipping];
  existing = undefined;
  timeSkipping = undefined;
  await Promise.all(envs.map(async (env) => (env ? (await env).teardown() : undefined)));
}

/** The workflow bundle of workflows/index.ts, built at most once per file and reused across runs. */
export function bundleOnce(): Promise<WorkflowBundle> {
  // Only the bundler's warnings and errors matter in test output.
  bundle ??= loadWorkflowBundle(createLogger({ logLevel: 'warn', nodeEnv: 'test' }, 'test-bundle'), BUNDLE_CACHE_DIR);
  return bundle;
}

if (typeof afterAll === 'function') {
  afterAll(teardownTestEnvs);
}
