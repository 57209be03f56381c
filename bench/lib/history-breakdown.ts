/**
 * Where a workflow's time goes, read from its event history: for every activity type the queue
 * wait (scheduled → started: poll latency, worker slots) and the run time (started → completed:
 * our code, database, Cal.com), and for workflow tasks the same two figures. Medians over a
 * sample of runs, so a benchmark that misses its target can say which part is slow.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { summarize } from './stats';

type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];

const toMs = (t: HistoryEvent['eventTime']): number => Number(t?.seconds?.toString() ?? 0) * 1000 + (t?.nanos ?? 0) / 1e6;
const key = (id: unknown): string => String(id?.toString());

export interface StepTimes {
  name: string;
  queueMs: number;
  runMs: number;
}

/** The steps of one run in order: workflow tasks as "(workflow task)", activities by type. */
export function stepsOf(events: HistoryEvent[]): StepTimes[] {
  const scheduled = new Map<string, { name: string; at: number }>();
  const started = new Map<string, number>();
  const steps: StepTimes[] = [];
  for (const e of events) {
    const id = key(e.eventId);
    const at = toMs(e.eventTime);
    if (e.activityTaskScheduledEventAttributes) scheduled.set(id, { name: e.activityTaskScheduledEventAttributes.activityType?.name ?? '?', at });
    else if (e.workflowTaskScheduledEventAttributes) scheduled.set(id, { name: '(workflow task)', at });
    else if (e.activityTaskStartedEventAttributes) started.set(key(e.activityTaskStartedEventAttributes.scheduledEventId), at);
    else if (e.workflowTaskStartedEventAttributes) started.set(key(e.workflowTaskStartedEventAttributes.scheduledEventId), at);
    else {
      const done = e.activityTaskCompletedEventAttributes ?? e.workflowTaskCompletedEventAttributes;
      if (!done) continue;
      const s = scheduled.get(key(done.scheduledEventId));
      const st = started.get(key(done.scheduledEventId));
      if (s && st !== undefined) steps.push({ name: s.name, queueMs: st - s.at, runMs: at - st });
    }
  }
  return steps;
}

export interface Breakdown {
  name: string;
  count: number;
  queueP50: number;
  runP50: number;
  runP95: number;
  /** scheduled → completed (for activities the server may stamp "started" late; this is robust) */
  totalP50: number;
}

export async function historyBreakdown(client: Client, workflowIds: string[]): Promise<{ steps: Breakdown[]; totalP50: number }> {
  const byName = new Map<string, StepTimes[]>();
  const totals: number[] = [];
  for (const id of workflowIds) {
    const history = await client.workflow.getHandle(id).fetchHistory();
    const events = history.events ?? [];
    if (events.length > 1) totals.push(toMs(events[events.length - 1].eventTime) - toMs(events[0].eventTime));
    for (const step of stepsOf(events)) byName.set(step.name, [...(byName.get(step.name) ?? []), step]);
  }
  const steps = [...byName].map(([name, list]) => {
    const queue = summarize(list.map((s) => s.queueMs));
    const run = summarize(list.map((s) => s.runMs));
    const total = summarize(list.map((s) => s.queueMs + s.runMs));
    return { name, count: list.length, queueP50: queue.median, runP50: run.median, runP95: run.p95, totalP50: total.median };
  });
  return { steps, totalP50: summarize(totals).median };
}

/**
 * One run's steps on a wall clock relative to `t0Ms` (epoch ms): workflow tasks and activities
 * as `name +scheduled/+started/+completed`, signals and child workflows as they were recorded.
 * To see where the seconds of a chain of workflows (cancel → fan-out → monitor → saga) go.
 */
export async function timeline(client: Client, workflowId: string, t0Ms: number): Promise<string[]> {
  const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const rel = (e: HistoryEvent) => `+${Math.round(toMs(e.eventTime) - t0Ms)}`;
  const scheduled = new Map<string, { name: string; at: string }>();
  const started = new Map<string, string>();
  const lines: string[] = [];
  for (const e of events) {
    const id = key(e.eventId);
    if (e.workflowExecutionStartedEventAttributes) lines.push(`started ${rel(e)}`);
    else if (e.activityTaskScheduledEventAttributes) scheduled.set(id, { name: e.activityTaskScheduledEventAttributes.activityType?.name ?? '?', at: rel(e) });
    else if (e.workflowTaskScheduledEventAttributes) scheduled.set(id, { name: 'task', at: rel(e) });
    else if (e.activityTaskStartedEventAttributes) started.set(key(e.activityTaskStartedEventAttributes.scheduledEventId), rel(e));
    else if (e.workflowTaskStartedEventAttributes) started.set(key(e.workflowTaskStartedEventAttributes.scheduledEventId), rel(e));
    else if (e.workflowExecutionSignaledEventAttributes) lines.push(`signal ${e.workflowExecutionSignaledEventAttributes.signalName} ${rel(e)}`);
    else if (e.startChildWorkflowExecutionInitiatedEventAttributes) lines.push(`child initiated ${rel(e)}`);
    else if (e.childWorkflowExecutionStartedEventAttributes) lines.push(`child started ${rel(e)}`);
    else if (e.childWorkflowExecutionCompletedEventAttributes) lines.push(`child completed ${rel(e)}`);
    else if (e.markerRecordedEventAttributes?.markerName === 'core_local_activity') lines.push(`local activity ${rel(e)}`);
    else if (e.workflowExecutionCompletedEventAttributes || e.workflowExecutionContinuedAsNewEventAttributes) lines.push(`closed ${rel(e)}`);
    else {
      const done = e.activityTaskCompletedEventAttributes ?? e.workflowTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes;
      const s = done ? scheduled.get(key(done.scheduledEventId)) : undefined;
      if (done && s) lines.push(`${s.name} ${s.at}/${started.get(key(done.scheduledEventId)) ?? '?'}/${rel(e)}`);
    }
  }
  return lines;
}
