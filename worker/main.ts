/**
 * `npm run worker`: the worker process. Reads the config once, builds the dependencies
 * (worker/deps.ts), connects to Temporal and polls the configured task queue until SIGINT or
 * SIGTERM, then drains: stops polling, lets in-flight activities finish (grace time), closes the
 * Temporal connection, the database pool, the cache and the mailer, and exits 0. A second signal
 * while draining (later than 2 s after the first) exits at once with 1 (infra/process/stop-signals.ts).
 * At start-up it also ensures the `hold-sweeper` Schedule (worker/hold-sweeper-schedule.ts), the
 * notification relay's and every calendar connection's reconciliation Schedule.
 * SIGUSR2 logs where its memory is (infra/process/memory-report.ts).
 */
import { Runtime, type LogLevel, type LogMetadata } from '@temporalio/worker';
import { loadConfig } from '../infra/config';
import { createLogger, type Logger } from '../infra/logger';
import { handleStopSignals } from '../infra/process/stop-signals';
import { createBookingWorker } from './booking-worker';
import { startHoldSweeperSchedule } from './hold-sweeper-schedule';
import { startNotificationRelaySchedule } from './notification-relay-schedule';
import { startCalendarReconcileSchedules } from './calendar-reconcile-schedules';
import { startWebhookDispatcherSchedule } from './webhook-dispatcher-schedule';
import { buildWorkerDeps } from './deps';
import { adoptIfNoCurrentVersion } from './versioning';
import { startBusinessGauges } from './business-gauges';
import { startTracing } from '../infra/telemetry/tracing';
import { formatMemoryReport, memoryReport } from '../infra/process/memory-report';

/** The SDK's own log lines (core, worker state) go through the same pino logger. */
function installRuntime(logger: Logger, metricsPort: number): void {
  const sdk = logger.child({ component: 'temporal-sdk' });
  const at = (level: LogLevel) => ({ TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' }) [level] as 'info';
  const log = (level: LogLevel, message: string, meta?: LogMetadata) => sdk[at(level)](meta ?? {}, message);
  Runtime.install({
    // Signals are handled below, so shutdown is logged and the clients are closed in order.
    shutdownSignals: [],
    // Core's own (Rust) lines, e.g. poll retries while Temporal is down, as JSON too, WARN and up.
    telemetryOptions: {
      logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} },
      // The SDK's worker metrics (task latencies, slots, polls, sticky cache) and the business
      // metrics recorded through the same meter, on http://<host>:WORKER_METRICS_PORT/metrics.
      ...(metricsPort > 0 ? { metrics: { prometheus: { bindAddress: `0.0.0.0:${metricsPort}`, useSecondsForDurations: true } } } : {}),
    },
    logger: {
      log,
      trace: (message, meta) => log('TRACE', message, meta),
      debug: (message, meta) => log('DEBUG', message, meta),
      info: (message, meta) => log('INFO', message, meta),
      warn: (message, meta) => log('WARN', message, meta),
      error: (message, meta) => log('ERROR', message, meta),
    },
  });
}

async function main(): Promise<number> {
  const config = loadConfig();
  const logger = createLogger(config, 'worker');
  installRuntime(logger, config.workerMetricsPort);
  const tracing = startTracing(config.otelExporterOtlpEndpoint, 'booking-worker');
  // Memory and connections bounded from the environment: the sticky cache, the activity slots and
  // a database pool with one connection per slot (README, configuration).
  const deps = buildWorkerDeps(config, logger, { dbPoolSize: config.workerDbPoolSize });
  const tuning = {
    maxCachedWorkflows: config.workerMaxCachedWorkflows,
    maxConcurrentActivityTaskExecutions: config.workerMaxConcurrentActivities,
    maxConcurrentLocalActivityExecutions: config.workerMaxConcurrentLocalActivities,
  };

  // `kill -USR2 <pid>`: where the worker's memory is (each V8 isolate, the native rest), one log line.
  process.on('SIGUSR2', () => {
    memoryReport().then(
      (report) => logger.info({ memory: report }, `memory report: ${formatMemoryReport(report)}`),
      (err: Error) => logger.warn({ err: err.message }, 'memory report failed'),
    );
  });

  let booking: Awaited<ReturnType<typeof createBookingWorker>> | undefined;
  const stop = handleStopSignals({
    logger,
    message: 'shutting down: no new tasks, finishing the ones in flight',
    onStop: () => booking?.shutdown(),
  });

  try {
    booking = await createBookingWorker({ config, logger, activityDeps: deps.activities, tuning, tracing });
    if (stop.requested) booking.shutdown();
    // Concurrently with polling; logs its outcome and never fails the worker.
    // Test workers on private task queues turn it off (HOLD_SWEEPER_SCHEDULE=off) so they never
    // point the one shared Schedule at a queue nobody polls once the test is over.
    const scheduleOf = { connection: booking.connection, namespace: config.temporalNamespace, taskQueue: config.temporalTaskQueue, logger };
    const sweeperSchedule = config.holdSweeperSchedule
      ? Promise.all([
          startHoldSweeperSchedule(scheduleOf),
          startNotificationRelaySchedule(scheduleOf),
          startWebhookDispatcherSchedule(scheduleOf),
          startCalendarReconcileSchedules({ ...scheduleOf, db: deps.activities.db, everyMs: config.calendarReconcileIntervalMs }),
        ])
      : Promise.resolve();
    logger.info(
      {
        taskQueue: config.temporalTaskQueue,
        namespace: config.temporalNamespace,
        temporal: config.temporalAddress,
        buildId: booking.buildId,
        deploymentName: booking.deploymentName,
        metricsPort: config.workerMetricsPort || undefined,
      },
      'worker polling',
    );
    // Business gauges beside the SDK's metrics, only where they are exported.
    const gauges = config.workerMetricsPort > 0 ? startBusinessGauges({ db: deps.activities.db, logger }) : undefined;
    const running = booking.run();
    // A fresh deployment gets this build as its Current Version (worker/versioning.ts); never fails the worker.
    const versioning = booking.deploymentName
      ? adoptIfNoCurrentVersion({ connection: booking.connection, namespace: config.temporalNamespace, deploymentName: booking.deploymentName, buildId: booking.buildId, logger })
      : Promise.resolve();
    await running;
    gauges?.stop();
    await Promise.all([sweeperSchedule, versioning]);
    logger.info('worker stopped');
    return 0;
  } catch (error) {
    logger.error({ err: error }, 'worker failed');
    return 1;
  } finally {
    await booking?.close().catch((error: Error) => logger.warn({ err: error.message }, 'closing the Temporal connection failed'));
    await deps.close();
    await tracing?.shutdown().catch(() => undefined);
  }
}

void main().then((code) => process.exit(code));
