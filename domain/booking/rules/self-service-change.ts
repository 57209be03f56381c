/**
 * The branch rules that bind a customer's own changes through the self-service link (API.md "The
 * booking after confirmation"), and only those: company keys are not bound by them.
 *
 * - cancellation_cutoff: no cancel or move closer to the booking's start than
 *   `cancellationCutoffHours` (default 24), and never once it has started.
 * - max_reschedules: at most `maxReschedules` (default 3) moves of one booking.
 *
 * Pure: `now`, the booking and the branch's settings are arguments. The reasons feed the same
 * rule list as every other booking rule (DEFAULT_RULES: a self-service reschedule's validation
 * and explain name them), and `validateSelfServiceChange` judges a change on its own (a cancel has
 * no new start to evaluate).
 */
import type { Reason } from '../../scheduling/scheduling.types';
import { fromReasons, generalReasons, type BookingRule, type Violation } from './rule.types';

export const DEFAULT_CANCELLATION_CUTOFF_HOURS = 24;
export const DEFAULT_MAX_RESCHEDULES = 3;

export interface SelfServicePolicy {
  cancellationCutoffHours: number;
  maxReschedules: number;
}

export interface SelfServiceChange {
  action: 'cancel' | 'reschedule';
  /** The booking's current start (epoch ms). */
  bookingStart: number;
  rescheduledCount: number;
}

/** The branch's stored rules (any shape) → the policy, defaults filled in. */
export function selfServicePolicyOf(rules: unknown): SelfServicePolicy {
  const r = (rules && typeof rules === 'object' ? rules : {}) as Record<string, unknown>;
  const whole = (v: unknown, fallback: number) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : fallback);
  return {
    cancellationCutoffHours: whole(r.cancellationCutoffHours, DEFAULT_CANCELLATION_CUTOFF_HOURS),
    maxReschedules: whole(r.maxReschedules, DEFAULT_MAX_RESCHEDULES),
  };
}

const HOUR = 3_600_000;

/** A cut-off in the units a customer reads: hours under 48 ("24 hours"), otherwise days ("365 days", "2 days and 6 hours"). */
export function cutoffText(hours: number): string {
  const unit = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;
  if (hours < 48) return unit(hours, 'hour');
  const days = Math.floor(hours / 24);
  const rest = hours % 24;
  return rest === 0 ? unit(days, 'day') : `${unit(days, 'day')} and ${unit(rest, 'hour')}`;
}

export function selfServiceReasons(change: SelfServiceChange, policy: SelfServicePolicy, now: number): Reason[] {
  const reasons: Reason[] = [];
  const verb = change.action === 'cancel' ? 'cancelled' : 'moved';
  if (now >= change.bookingStart) {
    reasons.push({ code: 'cancellation_cutoff', message: `The appointment has already begun: it can no longer be ${verb} online` });
  } else if (change.bookingStart - now < policy.cancellationCutoffHours * HOUR) {
    reasons.push({
      code: 'cancellation_cutoff',
      message: `Appointments can be ${verb} online until ${cutoffText(policy.cancellationCutoffHours)} before they start; please contact the branch`,
    });
  }
  if (change.action === 'reschedule' && change.rescheduledCount >= policy.maxReschedules) {
    reasons.push(maxReschedulesReason(change.rescheduledCount, policy.maxReschedules));
  }
  return reasons;
}

/** The max_reschedules reason; also the reschedule saga's answer when its guarded count claim is refused. */
export function maxReschedulesReason(rescheduledCount: number, maxReschedules: number): Reason {
  return {
    code: 'max_reschedules',
    message: `This appointment was already moved ${rescheduledCount} times (at most ${maxReschedules} online); please contact the branch`,
  };
}

export const cancellationCutoffRule: BookingRule = {
  code: 'cancellation_cutoff',
  check: (ctx) => fromReasons('cancellation_cutoff', generalReasons(ctx, ['cancellation_cutoff'])),
};

export const maxReschedulesRule: BookingRule = {
  code: 'max_reschedules',
  check: (ctx) => fromReasons('max_reschedules', generalReasons(ctx, ['max_reschedules'])),
};

/** Every self-service rule the change breaks (none: allowed); a branch may switch either off (`disabledRules`). */
export function validateSelfServiceChange(
  input: { change: SelfServiceChange; policy: SelfServicePolicy; now: number; disabledRules?: readonly string[] },
): Violation[] {
  const reasons = selfServiceReasons(input.change, input.policy, input.now).filter((r) => !input.disabledRules?.includes(r.code));
  return [
    ...fromReasons('cancellation_cutoff', reasons.filter((r) => r.code === 'cancellation_cutoff')),
    ...fromReasons('max_reschedules', reasons.filter((r) => r.code === 'max_reschedules')),
  ];
}
