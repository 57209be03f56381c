/**
 * Business gauges of the worker process, sampled from PostgreSQL every 15 s and exported with the
 * SDK's metrics on WORKER_METRICS_PORT (Runtime metric meter; no prefix):
 *   sync_failures_open         sync failures not resolved (open or retrying)
 *   waitlist_monitors_running  waiting-list entries whose monitor runs (waiting, notified)
 * Both are global counts (all companies): every worker replica reports the same number, so a
 * dashboard takes max() across instances, never sum(). Counters of events (outcomes,
 * compensations) are recorded in the workflows (workflows/metrics.interceptors.ts, lib/saga.ts).
 */
import { Runtime } from '@temporalio/worker';
import type { Db } from '../infra/db/prisma';
import type { Logger } from '../infra/logger';

export const MONITOR_RUNNING_STATUSES = ['waiting', 'notified'];
export const SYNC_FAILURE_OPEN_STATUSES = ['open', 'retrying'];

export function startBusinessGauges(input: { db: Db; logger: Logger; everyMs?: number }): { stop(): void; sample(): Promise<void> } {
  const meter = Runtime.instance().metricMeter;
  const syncFailures = meter.createGauge('sync_failures_open', 'int', 'failures', 'Calendar sync failures not resolved (open or retrying)');
  const monitors = meter.createGauge('waitlist_monitors_running', 'int', 'monitors', 'Waiting-list entries whose monitor is running');
  const sample = async () => {
    try {
      const [open, running] = await Promise.all([
        input.db.syncFailure.count({ where: { status: { in: SYNC_FAILURE_OPEN_STATUSES } } }),
        input.db.waitingListEntry.count({ where: { status: { in: MONITOR_RUNNING_STATUSES } } }),
      ]);
      syncFailures.set(open);
      monitors.set(running);
    } catch (error) {
      input.logger.warn({ err: (error as Error).message }, 'business gauges could not be sampled');
    }
  };
  void sample();
  const timer = setInterval(() => void sample(), input.everyMs ?? 15_000);
  timer.unref();
  return { stop: () => clearInterval(timer), sample };
}
