/**
 * Shared zod building blocks of the HTTP contract (API.md "Conventions"). Route groups compose
 * these so every endpoint parses instants, dates, times, zones, ids and pagination the same way,
 * and the OpenAPI document describes them the same way.
 */
import { isSupportedCountry } from 'libphonenumber-js';
import { DateTime, IANAZone } from 'luxon';
import { z } from './zod';

// Offset is mandatory: an instant without one is ambiguous and is a 400 (API.md). Offsets lie
// within ±18:00 (what ISO-8601/RFC 3339 users and java.time accept; +25:00 made an Invalid Date).
const OFFSET = '(Z|[+-](0\\d|1[0-7]):[0-5]\\d|[+-]18:00)';
const INSTANT_RE = new RegExp(`^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?${OFFSET}$`);
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
/** Years every date and instant of the API lies in (API.md: 1900..9998). */
export const EARLIEST_YEAR = 1900;
export const LATEST_YEAR = 9998;
const TIME_RE = /^([01]\d|2[0-3]):[0-5]\d$/;

// Instants the database stores (timestamptz has no year 0 and our rows no year 10000).
const EARLIEST_INSTANT_MS = Date.UTC(EARLIEST_YEAR, 0, 1);
const LATEST_INSTANT_MS = Date.UTC(LATEST_YEAR + 1, 0, 1);

/** ISO-8601 instant WITH offset; parsed to a Date. */
export const instant = z
  .string()
  .regex(INSTANT_RE, 'Must be an ISO-8601 instant with an offset, e.g. 2026-12-01T09:00:00+01:00')
  // Each refinement judges only what passed the previous check: one message per bad field.
  .refine((s) => !INSTANT_RE.test(s) || DateTime.fromISO(s, { setZone: true }).isValid, 'Not a valid calendar instant')
  .refine((s) => {
    const at = DateTime.fromISO(s, { setZone: true });
    return !at.isValid || (at.toMillis() >= EARLIEST_INSTANT_MS && at.toMillis() < LATEST_INSTANT_MS);
  }, 'Must lie between 1900-01-01 and 9998-12-31 with an offset within ±18:00')
  .transform((s) => new Date(s))
  .openapi({
    type: 'string',
    format: 'date-time',
    pattern: INSTANT_RE.source,
    example: '2026-12-01T09:00:00+01:00',
    description: 'ISO-8601 instant with offset (within ±18:00), between 1900-01-01 and 9998-12-31',
  });

/** Output instant (rendered in the branch zone by the handler). */
export const instantOut = z.string().openapi({ format: 'date-time', example: '2027-03-01T09:00:00+01:00' });

const yearOf = (s: string) => Number(s.slice(0, 4));

/** `YYYY-MM-DD` calendar date (in the branch zone), years 1900..9998. */
export const date = z
  .string()
  .regex(DATE_RE, 'Must be a date YYYY-MM-DD')
  .refine((s) => !DATE_RE.test(s) || DateTime.fromISO(s).isValid, 'Not a valid calendar date')
  .refine((s) => !DATE_RE.test(s) || (yearOf(s) >= EARLIEST_YEAR && yearOf(s) <= LATEST_YEAR), 'Must lie between 1900-01-01 and 9998-12-31')
  .openapi({ format: 'date', pattern: DATE_RE.source, example: '2026-12-01', description: 'Calendar date, 1900-01-01..9998-12-31' });

// C0 and C1 controls, DEL, and the Unicode line/paragraph separators: they split mail headers,
// .ics lines and log lines (API.md: names, reasons and notes refuse control characters).
const NO_CONTROL_RE = /^[^\u0000-\u001F\u007F-\u009F\u2028\u2029]*$/;

/**
 * Free text a person types (names, reasons, notes): no control characters (checked before
 * trimming, so a trailing CR/LF is refused too), at most `max` characters as sent, at least `min`
 * once trimmed (blank text is refused with a 400 though its length fits).
 */
export function plainText(max: number, min = 0) {
  // max before trimming, as the document states it (maxLength counts what is sent); min after,
  // so blank text is not a name.
  const base = z.string().regex(NO_CONTROL_RE, 'Must not contain control characters (CR, LF, NUL, ...)').max(max).trim();
  return min > 0 ? base.min(min) : base;
}

/** A name: plain text of 1..200 characters. */
export const name = plainText(200, 1);

/** `HH:mm` time of day, 00:00–23:59 (in the branch zone). */
export const timeOfDay = z.string().regex(TIME_RE, 'Must be a time HH:mm (00:00–23:59)').openapi({ example: '09:00' });

