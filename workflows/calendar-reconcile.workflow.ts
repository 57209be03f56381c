/**
 * Reconciliation of one calendar connection (calendar-reconcile.contract.ts): scan Cal.com for our
 * bookings cancelled or moved there without a webhook reaching us (one paced activity), apply each
 * change through the same steps as a webhook (lib/calendar-inbound-steps.ts: the same dedupe
 * keys, so a change a webhook applies meanwhile is not applied twice), then record the run on the
 * connection (`lastReconciledAt`, `drift: {repaired, open}`).
 *
 * Invariants: only Cal.com's positive word changes anything (a uid it does not show is `open`,
 * never cancelled); Cal.com unreachable fails the scan and with it this run, before any change
 * (the Schedule's next run tries again). No compensation: each applied change is complete on its
 * own. Idempotent: a repeated run finds nothing left to apply.
 */
import { proxyActivities, upsertMemo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { CalendarReconcileInput, CalendarReconcileResult } from './calendar-reconcile.contract';
import { DB_ACTIVITY } from './lib/activity-options';
import { applyInboundEvent } from './lib/calendar-inbound-steps';

const db = proxyActivities<Activities>(DB_ACTIVITY);
/** A few attempts with backoff (Cal.com's Retry-After when it answers 429); then this run fails. */
const scan = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 3, nonRetryableErrorTypes: ['CalendarRejected'] },
});

export async function calendarReconcileWorkflow(input: CalendarReconcileInput): Promise<CalendarReconcileResult> {
  const { connectionId } = input;
  const found = await scan.scanCalendarDrift({ connectionId });
  if (found.kind === 'gone') return { kind: 'gone', connectionId };
  let repaired = 0;
  let open = found.unresolved;
  for (const event of found.events) {
    const applied = await applyInboundEvent({ connectionId, event, source: 'reconcile' });
    if (applied.kind === 'cancelled' || applied.kind === 'rescheduled') repaired += 1;
    else if (applied.kind === 'reschedule_refused') open += 1;
  }
  await db.finishCalendarReconcile({ connectionId, repaired, open });
  upsertMemo({ summary: `${connectionId}: ${found.examined} compared, ${repaired} repaired, ${open} open, ${found.requests} Cal.com requests` });
  return { kind: 'done', connectionId, examined: found.examined, repaired, open, requests: found.requests };
}
