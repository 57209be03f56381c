/**
 * Package availability (packages.ts): the first part walks the slot grid exactly like a single
 * service (slot-engine.ts daySlots), and a start is kept only when every later part, at its own
 * time, has a free resource and some qualified staff member free. The later parts' verdict depends
 * on the start only (not on who takes the first part), so it is computed once per start.
 * The checks are those of evaluateStart (evaluate.ts), so a listed start passes validatePackage.
 */
import { containing, overlapsAny } from './intervals';
import { localDateOf } from './local-time';
import type { PackagePart, PackageSchedule } from './packages';
import { customerDayFull, earliestStart, eligibleStaff, freeResource, latestStart, staffDayFull } from './predicates';
import type { RawSlot, SlotSearch } from './slot-engine';
import type { StaffSchedule } from './scheduling.types';

const MINUTE = 60_000;

/** Bookable package starts of one local day, ascending, each with the staff free for the first part. */
export function packageDaySlots(pkg: PackageSchedule, date: string, search: SlotSearch): RawSlot[] {
  const ctx = pkg.base;
  const day = ctx.day(date);
  if (!search.groupOk || ctx.service.active === false || pkg.parts.some((p) => p.service.active === false)) return [];
  if (ctx.enabled('business_hours') && day.branch.closed) return [];
  const zd = day.zoneDay;
  if (customerDayFull(ctx, search.customerId, zd.start, zd.end)) return [];
  const limited = ctx.limits.active && ctx.enabled('booking_limit');
  if (limited && ctx.limits.hits('perCustomer', search.customerId, date).length > 0) return [];
  const minStart = earliestStart(ctx);
  const maxStart = latestStart(ctx);
  if (zd.end <= minStart || zd.start > maxStart) return [];

  const [first, ...rest] = pkg.parts;
  const eligible = rest.map((p) => eligibleStaff(p.ctx, null, search.preferences));
  const restFits = new Map<number, boolean>();
  const fits = (s: number) => {
    let ok = restFits.get(s);
    if (ok === undefined) {
      ok = rest.every((p, i) => partFits(p, eligible[i], s + p.offsetMs, date, zd.end, limited));
      restFits.set(s, ok);
    }
    return ok;
  };

  const step = ctx.rules.slotIntervalMinutes * MINUTE;
  const dur = first.durationMs;
  const f = first.ctx;
  const byStart = new Map<number, string[]>();
  for (const staff of eligibleStaff(f, search.staffId, search.preferences)) {
    if (staffDayFull(f, staff, zd.start, zd.end)) continue;
    if (limited && f.limits.hits('perStaff', staff.id, date).length > 0) continue;
    const busy = f.busy.staffBusy(staff.id);
    const off = f.timeOff(staff.id);
    for (const open of f.staffDay(staff, date).open) {
      const from = minStart <= open.start ? open.start : open.start + Math.ceil((minStart - open.start) / step) * step;
      for (let s = from; s + dur <= open.end && s <= maxStart; s += step) {
        const e = s + dur;
        if (overlapsAny(off, s, e) || overlapsAny(busy, s - f.beforeMs, e + f.afterMs)) continue;
        if (freeResource(f, s, e) === null || !fits(s)) continue;
        const ids = byStart.get(s);
        if (ids) ids.push(staff.id);
        else byStart.set(s, [staff.id]);
      }
    }
  }
  return [...byStart.keys()].sort((a, b) => a - b).map((s) => ({ start: s, end: s + pkg.spanMs, staffIds: byStart.get(s) as string[] }));
}

/** Whether a later part starting at `start` has a free resource and a free qualified staff member. */
function partFits(part: PackagePart, eligible: StaffSchedule[], start: number, date: string, dayEnd: number, limited: boolean): boolean {
  const p = part.ctx;
  const end = start + part.durationMs;
  // A part after midnight belongs to the next local day (its hours, breaks and limits).
  const partDate = start < dayEnd ? date : localDateOf(start, p.zone);
  if (freeResource(p, start, end) === null) return false;
  const zd = p.day(partDate).zoneDay;
  return eligible.some((staff) => staffTakes(part, staff, start, end, partDate, zd.start, zd.end, limited));
}

function staffTakes(part: PackagePart, staff: StaffSchedule, s: number, e: number, date: string, dayStart: number, dayEnd: number, limited: boolean): boolean {
  const p = part.ctx;
  if (!containing(p.staffDay(staff, date).open, s, e)) return false;
  if (overlapsAny(p.timeOff(staff.id), s, e)) return false;
  if (overlapsAny(p.busy.staffBusy(staff.id), s - p.beforeMs, e + p.afterMs)) return false;
  if (staffDayFull(p, staff, dayStart, dayEnd)) return false;
  return !(limited && p.limits.hits('perStaff', staff.id, date).length > 0);
}
