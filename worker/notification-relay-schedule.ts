/**
 * The `notification-relay` Temporal Schedule (workflows/notification-relay.contract.ts), made sure
 * of by every worker at start-up (same switch as the hold sweeper's: HOLD_SWEEPER_SCHEDULE=off
 * leaves both alone, for test workers on private queues): created when missing, otherwise
 * pointed at this worker's task queue. Never throws: a worker without it still serves the sagas.
 */
import { Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy, type ScheduleOptions } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import type { Logger } from '../infra/logger';
import {
  NOTIFICATION_RELAY_INTERVAL,
  NOTIFICATION_RELAY_RUN_TIMEOUT,
  NOTIFICATION_RELAY_SCHEDULE_ID,
  NOTIFICATION_RELAY_WORKFLOW,
} from '../workflows/notification-relay.contract';

export function notificationRelaySchedule(taskQueue: string, scheduleId = NOTIFICATION_RELAY_SCHEDULE_ID, every: string = NOTIFICATION_RELAY_INTERVAL): ScheduleOptions {
  return {
    scheduleId,
    spec: { intervals: [{ every: every as '1 minute' }] },
    action: { type: 'startWorkflow', workflowType: NOTIFICATION_RELAY_WORKFLOW, taskQueue, args: [{}], workflowExecutionTimeout: NOTIFICATION_RELAY_RUN_TIMEOUT },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
    memo: { summary: 'resends pending notifications with backoff for 72 hours, then marks them failed' },
  };
}

export async function ensureNotificationRelaySchedule(client: Client, want: ScheduleOptions): Promise<'created' | 'updated'> {
  try {
    await client.schedule.create(want);
    return 'created';
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
  await client.schedule.getHandle(want.scheduleId).update((previous) => ({ ...previous, spec: want.spec, action: want.action, policies: { ...previous.policies, ...want.policies } }));
  return 'updated';
}

export async function startNotificationRelaySchedule(input: { connection: NativeConnection; namespace: string; taskQueue: string; logger: Logger }): Promise<void> {
  try {
    const client = new Client({ connection: input.connection, namespace: input.namespace });
    const outcome = await ensureNotificationRelaySchedule(client, notificationRelaySchedule(input.taskQueue));
    input.logger.info({ scheduleId: NOTIFICATION_RELAY_SCHEDULE_ID, outcome, taskQueue: input.taskQueue }, 'notification relay schedule ready');
  } catch (error) {
    input.logger.error({ err: error, scheduleId: NOTIFICATION_RELAY_SCHEDULE_ID }, 'notification relay schedule could not be ensured');
  }
}
