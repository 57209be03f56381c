/**
 * A booking rule is a small pure unit: it reads the shared evaluation of the requested start and
 * returns its violations (none when it passes). Rules never re-derive availability themselves;
 * they classify the reasons the scheduling core already found, so the slot engine and the
 * validator cannot disagree.
 */
import type { SchedulingContext } from '../../scheduling/context';
import type { StartEvaluation } from '../../scheduling/evaluate';
import type { SelfServiceChange, SelfServicePolicy } from './self-service-change';
import type { BookingRuleCode, Instant, Reason, ReasonCode, SchedulingInput, SlotRequest } from '../../scheduling/scheduling.types';

/** `participants` counts the listed participants (the organiser is not counted unless listed). */
export interface BookingRequest extends SlotRequest {
  start: Instant;
}

export interface CustomerStatus {
  id: string;
  blocked: boolean;
  blockedReason?: string | null;
}

export interface ValidateBookingInput extends SchedulingInput {
  booking: BookingRequest;
  customer?: CustomerStatus | null;
  /** The booking being rescheduled: its own busy rows are ignored. */
  excludeBookingId?: string | null;
  /** A customer's own reschedule through the self-service link: its rules apply too (self-service-change.ts). */
  selfService?: { change: SelfServiceChange; policy: SelfServicePolicy } | null;
}

export interface Violation {
  rule: BookingRuleCode;
  message: string;
  /** The underlying reason codes (explain codes), for callers that need finer detail. */
  reasons: ReasonCode[];
  /** booking_limit: the limits reached, e.g. ["service.perCustomer.week"] */
  limits?: string[];
}

export interface RuleContext {
  scheduling: SchedulingContext;
  evaluation: StartEvaluation;
  request: BookingRequest;
  customer?: CustomerStatus | null;
  /** Reasons against the requested staff member, or against the closest auto-assign candidate. */
  staffReasons: Reason[];
  /** True when auto-assigning and nobody has the skills and matches the preferences. */
  noCandidate: boolean;
}

export interface BookingRule {
  code: BookingRuleCode;
  check(ctx: RuleContext): Violation[];
}

/** One violation for `rule` from the given reasons, or none. */
export function fromReasons(rule: BookingRuleCode, reasons: Reason[]): Violation[] {
  if (reasons.length === 0) return [];
  return [{ rule, message: reasons.map((r) => r.message).join('; '), reasons: [...new Set(reasons.map((r) => r.code))] }];
}

export function generalReasons(ctx: RuleContext, codes: ReasonCode[]): Reason[] {
  return ctx.evaluation.general.filter((r) => codes.includes(r.code));
}
