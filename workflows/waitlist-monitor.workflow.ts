/**
 * Waiting-list monitor: one entity workflow per entry (`waitlist-<entryId>`).
 *
 * Checks at once, then whenever `slotFreed` reports a freed booking within the entry's reach
 * (within seconds) and on a periodic safety timer (`checkIntervalMs`).
 * Since patch `waitlist-monitor-v2` (issue 12: waiting lists by the ten thousand):
 * - a `slotFreed` from the fan-out activity carries the offers the fairness allocation gave this
 *   entry (decided once for all monitors, oldest entry first): the monitor books or offers them
 *   without a check of its own; a signal without offers (older senders) still triggers a check;
 * - an idle monitor's safety check is hours apart (WAITLIST_CHECK_INTERVAL, default 12 h) with
 *   a per-entry jitter (domain checkDelayMs), so idle monitors cost almost no history;
 * - continue-as-new after 50 iterations (was 200), carrying a pending check and pending offers. On a match it books through the
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
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { checkDelayMs } from '../domain/waitlist/fan-out';
import type { bookAppointmentWorkflow } from './book-appointment.workflow';
import { bookingWorkflowId } from './book-appointment.contract';
import {
  cancelWaitlistSignal,
  LEGACY_WAITLIST_ITERATIONS_PER_RUN,
  MAX_AUTOBOOK_ATTEMPTS_PER_CHECK,
  WAITLIST_CHECK_SCHEDULE_TO_CLOSE,
  slotFreedSignal,
  WAITLIST_ITERATIONS_PER_RUN,
  waitlistBookingId,
  waitlistStateQuery,
  type WaitlistActivities,
  type WaitlistMonitorInput,
  type WaitlistMonitorState,
  type SignalledOffers,
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
  const v2 = patched('waitlist-monitor-v2');
  const state: WaitlistMonitorState = { ...(input.state ?? initialState()) };
  state.runs += 1;
  let pending = input.checkPending ?? true;
  let signalled: SignalledOffers | null = input.pendingOffers ?? null;
  let cancelled = false;
  const reachStart = Date.parse(input.reach.start);
  const reachEnd = Date.parse(input.reach.end);

  setHandler(waitlistStateQuery, () => state);
  setHandler(cancelWaitlistSignal, () => {
    cancelled = true;
  });
  setHandler(slotFreedSignal, (event) => {
    if (v2 && event.offers && event.offers.length > 0 && event.entry) {
      // Allocated to this entry by the fan-out: kept (merged with earlier ones) until acted on.
      const known = new Set((signalled?.offers ?? []).map((o) => `${o.start}|${o.staffId}`));
      const offers = [...(signalled?.offers ?? []), ...event.offers.filter((o) => !known.has(`${o.start}|${o.staffId}`))];
      signalled = { offers, booking: { ...event.entry, branchId: event.branchId } };
      state.signalWakeups += 1;
      return;
    }
    if (Date.parse(event.end) > reachStart && Date.parse(event.start) < reachEnd && !pending) {
      pending = true;
      state.signalWakeups += 1;
    }
  });

  const expiresAt = Date.parse(input.expiresAt);
  const maxIterations = input.maxIterationsPerRun ?? (v2 ? WAITLIST_ITERATIONS_PER_RUN : LEGACY_WAITLIST_ITERATIONS_PER_RUN);
  const interval = v2 ? checkDelayMs(input.entryId, input.checkIntervalMs) : input.checkIntervalMs;
  for (let iteration = 0; ; iteration++) {
    if (cancelled) return close(input, state, 'cancelled');
    if (Date.now() >= expiresAt) return close(input, state, 'expired');
    if (signalled) {
      const given = signalled;
      signalled = null;
      if (await take(input, state, given)) return state;
      if (cancelled) continue;
    }
    if (pending) {
      pending = false;
      if (await check(input, state)) return state;
      if (cancelled) continue;
    }
    if (iteration + 1 >= maxIterations || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      // Signals taken in by the handlers up to here travel with the new run.
      return continueAsNew<typeof waitlistMonitorWorkflow>({ ...input, state, checkPending: pending, ...(v2 ? { pendingOffers: signalled } : {}) });
    }
    const wait = Math.max(1, Math.min(interval, expiresAt - Date.now()));
    const woke = await condition(() => pending || cancelled || signalled !== null, wait);
    if (!woke && Date.now() < expiresAt) pending = true;
  }
}

/** Acts on offers the fan-out allocated to this entry; true when the monitor is done (booked). */
async function take(input: WaitlistMonitorInput, state: WaitlistMonitorState, given: SignalledOffers): Promise<boolean> {
  return act(input, state, given.offers, given.booking);
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
  return act(input, state, found.candidates, found.booking);
}

/** Offers (notify) or books (autoBook) `candidates`; true when the monitor is done (booked). */
async function act(
  input: WaitlistMonitorInput,
  state: WaitlistMonitorState,
  candidates: WaitlistOffer[],
  booking: { companyId: string; branchId: string; serviceId: string; customerId: string },
): Promise<boolean> {
  if (candidates.length === 0) return false;
  if (!input.autoBook) {
    const result = await acts.offerWaitlistSlots({ entryId: input.entryId, candidates });
    state.offers = result.offers;
    state.notificationsSent = result.notificationsSent;
    if (state.offers.length > 0) state.status = 'notified';
    return false;
  }
  for (const offer of candidates.slice(0, MAX_AUTOBOOK_ATTEMPTS_PER_CHECK)) {
    const bookingId = await tryBook(input, state, offer, booking);
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
