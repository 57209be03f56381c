/**
 * Cancels every booked occurrence of a series starting at or after `from`.
 *
 * Started by the series workflow when it received `cancelSeries`, or by the API when the series
 * had already finished. Each booking is cancelled through the booking cancellation path (an
 * activity that runs the cancel workflow: Cal.com, history, cache, waiting-list signals), one at
 * a time so the calendar is not flooded; a failure of one is recorded and the others still go.
 * Idempotent: an already cancelled booking answers `already_final`; re-running is harmless.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { SeriesActivities, SeriesCancelInput, SeriesCancelResult } from './series.contract';

const acts = proxyActivities<SeriesActivities>({
  startToCloseTimeout: '60 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 10 },
});

export async function seriesCancelWorkflow(input: SeriesCancelInput): Promise<SeriesCancelResult> {
  const reason = input.reason ?? 'series cancelled';
  const bookings = await acts.listSeriesBookings({ seriesId: input.seriesId, from: input.from });
  const cancelledBookingIds: string[] = [];
  const failedBookingIds: string[] = [];
  for (const b of bookings) {
    try {
      await acts.cancelSeriesBooking({ seriesId: input.seriesId, index: b.index, bookingId: b.bookingId, reason });
      cancelledBookingIds.push(b.bookingId);
    } catch {
      failedBookingIds.push(b.bookingId);
    }
  }
  await acts.finishSeries({ seriesId: input.seriesId, status: 'cancelled' });
  return { seriesId: input.seriesId, cancelledBookingIds, failedBookingIds };
}