/** IANA time zone name, checked against the runtime's tz database. */
export const timezone = z
  .string()
  .max(64)
  .refine((s) => IANAZone.isValidZone(s), 'Unknown IANA time zone')
  .openapi({ example: 'Europe/Berlin', description: 'IANA time zone name (one the tz database does not know is a 400)' });

/** ISO 3166 alpha-2 country whose phone numbering libphonenumber-js knows (national numbers are read with it). */
export const country = z
  .string()
  .regex(/^[A-Z]{2}$/, 'Must be an ISO 3166 alpha-2 country code such as DE')
  .refine((c) => !/^[A-Z]{2}$/.test(c) || isSupportedCountry(c), 'Not a country whose phone numbers are known')
  .openapi({ example: 'DE', description: 'ISO 3166 alpha-2; national phone numbers are read with it (a code without a phone numbering plan is a 400)' });

/** A whole number that fits the database's 32-bit integer columns (external ids, counts). */
export const int32 = z.number().int().max(2_147_483_647);

/** Opaque identifier. */
export const id = z.string().min(1).max(100).openapi({ example: 'br_demo_mitte', description: 'Opaque id (the demo company: br_demo_mitte, svc_demo_haircut, stf_demo_anna, cus_demo_max)' });

export const idParams = z.object({ id });

/**
 * True when `end` is not after `start`, judged only when both are well-formed `HH:mm` (zod runs
 * object refinements even after a field failed, and a malformed time must not also be reported
 * as "end before start").
 */
export const endNotAfterStart = (v: { start: unknown; end: unknown }) =>
  typeof v.start === 'string' && typeof v.end === 'string' && TIME_RE.test(v.start) && TIME_RE.test(v.end) && v.start >= v.end;

/** `{message, path}` of the end-after-start refinements. */
export const END_AFTER_START = { message: 'end must be after start', path: ['end'] };

/** A `{start, end}` time-of-day interval whose end lies after its start. */
export const timeInterval = z
  .strictObject({ start: timeOfDay, end: timeOfDay })
  .refine((v) => !endNotAfterStart(v), END_AFTER_START)
  .openapi({ description: '`end` after `start` (a rule across fields, which JSON Schema cannot state: 400 validation_error)' });

export type TimeInterval = z.infer<typeof timeInterval>;

/** Intervals of one day, none overlapping another (touching is fine). */
export const dayIntervals = z.array(timeInterval).max(48).superRefine((list, ctx) => {
  const sorted = list.map((iv, index) => ({ ...iv, index })).sort((a, b) => a.start.localeCompare(b.start));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].start < sorted[i - 1].end) {
      ctx.addIssue({ code: 'custom', message: `overlaps ${sorted[i - 1].start}-${sorted[i - 1].end}`, path: [sorted[i].index] });
    }
  }
}).openapi({ description: 'Intervals of one day; none overlaps another, touching is fine (a rule across fields, which JSON Schema cannot state: 400 validation_error)' });

export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** `{monday?: T, ...}`; unknown day names are rejected. */
export function perWeekday<T extends z.ZodType>(day: T) {
  return z.strictObject({
    monday: day.optional(),
    tuesday: day.optional(),
    wednesday: day.optional(),
    thursday: day.optional(),
    friday: day.optional(),
    saturday: day.optional(),
    sunday: day.optional(),
  });
}

// Query strings arrive as text: coerce, and describe the coerced type to OpenAPI.
export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ type: 'integer', minimum: 1, maximum: 200, default: 50 }),
  cursor: z.string().min(1).max(512).optional().openapi({ description: 'Opaque cursor from a previous page' }),
});
export type PageQuery = z.infer<typeof pageQuery>;

/** `{data, nextCursor}` list envelope. */
export function listOf<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item), nextCursor: z.string().nullable() });
}

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    code: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .catchall(z.unknown())
  .openapi('Problem', { description: 'RFC 9457 problem details (application/problem+json)' });

/** Renders an instant in a zone's offset (API.md: output instants in the branch's offset). */
export function formatInstant(at: Date, zone = 'UTC'): string {
  return DateTime.fromJSDate(at).setZone(zone).toISO({ suppressMilliseconds: true }) ?? at.toISOString();
}

const limitCount = z.number().int().min(1).max(10_000);
const limitCounts = z.strictObject({ day: limitCount.optional(), week: limitCount.optional(), month: limitCount.optional() });

/** Booking limits of a branch or a service (API.md "Catalog depth"); null removes them. */
export const bookingLimits = z
  .strictObject({ perStaff: limitCounts.optional(), perCustomer: limitCounts.optional() })
  .openapi('BookingLimits', {
    description: 'At most this many bookings per staff member / per customer per local day, week (Monday first) or month of the branch zone; a branch limit counts every booking of the branch, a service limit that service\'s.',
  });
export type BookingLimitsIn = z.infer<typeof bookingLimits>;
