/**
 * `onConflict: "alternative"` for a series occurrence: the nearest free slot on the same local day,
 * the same staff member first (API.md "Recurring series"). Pure; the caller supplies free slots.
 */
import { localDateOf, toEpochMs, zoneOf } from '../scheduling/local-time';

export interface CandidateSlot {
  start: string;
  end: string;
  staffIds: string[];
}

export interface ChosenSlot {
  start: string;
  end: string;
  staffId: string;
}

/** The chosen slot, or null when nothing is free that day. Ties go to the earlier start. */
export function pickSameDayAlternative(
  wanted: { start: string; staffId?: string | null },
  slots: CandidateSlot[],
  timezone: string,
): ChosenSlot | null {
  const zone = zoneOf(timezone);
  const target = toEpochMs(wanted.start);
  const day = localDateOf(target, zone);
  const sameDay = slots.filter((s) => localDateOf(toEpochMs(s.start), zone) === day && s.staffIds.length > 0);
  const byDistance = (a: CandidateSlot, b: CandidateSlot) => {
    const da = Math.abs(toEpochMs(a.start) - target);
    const db = Math.abs(toEpochMs(b.start) - target);
    return da !== db ? da - db : toEpochMs(a.start) - toEpochMs(b.start);
  };
  const staffId = wanted.staffId ?? null;
  const withStaff = staffId ? sameDay.filter((s) => s.staffIds.includes(staffId)).sort(byDistance) : [];
  if (withStaff.length > 0 && staffId) return { start: withStaff[0].start, end: withStaff[0].end, staffId };
  const any = [...sameDay].sort(byDistance)[0];
  return any ? { start: any.start, end: any.end, staffId: any.staffIds[0] } : null;
}
