/**
 * LATENCY EXPERIMENT, not a saga: the booking saga's happy path with its database steps (plan,
 * hold, confirm) as LOCAL activities, which run inside the workflow task on the worker instead
 * of one server round trip each. The calendar create, notification and cache steps stay regular
 * activities. There is no compensation here; the benchmark only books distinct free slots with
 * it, to measure how much of the saga's latency is Temporal round trips (bench:booking, (e)).
 */
import { condition, proxyActivities, proxyLocalActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { awaitBookingOutcomeUpdate, type BookAppointmentInput, type BookAppointmentResult } from '../../workflows/book-appointment.contract';
import { BEST_EFFORT_ACTIVITY, CALENDAR_ACTIVITY, DB_ACTIVITY } from '../../workflows/lib/activity-options';

const local = proxyLocalActivities<Activities>({ startToCloseTimeout: '10 seconds', retry: DB_ACTIVITY.retry });
const calendar = proxyActivities<Activities>(CALENDAR_ACTIVITY);
const bestEffort = proxyActivities<Activities>(BEST_EFFORT_ACTIVITY);

export async function localStepsBookingWorkflow(input: BookAppointmentInput): Promise<BookAppointmentResult> {
  const { workflowId } = workflowInfo();
  const { bookingId, branchId } = input;
  let outcome: BookAppointmentResult | undefined;
  setHandler(awaitBookingOutcomeUpdate, async () => {
    await condition(() => outcome !== undefined);
    return outcome as BookAppointmentResult;
  });
  const planned = await local.planBooking(input);
  if (planned.kind !== 'ok') return (outcome = planned);
  const { plan } = planned;
  const hold = await local.holdSlot({ bookingId, workflowId, booking: input, plan });
  if (hold.kind === 'conflict') return (outcome = hold);
  const { externalId } = await calendar.createCalendarBooking({ bookingId });
  await local.confirmBooking({ bookingId, externalId, dedupeKey: `${workflowId}:confirm` });
  outcome = { kind: 'confirmed', bookingId, staffId: plan.staffId, resourceId: plan.resourceId, start: plan.start, end: plan.end, externalId };
  await bestEffort.sendBookingNotification({ bookingId, kind: 'booking_confirmed', dedupeKey: `${workflowId}:notify-confirmed` });
  await bestEffort.invalidateAvailability({ branchId });
  return outcome;
}
