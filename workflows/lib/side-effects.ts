/**
 * Post-outcome side effects shared by the booking workflows: customer notification, availability
 * cache invalidation and the waiting-list `slotFreed` signal. They run after the business outcome
 * is decided, so they are best effort: bounded retries, and a give-up is logged, never fatal.
 */
import { log, patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { SlotFreedEvent } from '../waitlist-signals.contract';
import { BEST_EFFORT_ACTIVITY } from './activity-options';
import { describeFailure } from './failures';
import { signalSlotFreed } from './slot-freed';

const bestEffort = proxyActivities<Activities>(BEST_EFFORT_ACTIVITY);
/** The fan-out pages through entries and signals from the activity: longer, with heartbeats. */
const fanOut = proxyActivities<Activities>({ ...BEST_EFFORT_ACTIVITY, startToCloseTimeout: '5 minutes', heartbeatTimeout: '1 minute' });

export type NotificationKind =
  | 'booking_confirmed'
  | 'booking_rescheduled'
  | 'booking_cancelled'
  | 'booking_failed'
  | 'booking_awaiting_approval'
  | 'booking_declined';

export async function notifyCustomer(input: {
  bookingId: string;
  kind: NotificationKind;
  dedupeKey: string;
  previousStart?: string;
  reason?: string;
}): Promise<void> {
  await bestEffort.sendBookingNotification(input).catch((error: unknown) => {
    log.warn('notification gave up', { bookingId: input.bookingId, kind: input.kind, error: describeFailure(error) });
  });
}

export async function invalidateBranchCache(branchId: string): Promise<void> {
  await bestEffort.invalidateAvailability({ branchId }).catch((error: unknown) => {
    log.warn('cache invalidation gave up', { branchId, error: describeFailure(error) });
  });
}

/**
 * Tells the waiting lists that a slot was freed; returns how many monitors were signalled. Since
 * patch `waitlist-fanout-activity` one activity finds the matching entries (indexed, paged),
 * decides fairness once and signals only the monitors that got offers; older histories list the
 * branch's monitors and signal each from here.
 */
export async function announceSlotFreed(event: SlotFreedEvent): Promise<number> {
  if (patched('waitlist-fanout-activity')) {
    const result = await fanOut.fanOutSlotFreed(event).catch((error: unknown) => {
      log.warn('waiting-list fan-out gave up', { branchId: event.branchId, error: describeFailure(error) });
      return { signalled: 0 };
    });
    return result.signalled;
  }
  const monitors = await bestEffort.listWaitlistMonitors({ branchId: event.branchId, start: event.start, end: event.end }).catch((error: unknown) => {
    log.warn('waiting-list lookup gave up', { branchId: event.branchId, error: describeFailure(error) });
    return [] as string[];
  });
  return signalSlotFreed(monitors, event);
}
