/**
 * The day grid's geometry, pure: which minutes of the day (branch zone) the view spans and which
 * stretches are shaded per staff member (branch closed, not working, break, time off).
 */
import { minuteOfDay, parseHm, weekdayOf } from '../../lib/time';
import type { Branch, Staff, TimeOff } from '../../lib/types';

export interface Span {
  from: number;
  to: number;
}
export interface Shade extends Span {
  kind: 'closed' | 'off-duty' | 'break' | 'time-off';
  label: string;
}

/** The branch's opening hours that day (special hours and closures first), or null when closed. */
export function openingHours(branch: Branch, date: string): Span | null {
  if (branch.closures?.some((c) => c.date === date)) return null;
  const special = branch.specialHours?.find((s) => s.date === date);
  const day = special ?? branch.operatingHours[weekdayOf(date)];
  if (!day || !day.open || !day.start || !day.end) return null;
  return { from: parseHm(day.start), to: parseHm(day.end) };
}

/** The span shown: opening hours and every staff interval and booking, whole hours, 08-18 when closed. */
export function viewSpan(open: Span | null, staff: Staff[], date: string, bookingMinutes: Span[]): Span {
  const weekday = weekdayOf(date);
  const spans = [...(open ? [open] : []), ...bookingMinutes];
  for (const s of staff) for (const i of s.workingHours?.[weekday] ?? []) spans.push({ from: parseHm(i.start), to: parseHm(i.end) });
  if (spans.length === 0) return { from: 8 * 60, to: 18 * 60 };
  const from = Math.min(...spans.map((s) => s.from));
  const to = Math.max(...spans.map((s) => s.to));
  return { from: Math.floor(from / 60) * 60, to: Math.min(24 * 60, Math.ceil(to / 60) * 60) };
}

function complement(within: Span, parts: Span[]): Span[] {
  const sorted = [...parts].sort((a, b) => a.from - b.from);
  const gaps: Span[] = [];
  let cursor = within.from;
  for (const p of sorted) {
    if (p.from > cursor) gaps.push({ from: cursor, to: Math.min(p.from, within.to) });
    cursor = Math.max(cursor, p.to);
  }
  if (cursor < within.to) gaps.push({ from: cursor, to: within.to });
  return gaps.filter((g) => g.to > g.from);
}

export function shadesFor(staff: Staff, date: string, zone: string, span: Span, open: Span | null, timeOff: TimeOff[]): Shade[] {
  const weekday = weekdayOf(date);
  const shades: Shade[] = [];
  for (const gap of complement(span, open ? [open] : [])) shades.push({ ...gap, kind: 'closed', label: 'Closed' });
  const working = (staff.workingHours?.[weekday] ?? []).map((i) => ({ from: parseHm(i.start), to: parseHm(i.end) }));
  for (const gap of complement(open ?? span, working)) shades.push({ ...gap, kind: 'off-duty', label: 'Not working' });
  for (const b of staff.breaks?.[weekday] ?? []) shades.push({ from: parseHm(b.start), to: parseHm(b.end), kind: 'break', label: 'Break' });
  const dayStart = `${date}T00:00`;
  const dayEnd = `${date}T23:59`;
  for (const off of timeOff) {
    const startLocal = off.start.slice(0, 16);
    const endLocal = off.end.slice(0, 16);
    if (endLocal <= dayStart || startLocal > dayEnd) continue;
    const from = startLocal < dayStart ? span.from : minuteOfDay(off.start, zone);
    const to = endLocal > dayEnd ? span.to : minuteOfDay(off.end, zone);
    shades.push({ from: Math.max(from, span.from), to: Math.min(to, span.to), kind: 'time-off', label: off.reason ? `Time off: ${off.reason}` : 'Time off' });
  }
  return shades.filter((s) => s.to > s.from);
}
