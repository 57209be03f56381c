/**
 * Local dates and wall-clock times in an IANA zone → instants, DST-exact.
 *
 * A "wall" value is the local date-time read as if it were UTC (Date.UTC of its fields); the
 * instant is wall − offset. Rules (NOTES-reliability §7): a nonexistent local time (spring-forward
 * gap) maps to the transition instant, so it is never pushed an hour later; an ambiguous one
 * (fall-back overlap) maps to its earliest instant when it starts a window and its latest when it
 * ends one, so a window keeps every real minute it covers, exactly once.
 *
 * luxon is used only to read a zone's offset at an instant; day boundaries are computed once per
 * day (ZoneDay) and then everything is integer arithmetic.
 */
import { IANAZone } from 'luxon';
import { ValidationError } from '../errors';
import { WEEKDAYS, type Instant, type Weekday } from './scheduling.types';

const MINUTE = 60_000;
const DAY = 86_400_000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const HM_RE = /^([01]\d|2[0-4]):([0-5]\d)$/;
const OFFSET_RE = /(Z|[+-]\d{2}:?\d{2})$/i;

export type Prefer = 'earliest' | 'latest';

const zones = new Map<string, IANAZone>();

export function zoneOf(name: string): IANAZone {
  let z = zones.get(name);
  if (!z) {
    z = IANAZone.create(name);
    if (!z.isValid) throw new ValidationError(`Unknown time zone "${name}"`, [{ path: 'timezone', message: 'unknown IANA zone' }]);
    zones.set(name, z);
  }
  return z;
}

/** Offset in minutes of `zone` at instant `ms`. */
export function offsetAt(zone: IANAZone, ms: number): number {
  return zone.offset(ms);
}

export function parseDate(date: string): number {
  const m = DATE_RE.exec(date);
  const ms = m ? Date.UTC(+m[1], +m[2] - 1, +m[3]) : NaN;
  if (!m || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== date) {
    throw new ValidationError(`Invalid date "${date}"`, [{ path: 'date', message: 'expected YYYY-MM-DD' }]);
  }
  return ms;
}

/** Minutes after local midnight for "HH:mm" (00:00–24:00). */
export function parseHm(hm: string): number {
  const known = parsedHm.get(hm);
  if (known !== undefined) return known;
  const m = HM_RE.exec(hm);
  const minutes = m ? +m[1] * 60 + +m[2] : NaN;
  if (!m || minutes > 1440) throw new ValidationError(`Invalid time "${hm}"`, [{ path: 'time', message: 'expected HH:mm' }]);
  parsedHm.set(hm, minutes);
  return minutes;
}

/** Valid "HH:mm" values already parsed (at most 1,441 of them): hours are read per staff and day. */
const parsedHm = new Map<string, number>();

export function addDays(date: string, days: number): string {
  return new Date(parseDate(date) + days * DAY).toISOString().slice(0, 10);
}

export function weekdayOf(date: string): Weekday {
  const sundayFirst = new Date(parseDate(date)).getUTCDay();
  return WEEKDAYS[(sundayFirst + 6) % 7];
}

/** Inclusive list of dates from `from` to `to`. */
export function eachDate(from: string, to: string): string[] {
  const out: string[] = [];
  for (let ms = parseDate(from), end = parseDate(to); ms <= end; ms += DAY) out.push(new Date(ms).toISOString().slice(0, 10));
  return out;
}

