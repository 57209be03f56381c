/**
 * The API's part in reconciliation (workflows/calendar-reconcile.contract.ts): the connection's
 * Schedule follows the connection (created with it, deleted with it; best effort: every worker
 * start ensures the Schedules of all connections again), and `POST .../reconcile` starts a run.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { deleteReconcileSchedule, reconcileScheduleOptions } from '../../infra/temporal/calendar-reconcile-schedule';
import { ensureSchedule } from '../../infra/temporal/schedules';
import { isTemporalUnavailable } from '../../infra/temporal/temporal-client';
import { assertReachable, TemporalUnavailableError } from '../../infra/temporal/start-and-await';
import { CALENDAR_RECONCILE_WORKFLOW, manualReconcileWorkflowId, type CalendarReconcileInput } from '../../workflows/calendar-reconcile.contract';
import { temporalOf } from '../bookings/booking-answers';
import type { RouteContext } from '../route-kit';

const DEADLINE_MS = 3_000;

/** Never fails the request (the connection change is committed): a failure is logged, the worker's start-up repairs it. */
export async function reconcileSchedule(ctx: RouteContext, connectionId: string, action: 'ensure' | 'delete'): Promise<void> {
  const client = ctx.deps.temporal;
  if (!client) return;
  const { config } = ctx.deps;
  try {
    await client.withDeadline(Date.now() + DEADLINE_MS, async () => {
      if (action === 'ensure') await ensureSchedule(client, reconcileScheduleOptions(connectionId, config.temporalTaskQueue, config.calendarReconcileIntervalMs));
      else await deleteReconcileSchedule(client, connectionId);
    });
  } catch (error) {
    ctx.deps.logger.warn({ connectionId, action, err: error instanceof Error ? error.message : String(error) }, 'calendar connection: reconciliation schedule not updated');
  }
}

/** Starts (or joins) the connection's manual reconciliation; answers its workflow id. */
export async function startReconcile(ctx: RouteContext, connectionId: string): Promise<string> {
  const client = temporalOf(ctx.deps);
  const workflowId = manualReconcileWorkflowId(connectionId);
  const input: CalendarReconcileInput = { connectionId };
  await assertReachable(client);
  try {
    await client.withDeadline(Date.now() + DEADLINE_MS, () =>
      client.workflow.start(CALENDAR_RECONCILE_WORKFLOW, {
        workflowId,
        taskQueue: ctx.deps.config.temporalTaskQueue,
        args: [input],
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      }),
    );
  } catch (error) {
    if (isTemporalUnavailable(error)) throw new TemporalUnavailableError(error, true);
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
  return workflowId;
}
