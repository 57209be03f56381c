/**
 * The `hold-sweeper` Temporal Schedule (workflows/hold-sweeper.contract.ts), made sure of by every
 * worker at start-up: created when missing; when it exists, left alone if it already starts the
 * sweeper every 5 minutes on this worker's task queue with overlap SKIP, else updated to that (so
 * a changed task queue or interval converges). Workers starting together are fine: the losers
 * of the create see an equal schedule. A missed run is not caught up (catch-up window 1 minute):
 * the next one sweeps the same rows.
 */
import { ScheduleOverlapPolicy, type Client, type ScheduleDescription, type ScheduleOptions } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import { ensureSchedule, ensureScheduleAtStart, type ScheduleOutcome, type WorkerScheduleContext } from '../infra/temporal/schedules';
import {
  HOLD_SWEEPER_INTERVAL,
  HOLD_SWEEPER_RUN_TIMEOUT,
  HOLD_SWEEPER_SCHEDULE_ID,
  HOLD_SWEEPER_WORKFLOW,
} from '../workflows/hold-sweeper.contract';
import { ownerAttributes } from '../workflows/search-attributes.contract';

export interface HoldSweeperScheduleOptions {
  taskQueue: string;
  /** Defaults to `hold-sweeper`; tests use their own id. */
  scheduleId?: string;
  /** Defaults to every 5 minutes. */
  every?: Duration;
}

function desired({ taskQueue, scheduleId = HOLD_SWEEPER_SCHEDULE_ID, every = HOLD_SWEEPER_INTERVAL }: HoldSweeperScheduleOptions): ScheduleOptions {
  return {
    scheduleId,
    spec: { intervals: [{ every }] },
    action: {
      type: 'startWorkflow',
      workflowType: HOLD_SWEEPER_WORKFLOW,
      taskQueue,
      args: [{}],
      workflowExecutionTimeout: HOLD_SWEEPER_RUN_TIMEOUT,
      // Each run is findable as WorkflowKind = "hold-sweeper" and says what it is.
      typedSearchAttributes: ownerAttributes('hold-sweeper', {}),
      memo: { summary: 'sweep: expire abandoned holds, cancel calendar bookings of unconfirmed bookings' },
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
    memo: { summary: 'expires abandoned holds and cancels Cal.com bookings of unconfirmed bookings' },
  };
}

function matches(current: ScheduleDescription, want: ScheduleOptions): boolean {
  const interval = current.spec.intervals?.[0];
  const action = current.action;
  return (
    current.spec.intervals?.length === 1 &&
    interval !== undefined &&
    msToNumber(interval.every) === msToNumber((want.spec.intervals ?? [])[0]?.every ?? 0) &&
    action.type === 'startWorkflow' &&
    action.workflowType === HOLD_SWEEPER_WORKFLOW &&
    action.taskQueue === (want.action as { taskQueue: string }).taskQueue &&
    current.policies.overlap === ScheduleOverlapPolicy.SKIP
  );
}

/** Creates or converges the schedule; answers what it had to do. */
export function ensureHoldSweeperSchedule(client: Client, options: HoldSweeperScheduleOptions): Promise<ScheduleOutcome> {
  const want = desired(options);
  return ensureSchedule(client, want, (current) => matches(current, want));
}

/** For worker start-up (never throws; see ensureScheduleAtStart). */
export function startHoldSweeperSchedule(context: WorkerScheduleContext): Promise<void> {
  const want = desired({ taskQueue: context.taskQueue });
  return ensureScheduleAtStart(context, 'hold sweeper', want, (current) => matches(current, want));
}
