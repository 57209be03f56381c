/**
 * Package availability (packages.ts): the first part walks the slot grid exactly like a single
 * service (slot-engine.ts daySlots), and a start is kept only when every later part, at its own
 * time, has a free resource and some qualified staff member free. The later parts' verdict depends
 * on the start only (not on who takes the first part), so it is computed once per start.
 * The checks are those of evaluateStart (evaluate.ts), so a listed start passes validatePackage.
 * A `staffId` filter binds every part to that person (packages.ts), so later parts consider only them.
 * A start's `staffIds` are the first part's free staff who can take EVERY part alone (so booking
 * with a listed staffId succeeds); only when nobody can, and the start fits split between people,
 * the first part's free staff (book such a start without staffId).
 */
import { containing, overlapsAny, type Interval } from './intervals';
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
  // Each later part's qualified staff (only the requested person, when one is) with their day's intervals, once per day.
  const daily = rest.map((p) => dayCandidates(p, eligibleStaff(p.ctx, search.staffId, search.preferences), date, zd.start, zd.end, limited));
  const restFits = new Map<number, boolean>();
  const fits = (s: number) => {
    let ok = restFits.get(s);
    if (ok === undefined) {
      ok = rest.every((p, i) => partFits(p, daily[i], s + p.offsetMs, date, zd.end, search, limited));
      restFits.set(s, ok);
    }
    return ok;
  };
  // Whether this person can take every later part too (checked after `fits`: the resources are free).
  const byId = daily.map((list) => new Map(list.map((c) => [c.id, c])));
  const alone = (s: number, staffId: string) =>
    rest.every((p, i) => {
      const start = s + p.offsetMs;
      if (start >= zd.end) return staffFree(p, daily[i], start, zd.end, search, limited, staffId);
      const c = byId[i].get(staffId);
      return c !== undefined && candidateFree(p, c, start);
    });

  const step = ctx.rules.slotIntervalMinutes * MINUTE;
  const dur = first.durationMs;
  const f = first.ctx;
  const byStart = new Map<number, { alone: string[]; first: string[] }>();
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
        let ids = byStart.get(s);
        if (!ids) byStart.set(s, (ids = { alone: [], first: [] }));
        ids.first.push(staff.id);
        if (alone(s, staff.id)) ids.alone.push(staff.id);
      }
    }
  }
  return [...byStart.keys()].sort((a, b) => a - b).map((s) => {
    const ids = byStart.get(s) as { alone: string[]; first: string[] };
    return { start: s, end: s + pkg.spanMs, staffIds: ids.alone.length > 0 ? ids.alone : ids.first };
  });
}

interface Candidate {
  id: string;
  open: readonly Interval[];
  off: readonly Interval[];
  busy: readonly Interval[];
}

/** The part's qualified staff who are not at a daily or booking limit that day, with their intervals. */
function dayCandidates(part: PackagePart, eligible: StaffSchedule[], date: string, dayStart: number, dayEnd: number, limited: boolean): Candidate[] {
  const p = part.ctx;
  return eligible
    .filter((staff) => !staffDayFull(p, staff, dayStart, dayEnd) && !(limited && p.limits.hits('perStaff', staff.id, date).length > 0))
    .map((staff) => ({ id: staff.id, open: p.staffDay(staff, date).open, off: p.timeOff(staff.id), busy: p.busy.staffBusy(staff.id) }));
}

/** Whether a later part starting at `start` has a free resource and a free qualified staff member. */
function partFits(part: PackagePart, day: Candidate[], start: number, date: string, dayEnd: number, search: SlotSearch, limited: boolean): boolean {
  if (freeResource(part.ctx, start, start + part.durationMs) === null) return false;
  return staffFree(part, day, start, dayEnd, search, limited, null);
}

/** Whether a qualified staff member (only `only`, when given) is free for a later part starting at `start`. */
function staffFree(part: PackagePart, day: Candidate[], start: number, dayEnd: number, search: SlotSearch, limited: boolean, only: string | null): boolean {
  const p = part.ctx;
  let candidates = day;
  if (start >= dayEnd) {
    // A part after midnight belongs to the next local day (its hours, breaks and limits).
    const next = localDateOf(start, p.zone);
    const zd = p.day(next).zoneDay;
    candidates = dayCandidates(part, eligibleStaff(p, only ?? search.staffId, search.preferences), next, zd.start, zd.end, limited);
  }
  return candidates.some((c) => (only === null || c.id === only) && candidateFree(part, c, start));
}

/** Whether the candidate works the whole part, is not off and has nothing else in its blocked range. */
function candidateFree(part: PackagePart, c: Candidate, start: number): boolean {
  const end = start + part.durationMs;
  return containing(c.open, start, end) !== undefined && !overlapsAny(c.off, start, end) && !overlapsAny(c.busy, start - part.ctx.beforeMs, end + part.ctx.afterMs);
}
