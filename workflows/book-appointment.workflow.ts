/**
 * Booking saga: validate → hold the slot → create the Cal.com booking → confirm → notify →
 * invalidate the availability cache (+ nothing after the pivot can undo the booking).
 *
 * Invariants
 * - The database exclusion constraint decides who gets a slot: the hold is the booking row in
 *   `pending`; a refused hold is a conflict with alternatives, not an error. Since patch
 *   `api-held-slot` the API takes the hold before the start (`heldSlot`) and only the winner's
 *   saga runs; it adopts the hold (same undo). Other starters leave plan and hold to the saga.
 * - The availability cache is invalidated by the activities that change hands (hold, release),
 *   so no answer ever precedes it; the invalidation after the notification stays as a backstop.
 * - Every run ends with the booking `confirmed` (calendar synced) or `failed` (hold released): no
 *   `pending` row and no Cal.com booking without a confirmed booking are left behind, also after
 *   a worker crash (every step is an idempotent activity: a completed one is in the history, an
 *   interrupted one runs again; plan, hold and confirm are local activities on the worker since
 *   patch `db-steps-as-local-activities`, so a crash mid-task re-runs them from the last task).
 * Compensation (undo registered before each step, run newest first): cancel any Cal.com booking
 * made for us (no-op when none exists) → release the hold; then mark the booking failed
 * (`calendar_sync_failed`) → record a sync failure → notify the customer → invalidate the cache
 * → signal waiting-list monitors. A refused confirm compensates too: the row left `pending`
 * (hold released/expired → failed as above; moved on by someone else, e.g. cancelled → only the
 * Cal.com booking is undone) or was deleted (Cal.com booking cancelled by its uid, `not_found`).
 * Not linked (patch `calendar-not-linked`): a plan marked `calendar: 'not_linked'` (branch without
 * a calendar connection, staff member or service without a Cal.com id) skips the calendar step and
 * its undo and confirms with `calendar.status: "not_linked"`.
 * After the outcome, a confirmed booking gets its lifecycle (reminders, completion): an abandoned
 * child workflow `lifecycle-<bookingId>` (since patch `start-booking-lifecycle`).
 * Packages (patch `package-parts`): a plan with `parts` held every part in one statement (the
 * booking's row and a child row per later part, all or none); each linked part gets its own
 * Cal.com booking, in order, each undo registered before its create, so a part the calendar
 * refuses cancels every part made before it and releases the hold of all parts (the parts' rows
 * follow the booking's status).
 * Approval (patch `approval-gate`): a plan with `approval` waits after the hold, `awaiting_approval`
 * (the saga's first outcome), for a manager's approve/decline update or its deadline timer; an
 * approval continues with the calendar step below, a decline ends the run (lib/approval-gate.ts).
 * Idempotency: dedupe keys are `<workflowId>:<step>`; the calendar create carries our booking id
 * in Cal.com metadata and adopts an existing booking on a retry, so it never books twice.
 */
import { CancellationScope, condition, isCancellation, log, patched, proxyActivities, proxyLocalActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  awaitBookingOutcomeUpdate,
  currentStepQuery,
  type BookAppointmentInput,
  type BookAppointmentResult,
  type BookingStep,
  packagePartId,
  type HeldSlot,
  type PartSlot,
} from './book-appointment.contract';
import { BEST_EFFORT_ACTIVITY, CALENDAR_ACTIVITY, CALENDAR_UNDO_ACTIVITY, DB_ACTIVITY, LOCAL_DB_ACTIVITY } from './lib/activity-options';
import { describeFailure, failureType } from './lib/failures';
import { Saga } from './lib/saga';
import { approvalGate } from './lib/approval-gate';
import { startLifecycle } from './lib/lifecycle-start';
import { announceSlotFreed, invalidateBranchCache, notifyCustomer } from './lib/side-effects';
import { publishIdentity, publishStart, publishStatus } from './lib/visibility';
import { hasIdentity } from './search-attributes.contract';

const db = proxyActivities<Activities>(DB_ACTIVITY);
const localDb = proxyLocalActivities<Activities>(LOCAL_DB_ACTIVITY);
const calendar = proxyActivities<Activities>(CALENDAR_ACTIVITY);
const calendarUndo = proxyActivities<Activities>(CALENDAR_UNDO_ACTIVITY);
/** Cache invalidation on the worker (a Redis publish): the best-effort retries, never fatal. */
const localBestEffort = proxyLocalActivities<Activities>({ startToCloseTimeout: '5 seconds', retry: BEST_EFFORT_ACTIVITY.retry });

