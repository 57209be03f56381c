/**
 * Creating or converging a Temporal Schedule, one way for all of them (hold sweeper, notification
 * relay, webhook dispatcher, calendar reconciliation). Create it; if it exists, bring its spec,
 * action and policies to what this code wants (so a changed task queue or interval converges), or
 * leave it alone when `unchanged` says it already is. Workers starting together are fine: the
 * losers of the create update to the same thing.
 */
import { Client, ScheduleAlreadyRunning, type ScheduleDescription, type ScheduleOptions } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import type { Logger } from '../logger';

export type ScheduleOutcome = 'created' | 'updated' | 'unchanged';

export async function ensureSchedule(
  client: Client,
  want: ScheduleOptions,
  unchanged?: (current: ScheduleDescription) => boolean,
): Promise<ScheduleOutcome> {
  try {
    await client.schedule.create(want);
    return 'created';
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
  const handle = client.schedule.getHandle(want.scheduleId);
  if (unchanged && unchanged(await handle.describe())) return 'unchanged';
  await handle.update((previous) => ({ ...previous, spec: want.spec, action: want.action, policies: { ...previous.policies, ...want.policies } }));
  return 'updated';
}

export interface WorkerScheduleContext {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  logger: Logger;
}

/**
 * For worker start-up: ensures a schedule over the worker's own connection and logs the outcome
 * as "<what> schedule ready". Never throws: a worker without its schedules still serves the sagas
 * (logged as an error).
 */
export async function ensureScheduleAtStart(
  context: WorkerScheduleContext,
  what: string,
  want: ScheduleOptions,
  unchanged?: (current: ScheduleDescription) => boolean,
): Promise<void> {
  try {
    const client = new Client({ connection: context.connection, namespace: context.namespace });
    const outcome = await ensureSchedule(client, want, unchanged);
    context.logger.info({ scheduleId: want.scheduleId, outcome, taskQueue: context.taskQueue }, `${what} schedule ready`);
  } catch (error) {
    context.logger.error({ err: error, scheduleId: want.scheduleId }, `${what} schedule could not be ensured`);
  }
}
