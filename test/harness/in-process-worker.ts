/**
 * The worker side of the integration suites, in process: a Worker on the suite's own task queue
 * of the shared dev server, running the bundled workflows with createActivities over the caller's
 * database, a private Cal.com emulator over HTTP (so fault settings touch no other suite), the
 * Redis availability cache under a unique prefix and nodemailer into the SMTP sink. The caller
 * owns the database client; close() stops and closes everything built here.
 */
import { randomUUID } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { createAvailabilityCache, type AvailabilityCache } from '../../infra/cache/availability-cache';
import { createCalcomClient } from '../../infra/calcom/calcom.client';
import { startCalcomEmulator, type CalcomEmulator } from '../../infra/calcom/emulator/emulator.server';
import { EMULATOR_API_KEY } from '../../infra/config';
import type { Db } from '../../infra/db/prisma';
import { createMailer, type Mailer } from '../../infra/notify/mailer';
import { testEnv } from './env';
import { bundleOnce, getTestEnv } from './temporal';

export interface InProcessWorker {
  taskQueue: string;
  emulator: CalcomEmulator;
  mailer: Mailer;
  cache: AvailabilityCache;
  /** Stops the worker (tasks in flight finish), then closes the emulator, cache and mailer. */
  close(): Promise<void>;
}

const silentLogger = { info: () => undefined, warn: () => undefined };

export async function startInProcessWorker(db: Db, taskQueue: string): Promise<InProcessWorker> {
  const env = testEnv();
  const temporal = await getTestEnv();
  const emulator = await startCalcomEmulator({ apiKey: EMULATOR_API_KEY });
  const mailer = createMailer({ smtpUrl: env.smtpUrl, from: env.mailFrom });
  const cache = createAvailabilityCache({ redisUrl: env.redisUrl, logger: silentLogger, prefix: `test-${taskQueue}-${randomUUID()}` });
  const closeClients = async () => {
    await emulator.close();
    await cache.close();
    mailer.close();
  };
  let worker: Worker;
  try {
    const calcom = createCalcomClient({ baseUrl: emulator.url, apiKey: EMULATOR_API_KEY, timeoutMs: 2_000 });
    worker = await Worker.create({
      connection: temporal.nativeConnection,
      namespace: env.temporalNamespace,
      taskQueue,
      workflowBundle: await bundleOnce(),
      activities: createActivities({ db, mailer, cache, calcom }),
    });
  } catch (error) {
    await closeClients();
    throw error;
  }
  const running = worker.run();
  return {
    taskQueue,
    emulator,
    mailer,
    cache,
    async close() {
      worker.shutdown();
      await running;
      await closeClients();
    },
  };
}
