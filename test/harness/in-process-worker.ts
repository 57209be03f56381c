/**
 * The worker side of the integration suites, in process: a Worker on the suite's own task queue
 * of the shared dev server, running the bundled workflows with the activities of
 * real-activities.ts (the caller's database, a private Cal.com emulator, the Redis availability
 * cache, the SMTP sink). The caller owns the database client; close() stops and closes everything
 * built here.
 */
import { randomUUID } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import type { Db } from '../../infra/db/prisma';
import { testEnv } from './env';
import { startRealActivities, type RealActivities } from './real-activities';
import { bundleOnce, createTestWorker, getTestEnv, testDataConverter } from './temporal';
import { NO_TRACING_SINKS } from '../../worker/booking-worker';

export interface InProcessWorker extends RealActivities {
  taskQueue: string;
  /** Stops the worker (tasks in flight finish), then closes the emulator, cache and mailer. */
  close(): Promise<void>;
}

export async function startInProcessWorker(db: Db, taskQueue: string): Promise<InProcessWorker> {
  const temporal = await getTestEnv();
  const parts = await startRealActivities(db, { cachePrefix: `test-${taskQueue}-${randomUUID()}` });
  let worker: Worker;
  try {
    worker = await createTestWorker({
      connection: temporal.nativeConnection,
      namespace: testEnv().temporalNamespace,
      taskQueue,
      workflowBundle: await bundleOnce(),
      sinks: NO_TRACING_SINKS,
      dataConverter: testDataConverter(),
      activities: parts.activities,
    });
  } catch (error) {
    await parts.close();
    throw error;
  }
  const running = worker.run();
  return {
    ...parts,
    taskQueue,
    async close() {
      if (worker.getState() === 'RUNNING') worker.shutdown(); // the file's teardown may have stopped it
      await running;
      await parts.close();
    },
  };
}
