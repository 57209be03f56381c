/**
 * "The earliest free slots that fit" (GET /v1/availability/next): which local days to search, in
 * order, and which slots of a day fit the caller's window. Pure: the zone, `after` and `before`
 * are arguments. The search itself walks these days one at a time through the availability
 * engine and stops at `limit` (api/availability/next-slots.ts), so asking for 3 slots never
 * computes 62 days.
 *
 * A slot fits when it starts at or after `after`, ends at or before `before`, falls on one of
 * `weekdays` (its local start date; all days when empty) and lies inside one of `timeWindows`
 * (local start at or after the window's start, local end at or before its end; any time when
 * empty) — the waiting list reads windows the same way (domain/waitlist/waitlist-policy.ts).
 */
import { addDays, localDateOf, parseHm, weekdayOf, zoneOf } from './local-time';
import type { Weekday } from './scheduling.types';

/** How far from `after` the search looks (API.md: at most 62 days). */
export const NEXT_SEARCH_DAYS = 62;

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

export interface NextSlotCriteria {
  timezone: string;
  /** Epoch ms. */
  after: number;
  /** Epoch ms, exclusive bound of slot ends; default after + 62 days. */
  before?: number | null;
  timeWindows: Array<{ start: string; end: string }>;
  weekdays: Weekday[];
}

/**
 * The local dates to search, earliest first: from `after`'s date for 62 days (or up to `before`),
 * only wanted weekdays. Lazy: the caller stops at its first day with enough slots, so the later
 * dates are never computed (a cached answer's CPU was mostly these 62 date computations).
 */
export function* searchDays(c: NextSlotCriteria): Generator<string, void, undefined> {
  const zone = zoneOf(c.timezone);
  const first = localDateOf(c.after, zone);
  const last = addDays(first, NEXT_SEARCH_DAYS - 1);
  const until = c.before != null ? localDateOf(c.before, zone) : last;
  const end = until < last ? until : last;
  for (let d = first; d <= end; d = addDays(d, 1)) {
    if (c.weekdays.length === 0 || c.weekdays.includes(weekdayOf(d))) yield d;
  }
}

/** Whether a slot [start, end) (epoch ms) fits the criteria (see the module comment). */
export function slotFits(c: NextSlotCriteria, start: number, end: number): boolean {
  if (start < c.after) return false;
  if (c.before != null && end > c.before) return false;
  const zone = zoneOf(c.timezone);
  if (c.weekdays.length > 0 && !c.weekdays.includes(weekdayOf(localDateOf(start, zone)))) return false;
  if (c.timeWindows.length === 0) return true;
  const startMinute = Math.round((((start + zone.offset(start) * MINUTE) % DAY) + DAY) % DAY / MINUTE);
  const endMinute = startMinute + Math.round((end - start) / MINUTE);
  return c.timeWindows.some((w) => startMinute >= parseHm(w.start) && endMinute <= parseHm(w.end));
}
