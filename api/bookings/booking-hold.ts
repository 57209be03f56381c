/**
 * The API's half of "conflicts decided before Temporal": POST /v1/bookings plans the request and
 * takes the slot's hold in PostgreSQL itself (infra/booking/slot-holds.ts, the exclusion constraint
 * decides), so only the winner of a slot starts a saga (which adopts the hold). The losers are
 * answered 409 with alternatives from here; identical concurrent searches of one process share one
 * computation (booking-planner.ts), and identical requests that arrive while one of them is being
 * decided are answered from its decision when it took or found the slot taken (a storm of one
 * client's retries, or of one customer's duplicate submits, costs one plan and one search).
 *
 * The availability cache is invalidated as soon as the hold is taken (before the saga starts and
 * long before the API answers), and again when a hold whose saga surely never started is released.
 * A hold whose saga never started for another reason (the process died between the two, or the
 * start's fate is unknown) is expired by the hold sweeper once its owner is known not to exist.
 */
import { createBookingPlanner } from '../../infra/booking/booking-planner';
import { connectionClientResolver, createExternalBusySource } from '../../infra/calcom/external-busy';
import { calendarConnectionsOf } from '../calendar-connections/calendar-connections.deps';
import { dropUnstartedHold, existingHold, holdSlot, planRequestOf } from '../../infra/booking/slot-holds';
import type { BookingPlanner, PlanRequest, SlotPlan } from '../../infra/booking/slot-plan.types';
import type { AppDeps } from '../app-deps';
import type { RouteContext } from '../route-kit';
import type { BookAppointmentInput } from '../../workflows/book-appointment.contract';
import type { AlternativeSlot, ConflictOutcome, NotFoundOutcome, RuleViolationOutcome } from '../../workflows/lib/outcomes';

declare module '../app-deps' {
  interface AppDeps {
    /** The rules engine behind API-side holds; default: one over deps.db and deps.clock. */
    planner?: BookingPlanner;
  }
}

export type RequestHold =
  /** This request holds the slot now; the saga adopts `plan`. */
  | { kind: 'held'; plan: SlotPlan; fresh: boolean }
  /** The booking's row exists and no longer holds a slot: its saga's outcome answers. */
  | { kind: 'settled' }
  | ConflictOutcome
  | RuleViolationOutcome
  | NotFoundOutcome;

const planners = new WeakMap<AppDeps, BookingPlanner>();

export function plannerOf(deps: AppDeps): BookingPlanner {
  if (deps.planner) return deps.planner;
  let planner = planners.get(deps);
  if (!planner) {
    // The linked staff's Cal.com busy times block the hold and shape the alternatives.
    const externalBusy = createExternalBusySource({ clientFor: connectionClientResolver(deps.db, calendarConnectionsOf(deps)), logger: deps.logger });
    planner = createBookingPlanner({ db: deps.db, clock: () => (deps.clock ? deps.clock() : new Date()), externalBusy });
    planners.set(deps, planner);
  }
  return planner;
}

/**
 * Plans and holds the slot of `input`. `repeat`: the request may have been made before (an
 * Idempotency-Key), so the booking's own row, if any, answers first.
 */
export async function holdForRequest(ctx: RouteContext, input: BookAppointmentInput, workflowId: string, repeat: boolean): Promise<RequestHold> {
  const { db } = ctx.deps;
  const own = async (): Promise<RequestHold | null> => {
    const row = repeat ? await existingHold(db, input.bookingId) : null;
    if (!row) return null;
    return row.status === 'pending' || row.status === 'confirmed' ? { kind: 'held', plan: row.plan, fresh: false } : { kind: 'settled' };
  };
  const before = await own();
  if (before) return before;
  const planner = plannerOf(ctx.deps);
  // No row of this booking exists, so nothing is excluded: every loser of a slot asks the same
  // alternatives search, and concurrent ones share it.
  const request = { ...planRequestOf(input), excludeBookingId: null };
  const key = decisionKey(request);
  const decisions = decisionsOf(ctx.deps);
  const running = decisions.get(key);
  if (running) {
    // The same request (slot, staff, customer, shape) is being decided by another request of this
    // process. If that one takes the slot, or finds it taken, this one has lost it as surely as its
    // own plan would have found (the slot is held when it is answered): it is answered from that
    // decision, without its own plan, insert and searches. Anything else (a rule violation, an
    // error, a settled row) and this request decides for itself.
    const decided = await running.outcome.catch(() => null);
    if (decided?.kind === 'held' || decided?.kind === 'conflict') {
      // The losers of a taken slot share one alternatives search.
      const alternatives = decided.kind === 'conflict' ? decided.alternatives : await (running.losers ??= planner.alternatives(request));
      return (await own()) ?? { kind: 'conflict', alternatives };
    }
    return decide(ctx, input, workflowId, request, own);
  }
  const decision: Decision = { outcome: decide(ctx, input, workflowId, request, own) };
  decisions.set(key, decision);
  const done = () => {
    if (decisions.get(key) === decision) decisions.delete(key);
  };
  decision.outcome.then(done, done);
  return decision.outcome;
}

/** A request being decided, and the alternatives of the requests that lost to it (made once, on demand). */
interface Decision {
  outcome: Promise<RequestHold>;
  losers?: Promise<AlternativeSlot[]>;
}

async function decide(ctx: RouteContext, input: BookAppointmentInput, workflowId: string, request: PlanRequest, own: () => Promise<RequestHold | null>): Promise<RequestHold> {
  const { db } = ctx.deps;
  const planner = plannerOf(ctx.deps);
  const planned = await planner.plan(request);
  // A concurrent repeat of this keyed request may be the one holding the slot: it joins it.
  if (planned.kind === 'conflict') return (await own()) ?? planned;
  if (planned.kind !== 'ok') return planned;
  const attempt = await holdSlot({ db, planner, clock: ctx.now }, { bookingId: input.bookingId, workflowId, booking: input, plan: planned.plan });
  switch (attempt.kind) {
    case 'conflict':
      return (await own()) ?? attempt;
    case 'existing':
      return attempt.row.status === 'pending' || attempt.row.status === 'confirmed' ? { kind: 'held', plan: attempt.row.plan, fresh: false } : { kind: 'settled' };
    case 'held':
      // Read-your-writes: every API process stops serving the slot before anyone is answered.
      await ctx.branchChanged(input.companyId, input.branchId);
      return { kind: 'held', plan: attempt.plan, fresh: true };
  }
}

/** Requests with equal keys get equal plans: everything planning reads of a request but its booking id. */
function decisionKey(r: PlanRequest): string {
  return JSON.stringify([r.companyId, r.branchId, r.serviceId, r.customerId, r.start, r.staffId ?? null, r.durationMinutes ?? null,
    r.preferences ?? null, r.participants ?? null]);
}

const decisionMaps = new WeakMap<AppDeps, Map<string, Decision>>();
function decisionsOf(deps: AppDeps): Map<string, Decision> {
  let map = decisionMaps.get(deps);
  if (!map) decisionMaps.set(deps, (map = new Map()));
  return map;
}

/** Frees the hold of a saga that surely never started (the request changed nothing then). */
export async function releaseUnstarted(ctx: RouteContext, input: BookAppointmentInput): Promise<void> {
  const released = await dropUnstartedHold(ctx.deps.db, input.bookingId);
  if (released) await ctx.branchChanged(input.companyId, released.branchId);
}
