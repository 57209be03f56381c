/**
 * The `notification-relay` Temporal Schedule (workflows/notification-relay.contract.ts), made sure
 * of by every worker at start-up (same switch as the hold sweeper's: HOLD_SWEEPER_SCHEDULE=off
 * leaves both alone, for test workers on private queues): created when missing, otherwise
 * pointed at this worker's task queue. Never throws: a worker without it still serves the sagas.
 */
import { ScheduleOverlapPolicy, type ScheduleOptions } from '@temporalio/client';
import { ensureScheduleAtStart, type WorkerScheduleContext } from '../infra/temporal/schedules';
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

export function startNotificationRelaySchedule(context: WorkerScheduleContext): Promise<void> {
  return ensureScheduleAtStart(context, 'notification relay', notificationRelaySchedule(context.taskQueue));
}
