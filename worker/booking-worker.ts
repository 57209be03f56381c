/**
 * The booking worker: one Temporal Worker on the configured task queue running every workflow of
 * workflows/index.ts and the activities built by createActivities(deps). Separate from main.ts so
 * a test can create the same worker in-process; main.ts adds config, signals and exit codes.
 */
import { NativeConnection, Worker, type ActivityInterceptorsFactory, type WorkerOptions } from '@temporalio/worker';
import { makeWorkflowExporter, OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor } from '@temporalio/interceptors-opentelemetry/lib/worker';
import { context } from '@opentelemetry/api';
import { extractContextFromHeaders } from '@temporalio/interceptors-opentelemetry/lib/instrumentation';
import { traceFields, type Tracing } from '../infra/telemetry/tracing';
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
  /** OpenTelemetry (infra/telemetry/tracing.ts): spans of workflows and activities join the caller's trace. */
  tracing?: Tracing;
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
      ...tracingOptions(options.tracing),
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

/**
 * The bundle always holds the OpenTelemetry workflow interceptors (worker/workflow-bundle.ts), so
 * their span sink is always registered: exporting when tracing is on, dropping spans when off.
 */
/** For any Worker running the standard bundle without tracing (tests): spans are dropped. */
export const NO_TRACING_SINKS = { exporter: { export: { fn: () => undefined } } } as WorkerOptions['sinks'];

function tracingOptions(tracing: Tracing | undefined): Pick<WorkerOptions, 'sinks' | 'interceptors'> {
  if (!tracing) return { sinks: NO_TRACING_SINKS };
  return {
    sinks: { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) } as WorkerOptions['sinks'],
    interceptors: {
      activity: [
        (ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) }),
        requestLogFields,
      ],
    },
  };
}

/**
 * The SDK's own activity log lines (started, completed, failed) with the trace id and request id
 * the activity's caller sent in its headers (the API's span and baggage; infra/telemetry/tracing.ts).
 */
const requestLogFields: ActivityInterceptorsFactory = () => {
  let fields: Record<string, string> = {};
  return {
    inbound: {
      execute(input, next) {
        fields = context.with(extractContextFromHeaders(input.headers) ?? context.active(), traceFields);
        return next(input);
      },
    },
    outbound: {
      getLogAttributes(input, next) {
        return next({ ...fields, ...input });
      },
    },
  };
};

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
