/**
 * Workflow bundle for the series and waiting-list time-skipping tests: the real workflows plus a
 * stand-in booking saga with the real saga's name and contract, which books through a stubbed
 * activity so tests decide who gets which slot.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { BookAppointmentInput, BookAppointmentResult } from '../../workflows/book-appointment.contract';

export { seriesWorkflow } from '../../workflows/series.workflow';
export { seriesCancelWorkflow } from '../../workflows/series-cancel.workflow';
export { waitlistMonitorWorkflow } from '../../workflows/waitlist-monitor.workflow';

const { fakeBook } = proxyActivities<{ fakeBook(input: BookAppointmentInput): Promise<BookAppointmentResult> }>({
  startToCloseTimeout: '10 seconds',
});

export async function bookAppointmentWorkflow(input: BookAppointmentInput): Promise<BookAppointmentResult> {
  return fakeBook(input);
}

const { fakeCancel } = proxyActivities<{ fakeCancel(input: { bookingId: string; reason?: string | null }): Promise<{ kind: 'cancelled' }> }>({
  startToCloseTimeout: '10 seconds',
});

/** Stand-in for the cancellation workflow (name from cancel-booking.contract.ts). */
export async function cancelBookingWorkflow(input: { bookingId: string; reason?: string | null }): Promise<{ kind: 'cancelled' }> {
  return fakeCancel(input);
}
