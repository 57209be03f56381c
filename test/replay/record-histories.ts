/**
 * Records the event histories the replay test checks: real runs of the booking, reschedule,
 * cancel and sync-retry workflows (bundled from workflows/index.ts, as the worker runs them) on
 * the time-skipping server, with the in-memory activities of the workflow tests driving each
 * path (happy, compensation, retries, child workflow). Re-record after an intended, versioned
 * change of a workflow: `npx tsx test/replay/record-histories.ts`; record new paths alone by
 * naming them (the older histories must keep replaying unchanged).
 */
import fs from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { WorkflowHandle } from '@temporalio/client';
import { cancelWaitlistSignal, slotFreedSignal, waitlistWorkflowId, type WaitlistMonitorInput } from '../../workflows/waitlist-monitor.contract';
import {
  approvalWithdrawnSignal,
  approveBookingUpdate,
  awaitBookingOutcomeUpdate,
  bookingWorkflowId,
  declineBookingUpdate,
  type BookAppointmentInput,
} from '../../workflows/book-appointment.contract';
import { cancelWorkflowId } from '../../workflows/cancel-booking.contract';
import { rescheduleWorkflowId } from '../../workflows/reschedule-booking.contract';
import { syncRetryWorkflowId } from '../../workflows/sync-retry.contract';
import { bookingChangedSignal, lifecycleWorkflowId } from '../../workflows/booking-lifecycle.contract';
import { NOTIFICATION_DEFAULTS } from '../../domain/notifications/lifecycle-schedule';
import { FakeLifecycle } from '../workflows/lifecycle.fakes';
import { bundleOnce, teardownTestEnvs } from '../harness/temporal';
import { bookingTestRun, type BookingTestRun } from '../workflows/booking-workflows.harness';
import { PACKAGE_SERVICE, permanent, retryable, UNLINKED_STAFF } from '../workflows/booking-world.fakes';

const OUT = path.join(__dirname, 'histories');
const START = '2031-03-04T09:00:00.000Z';
const NEW = '2031-03-05T14:00:00.000Z';

interface Scenario {
  name: string;
  workflowType: string;
  workflowId: (id: string) => string;
  args: (id: string) => unknown[];
  prepare?: (t: BookingTestRun, id: string) => unknown;
  /** Messages sent to the started run (signals), before its result is awaited. */
  drive?: (handle: WorkflowHandle, t: BookingTestRun) => Promise<void>;
  /** Record the FIRST run (e.g. the one that continued as new), not the last. */
  firstRun?: boolean;
}

