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
