/**
 * Booking rules for a package (domain/scheduling/packages.ts): every rule runs on every part at
 * the part's own time (the requested staff member binds every part, the customer's standing
 * and the package-level reasons are judged with the first part), and the violations of one rule
 * are merged into one, each distinct message once, naming the parts it refuses. When all pass, the parts are assigned
 * (same staff member preferred, see assignParts).
 * A requested person who cannot take a part at its time (skills, hours, breaks, time off, another
 * appointment) makes the start unavailable for them: `slotTaken` (409 with alternatives), as
 * a busy staff member or resource does, rather than a 422.
 */
import { SchedulingContext } from '../../scheduling/context';
import { formatInstant, localDateOf, toEpochMs } from '../../scheduling/local-time';
import { assignParts, evaluatePackage, packageOf, type PartAssignment } from '../../scheduling/packages';
import type { BookingRuleCode, ReasonCode } from '../../scheduling/scheduling.types';
import type { BookingRule, RuleContext, ValidateBookingInput, Violation } from './rule.types';
import { CONFLICT_CODES, DEFAULT_RULES, staffView } from './validate-booking';

export interface PackageValidation {
  ok: boolean;
  violations: Violation[];
  /** The only problem is someone else holding a part's staff or resource (409, not 422). */
  slotTaken: boolean;
  start: string;
  end: string;
  /** The assignment when ok (null otherwise): staff, resource and times per part, in order. */
  parts: PartAssignment[] | null;
}

/** The requested person's reasons that make a start unavailable for them (not a broken rule). */
const BOUND_STAFF_CODES: ReadonlySet<ReasonCode> = new Set(['skill_mismatch', 'staff_not_working', 'staff_on_break', 'staff_time_off', 'staff_busy']);

/** Throws when the input's service is not a package with parts (callers check `packageParts`). */
export function validatePackage(input: ValidateBookingInput, rules: readonly BookingRule[] = DEFAULT_RULES): PackageValidation {
  const scheduling = new SchedulingContext(input, input.excludeBookingId);
  const pkg = packageOf(scheduling, input);
  if (!pkg) throw new Error(`service ${input.service.id} is not a package with parts`);
  const start = toEpochMs(input.booking.start, 'start');
  const evs = evaluatePackage(pkg, { ...input.booking, start });
  const bound = input.booking.staffId ?? null;
  // Per rule: the merged violation and, per distinct message, the parts it refuses (a person at a
  // limit gets the limit's message once, naming every part, not once per part).
  const merged = new Map<BookingRuleCode, { violation: Violation; parts: Map<string, string[]> }>();
  for (const { part, evaluation } of evs) {
    const ctx: RuleContext = {
      scheduling: part.ctx,
      evaluation,
      request: { ...input.booking, start: evaluation.start, staffId: bound },
      customer: part.index === 0 ? input.customer : null,
      ...staffView(evaluation, bound),
    };
    for (const v of rules.filter((r) => scheduling.enabled(r.code)).flatMap((r) => r.check(ctx))) {
      const label = evs.length > 1 && v.reasons.length > 0 ? `${part.index + 1} (${part.service.id})` : null;
      let entry = merged.get(v.rule);
      if (!entry) merged.set(v.rule, (entry = { violation: v, parts: new Map() }));
      else {
        const seen = entry.violation;
        entry.violation = {
          ...seen,
          reasons: [...new Set([...seen.reasons, ...v.reasons])],
          ...(v.limits || seen.limits ? { limits: [...new Set([...(seen.limits ?? []), ...(v.limits ?? [])])] } : {}),
        };
      }
      const labels = entry.parts.get(v.message) ?? [];
      if (label !== null && !labels.includes(label)) labels.push(label);
      entry.parts.set(v.message, labels);
    }
  }
  const violations = [...merged.values()].map(({ violation, parts }) => ({
    ...violation,
    message: [...parts].map(([message, labels]) => (labels.length === 0 ? message : `${labels.length > 1 ? 'parts' : 'part'} ${labels.join(', ')}: ${message}`)).join('; '),
  }));
  const ok = violations.length === 0;
  const date = localDateOf(start, scheduling.zone);
  const day = scheduling.day(date).zoneDay;
  const parts = ok ? assignParts(evs, (id) => scheduling.busy.staffCount(id, day.start, day.end)) : null;
  return {
    ok: ok && parts !== null,
    violations,
    slotTaken: !ok && violations.every((v) => v.reasons.length > 0 && v.reasons.every((c) => CONFLICT_CODES.has(c) || (bound !== null && v.rule === 'staff_availability' && BOUND_STAFF_CODES.has(c)))),
    start: formatInstant(start, scheduling.zone),
    end: formatInstant(start + pkg.spanMs, scheduling.zone),
    parts,
  };
}
