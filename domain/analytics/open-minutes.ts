/**
 * Utilisation's denominator: the minutes each staff member could really be booked over a range of
 * local days (API.md "Analytics": real open hours). Per day it is exactly what availability
 * offers: branch hours (special hours applied, closures closed) ∩ working hours − breaks, and
 * then minus time off. It reads the same SchedulingContext the slot engine reads, so analytics and
 * availability never disagree about when someone works.
 */
import { SchedulingContext } from '../scheduling/context';
import { intersect, subtract, type Interval } from '../scheduling/intervals';
import { eachDate, zoneDayOf, zoneOf } from '../scheduling/local-time';
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
  // A day without a DST change whose branch hours are those of another such day of the same
  // weekday gives every staff member the same open minutes: the period's days are grouped into
  // such "day shapes" once (a year is ~6 shapes, not 365 days), and each staff member's minutes
  // are computed once per shape and multiplied by its number of days (5 branches × 20 staff went
  // from ~60 ms of per-day loops to a few ms). Days with a DST change are their own shape; days a
  // staff member has time off are computed in full for that person and leave their shape's count.
  // A regular day (no closure, no special hours) has its weekday's hours: its shape is known from
  // the (memoized) zone day alone, without building the branch's day.
  const zone = zoneOf(input.branch.timezone);
  const irregular = new Set([...(input.branch.closures ?? []).map((c) => c.date), ...(input.branch.specialHours ?? []).map((h) => h.date)]);
  const shapes = new Map<string, { date: string; dates: string[] }>();
  const zoneDays: { date: string; start: number; end: number; shape: string }[] = [];
  for (const date of eachDate(input.from, input.to)) {
    const z = zoneDayOf(zone, date);
    let shape = z.fixedOffset === null ? `dst|${date}` : `${z.weekday}|weekly`;
    if (z.fixedOffset !== null && irregular.has(date)) {
      const day = ctx.day(date).branch;
      shape = `${z.weekday}|${day.closed ? 'closed' : day.open.map((i) => `${i.start - z.start}-${i.end - z.start}`).join(',')}`;
    }
    const entry = shapes.get(shape) ?? { date, dates: [] };
    entry.dates.push(date);
    shapes.set(shape, entry);
    zoneDays.push({ date, start: z.start, end: z.end, shape });
  }
  const out = new Map<string, number>();
  for (const s of ctx.staff) {
    const off = ctx.timeOff(s.id);
    const offDays = new Map<string, number>(); // shape → days of it with time off
    let minutes = 0;
    if (off.length > 0) {
      for (const day of zoneDays) {
        const offToday = intersect(off, [{ start: day.start, end: day.end }]);
        if (offToday.length === 0) continue;
        offDays.set(day.shape, (offDays.get(day.shape) ?? 0) + 1);
        minutes += total(subtract(ctx.staffDay(s, day.date).open, offToday));
      }
    }
    for (const [shape, { date, dates }] of shapes) {
      const days = dates.length - (offDays.get(shape) ?? 0);
      if (days > 0) minutes += days * total(ctx.staffDay(s, date).open);
    }
    out.set(s.id, minutes);
  }
  return out;
}

function total(list: readonly Interval[]): number {
  let ms = 0;
  for (const i of list) ms += i.end - i.start;
  return ms / MINUTE;
}