const bookingArgs = (id: string, extra: Partial<BookAppointmentInput> = {}): BookAppointmentInput[] => [
  { bookingId: id, companyId: 'cmp_1', branchId: 'br_1', serviceId: 'svc_1', customerId: 'cus_1', start: START, staffId: 'stf_1', ...extra },
];
const booking = (name: string, prepare?: Scenario['prepare'], extra: Partial<BookAppointmentInput> = {}): Scenario => ({
  name, workflowType: 'bookAppointmentWorkflow', workflowId: bookingWorkflowId, args: (id) => bookingArgs(id, extra), prepare,
});
/** The API's hold (a pending row) exists before the start, whose input carries it as `heldSlot`. */
const heldBooking = (name: string, prepare?: Scenario['prepare']): Scenario => ({
  name, workflowType: 'bookAppointmentWorkflow', workflowId: bookingWorkflowId,
  args: (id) => bookingArgs(id, { heldSlot: { staffId: 'stf_1', resourceId: null, start: START, end: '2031-03-04T10:00:00.000Z', blockedStart: START, blockedEnd: '2031-03-04T10:00:00.000Z' } }),
  prepare: (t, id) => {
    prepare?.(t, id);
    t.world.seedHeld(id, START);
  },
});
/** A monitor (patch `waitlist-monitor-v2`) that gets a fan-out `slotFreed` carrying its offers. */
const monitor = (name: string, over: Partial<WaitlistMonitorInput>, idleHoursThenCancel = 0): Scenario => ({
  name, workflowType: 'waitlistMonitorWorkflow', workflowId: waitlistWorkflowId, firstRun: idleHoursThenCancel > 0,
  args: (id) => [{
    entryId: id, expiresAt: '2099-01-01T00:00:00.000Z', autoBook: true, checkIntervalMs: 3_600_000,
    reach: { start: '2031-03-03T00:00:00.000Z', end: '2031-03-06T00:00:00.000Z' }, ...over,
  } satisfies WaitlistMonitorInput],
  drive: async (handle, t) => {
    await handle.signal(slotFreedSignal, {
      branchId: 'br_1', bookingId: 'bkg_freed', staffId: 'stf_1', start: START, end: '2031-03-04T10:00:00.000Z', reason: 'cancelled',
      offers: [{ start: START, end: '2031-03-04T10:00:00.000Z', staffId: 'stf_1' }],
      entry: { companyId: 'cmp_1', serviceId: 'svc_1', customerId: 'cus_1' },
    });
    if (idleHoursThenCancel === 0) return;
    // Idle hours: jittered safety checks, continue-as-new after maxIterationsPerRun; then deleted.
    await t.env.sleep(idleHoursThenCancel * 3_600_000);
    await handle.signal(cancelWaitlistSignal);
  },
});
const reschedule = (name: string, prepare: Scenario['prepare']): Scenario => ({
  name, workflowType: 'rescheduleBookingWorkflow', workflowId: (id) => rescheduleWorkflowId(id, 1), args: (id) => [{ bookingId: id, start: NEW, reason: 'replay' }], prepare,
});
/** Patch `reschedule-count-claim`: a customer's move (input maxReschedules) claims its count before the hold. */
const selfServiceReschedule = (name: string, prepare: Scenario['prepare']): Scenario => ({
  ...reschedule(name, prepare), args: (id) => [{ bookingId: id, start: NEW, reason: 'replay', maxReschedules: 1 }],
});
const cancel = (name: string, prepare: Scenario['prepare']): Scenario => ({
  name, workflowType: 'cancelBookingWorkflow', workflowId: cancelWorkflowId, args: (id) => [{ bookingId: id, reason: 'replay' }], prepare,
});
const syncRetry = (name: string, operation: 'create' | 'reschedule' | 'cancel', prepare: Scenario['prepare']): Scenario => ({
  name, workflowType: 'syncRetryWorkflow', workflowId: (id) => syncRetryWorkflowId(`syf_${id}`, 2), args: (id) => [{ syncFailureId: `syf_${id}`, attempt: 2 }],
  prepare: (t, id) => {
    prepare?.(t, id);
    t.world.syncFailures.set(`syf_${id}`, { id: `syf_${id}`, bookingId: id, operation, error: 'HTTP 400', attempts: 1, status: 'open', payload: { start: NEW } });
  },
});
const DAY = 86_400_000;
const lifecycle = (name: string, startIn: number, drive?: Scenario['drive']): Scenario => ({
  name, workflowType: 'bookingLifecycleWorkflow', workflowId: lifecycleWorkflowId, args: (id) => [{ bookingId: id }], drive,
  prepare: async (t) => {
    const now = await t.env.currentTimeMs();
    const iso = (ms: number) => new Date(ms).toISOString();
    t.world.lifecycle = new FakeLifecycle({
      status: 'confirmed', start: iso(now + startIn), end: iso(now + startIn + 3_600_000), startSince: iso(now),
      reminders: NOTIFICATION_DEFAULTS.reminders, completionGraceMinutes: 60,
    });
  },
});
/** Patch `approval-gate`: an approval service's held slot waits for `decide` (or its 2-hour deadline). */
const approvalBooking = (name: string, decide?: (handle: WorkflowHandle, t: BookingTestRun) => Promise<unknown>): Scenario => {
  let heldSlot: BookAppointmentInput['heldSlot'];
  return {
    name, workflowType: 'bookAppointmentWorkflow', workflowId: bookingWorkflowId,
    args: (id) => bookingArgs(id, { heldSlot }),
    prepare: async (t, id) => {
      const deadline = new Date((await t.env.currentTimeMs()) + 2 * 3_600_000).toISOString();
      heldSlot = t.world.seedHeld(id, START, { deadline });
    },
    drive: async (handle, t) => {
      await handle.executeUpdate(awaitBookingOutcomeUpdate);
      await decide?.(handle, t);
      await handle.result();
      if (decide) await t.env.client.workflow.getHandle(lifecycleWorkflowId(String(handle.workflowId).replace(/^booking-(.*)-\d+$/, '$1'))).result().catch(() => undefined);
    },
  };
};
/** A confirmed package booking of three parts (its own row and `<id>_p1`, `<id>_p2`), each with its Cal.com booking. */
const seedPackage = (t: BookingTestRun, id: string) => {
  t.world.seedConfirmed(id, START, { end: '2031-03-04T10:30:00.000Z' });
  t.world.seedConfirmed(`${id}_p1`, '2031-03-04T09:30:00.000Z');
  t.world.seedConfirmed(`${id}_p2`, '2031-03-04T10:00:00.000Z');
};
const failedBooking = (t: BookingTestRun, id: string) => {
  t.world.seedConfirmed(id, START, { status: 'failed', externalId: null });
  t.world.calendar.clear();
};

