/**
 * Workflow bundle entry of the booking workflow tests: the real booking, reschedule, cancel and
 * sync-retry workflows, the booking lifecycle, plus a probe standing in for a waiting-list monitor (it records the
 * `slotFreed` signals it gets). Bundled by the tests themselves, so their bundle does not depend
 * on the other workflows of workflows/index.ts.
 */
import { condition, defineQuery, setHandler } from '@temporalio/workflow';
import { slotFreedSignal, type SlotFreedEvent } from '../../workflows/waitlist-signals.contract';

export { bookAppointmentWorkflow } from '../../workflows/book-appointment.workflow';
export { rescheduleBookingWorkflow } from '../../workflows/reschedule-booking.workflow';
export { cancelBookingWorkflow } from '../../workflows/cancel-booking.workflow';
export { syncRetryWorkflow } from '../../workflows/sync-retry.workflow';
export { bookingLifecycleWorkflow } from '../../workflows/booking-lifecycle.workflow';

export const slotFreedEventsQuery = defineQuery<SlotFreedEvent[]>('slotFreedEvents');

/** Collects `slotFreed` signals until it has `expected` of them. */
export async function slotFreedProbeWorkflow(expected: number): Promise<SlotFreedEvent[]> {
  const events: SlotFreedEvent[] = [];
  setHandler(slotFreedSignal, (event) => void events.push(event));
  setHandler(slotFreedEventsQuery, () => events);
  await condition(() => events.length >= expected);
  return events;
}
