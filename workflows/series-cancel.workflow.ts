/**
 * Cancels every booked occurrence of a series starting at or after `from`.
 *
 * Started by the series workflow when it received `cancelSeries`, or by the API when the series
 * had already finished. Each booking is cancelled through the booking cancellation path, the
 * child `cancelBookingWorkflow` (`cancel-<bookingId>`: local cancel, Cal.com, notification,
 * waiting-list signals), one at a time so the calendar is not flooded; a failure of one is
 * recorded and the others still go. Idempotent: the cancel workflow answers `alreadyCancelled`
 * for a booking cancelled before, so re-running is harmless.
 */
import { executeChild, proxyActivities } from '@temporalio/workflow';
import { CANCEL_WORKFLOW, cancelWorkflowId, type CancelBookingInput, type CancelBookingResult } from './cancel-booking.contract';
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
    const ok = await cancelOne(b.bookingId, reason);
    if (ok) {
      cancelledBookingIds.push(b.bookingId);
      await acts.recordSeriesOccurrence({ seriesId: input.seriesId, index: b.index, status: 'cancelled', bookingId: b.bookingId, reason });
    } else {
      failedBookingIds.push(b.bookingId);
    }
  }
  await acts.finishSeries({ seriesId: input.seriesId, status: 'cancelled' });
  return { seriesId: input.seriesId, cancelledBookingIds, failedBookingIds };
}

async function cancelOne(bookingId: string, reason: string): Promise<boolean> {
  try {
    const result = await executeChild<(i: CancelBookingInput) => Promise<CancelBookingResult>>(CANCEL_WORKFLOW, {
      workflowId: cancelWorkflowId(bookingId),
      args: [{ bookingId, reason }],
    });
    // Locally cancelled is what matters here; a calendar failure is a recorded sync failure.
    return result.kind === 'cancelled';
  } catch {
    return false;
  }
}
