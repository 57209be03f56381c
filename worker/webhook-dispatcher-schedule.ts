/**
 * The `webhook-dispatcher` Temporal Schedule (workflows/webhook-delivery.contract.ts), ensured by
 * every worker at start-up beside the relay and the sweeper (same HOLD_SWEEPER_SCHEDULE switch):
 * every minute a dispatcher run polls the webhook outbox for ~50 s and wakes delivery workflows.
 * Never throws: a worker without it still serves the sagas.
 */
import { Client, ScheduleOverlapPolicy, type ScheduleOptions } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import type { Logger } from '../infra/logger';
import {
  WEBHOOK_DISPATCHER_INTERVAL,
  WEBHOOK_DISPATCHER_RUN_TIMEOUT,
  WEBHOOK_DISPATCHER_SCHEDULE_ID,
  WEBHOOK_DISPATCHER_WORKFLOW,
  type WebhookDispatcherInput,
} from '../workflows/webhook-delivery.contract';
import { ensureNotificationRelaySchedule } from './notification-relay-schedule';

export function webhookDispatcherSchedule(taskQueue: string, scheduleId = WEBHOOK_DISPATCHER_SCHEDULE_ID, input: WebhookDispatcherInput = {}): ScheduleOptions {
  return {
    scheduleId,
    spec: { intervals: [{ every: WEBHOOK_DISPATCHER_INTERVAL }] },
    action: { type: 'startWorkflow', workflowType: WEBHOOK_DISPATCHER_WORKFLOW, taskQueue, args: [input], workflowExecutionTimeout: WEBHOOK_DISPATCHER_RUN_TIMEOUT },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
    memo: { summary: 'wakes outbound webhook deliveries written by the database outbox triggers' },
  };
}

export async function startWebhookDispatcherSchedule(input: { connection: NativeConnection; namespace: string; taskQueue: string; logger: Logger }): Promise<void> {
  try {
    const client = new Client({ connection: input.connection, namespace: input.namespace });
    // The same create-or-update as the relay's (a Schedule is a Schedule).
    const outcome = await ensureNotificationRelaySchedule(client, webhookDispatcherSchedule(input.taskQueue));
    input.logger.info({ scheduleId: WEBHOOK_DISPATCHER_SCHEDULE_ID, outcome, taskQueue: input.taskQueue }, 'webhook dispatcher schedule ready');
  } catch (error) {
    input.logger.error({ err: error, scheduleId: WEBHOOK_DISPATCHER_SCHEDULE_ID }, 'webhook dispatcher schedule could not be ensured');
  }
}
