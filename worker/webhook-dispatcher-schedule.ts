/**
 * The `webhook-dispatcher` Temporal Schedule (workflows/webhook-delivery.contract.ts), ensured by
 * every worker at start-up beside the relay and the sweeper (same HOLD_SWEEPER_SCHEDULE switch):
 * every minute a dispatcher run polls the webhook outbox for ~50 s and wakes delivery workflows.
 * Never throws: a worker without it still serves the sagas.
 */
import { ScheduleOverlapPolicy, type ScheduleOptions } from '@temporalio/client';
import { ensureScheduleAtStart, type WorkerScheduleContext } from '../infra/temporal/schedules';
import {
  WEBHOOK_DISPATCHER_INTERVAL,
  WEBHOOK_DISPATCHER_RUN_TIMEOUT,
  WEBHOOK_DISPATCHER_SCHEDULE_ID,
  WEBHOOK_DISPATCHER_WORKFLOW,
  type WebhookDispatcherInput,
} from '../workflows/webhook-delivery.contract';

export function webhookDispatcherSchedule(taskQueue: string, scheduleId = WEBHOOK_DISPATCHER_SCHEDULE_ID, input: WebhookDispatcherInput = {}): ScheduleOptions {
  return {
    scheduleId,
    spec: { intervals: [{ every: WEBHOOK_DISPATCHER_INTERVAL }] },
    action: { type: 'startWorkflow', workflowType: WEBHOOK_DISPATCHER_WORKFLOW, taskQueue, args: [input], workflowExecutionTimeout: WEBHOOK_DISPATCHER_RUN_TIMEOUT },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
    memo: { summary: 'wakes outbound webhook deliveries written by the database outbox triggers' },
  };
}

export function startWebhookDispatcherSchedule(context: WorkerScheduleContext): Promise<void> {
  return ensureScheduleAtStart(context, 'webhook dispatcher', webhookDispatcherSchedule(context.taskQueue));
}
