/**
 * Expansion of a recurring series into occurrence instants, in the branch's zone.
 *
 * Invariant: every occurrence keeps the local wall-clock time of `start` (09:00 stays 09:00 across
 * DST). The `rrule` package runs on "floating" wall times (local fields stored as UTC fields), so
 * it never sees an offset; each wall time is then turned into an instant with the branch zone's
 * DST rules (local-time.ts): a time inside a spring-forward gap becomes the transition instant
 * (02:30 → 03:00), an ambiguous one (fall-back) its earliest instant.
 *
 * At most MAX_OCCURRENCES; a recurrence needs `count` or `until`. Problems are collected and
 * thrown together as one ValidationError so the API lists every field.
 */
import { RRule, type Options } from 'rrule';
import { ValidationError, type FieldError } from '../errors';
import { parseDate, toEpochMs, wallToInstant, zoneOf } from '../scheduling/local-time';
import { parseRruleText } from './rrule-text';

export const FREQUENCIES = ['daily', 'weekly', 'biweekly', 'monthly'] as const;
export type Frequency = (typeof FREQUENCIES)[number];
export const WEEKDAY_CODES = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
export type WeekdayCode = (typeof WEEKDAY_CODES)[number];

export interface SimpleRecurrence {
  frequency: Frequency;
  count?: number;
  /** YYYY-MM-DD (inclusive, branch zone) or an instant with an offset */
  until?: string;
  byWeekday?: WeekdayCode[];
}
export interface RruleRecurrence {
  rrule: string;
}
export type Recurrence = SimpleRecurrence | RruleRecurrence;

export const MAX_OCCURRENCES = 366;
/** Guard for rules that rarely or never match (e.g. 31 February): no series runs past this. */
const HORIZON_YEARS = 20;
const MINUTE = 60_000;

export interface ExpandRecurrenceInput {
  /** first possible occurrence and its time of day; ISO instant with an offset */
  start: string;
  timezone: string;
  recurrence: Recurrence;
  max?: number;
}

const FREQ: Record<Frequency, { freq: number; interval: number }> = {
  daily: { freq: RRule.DAILY, interval: 1 },
  weekly: { freq: RRule.WEEKLY, interval: 1 },
  biweekly: { freq: RRule.WEEKLY, interval: 2 },
  monthly: { freq: RRule.MONTHLY, interval: 1 },
};

/** Occurrence instants as UTC ISO strings, in time order. Throws ValidationError. */
export function expandRecurrence(input: ExpandRecurrenceInput): string[] {
  const max = input.max ?? MAX_OCCURRENCES;
  const problems: FieldError[] = [];
  const zone = zoneOf(input.timezone);
  const startMs = guard(problems, () => toEpochMs(input.start, 'start'));
  const toWall = (ms: number) => ms + zone.offset(ms) * MINUTE;

  const options = 'rrule' in input.recurrence
    ? rruleOptions(input.recurrence, toWall, problems)
    : simpleOptions(input.recurrence, toWall, problems);
  if (options?.count != null && options.count > max) {
    problems.push({ path: 'recurrence.count', message: `at most ${max} occurrences` });
  }
  if (problems.length > 0 || !options || startMs === undefined) throw invalid(problems);

  const wallStart = toWall(startMs);
  const horizon = new Date(wallStart);
  horizon.setUTCFullYear(horizon.getUTCFullYear() + HORIZON_YEARS);
  const until = options.until && options.until < horizon ? options.until : horizon;
  const rule = new RRule({ ...options, until, dtstart: new Date(wallStart) });
  const walls = rule.all((_d, i) => i <= max);
  if (walls.length > max) throw invalid([{ path: 'recurrence', message: `more than ${max} occurrences` }]);
  if (walls.length === 0) throw invalid([{ path: 'recurrence', message: 'the recurrence produces no occurrence' }]);
  const instants = walls.map((w) => wallToInstant(zone, w.getTime(), 'earliest'));
  return [...new Set(instants)].sort((a, b) => a - b).map((ms) => new Date(ms).toISOString());
}

function simpleOptions(r: SimpleRecurrence, toWall: (ms: number) => number, problems: FieldError[]): Partial<Options> | null {
  const base = FREQ[r.frequency];
  if (!base) problems.push({ path: 'recurrence.frequency', message: `expected one of ${FREQUENCIES.join(', ')}` });
  if (r.count === undefined && r.until === undefined) {
    problems.push({ path: 'recurrence', message: 'count or until is required' });
  }
  if (r.count !== undefined && (!Number.isInteger(r.count) || r.count < 1)) {
    problems.push({ path: 'recurrence.count', message: 'must be a positive integer' });
  }
  const badDay = (r.byWeekday ?? []).find((d) => !WEEKDAY_CODES.includes(d));
  if (badDay !== undefined) problems.push({ path: 'recurrence.byWeekday', message: `unknown weekday "${badDay}"` });
  let until: Date | undefined;
  if (r.until !== undefined) {
    until = guard(problems, () => untilWall(r.until as string, toWall));
  }
  if (!base) return null;
  const byweekday = r.byWeekday?.length ? r.byWeekday.map((d) => WEEKDAY_CODES.indexOf(d)) : undefined;
  return { ...base, count: r.count, until, byweekday };
}

function rruleOptions(r: RruleRecurrence, toWall: (ms: number) => number, problems: FieldError[]): Partial<Options> | null {
  const { parsed, problems: found } = parseRruleText(r.rrule);
  problems.push(...found);
  if (!parsed) return null;
  const options = { ...parsed.options };
  if (options.until) {
    const ms = options.until.getTime();
    if (parsed.untilKind === 'utc') options.until = new Date(toWall(ms));
    else if (parsed.untilKind === 'date') options.until = new Date(ms + 86_400_000 - 1);
  }
  return options;
}

/** `until` as a wall time: a date means the whole local day; an instant is read in the zone. */
function untilWall(until: string, toWall: (ms: number) => number): Date {
  if (/^\d{4}-\d{2}-\d{2}$/.test(until)) {
    const day = guardDate(until);
    return new Date(day + 86_400_000 - 1);
  }
  return new Date(toWall(toEpochMs(until, 'recurrence.until')));
}

function guardDate(date: string): number {
  try {
    return parseDate(date);
  } catch {
    throw new ValidationError('invalid until', [{ path: 'recurrence.until', message: 'expected YYYY-MM-DD or an instant with an offset' }]);
  }
}

function guard<T>(problems: FieldError[], fn: () => T): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ValidationError) problems.push(...e.errors);
    else throw e;
    return undefined;
  }
}

function invalid(errors: FieldError[]): ValidationError {
  return new ValidationError('Invalid recurrence', errors);
}
