/**
 * Lifecycle of one confirmed booking: reminders at `start - minutesBefore`, then completion at
 * `end + completionGraceMinutes` (API.md "The booking after confirmation").
 *
 * Invariants
 * - The database is the truth: every wake-up (timer or `bookingChanged` signal) re-reads the
 *   booking (`loadLifecyclePlan`), so a moved booking is reminded at its new time and a
 *   cancelled / no-show / completed one ends the lifecycle without another message.
 * - A reminder is keyed by lead time and start (`<minutesBefore>@<start>`): sent once per start
 *   (the key is in workflow state and in the outbox dedupe key); a reminder whose moment passed
 *   before the booking got its start is skipped; none is sent after the appointment began.
 * - The send activity re-checks that the booking is still confirmed at that start, so a
 *   reschedule or cancel racing the timer sends nothing stale.
 * - Completion is a conditional update (`confirmed` and still ending at the planned end).
 * - Since patch `lifecycle-review-request`: a booking that ends `completed` (by this workflow's
 *   timer, or by the front desk, which signals it) gets one review request (kind
 *   `review_request`, dedupe key `<workflowId>:review-request`). Best effort: a send that gives
 *   up stays in the outbox for the notification relay. Runs that started before the patch, and
 *   the recorded histories of them, end as before.
 * Time: the workflow only compares the activity's instants with its own clock and sleeps
 * (durable timers, days long); zones never enter here. Short-lived: no continue-as-new.
 * Idempotent: every step keys on the workflow id; a repeated signal only re-reads.
 */
import { condition, log, patched, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { remindersToSend } from '../domain/notifications/lifecycle-schedule';
import { bookingChangedSignal, type LifecycleInput, type LifecycleResult } from './booking-lifecycle.contract';
import { BEST_EFFORT_ACTIVITY, DB_ACTIVITY } from './lib/activity-options';
import { describeFailure } from './lib/failures';

const db = proxyActivities<Activities>(DB_ACTIVITY);
const notify = proxyActivities<Activities>(BEST_EFFORT_ACTIVITY);

/** Patch id (a durable name): review requests after completion. */
const REVIEW_REQUEST_PATCH = 'lifecycle-review-request';

export async function bookingLifecycleWorkflow(input: LifecycleInput): Promise<LifecycleResult> {
  const { bookingId } = input;
  const key = (step: string) => `${workflowInfo().workflowId}:${step}`;
  let changes = 0;
  setHandler(bookingChangedSignal, () => void (changes += 1));
  const sent = new Set<string>();
  const reminders: string[] = [];

  const requestReview = async () => {
    await notify.sendReviewRequest({ bookingId, dedupeKey: key('review-request') }).catch((error: unknown) => {
      log.warn('review request gave up', { bookingId, error: describeFailure(error) });
    });
  };

  for (;;) {
    const seen = changes;
    const plan = await db.loadLifecyclePlan({ bookingId });
    if (plan.kind === 'ended') {
      // Completed at the front desk (signalled, or noticed at the next timer).
      if (plan.status === 'completed' && patched(REVIEW_REQUEST_PATCH)) await requestReview();
      return { bookingId, status: plan.status, reminders };
    }
    const { schedule } = plan;
    const now = Date.now();
    const pending = remindersToSend(schedule, plan.start, Date.parse(plan.startSince), sent);
    const due = pending.filter((r) => Date.parse(r.at) <= now);
    if (due.length > 0) {
      for (const r of due) {
        sent.add(r.key);
        const result = await notify
          .sendBookingReminder({ bookingId, minutesBefore: r.minutesBefore, channels: r.channels, start: plan.start, dedupeKey: key(`reminder:${r.key}`) })
          .catch((error: unknown) => {
            log.warn('reminder gave up', { bookingId, reminder: r.key, error: describeFailure(error) });
            return undefined;
          });
        if (result?.status !== 'stale') reminders.push(r.key);
      }
      continue;
    }
    if (Date.parse(schedule.completeAt) <= now) {
      const done = await db.completeBookingOnSchedule({ bookingId, end: plan.end, dedupeKey: key('complete') });
      if (done.kind === 'completed') {
        if (patched(REVIEW_REQUEST_PATCH)) await requestReview();
        return { bookingId, status: 'completed', reminders };
      }
      continue;
    }
    const next = Math.min(Date.parse(schedule.completeAt), ...pending.map((r) => Date.parse(r.at)));
    await condition(() => changes !== seen, next - now);
  }
}
