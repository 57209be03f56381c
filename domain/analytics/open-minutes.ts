/**
 * Utilisation's denominator: the minutes each staff member could really be booked over a range of
 * local days (API.md "Analytics": real open hours). Per day it is exactly what availability
 * offers: branch hours (special hours applied, closures closed) ∩ working hours − breaks, and
 * then minus time off. It reads the same SchedulingContext the slot engine reads, so analytics and
 * availability never disagree about when someone works.
 */
import { SchedulingContext } from '../scheduling/context';
import { intersect, subtract, type Interval } from '../scheduling/intervals';
import { eachDate } from '../scheduling/local-time';
import type { BranchSchedule, ServiceSpec, StaffSchedule } from '../scheduling/scheduling.types';

const MINUTE = 60_000;
// Open hours depend on no service: a neutral one satisfies the context.
const ANY_SERVICE: ServiceSpec = { id: '', durationMinutes: 1, bufferBeforeMinutes: 0, bufferAfterMinutes: 0, requiredSkills: [], resourceRequirements: [] };

export interface OpenMinutesInput {
  branch: BranchSchedule;
  staff: StaffSchedule[];
  /** Inclusive local dates of the branch zone */
  from: string;
  to: string;
}

/** Bookable minutes per staff id over [from, to] (every staff member of the input appears). */
export function openStaffMinutes(input: OpenMinutesInput): Map<string, number> {
  const ctx = new SchedulingContext({ branch: input.branch, staff: input.staff, service: ANY_SERVICE, busy: [], now: 0 });
  const dates = eachDate(input.from, input.to);
  // A day without a DST change whose branch hours are those of another such day of the same
  // weekday gives every staff member the same open minutes: computed once per staff member and
  // such "day shape" (a year is ~6 shapes, not 365 days; 5 branches × 20 staff went from ~60 to
  // a few ms). Days with time off or a DST change are computed in full.
  const shapes = dates.map((date) => {
    const day = ctx.day(date);
    if (day.zoneDay.fixedOffset === null) return null;
    return `${day.zoneDay.weekday}|${day.branch.closed ? 'closed' : day.branch.open.map((i) => `${i.start - day.zoneDay.start}-${i.end - day.zoneDay.start}`).join(',')}`;
  });
  const out = new Map<string, number>();
  for (const s of ctx.staff) {
    const off = ctx.timeOff(s.id);
    const byShape = new Map<string, number>();
    let minutes = 0;
    dates.forEach((date, i) => {
      const day = ctx.day(date).zoneDay;
      const offToday = off.length > 0 ? intersect(off, [{ start: day.start, end: day.end }]) : [];
      const shape = offToday.length === 0 ? shapes[i] : null;
      const known = shape === null ? undefined : byShape.get(shape);
      if (known !== undefined) {
        minutes += known;
        return;
      }
      const open = ctx.staffDay(s, date).open;
      const today = total(offToday.length > 0 ? subtract(open, offToday) : open);
      if (shape !== null) byShape.set(shape, today);
      minutes += today;
    });
    out.set(s.id, minutes);
  }
  return out;
}

function total(list: readonly Interval[]): number {
  let ms = 0;
  for (const i of list) ms += i.end - i.start;
  return ms / MINUTE;
}
