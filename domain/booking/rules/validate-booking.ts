/**
 * validateBooking runs every enabled rule and returns EVERY violation (API.md: 422 lists each
 * failing rule). `slotTaken` tells the caller that the only problem is another booking holding the
 * staff member or resource, which the API answers with 409 slot_unavailable plus alternatives
 * rather than 422.
 */
import { SchedulingContext } from '../../scheduling/context';
import { evaluateStart, type StartEvaluation } from '../../scheduling/evaluate';
import { formatInstant, toEpochMs } from '../../scheduling/local-time';
import type { Reason, ReasonCode } from '../../scheduling/scheduling.types';
import { bookingLimitRule } from './booking-limit.rule';
import { businessHoursRule } from './business-hours.rule';
import { consultationRequiredRule } from './consultation-required.rule';
import { customerBlockedRule } from './customer-blocked.rule';
import { groupSizeRule } from './group-size.rule';
import { maxAdvanceRule } from './max-advance.rule';
import { maxDailyBookingsRule } from './max-daily-bookings.rule';
import { minimumNoticeRule } from './minimum-notice.rule';
import type { BookingRule, RuleContext, ValidateBookingInput, Violation } from './rule.types';
import { cancellationCutoffRule, maxReschedulesRule, selfServiceReasons } from './self-service-change';
import { serviceAvailabilityRule } from './service-availability.rule';
import { staffAvailabilityRule } from './staff-availability.rule';

/** In API.md order. */
export const DEFAULT_RULES: readonly BookingRule[] = [
  minimumNoticeRule,
  maxAdvanceRule,
  businessHoursRule,
  staffAvailabilityRule,
  serviceAvailabilityRule,
  customerBlockedRule,
  maxDailyBookingsRule,
  groupSizeRule,
  consultationRequiredRule,
  bookingLimitRule,
  cancellationCutoffRule,
  maxReschedulesRule,
];

/** Reasons that mean "someone else holds this time" (409) rather than a broken rule (422). */
export const CONFLICT_CODES: ReadonlySet<ReasonCode> = new Set(['staff_busy', 'resource_unavailable']);
const MATCH_CODES: ReadonlySet<ReasonCode> = new Set(['skill_mismatch', 'preference_mismatch']);

export interface BookingValidation {
  ok: boolean;
  violations: Violation[];
  slotTaken: boolean;
  start: string;
  end: string;
  /** Staff free at that start (only the requested one when staffId was given). */
  freeStaffIds: string[];
  /** Resource that would be used (first free of the service's list); null when none needed. */
  resourceId: string | null;
}

export function validateBooking(input: ValidateBookingInput, rules: readonly BookingRule[] = DEFAULT_RULES): BookingValidation {
  const scheduling = new SchedulingContext(input, input.excludeBookingId);
  const evaluation = evaluateStart(scheduling, { ...input.booking, start: toEpochMs(input.booking.start, 'start') });
  if (input.selfService) evaluation.general.push(...selfServiceReasons(input.selfService.change, input.selfService.policy, scheduling.now));
  const ctx: RuleContext = { scheduling, evaluation, request: input.booking, customer: input.customer, ...staffView(evaluation, input.booking.staffId) };
  const violations = rules.filter((r) => scheduling.enabled(r.code)).flatMap((r) => r.check(ctx));
  const ok = violations.length === 0;
  return {
    ok,
    violations,
    slotTaken: !ok && violations.every((v) => v.reasons.length > 0 && v.reasons.every((c) => CONFLICT_CODES.has(c))),
    start: formatInstant(evaluation.start, scheduling.zone),
    end: formatInstant(evaluation.end, scheduling.zone),
    freeStaffIds: evaluation.freeStaffIds,
    resourceId: evaluation.resourceId ?? null,
  };
}

/** Which staff reasons the rules judge: the requested member's, or the closest candidate's. */
export function staffView(ev: StartEvaluation, staffId?: string | null): { staffReasons: Reason[]; noCandidate: boolean } {
  if (staffId) return { staffReasons: ev.byStaff.get(staffId) ?? [], noCandidate: false };
  if (ev.freeStaffIds.length > 0) return { staffReasons: [], noCandidate: false };
  let best: Reason[] | undefined;
  let bestScore = Infinity;
  for (const reasons of ev.byStaff.values()) {
    if (reasons.some((r) => MATCH_CODES.has(r.code))) continue;
    const score = reasons.filter((r) => !CONFLICT_CODES.has(r.code)).length * 100 + reasons.length;
    if (score < bestScore) {
      best = reasons;
      bestScore = score;
    }
  }
  return best ? { staffReasons: best, noCandidate: false } : { staffReasons: [], noCandidate: true };
}