/** Instant of a wall-clock value in `zone` (see the module comment for gaps and overlaps). */
export function wallToInstant(zone: IANAZone, wall: number, prefer: Prefer): number {
  const before = zone.offset(wall - DAY);
  const after = zone.offset(wall + DAY);
  const valid: number[] = [];
  for (const o of before === after ? [before] : [before, after]) {
    const t = wall - o * MINUTE;
    if (zone.offset(t) === o) valid.push(t);
  }
  if (valid.length > 0) return prefer === 'earliest' ? Math.min(...valid) : Math.max(...valid);
  // In a gap: binary-search the transition minute between the two candidate instants.
  let lo = wall - Math.max(before, after) * MINUTE;
  let hi = wall - Math.min(before, after) * MINUTE;
  while (hi - lo > MINUTE) {
    const mid = lo + Math.floor((hi - lo) / MINUTE / 2) * MINUTE;
    if (zone.offset(mid) === after) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** One local day in a zone: its boundaries and a fast minute-of-day → instant conversion. */
export class ZoneDay {
  readonly wall: number;
  readonly start: number;
  readonly end: number;
  /** The day's offset when it has no transition; null on DST days. */
  readonly fixedOffset: number | null;
  readonly weekday: Weekday;
  /** "+01:00" for fixedOffset (null on DST days), the tail of every formatted instant of the day. */
  private readonly offsetSuffix: string | null;

  constructor(
    readonly zone: IANAZone,
    readonly date: string,
  ) {
    this.wall = parseDate(date);
    this.start = wallToInstant(zone, this.wall, 'earliest');
    this.end = wallToInstant(zone, this.wall + DAY, 'earliest');
    const o = zone.offset(this.start);
    this.fixedOffset = this.end - this.start === DAY && zone.offset(this.end - 1) === o ? o : null;
    this.weekday = WEEKDAYS[(new Date(this.wall).getUTCDay() + 6) % 7];
    this.offsetSuffix = this.fixedOffset === null ? null : offsetSuffix(this.fixedOffset);
  }

  /**
   * formatWithOffset(ms, this.offset(ms)) for an instant of this day, built from parts: on a day
   * without a transition, a whole-second instant inside the day is this date, a clock time from
   * the seconds since local midnight, and the day's offset suffix (no Date, no toISOString; the
   * slot engine formats two instants per slot). Anything else takes the general path.
   */
  format(ms: number): string {
    if (this.offsetSuffix !== null) {
      const sinceMidnight = ms + (this.fixedOffset as number) * MINUTE - this.wall;
      if (sinceMidnight >= 0 && sinceMidnight < DAY && sinceMidnight % 1000 === 0) {
        const sec = sinceMidnight / 1000;
        const clock = `${TWO_DIGITS[Math.floor(sec / 3600)]}:${TWO_DIGITS[Math.floor(sec / 60) % 60]}:${TWO_DIGITS[sec % 60]}`;
        return `${this.date}T${clock}${this.offsetSuffix}`;
      }
    }
    return formatWithOffset(ms, this.offset(ms));
  }

  /** Instant of minute-of-day `minutes` (0–1440) on this date. */
  at(minutes: number, prefer: Prefer): number {
    const wall = this.wall + minutes * MINUTE;
    if (this.fixedOffset !== null) return wall - this.fixedOffset * MINUTE;
    return wallToInstant(this.zone, wall, prefer);
  }

  /** Offset in minutes at an instant of this day. */
  offset(ms: number): number {
    return this.fixedOffset ?? this.zone.offset(ms);
  }
}

const zoneDays = new Map<string, ZoneDay>();
const ZONE_DAY_CACHE_MAX = 20_000;

/**
 * The ZoneDay of a zone and date, memoized: a day's boundaries never change, and computing them
 * reads the zone's offset through Intl (luxon) several times, the engine's largest fixed cost.
 */
export function zoneDayOf(zone: IANAZone, date: string): ZoneDay {
  const key = `${zone.name}|${date}`;
  let day = zoneDays.get(key);
  if (!day) {
    if (zoneDays.size >= ZONE_DAY_CACHE_MAX) zoneDays.clear();
    day = new ZoneDay(zone, date);
    zoneDays.set(key, day);
  }
  return day;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => pad(i));

/** "+01:00" / "-03:30" for an offset in minutes. */
function offsetSuffix(offsetMinutes: number): string {
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** ISO-8601 with the given offset in minutes: 2026-12-01T09:00:00+01:00. */
export function formatWithOffset(ms: number, offsetMinutes: number): string {
  const local = new Date(ms + offsetMinutes * MINUTE).toISOString().slice(0, 19);
  return `${local}${offsetSuffix(offsetMinutes)}`;
}

export function formatInstant(ms: number, zone: IANAZone): string {
  return formatWithOffset(ms, zone.offset(ms));
}

/**
 * Local date (YYYY-MM-DD) of an instant in a zone: the memoized day (zoneDayOf) of its UTC date,
 * or of the day before or after, whose [start, end) holds it (offsets lie within ±14 h). The same
 * answer as reading the offset at `ms`, without an Intl call per instant (luxon's offset was most
 * of a cached GET /v1/availability/next).
 */
export function localDateOf(ms: number, zone: IANAZone): string {
  const utcDate = new Date(ms).toISOString().slice(0, 10);
  const day = zoneDayOf(zone, utcDate);
  if (ms < day.start) return zoneDayOf(zone, addDays(utcDate, -1)).date;
  if (ms >= day.end) return zoneDayOf(zone, addDays(utcDate, 1)).date;
  return day.date;
}

/** Epoch ms of an instant; strings must carry an offset (API.md: input without one is a 400). */
export function toEpochMs(instant: Instant, path = 'instant'): number {
  if (typeof instant === 'number') {
    if (Number.isFinite(instant)) return instant;
  } else if (OFFSET_RE.test(instant.trim()) && instant.includes('T')) {
    const ms = Date.parse(instant);
    if (!Number.isNaN(ms)) return ms;
  }
  throw new ValidationError(`Invalid instant "${String(instant)}"`, [{ path, message: 'expected an ISO-8601 instant with an offset' }]);
}
