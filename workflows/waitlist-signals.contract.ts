/**
 * Messages between the booking paths and the waiting-list monitors, fixed early because both
 * sides are built at once. Signal names are a durable public API: never rename them.
 *
 * Whenever a live booking of a branch stops occupying its time (cancelled, moved by a
 * reschedule, failed after a hold), the booking side signals every open monitor of that branch
 * with `slotFreed`. Monitors re-check availability on it; the event only says "look now".
 */
import { defineSignal } from '@temporalio/workflow';

export interface SlotFreedEvent {
  branchId: string;
  bookingId: string;
  staffId: string;
  /** UTC ISO instants of the visible appointment that was freed */
  start: string;
  end: string;
  /** time_off_changed: a staff member's time off was removed or shortened (bookingId is the time off's id). */
  reason: 'cancelled' | 'rescheduled' | 'failed' | 'time_off_changed' | 'declined';
  /**
   * Set by the fan-out activity (issue 12): the slots this entry was allocated, oldest entry first,
   * decided once for all monitors. Absent from older senders: the monitor then checks by itself.
   */
  offers?: Array<{ start: string; end: string; staffId: string }>;
  /** With `offers`: who books them (the entry's company, service and customer). */
  entry?: { companyId: string; serviceId: string; customerId: string };
}

export const slotFreedSignal = defineSignal<[SlotFreedEvent]>('slotFreed');

/** Workflow id of the monitor of one waiting-list entry. */
export const waitlistWorkflowId = (entryId: string): string => `waitlist-${entryId}`;