const SCENARIOS: Scenario[] = [
  booking('booking-confirmed'),
  booking('booking-group-confirmed', undefined, { participants: [{ name: 'A' }, { name: 'B' }] }),
  booking('booking-rule-violation', undefined, { customerId: 'cus_blocked' }),
  booking('booking-conflict', (t) => t.world.taken.add(START)),
  booking('booking-calendar-refused', (t) => t.world.failNext('createCalendarBooking', permanent('slot taken', 'CalendarSlotTaken'))),
  booking('booking-calendar-retries-exhausted', (t) => t.world.failNext('createCalendarBooking', retryable('HTTP 500'), 10)),
  booking('booking-calendar-flaky', (t) => t.world.failNext('createCalendarBooking', retryable('HTTP 503'), 2)),
  booking('booking-lost-response', (t) => t.world.failNext('createCalendarBooking:lose_response', retryable('x'))),
  booking('booking-notify-fails', (t) => t.world.failNext('sendBookingNotification', permanent('smtp down', 'MailRejected'))),
  reschedule('reschedule-success', (t, id) => void t.world.seedConfirmed(id, START)),
  reschedule('reschedule-refused', (t, id) => {
    t.world.seedConfirmed(id, START);
    t.world.failNext('rescheduleCalendarBooking', permanent('cannot reschedule'));
  }),
  reschedule('reschedule-conflict', (t, id) => {
    t.world.seedConfirmed(id, START);
    t.world.taken.add(NEW);
  }),
  reschedule('reschedule-invalid-state', (t, id) => void t.world.seedConfirmed(id, START, { status: 'cancelled' })),
  cancel('cancel-synced', (t, id) => void t.world.seedConfirmed(id, START)),
  cancel('cancel-calendar-fails', (t, id) => {
    t.world.seedConfirmed(id, START);
    t.world.failNext('cancelCalendarBooking', permanent('HTTP 400'));
  }),
  cancel('cancel-invalid-state', (t, id) => void t.world.seedConfirmed(id, START, { status: 'failed' })),
  syncRetry('sync-retry-create-resolved', 'create', failedBooking),
  syncRetry('sync-retry-create-conflict', 'create', (t, id) => {
    failedBooking(t, id);
    t.world.taken.add(START);
  }),
  syncRetry('sync-retry-create-refused', 'create', (t, id) => {
    failedBooking(t, id);
    t.world.failNext('createCalendarBooking', permanent('still refused'));
  }),
  syncRetry('sync-retry-reschedule-resolved', 'reschedule', (t, id) => void t.world.seedConfirmed(id, START)),
  syncRetry('sync-retry-cancel-resolved', 'cancel', (t, id) => void t.world.seedConfirmed(id, START, { status: 'cancelled' })),
  booking('booking-confirm-refused-released', (t, id) => t.world.onNext('confirmBooking', () => void (t.world.bookings.get(id)!.status = 'failed'))),
  booking('booking-confirm-refused-cancelled', (t, id) => t.world.onNext('confirmBooking', () => void (t.world.bookings.get(id)!.status = 'cancelled'))),
  booking('booking-confirm-refused-deleted', (t, id) => t.world.onNext('confirmBooking', () => void t.world.bookings.delete(id))),
  reschedule('reschedule-already-at-target', (t, id) => void t.world.seedConfirmed(id, NEW, { rescheduledCount: 1 })),
  reschedule('reschedule-slot-lost', (t, id) => {
    t.world.seedConfirmed(id, START);
    t.world.failNext('moveBooking', permanent('the new slot was taken meanwhile', 'SlotTaken'));
  }),
  // Since patch `db-steps-as-local-activities` (plan, hold and confirm as local activities;
  // visibility at start, outcome and compensation only).
  booking('booking-local-confirmed'),
  booking('booking-local-rule-violation', undefined, { customerId: 'cus_blocked' }),
  booking('booking-local-conflict', (t) => t.world.taken.add(START)),
  booking('booking-local-db-retried', (t) => {
    t.world.failNext('holdSlot', retryable('connection reset', 'DbUnavailable'), 2);
    t.world.failNext('confirmBooking', retryable('connection reset', 'DbUnavailable'));
  }),
  booking('booking-local-calendar-refused', (t) => t.world.failNext('createCalendarBooking', permanent('slot taken', 'CalendarSlotTaken'))),
  booking('booking-local-confirm-refused-deleted', (t, id) => t.world.onNext('confirmBooking', () => void t.world.bookings.delete(id))),
  // Since patch `sync-retry-cancel-calendar-on-failure`: the Cal.com undo runs before the hold release.
  syncRetry('sync-retry-create-refused-undo', 'create', (t, id) => {
    failedBooking(t, id);
    t.world.failNext('createCalendarBooking', permanent('still refused'));
  }),
  syncRetry('sync-retry-create-confirm-refused', 'create', (t, id) => {
    failedBooking(t, id);
    t.world.failNext('confirmBooking', permanent('booking cannot be confirmed', 'InvalidState'));
  }),
  // Since patch `invalidate-cache-locally` (booking saga): the cache invalidation after the notification is local.
  booking('booking-local-invalidate-confirmed'),
  booking('booking-local-invalidate-calendar-refused', (t) => t.world.failNext('createCalendarBooking', permanent('slot taken', 'CalendarSlotTaken'))),
  booking('booking-local-invalidate-retried', (t) => t.world.failNext('invalidateAvailability', retryable('redis down'), 2)),
  // Since patch `calendar-not-linked`: a booking without a calendar link skips the calendar step and its undo.
  booking('booking-not-linked-confirmed', undefined, { staffId: UNLINKED_STAFF }),
  booking('booking-not-linked-db-retried', (t) => t.world.failNext('confirmBooking', retryable('connection reset', 'DbUnavailable')), { staffId: UNLINKED_STAFF }),
  reschedule('reschedule-not-linked', (t, id) => void t.world.seedConfirmed(id, START, { staffId: UNLINKED_STAFF, externalId: null, calendarStatus: 'not_linked' })),
  cancel('cancel-not-linked', (t, id) => void t.world.seedConfirmed(id, START, { staffId: UNLINKED_STAFF, externalId: null, calendarStatus: 'not_linked' })),
  // Since patch `api-held-slot`: the API took the hold before the start; the saga adopts it.
  heldBooking('booking-held-confirmed'),
  heldBooking('booking-held-calendar-refused', (t) => t.world.failNext('createCalendarBooking', permanent('slot taken', 'CalendarSlotTaken'))),
  // Since patch `waitlist-fanout-activity`: a freed slot reaches the waiting lists through one fan-out activity.
  cancel('cancel-fanout-activity', (t, id) => void t.world.seedConfirmed(id, START)),
  heldBooking('booking-held-calendar-refused-fanout', (t) => t.world.failNext('createCalendarBooking', permanent('slot taken', 'CalendarSlotTaken'))),
  // Since patch `waitlist-monitor-v2`: offers in the fan-out's signal, jittered safety check, continue-as-new after ≤ 50 iterations.
  monitor('waitlist-v2-signal-booked', {}),
  monitor('waitlist-v2-signal-continue-as-new', { autoBook: false, maxIterationsPerRun: 3 }, 5),
  // Since patch `start-booking-lifecycle` (booking saga): a confirmed booking starts its lifecycle child.
  {
    ...booking('booking-lifecycle-started'),
    // The abandoned child must finish while this run's worker is up (a task left on a dead queue stalls time skipping).
    drive: async (handle, t) => {
      await handle.result();
      await t.env.client.workflow.getHandle(lifecycleWorkflowId(String(handle.workflowId).replace(/^booking-(.*)-\d+$/, '$1'))).result();
    },
  },
  booking('booking-lifecycle-calendar-refused', (t) => t.world.failNext('createCalendarBooking', permanent('slot taken', 'CalendarSlotTaken'))),
  // Since patch `approval-gate`: awaiting approval, then approved, declined by a manager, or by the timer.
  approvalBooking('booking-approval-approved', (handle) => handle.executeUpdate(approveBookingUpdate)),
  approvalBooking('booking-approval-declined', (handle) => handle.executeUpdate(declineBookingUpdate, { args: [{ reason: 'replay' }] })),
  approvalBooking('booking-approval-timeout'),
  // Since patch `approval-withdrawn`: the gate listens for a cancellation while awaiting approval (approved as before; withdrawn).
  approvalBooking('booking-approval-withdrawable-approved', (handle) => handle.executeUpdate(approveBookingUpdate)),
  approvalBooking('booking-approval-withdrawn', async (handle, t) => {
    // What cancelBookingRecord does: the row is cancelled (slot free), then the saga is told.
    const bookingId = String(handle.workflowId).replace(/^booking-(.*)-\d+$/, '$1');
    t.world.bookings.get(bookingId)!.status = 'cancelled';
    await handle.signal(approvalWithdrawnSignal, { bookingId });
  }),
  // Since patch `package-parts`: a package's parts synced one by one (compensated all), moved and cancelled each.
  booking('booking-package-confirmed', undefined, { serviceId: PACKAGE_SERVICE }),
  booking('booking-package-part-refused', (t, id) => t.world.failNext(`createCalendarBooking@${id}_p2`, permanent('slot taken', 'CalendarSlotTaken')), { serviceId: PACKAGE_SERVICE }),
  reschedule('reschedule-package', seedPackage),
  reschedule('reschedule-package-part-refused', (t, id) => {
    seedPackage(t, id);
    t.world.onNext('rescheduleCalendarBooking', () => t.world.failNext('rescheduleCalendarBooking', permanent('cannot reschedule')));
  }),
  cancel('cancel-package', seedPackage),
  // Since patch `reschedule-count-claim`: a self-service move claimed under maxReschedules (moved, refused at the limit, claim given back).
  selfServiceReschedule('reschedule-claim-moved', (t, id) => void t.world.seedConfirmed(id, START)),
  selfServiceReschedule('reschedule-claim-limit', (t, id) => void t.world.seedConfirmed(id, START, { rescheduledCount: 1 })),
  selfServiceReschedule('reschedule-claim-conflict', (t, id) => {
    t.world.seedConfirmed(id, START);
    t.world.taken.add(NEW);
  }),
  selfServiceReschedule('reschedule-claim-calendar-refused', (t, id) => {
    t.world.seedConfirmed(id, START);
    t.world.failNext('rescheduleCalendarBooking', permanent('cannot reschedule'));
  }),
  // The lifecycle workflow (reminders, completion; reschedule and cancel as signals).
  lifecycle('lifecycle-reminders-completed', 3 * DAY),
  lifecycle('lifecycle-late-booking', DAY / 24),
  lifecycle('lifecycle-moved', 3 * DAY, async (handle, t) => {
    await t.env.sleep(2.5 * DAY);
    const life = t.world.lifecycle!;
    life.move(new Date(Date.parse(life.booking.start) + DAY).toISOString(), new Date(Date.parse(life.booking.end) + DAY).toISOString(), await t.env.currentTimeMs());
    await handle.signal(bookingChangedSignal, { reason: 'rescheduled' });
  }),
  lifecycle('lifecycle-moved-unsignalled', 3 * DAY, async (_handle, t) => {
    await t.env.sleep(DAY);
    const life = t.world.lifecycle!;
    life.move(new Date(Date.parse(life.booking.start) + DAY).toISOString(), new Date(Date.parse(life.booking.end) + DAY).toISOString(), await t.env.currentTimeMs());
  }),
  lifecycle('lifecycle-cancelled', 3 * DAY, async (handle, t) => {
    await t.env.sleep(DAY / 24);
    t.world.lifecycle!.booking.status = 'cancelled';
    await handle.signal(bookingChangedSignal, { reason: 'cancelled' });
  }),
  // Since patch `lifecycle-review-request`: the review request after completion, by the timer and by the front desk.
  lifecycle('lifecycle-review-request', DAY / 24),
  lifecycle('lifecycle-review-request-desk', 3 * DAY, async (handle, t) => {
    await t.env.sleep(3 * DAY + DAY / 48);
    t.world.lifecycle!.booking.status = 'completed';
    await handle.signal(bookingChangedSignal, { reason: 'completed' });
  }),
];

