/**
 * The booking worker: one Temporal Worker on the configured task queue running every workflow of
 * workflows/index.ts and the activities built by createActivities(deps). Separate from main.ts so
 * a test can create the same worker in-process; main.ts adds config, signals and exit codes.
 */
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { dataConverter } from '../infra/temporal/payload-codec';
import { createActivities, type ActivityDeps } from '../activities';
import type { AppConfig } from '../infra/config';
import type { Logger } from '../infra/logger';
import { deploymentOptions } from './versioning';
import { resolveWorkflowBundle } from './workflow-bundle';

export interface BookingWorker {
  worker: Worker;
  connection: NativeConnection;
  /** Hash of the workflow bundle this worker runs; its Worker Deployment build id when versioned. */
  buildId: string;
  /** Set when the worker polls as a Worker Deployment version (WORKER_DEPLOYMENT_NAME). */
  deploymentName?: string;
  /** Resolves when the worker has stopped (after shutdown() or a fatal error), rejects on the latter. */
  run(): Promise<void>;
  /** Stops polling, lets in-flight tasks finish (up to the grace time), then resolves run(). */
  shutdown(): void;
  /** Closes the connection; call after run() settled. */
  close(): Promise<void>;
}

/** Worker knobs a deployment (or the benchmark) may set; unset ones keep the SDK defaults. */
export type WorkerTuning = Partial<
  Pick<
    WorkerOptions,
    | 'maxCachedWorkflows'
    | 'maxConcurrentWorkflowTaskExecutions'
    | 'maxConcurrentActivityTaskExecutions'
    | 'maxConcurrentLocalActivityExecutions'
    | 'maxConcurrentWorkflowTaskPolls'
    | 'maxConcurrentActivityTaskPolls'
    | 'reuseV8Context'
  >
>;

export interface BookingWorkerOptions {
  config: Pick<AppConfig, 'temporalAddress' | 'temporalNamespace' | 'temporalTaskQueue' | 'temporalPayloadKey' | 'temporalPayloadKeyId' | 'temporalPayloadPreviousKeys'> &
    Partial<Pick<AppConfig, 'workerDeploymentName'>>;
  logger: Logger;
  activityDeps: ActivityDeps;
  /** How long in-flight activities may run on after shutdown(); default 10 s. */
  shutdownGraceTime?: string;
  tuning?: WorkerTuning;
}

export async function createBookingWorker(options: BookingWorkerOptions): Promise<BookingWorker> {
  const { config, logger } = options;
  const { bundle: workflowBundle, buildId } = await resolveWorkflowBundle(logger);
  const deploymentName = config.workerDeploymentName || undefined;
  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  try {
    const worker = await Worker.create({
      connection,
      namespace: config.temporalNamespace,
      taskQueue: config.temporalTaskQueue,
      workflowBundle,
      // Payloads (customer names, e-mails, phones) are encrypted in Temporal (payload-codec.ts).
      dataConverter: dataConverter(config),
      workerDeploymentOptions: deploymentOptions(deploymentName ?? '', buildId),
      activities: createActivities(options.activityDeps),
      shutdownGraceTime: (options.shutdownGraceTime ?? '10s') as `${number}s`,
      ...pickTuning(options.tuning),
    });
    let running: Promise<void> | undefined;
    return {
      worker,
      connection,
      buildId,
      deploymentName,
      run: () => (running ??= worker.run()),
      shutdown: () => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
      },
      close: () => connection.close(),
    };
  } catch (error) {
    await connection.close();
    throw error;
  }
}

/** Only the known knobs, and only the set ones (a JSON blob from the environment may hold more). */
function pickTuning(tuning: (WorkerTuning & Record<string, unknown>) | undefined): WorkerTuning {
  const keys: Array<keyof WorkerTuning> = [
    'maxCachedWorkflows',
    'maxConcurrentWorkflowTaskExecutions',
    'maxConcurrentActivityTaskExecutions',
    'maxConcurrentLocalActivityExecutions',
    'maxConcurrentWorkflowTaskPolls',
    'maxConcurrentActivityTaskPolls',
    'reuseV8Context',
  ];
  return Object.fromEntries(keys.filter((k) => tuning?.[k] !== undefined).map((k) => [k, tuning?.[k]])) as WorkerTuning;
}
