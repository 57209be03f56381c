/**
 * Waiting-list monitor: one entity workflow per entry (`waitlist-<entryId>`).
 *
 * Checks at once, then whenever `slotFreed` reports a freed booking within the entry's reach
 * (within seconds) and on a periodic timer (`checkIntervalMs`). On a match it books through the
 * booking saga (child `booking-<bookingId>`, `autoBook`) and ends `booked`, or sends the new
 * offers (≤ 3, never the same offer twice) and keeps watching as `notified`. Ends `expired` at
 * `expiresAt` and `cancelled` on `cancelWaitlist`.
 *
 * Invariants
 * - Which slots this entry may take is decided by the check activity with the domain fairness
 *   policy (older entries first), so two monitors woken by one signal agree.
 * - Only durations and instants compared as numbers here; zone logic lives in domain/ (STYLE 6).
 * - Booking ids derive from the entry id and an attempt counter carried across runs, so replays
 *   and retries reuse the same saga. Offer dedupe is in the activity against the database.
 * - History stays bounded: continue-as-new when the server suggests it or after
 *   `maxIterationsPerRun`, after all handlers finished, carrying the state and a pending wake-up.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  executeChild,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { bookAppointmentWorkflow } from './book-appointment.workflow';
import { bookingWorkflowId } from './book-appointment.contract';
import {
  cancelWaitlistSignal,
  MAX_AUTOBOOK_ATTEMPTS_PER_CHECK,
  WAITLIST_CHECK_SCHEDULE_TO_CLOSE,
  slotFreedSignal,
  WAITLIST_ITERATIONS_PER_RUN,
  waitlistBookingId,
  waitlistStateQuery,
  type WaitlistActivities,
  type WaitlistMonitorInput,
  type WaitlistMonitorState,
  type WaitlistOffer,
} from './waitlist-monitor.contract';

const acts = proxyActivities<WaitlistActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});
/**
 * The check searches the entry's range: bounded in time so no input (and no outage) retries it
 * for ever; after WAITLIST_CHECK_SCHEDULE_TO_CLOSE the monitor fails visibly instead. Activity
 * options are not part of the event-history determinism check: replay of older runs is unchanged.
 */
const checkActs = proxyActivities<Pick<WaitlistActivities, 'checkWaitlistEntry'>>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: WAITLIST_CHECK_SCHEDULE_TO_CLOSE,
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

const initialState = (): WaitlistMonitorState => ({
  status: 'waiting', checks: 0, signalWakeups: 0, offers: [], notificationsSent: 0,
  bookingId: null, bookingAttempts: 0, runs: 0, lastCheckAt: null,
});

export async function waitlistMonitorWorkflow(input: WaitlistMonitorInput): Promise<WaitlistMonitorState> {
  const state: WaitlistMonitorState = { ...(input.state ?? initialState()) };
  state.runs += 1;
  let pending = input.checkPending ?? true;
  let cancelled = false;
  const reachStart = Date.parse(input.reach.start);
  const reachEnd = Date.parse(input.reach.end);

  setHandler(waitlistStateQuery, () => state);
  setHandler(cancelWaitlistSignal, () => {
    cancelled = true;
  });
  setHandler(slotFreedSignal, (event) => {
    if (Date.parse(event.end) > reachStart && Date.parse(event.start) < reachEnd && !pending) {
      pending = true;
      state.signalWakeups += 1;
    }
  });

  const expiresAt = Date.parse(input.expiresAt);
  const maxIterations = input.maxIterationsPerRun ?? WAITLIST_ITERATIONS_PER_RUN;
  for (let iteration = 0; ; iteration++) {
    if (cancelled) return close(input, state, 'cancelled');
    if (Date.now() >= expiresAt) return close(input, state, 'expired');
    if (pending) {
      pending = false;
      if (await check(input, state)) return state;
      if (cancelled) continue;
    }
    if (iteration + 1 >= maxIterations || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof waitlistMonitorWorkflow>({ ...input, state, checkPending: pending });
    }
    const wait = Math.max(1, Math.min(input.checkIntervalMs, expiresAt - Date.now()));
    const woke = await condition(() => pending || cancelled, wait);
    if (!woke && Date.now() < expiresAt) pending = true;
  }
}

/** One check; true when the monitor is done (booked or closed elsewhere). */
async function check(input: WaitlistMonitorInput, state: WaitlistMonitorState): Promise<boolean> {
  state.checks += 1;
  state.lastCheckAt = new Date(Date.now()).toISOString();
  const found = await checkActs.checkWaitlistEntry({ entryId: input.entryId });
  if (found.kind === 'closed') {
    state.status = found.status;
    state.bookingId = found.bookingId;
    return true;
  }
  if (found.candidates.length === 0) return false;
  if (!input.autoBook) {
    const result = await acts.offerWaitlistSlots({ entryId: input.entryId, candidates: found.candidates });
    state.offers = result.offers;
    state.notificationsSent = result.notificationsSent;
    if (state.offers.length > 0) state.status = 'notified';
    return false;
  }
  for (const offer of found.candidates.slice(0, MAX_AUTOBOOK_ATTEMPTS_PER_CHECK)) {
    const bookingId = await tryBook(input, state, offer, found.booking);
    if (bookingId) {
      await acts.markWaitlistBooked({ entryId: input.entryId, bookingId });
      state.status = 'booked';
      state.bookingId = bookingId;
      return true;
    }
  }
  return false;
}

async function tryBook(
  input: WaitlistMonitorInput,
  state: WaitlistMonitorState,
  offer: WaitlistOffer,
  who: { companyId: string; branchId: string; serviceId: string; customerId: string },
): Promise<string | null> {
  const bookingId = waitlistBookingId(input.entryId, state.bookingAttempts);
  state.bookingAttempts += 1;
  try {
    const result = await executeChild<typeof bookAppointmentWorkflow>('bookAppointmentWorkflow', {
      workflowId: bookingWorkflowId(bookingId),
      args: [{ bookingId, ...who, start: offer.start, staffId: offer.staffId, source: 'api', notes: 'waiting list' }],
    });
    return result.kind === 'confirmed' ? bookingId : null;
  } catch {
    // A saga that failed outright (not a business answer) is retried on the next check.
    return null;
  }
}

async function close(input: WaitlistMonitorInput, state: WaitlistMonitorState, status: 'expired' | 'cancelled'): Promise<WaitlistMonitorState> {
  await acts.closeWaitlistEntry({ entryId: input.entryId, status });
  state.status = status;
  await condition(allHandlersFinished);
  return state;
}
