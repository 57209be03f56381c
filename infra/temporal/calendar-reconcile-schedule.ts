/**
 * The reconciliation Schedule of each calendar connection (workflows/calendar-reconcile.contract.ts):
 * created or brought up to date when a connection is created and at every worker start, deleted
 * with the connection, and with every connection of a company before the company goes (the
 * database's cascade cannot reach Temporal). A Schedule whose connection went another way (rows
 * deleted in SQL) deletes itself at its next run (calendar-reconcile.activities.ts, `gone`).
 * Every CALENDAR_RECONCILE_INTERVAL, overlap SKIP (a slow run is never doubled), a short catch-up
 * window (a missed run is simply the next one).
 */
import { ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import type { Db } from '../db/prisma';
import { CALENDAR_RECONCILE_WORKFLOW, reconcileScheduleId, type CalendarReconcileInput } from '../../workflows/calendar-reconcile.contract';

export function reconcileScheduleOptions(connectionId: string, taskQueue: string, everyMs: number): ScheduleOptions {
  const input: CalendarReconcileInput = { connectionId };
  return {
    scheduleId: reconcileScheduleId(connectionId),
    spec: { intervals: [{ every: everyMs }] },
    action: {
      type: 'startWorkflow',
      workflowType: CALENDAR_RECONCILE_WORKFLOW,
      workflowId: reconcileScheduleId(connectionId),
      taskQueue,
      args: [input],
      workflowExecutionTimeout: '30 minutes',
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
    memo: { summary: `compares the next 62 days of Cal.com bookings of connection ${connectionId} with ours and repairs missed changes` },
  };
}

/** Deleted, or already gone. */
export async function deleteReconcileSchedule(client: Client, connectionId: string): Promise<void> {
  try {
    await client.schedule.getHandle(reconcileScheduleId(connectionId)).delete();
  } catch (error) {
    if (!(error instanceof ScheduleNotFoundError)) throw error;
  }
}

/** The Schedules of all of a company's connections (deleted, or already gone); answers how many connections it has. */
export async function deleteCompanyReconcileSchedules(client: Client, db: Db, companyId: string): Promise<number> {
  const connections = await db.calendarConnection.findMany({ where: { companyId }, select: { id: true } });
  for (const { id } of connections) await deleteReconcileSchedule(client, id);
  return connections.length;
}
