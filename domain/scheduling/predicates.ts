/**
 * The predicates every consumer shares: the slot engine's inner loop, explainStart, staff
 * assignment and the booking rules. Keeping one copy is what makes "a listed slot always passes
 * validateBooking" true by construction (and the property test checks it).
 *
 * Blocked range: the appointment [start, end) widened by buffers and travel on both sides. It must
 * not overlap another blocked range of the same staff member or the chosen resource. Buffers may
 * reach outside working hours and breaks (as in Cal.com); the appointment itself may not.
 */
import type { SchedulingContext } from './context';
import { overlapsAny } from './intervals';
import type { Preferences, Reason, ServiceSpec, StaffSchedule } from './scheduling.types';

const DAY = 86_400_000;

export type DurationCheck = { ok: true; minutes: number } | { ok: false; reason: Reason };

/** The appointment length: the service's, or a requested one within the flexible bounds. */
export function resolveDuration(service: ServiceSpec, requested?: number | null): DurationCheck {
  const base = service.durationMinutes;
  if (requested === undefined || requested === null || requested === base) return { ok: true, minutes: base };
  const flex = service.flexible;
  const fail = (message: string): DurationCheck => ({ ok: false, reason: { code: 'invalid_duration', message } });
  if (!Number.isInteger(requested) || requested <= 0) return fail(`Duration ${requested} is not a positive whole number of minutes`);
  if (service.category !== 'flexible' || !flex) return fail(`This service lasts ${base} minutes; ${requested} is not offered`);
  if (requested < flex.minMinutes || requested > flex.maxMinutes) {
    return fail(`Duration must be between ${flex.minMinutes} and ${flex.maxMinutes} minutes`);
  }
  if (flex.stepMinutes > 0 && (requested - flex.minMinutes) % flex.stepMinutes !== 0) {
    return fail(`Duration must be ${flex.minMinutes} minutes plus a multiple of ${flex.stepMinutes}`);
  }
  return { ok: true, minutes: requested };
}

/** Group size rule: a group needs `service.group`, and its size must fit it. Unknown size: no check. */
export function groupSizeReason(service: ServiceSpec, participants?: number | null): Reason | null {
  if (participants === undefined || participants === null) return null;
  const g = service.group;
  if (!g) {
    return participants > 1 ? { code: 'group_size', message: 'This service does not take group bookings' } : null;
  }
  if (participants < g.minParticipants || participants > g.maxParticipants) {
    return { code: 'group_size', message: `Group size must be between ${g.minParticipants} and ${g.maxParticipants} participants (got ${participants})` };
  }
  return null;
}

export function missingSkills(staff: StaffSchedule, service: ServiceSpec): string[] {
  return service.requiredSkills.filter((s) => !staff.skills.includes(s));
}

function languageMatches(spoken: string, wanted: string): boolean {
  const a = spoken.toLowerCase();
  const b = wanted.toLowerCase();
  return a === b || a.startsWith(`${b}-`);
}

/** Why a staff member does not match the customer's preferences, or null. */
export function preferenceMismatch(staff: StaffSchedule, prefs?: Preferences | null): string | null {
  if (prefs?.gender && (staff.gender ?? '').toLowerCase() !== prefs.gender.toLowerCase()) {
    return `${staff.name} does not match the preferred gender`;
  }
  if (prefs?.language && !staff.languages.some((l) => languageMatches(l, prefs.language as string))) {
    return `${staff.name} does not speak ${prefs.language}`;
  }
  return null;
}

/** Earliest bookable start under minimum notice. */
export function earliestStart(ctx: SchedulingContext): number {
  return ctx.enabled('minimum_notice') ? ctx.now + ctx.rules.minimumNoticeMinutes * 60_000 : -Infinity;
}

/** Latest bookable start under the advance window (maxAdvanceDays × 24 h after now). */
export function latestStart(ctx: SchedulingContext): number {
  return ctx.enabled('max_advance') ? ctx.now + ctx.rules.maxAdvanceDays * DAY : Infinity;
}

export function staffBusyAt(ctx: SchedulingContext, staffId: string, start: number, end: number): boolean {
  if (ctx.seats) return ctx.seats.seatsLeft(ctx.service.id, staffId, start, start - ctx.beforeMs, end + ctx.afterMs) === 0;
  return overlapsAny(ctx.busy.staffBusy(staffId), start - ctx.beforeMs, end + ctx.afterMs);
}

export function onTimeOff(ctx: SchedulingContext, staffId: string, start: number, end: number): boolean {
  return overlapsAny(ctx.timeOff(staffId), start, end);
}

/**
 * The first listed resource free over the blocked range: undefined when the service needs none,
 * null when all are taken.
 */
export function freeResource(ctx: SchedulingContext, start: number, end: number): string | null | undefined {
  const wanted = ctx.service.resourceRequirements;
  if (wanted.length === 0) return undefined;
  const from = start - ctx.beforeMs;
  const to = end + ctx.afterMs;
  const busy = ctx.seats ?? ctx.busy;
  for (const id of wanted) if (!overlapsAny(busy.resourceBusy(id), from, to)) return id;
  return null;
}

/** Whether the staff member already has their maximum bookings on the local day [dayStart, dayEnd). */
export function staffDayFull(ctx: SchedulingContext, staff: StaffSchedule, dayStart: number, dayEnd: number): boolean {
  const max = staff.maxDailyBookings;
  if (!ctx.enabled('max_daily_bookings') || max === undefined || max === null) return false;
  return ctx.busy.staffCount(staff.id, dayStart, dayEnd) >= max;
}

export function customerDayFull(ctx: SchedulingContext, customerId: string | null | undefined, dayStart: number, dayEnd: number): boolean {
  const max = ctx.rules.maxDailyBookingsPerCustomer;
  if (!customerId || !ctx.enabled('max_daily_bookings') || max === null) return false;
  return ctx.busy.customerCount(customerId, dayStart, dayEnd) >= max;
}

/** Staff who could ever take this service for this customer: skills and preferences. */
export function eligibleStaff(ctx: SchedulingContext, staffId?: string | null, prefs?: Preferences | null): StaffSchedule[] {
  return ctx.staff.filter(
    (s) => (!staffId || s.id === staffId) && missingSkills(s, ctx.service).length === 0 && preferenceMismatch(s, prefs) === null,
  );
}
