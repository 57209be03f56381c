/**
 * Final answers of booking requests as {status, body} pairs: storable for idempotent replays and
 * sent the same way the first time and on every replay (problems as application/problem+json).
 * Maps the sagas' business outcomes (workflows/lib/outcomes.ts) to API.md's statuses.
 */
import type { Client } from '@temporalio/client';
import type { AppDeps } from '../app-deps';
import { ApiError, makeProblem, sendProblem, type Problem } from '../error-handler';
import type { Reply, RouteContext } from '../route-kit';
import { formatInstant } from '../common.schemas';
import type { AlternativeSlot, ConflictOutcome, NotFoundOutcome, RuleViolationOutcome, InvalidStateOutcome } from '../../workflows/lib/outcomes';
import { violationView } from '../../domain/errors';
import { TemporalUnavailableError } from '../../infra/temporal/start-and-await';
import { REPLAYED_HEADER, type StoredAnswer } from './idempotency';

/** The process's Temporal client, or 503 before anything is written. */
export function temporalOf(deps: AppDeps): Client {
  if (!deps.temporal) throw new ApiError('dependency_unavailable', 'temporal is not configured', { dependency: 'temporal' });
  return deps.temporal;
}

/** A failed start that Temporal surely never accepted: the request changed nothing. */
export const surelyNotStarted = (error: unknown) => error instanceof TemporalUnavailableError && !error.maybeStarted;

export const problemAnswer = (problem: Problem): StoredAnswer => ({ status: problem.status, body: problem });

/**
 * The answers made from one list of alternatives, by zone: the losers of one slot share the list
 * (api/bookings/booking-hold.ts), so a storm formats its 5 alternatives once, not once per loser
 * (formatting instants in a zone was the largest part of a refused request's CPU). Answers are
 * never mutated after they are made.
 */
const answersOf = new WeakMap<AlternativeSlot[], Map<string, StoredAnswer>>();

export function slotUnavailable(outcome: ConflictOutcome, zone: string): StoredAnswer {
  let byZone = answersOf.get(outcome.alternatives);
  if (!byZone) answersOf.set(outcome.alternatives, (byZone = new Map()));
  let answer = byZone.get(zone);
  if (!answer) byZone.set(zone, (answer = conflictAnswer(outcome, zone)));
  return answer;
}

function conflictAnswer(outcome: ConflictOutcome, zone: string): StoredAnswer {
  const alternatives = outcome.alternatives.slice(0, 5).map((a: AlternativeSlot) => ({
    start: formatInstant(new Date(a.start), zone),
    end: formatInstant(new Date(a.end), zone),
    staffId: a.staffId,
    staffName: a.staffName,
  }));
  return problemAnswer(makeProblem('slot_unavailable', 'The requested slot is not available', { alternatives }));
}

export const ruleViolation = (outcome: RuleViolationOutcome): StoredAnswer =>
  problemAnswer(
    makeProblem('booking_rule_violation', outcome.violations.map((v) => v.message).join('; ') || 'Booking rules violated', {
      violations: outcome.violations.map(violationView),
    }),
  );

/**
 * A fixed message: the calendar's own error text (upstream host names, ports, messages) stays in
 * the sync failure support reads (GET /v1/sync-failures) and the worker's log, never an answer.
 */
export const calendarSyncFailed = (bookingId: string): StoredAnswer =>
  problemAnswer(makeProblem('calendar_sync_failed', 'The calendar could not be updated; support can see the details on the sync failure', { bookingId }));

export const invalidState = (outcome: InvalidStateOutcome): StoredAnswer => problemAnswer(makeProblem('invalid_state', outcome.message));

export const notFoundAnswer = (outcome: NotFoundOutcome): StoredAnswer =>
  problemAnswer(makeProblem('not_found', `${outcome.entity} ${outcome.id} not found`));

/** Sends an answer; problems go out as problem+json, repeats carry Idempotent-Replayed. */
export function sendAnswer(ctx: RouteContext, answer: StoredAnswer, replayed: boolean): Reply | void {
  const headers: Record<string, string> = replayed ? { [REPLAYED_HEADER]: 'true' } : {};
  if (answer.status >= 400) {
    for (const [name, value] of Object.entries(headers)) ctx.res.setHeader(name, value);
    sendProblem(ctx.res, answer.body as Problem);
    return;
  }
  return { status: answer.status, body: answer.body, headers };
}