/**
 * `npx tsx test/replay/record-histories.ts [name…]` records only the named scenarios (add new
 * ones without touching the histories older code wrote); no names records every scenario.
 */
async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const unknown = only.filter((name) => !SCENARIOS.some((s) => s.name === name));
  if (unknown.length > 0) throw new Error(`unknown scenarios: ${unknown.join(', ')}`);
  const bundle = await bundleOnce();
  fs.mkdirSync(OUT, { recursive: true });
  for (const scenario of SCENARIOS.filter((s) => only.length === 0 || only.includes(s.name))) {
    const t = await bookingTestRun(`record-${scenario.name}`, bundle);
    const id = `bkg_replay_${scenario.name.replace(/-/g, '_')}`;
    await scenario.prepare?.(t, id);
    const handle = await t.env.client.workflow.start(scenario.workflowType, {
      taskQueue: t.taskQueue, workflowId: `${scenario.workflowId(id)}-${Date.now()}`, args: scenario.args(id),
    });
    await t.run(async () => {
      await scenario.drive?.(handle, t);
      return handle.result().catch(() => undefined);
    });
    const history = await (scenario.firstRun ? t.env.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId) : handle).fetchHistory();
    fs.writeFileSync(path.join(OUT, `${scenario.name}.json`), `${JSON.stringify(JSON.parse(historyToJSON(history)), null, 1)}\n`);
    console.log(`recorded ${scenario.name}: ${history.events?.length ?? 0} events`);
  }
}

main()
  .then(teardownTestEnvs)
  .catch(async (error: unknown) => {
    console.error(error);
    await teardownTestEnvs();
    process.exitCode = 1;
  });