export async function bookAppointmentWorkflow(input: BookAppointmentInput): Promise<BookAppointmentResult> {
  const workflowId = workflowInfo().workflowId;
  const key = (step: string) => `${workflowId}:${step}`;
  const { bookingId, branchId } = input;
  let step: BookingStep = 'validating';
  let outcome: BookAppointmentResult | undefined;
  setHandler(currentStepQuery, () => step);
  setHandler(awaitBookingOutcomeUpdate, async () => {
    await condition(() => outcome !== undefined);
    return outcome as BookAppointmentResult;
  });
  const settle = (result: BookAppointmentResult, status: string, summary: string) => {
    outcome = result;
    publishStatus(status, `${bookingId}: ${summary}`);
    return result;
  };

  // One versioned change (older histories replay the old path; one patch, since every patch
  // marker also upserts TemporalChangeVersion): plan, hold and confirm as local activities (no
  // server round trip each), and visibility published at start, outcome and compensation only.
  const fastPath = patched('db-steps-as-local-activities');
  const steps = fastPath ? localDb : db;
  const everyStep = !fastPath;
  const identity = { bookingId, customerId: input.customerId, branchId };
  if (everyStep) {
    publishIdentity('booking', identity);
    publishStatus('validating', `${bookingId}: validating ${input.start}`);
  } else if (!hasIdentity(workflowInfo().typedSearchAttributes, 'booking', identity)) {
    // Starters that set the attributes in the start request (the API does) save this upsert.
    publishStart('booking', identity, 'validating');
  }
  // Since patch `api-held-slot` a start carrying `heldSlot` adopts the API's hold (the API took
  // it under the exclusion constraint and answered the losers): no plan, no hold step here.
  const adopted = input.heldSlot && patched('api-held-slot') ? input.heldSlot : null;
  let plan: HeldSlot;
  if (adopted) {
    plan = adopted;
  } else {
    const planned = await steps.planBooking(input);
    if (planned.kind !== 'ok') {
      step = 'done';
      return settle(planned, 'rejected', `rejected (${planned.kind})`);
    }
    plan = planned.plan;
  }
  // Decided by the plan (or the adopted hold), before an earlier hold's slot may replace it below.
  const notLinked = plan.calendar === 'not_linked';

  const saga = new Saga();
  step = 'holding';
  if (everyStep) publishStatus('holding', `${bookingId}: holding ${plan.start} with ${plan.staffId}`);
  saga.addUndo('releaseHold', () => db.releaseHold({ bookingId, reason: 'calendar_sync_failed', dedupeKey: key('release-hold') }));
  if (!adopted) {
    const hold = await steps.holdSlot({ bookingId, workflowId, booking: input, plan });
    if (hold.kind === 'conflict') {
      step = 'done';
      return settle(hold, 'rejected', 'slot unavailable');
    }
    // A hold made by an earlier attempt of this step (e.g. before a worker crash) is what counts.
    if (hold.plan) plan = hold.plan;
  }

  // Since patch `approval-gate`: an approval service waits here, slot held and calendar untouched,
  // for approve / decline / the timer (lib/approval-gate.ts); after an approval it goes on below.
  if (plan.approval && patched('approval-gate')) {
    const gate = await approvalGate({ bookingId, plan: { ...plan, approval: plan.approval }, key, settle, outcome: () => outcome });
    if (gate === 'closed') {
      step = 'done';
      return outcome as BookAppointmentResult;
    }
  }

  let externalId: string | null = null;
  // Only package plans reach the patch check: every other history stays as it was.
  const parts = plan.parts && plan.parts.length > 1 && patched('package-parts') ? plan.parts : null;
  const skipCalendar = !parts && notLinked && patched('calendar-not-linked');
  try {
    if (parts) {
      step = 'creating_calendar_booking';
      externalId = await syncParts(parts);
    } else if (!skipCalendar) {
      step = 'creating_calendar_booking';
      if (everyStep) publishStatus('syncing_calendar', `${bookingId}: creating the calendar booking`);
      // The known uid (and branch) let the undo find the Cal.com booking even if the row is gone by then.
      saga.addUndo('cancelCalendarBooking', () => calendarUndo.cancelCalendarBooking({ bookingId, reason: 'booking failed', externalId, branchId }));
      ({ externalId } = await calendar.createCalendarBooking({ bookingId }));
    }
    step = 'confirming';
    // Not cancellable: a cancel racing a confirm that commits must not undo a confirmed booking.
    // Its refusals (the row left `pending` or vanished while Cal.com booked) compensate below.
    const confirm = { bookingId, externalId, dedupeKey: key('confirm') };
    await CancellationScope.nonCancellable(() => steps.confirmBooking(confirm));
  } catch (error) {
    // Also reached when an operator cancels the workflow: the cleanup must still run to the end.
    const vanished = failureType(error) === 'NotFound';
    await CancellationScope.nonCancellable(() => (vanished ? dropVanished() : failBooking(describeFailure(error))));
    if (isCancellation(error)) throw error;
    return outcome as BookAppointmentResult;
  }

  const result = settle({ kind: 'confirmed', bookingId, ...slotOf(plan), externalId }, 'confirmed', `confirmed ${plan.start} with ${plan.staffId}`);
  await afterOutcome('booking_confirmed', 'notify-confirmed');
  // Since patch `start-booking-lifecycle`: reminders and completion (booking-lifecycle.workflow.ts).
  if (patched('start-booking-lifecycle')) await startLifecycle(bookingId);
  step = 'done';
  return result;

  /**
   * Post-outcome side effects are best effort: the booking's fate is already decided. Since patch
   * `invalidate-cache-locally` the cache invalidation after the notification is a local activity
   * (a Redis publish on the worker, in the workflow task that completes the saga: one workflow
   * task and one server round trip less per saga); older histories invalidate remotely.
   */
  async function afterOutcome(kind: 'booking_confirmed' | 'booking_failed', notifyStep: string): Promise<void> {
    step = 'notifying';
    await notifyCustomer({ bookingId, kind, dedupeKey: key(notifyStep) });
    step = 'invalidating_cache';
    if (!patched('invalidate-cache-locally')) return invalidateBranchCache(branchId);
    await localBestEffort.invalidateAvailability({ branchId }).catch((error: unknown) => {
      log.warn('cache invalidation gave up', { branchId, error: describeFailure(error) });
    });
  }

  async function failBooking(reason: string): Promise<void> {
    step = 'compensating';
    publishStatus('compensating', `${bookingId}: calendar refused, compensating`);
    await saga.compensate();
    const marked = await db.markBookingFailed({ bookingId, reason: 'calendar_sync_failed', error: reason, dedupeKey: key('mark-failed') });
    // Someone else moved the row on (e.g. cancelled it): its Cal.com booking is gone, but the
    // booking is not ours to fail, retry or announce. (`marked` is undefined in old histories.)
    const taken = marked !== undefined && marked.status !== 'failed';
    if (taken) {
      settle({ kind: 'calendar_failed', bookingId, error: reason }, 'failed', `not confirmed, booking is ${marked.status}: ${reason}`);
      await invalidateBranchCache(branchId);
      step = 'done';
      return;
    }
    await db.recordSyncFailure({
      bookingId,
      operation: 'create',
      error: reason,
      payload: { start: plan.start, staffId: plan.staffId },
      dedupeKey: key('sync-failure'),
    });
    settle({ kind: 'calendar_failed', bookingId, error: reason }, 'failed', `failed: ${reason}`);
    await afterOutcome('booking_failed', 'notify-failed');
    await freeSlotForWaitlist('failed');
    step = 'done';
  }

  /**
   * Each linked part's Cal.com booking, in order; the undo of each is registered before its create.
   * Answers the first part's uid (the booking's own calendar id).
   */
  async function syncParts(list: PartSlot[]): Promise<string | null> {
    const uids: (string | null)[] = list.map(() => null);
    for (const [index, part] of list.entries()) {
      if (part.calendar === 'not_linked') continue;
      const partId = packagePartId(bookingId, index);
      saga.addUndo(`cancelCalendarBooking:${index}`, () =>
        calendarUndo.cancelCalendarBooking({ bookingId: partId, reason: 'booking failed', externalId: uids[index], branchId }));
      uids[index] = (await calendar.createCalendarBooking({ bookingId: partId })).externalId;
    }
    return uids[0];
  }

  /** The row was deleted while the saga ran (e.g. with its company): undo Cal.com, nothing to record. */
  async function dropVanished(): Promise<void> {
    step = 'compensating';
    publishStatus('compensating', `${bookingId}: booking row vanished, compensating`);
    await saga.compensate();
    settle({ kind: 'not_found', entity: 'booking', id: bookingId }, 'failed', 'booking row vanished during the saga');
    await invalidateBranchCache(branchId);
    step = 'done';
  }

  async function freeSlotForWaitlist(reason: 'failed'): Promise<void> {
    await announceSlotFreed({ branchId, bookingId, staffId: plan.staffId, start: plan.start, end: plan.end, reason });
  }
}

function slotOf(plan: { staffId: string; resourceId: string | null; start: string; end: string }) {
  return { staffId: plan.staffId, resourceId: plan.resourceId, start: plan.start, end: plan.end };
}
