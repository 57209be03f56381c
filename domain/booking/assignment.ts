/**
 * Automatic staff assignment (API.md "Bookings"): among the staff who have the required skills,
 * match the preferences and are free at that time (resource included), pick the one with the
 * fewest bookings that local day; ties go to the stable order (name, then id).
 */
import { SchedulingContext } from '../scheduling/context';
import { evaluateStart } from '../scheduling/evaluate';
import { toEpochMs } from '../scheduling/local-time';
import type { Instant, Preferences, SchedulingInput } from '../scheduling/scheduling.types';

export interface AssignStaffInput extends SchedulingInput {
  start: Instant;
  durationMinutes?: number | null;
  preferences?: Preferences | null;
  participants?: number | null;
  customerId?: string | null;
  /** Bookings per staff member that day; defaults to counting `busy` rows with a bookingId. */
  dayCounts?: Record<string, number>;
  excludeBookingId?: string | null;
}

export interface StaffAssignment {
  staffId: string;
  staffName: string;
  resourceId: string | null;
  bookingsThatDay: number;
  /** Human explanation of the choice, for booking history. */
  reason: string;
}

/** The chosen staff member, or null when nobody can take the booking at that start. */
export function assignStaff(input: AssignStaffInput): StaffAssignment | null {
  const ctx = new SchedulingContext(input, input.excludeBookingId);
  const ev = evaluateStart(ctx, { ...input, staffId: null, start: toEpochMs(input.start, 'start') });
  if (ev.general.length > 0 || ev.freeStaffIds.length === 0) return null;
  const day = ctx.day(ev.date).zoneDay;
  const count = (id: string) => input.dayCounts?.[id] ?? ctx.busy.staffCount(id, day.start, day.end);
  // freeStaffIds is already in stable order and Array.prototype.sort is stable.
  const ranked = ev.freeStaffIds.map((id) => ({ id, n: count(id) })).sort((a, b) => a.n - b.n);
  const pick = ranked[0];
  const staff = ctx.staffMember(pick.id);
  const tied = ranked.filter((r) => r.n === pick.n).length;
  const others = ranked.length - 1;
  return {
    staffId: pick.id,
    staffName: staff?.name ?? pick.id,
    resourceId: ev.resourceId ?? null,
    bookingsThatDay: pick.n,
    reason:
      others === 0
        ? `${staff?.name} is the only matching staff member free at that time`
        : `${staff?.name} has the fewest bookings on ${ev.date} (${pick.n}) among ${ranked.length} free matching staff` +
          (tied > 1 ? `; tie broken by name` : ''),
  };
}
