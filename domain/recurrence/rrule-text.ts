/**
 * Strict reader of RRULE text (RFC 5545 §3.3.10) before it reaches the `rrule` package, which
 * silently accepts unknown frequencies, non-numeric counts and bad weekdays. Returns every problem
 * at once so the API can list them all in one 400.
 *
 * Sub-daily frequencies and BYHOUR/BYMINUTE/BYSECOND are refused: a series books one appointment
 * per day at the local time of its `start`. DTSTART/TZID are refused too: `start` and the branch
 * zone own them.
 */
import { RRule, type Options } from 'rrule';

export interface RruleProblem {
  path: string;
  message: string;
}

export interface ParsedRrule {
  options: Partial<Options>;
  /** UNTIL as written: 'utc' (…Z), 'floating' (local wall time) or 'date' (YYYYMMDD, whole day). */
  untilKind: 'utc' | 'floating' | 'date' | null;
}

const WEEKDAY = '(?:[+-]?(?:[1-9]|[1-4]\\d|5[0-3]))?(?:MO|TU|WE|TH|FR|SA|SU)';
const INT_LIST = (min: number, max: number) => (v: string) =>
  v.split(',').every((p) => /^[+-]?\d+$/.test(p) && Math.abs(+p) >= min && Math.abs(+p) <= max);

const CHECKS: Record<string, (value: string) => boolean> = {
  FREQ: (v) => ['DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'].includes(v),
  COUNT: (v) => /^\d+$/.test(v) && +v >= 1,
  INTERVAL: (v) => /^\d+$/.test(v) && +v >= 1 && +v <= 366,
  UNTIL: (v) => /^\d{8}(T\d{6}Z?)?$/.test(v) && !Number.isNaN(untilDate(v).getTime()),
  BYDAY: (v) => new RegExp(`^${WEEKDAY}(,${WEEKDAY})*$`).test(v),
  BYMONTHDAY: INT_LIST(1, 31),
  BYYEARDAY: INT_LIST(1, 366),
  BYWEEKNO: INT_LIST(1, 53),
  BYMONTH: (v) => v.split(',').every((p) => /^\d+$/.test(p) && +p >= 1 && +p <= 12),
  BYSETPOS: INT_LIST(1, 366),
  WKST: (v) => /^(MO|TU|WE|TH|FR|SA|SU)$/.test(v),
};

const REFUSED: Record<string, string> = {
  BYHOUR: 'the time of day comes from `start`',
  BYMINUTE: 'the time of day comes from `start`',
  BYSECOND: 'the time of day comes from `start`',
  DTSTART: 'the first occurrence comes from `start`',
  TZID: "occurrences are expanded in the branch's time zone",
};

function untilDate(v: string): Date {
  const [y, mo, d, h = '0', mi = '0', s = '0'] = [v.slice(0, 4), v.slice(4, 6), v.slice(6, 8), v.slice(9, 11), v.slice(11, 13), v.slice(13, 15)];
  const date = new Date(Date.UTC(+y, +mo - 1, +d, +h, +mi, +s));
  return date.getUTCMonth() === +mo - 1 && date.getUTCDate() === +d && +h < 24 && +mi < 60 && +s < 60 ? date : new Date(NaN);
}

/** Validates and parses RRULE text; `problems` is empty when `parsed` is usable. */
export function parseRruleText(text: string, path = 'recurrence.rrule'): { parsed: ParsedRrule | null; problems: RruleProblem[] } {
  const problems: RruleProblem[] = [];
  const body = text.trim().replace(/^RRULE:/i, '');
  const pairs = body.split(';').filter((p) => p !== '');
  const seen = new Map<string, string>();
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const key = (eq > 0 ? pair.slice(0, eq) : pair).toUpperCase();
    const value = eq > 0 ? pair.slice(eq + 1).toUpperCase() : '';
    if (REFUSED[key]) problems.push({ path, message: `${key} is not supported: ${REFUSED[key]}` });
    else if (!CHECKS[key]) problems.push({ path, message: `unknown RRULE part "${key}"` });
    else if (seen.has(key)) problems.push({ path, message: `${key} appears twice` });
    else if (!CHECKS[key](value)) problems.push({ path, message: `invalid ${key} "${value}"` });
    seen.set(key, value);
  }
  if (!seen.has('FREQ')) problems.push({ path, message: 'FREQ is required (DAILY, WEEKLY, MONTHLY or YEARLY)' });
  if (!seen.has('COUNT') && !seen.has('UNTIL')) problems.push({ path, message: 'COUNT or UNTIL is required' });
  if (problems.length > 0) return { parsed: null, problems };

  let options: Partial<Options>;
  try {
    options = RRule.parseString(body);
  } catch (e) {
    return { parsed: null, problems: [{ path, message: `invalid RRULE: ${(e as Error).message}` }] };
  }
  const until = seen.get('UNTIL');
  const untilKind = until === undefined ? null : until.length === 8 ? 'date' : until.endsWith('Z') ? 'utc' : 'floating';
  return { parsed: { options, untilKind }, problems: [] };
}
