/**
 * At worker start (same switch as the other Schedules: HOLD_SWEEPER_SCHEDULE=off leaves them
 * alone), every calendar connection's reconciliation Schedule is made sure of: created when
 * missing (e.g. the API could not reach Temporal when the connection was made), otherwise
 * pointed at this worker's task queue and CALENDAR_RECONCILE_INTERVAL. Never throws.
 */
import { Client } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import type { Db } from '../infra/db/prisma';
import type { Logger } from '../infra/logger';
import { reconcileScheduleOptions } from '../infra/temporal/calendar-reconcile-schedule';
import { ensureSchedule } from '../infra/temporal/schedules';

export async function startCalendarReconcileSchedules(input: {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  logger: Logger;
  db: Db;
  everyMs: number;
}): Promise<void> {
  try {
    const client = new Client({ connection: input.connection, namespace: input.namespace });
    const connections = await input.db.calendarConnection.findMany({ select: { id: true }, orderBy: { id: 'asc' } });
    const outcomes = { created: 0, updated: 0, unchanged: 0, failed: 0 };
    for (const { id } of connections) {
      try {
        outcomes[await ensureSchedule(client, reconcileScheduleOptions(id, input.taskQueue, input.everyMs))] += 1;
      } catch (error) {
        outcomes.failed += 1;
        input.logger.warn({ connectionId: id, err: error instanceof Error ? error.message : String(error) }, 'calendar reconciliation schedule could not be ensured');
      }
    }
    input.logger.info({ ...outcomes, everyMs: input.everyMs, taskQueue: input.taskQueue }, 'calendar reconciliation schedules ready');
  } catch (error) {
    input.logger.error({ err: error }, 'calendar reconciliation schedules could not be ensured');
  }
}
