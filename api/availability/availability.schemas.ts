/**
 * Request and response schemas of GET /v1/availability and GET /v1/availability/explain
 * (API.md "Availability"). They validate, type the handlers and generate the OpenAPI document.
 * Every bad field is reported: unknown preference values, malformed dates, `from` after `to` and
 * ranges over 62 days are 400 validation_error here, before anything is loaded.
 */
import { date, id, instant, instantOut } from '../common.schemas';
import { z } from '../zod';

export const MAX_RANGE_DAYS = 62;

const slotStaff = z.object({ id: z.string(), name: z.string() }).openapi('SlotStaff');

export const GENDERS = ['female', 'male', 'diverse'] as const;

/** Query strings are text: coerce, and keep the OpenAPI type an integer. */
const positiveInt = (max: number, description: string) =>
  z.coerce.number().int().min(1).max(max).optional().openapi({ type: 'integer', minimum: 1, maximum: max, description });

const preferenceFields = {
  staffId: id.optional().openapi({ description: 'Only this staff member (for a package: only starts where this person can take every part)' }),
  durationMinutes: positiveInt(24 * 60, 'Length of a flexible service (within its bounds and steps)'),
  language: z
    .string()
    .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/, 'Must be a language code such as de or pt-BR')
    .optional()
    .openapi({ example: 'de', description: 'Preferred staff language' }),
  gender: z.enum(GENDERS).optional().openapi({ description: 'Preferred staff gender' }),
  participants: positiveInt(1000, 'Group size (for group services)'),
};

export const availabilityQuery = z
  .object({
    branchId: id,
    serviceId: id,
    from: date,
    to: date.openapi({ description: 'Not before `from`, at most 62 days from it, both included (a rule across fields, which JSON Schema cannot state: 400 validation_error)' }),
    ...preferenceFields,
  })
  .superRefine((q, ctx) => {
    // Plain UTC midnights: whole days apart, no zone involved (luxon here was a visible share of a
    // cached search's CPU time).
    const from = Date.parse(`${q.from}T00:00:00Z`);
    const to = Date.parse(`${q.to}T00:00:00Z`);
    // Date.parse rolls 2026-02-30 over to March: such a day is already reported on its own field.
    const real = (ms: number, day: string) => Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) === day;
    if (!real(from, q.from) || !real(to, q.to)) return;
    const days = Math.round((to - from) / 86_400_000) + 1;
    if (days < 1) ctx.addIssue({ code: 'custom', path: ['to'], message: '`to` must not be before `from`' });
    else if (days > MAX_RANGE_DAYS) ctx.addIssue({ code: 'custom', path: ['to'], message: `At most ${MAX_RANGE_DAYS} days per request (got ${days})` });
  });
export type AvailabilityQueryInput = z.output<typeof availabilityQuery>;

const WEEKDAY_CODES = { MO: 'monday', TU: 'tuesday', WE: 'wednesday', TH: 'thursday', FR: 'friday', SA: 'saturday', SU: 'sunday' } as const;
const WINDOW_RE = /^([01]\d|2[0-3]):[0-5]\d-(([01]\d|2[0-3]):[0-5]\d|24:00)$/;

export const nextQuery = z
  .object({
    branchId: id,
    serviceId: id,
    ...preferenceFields,
    after: instant.optional().openapi({ description: 'Earliest start (default now); the search covers 62 days from here' }),
    before: instant.optional().openapi({ description: 'Slots end at or before this instant; after `after` (a rule across fields, which JSON Schema cannot state: 400 validation_error)' }),
    timeWindows: z
      .string()
      .max(200)
      .transform((value, ctx) => {
        const windows = value.split(',').map((w) => w.trim()).filter(Boolean);
        const bad = windows.filter((w) => !WINDOW_RE.test(w) || w.slice(0, 5) >= w.slice(6));
        if (bad.length > 0 || windows.length === 0) {
          ctx.addIssue({ code: 'custom', message: `Windows are HH:mm-HH:mm with the end after the start, comma-separated (bad: ${bad.join(', ') || 'none given'})` });
          return z.NEVER;
        }
        return windows.map((w) => ({ start: w.slice(0, 5), end: w.slice(6) }));
      })
      .optional()
      .openapi({ type: 'string', example: '09:00-12:00,14:00-17:00', description: 'Comma-separated HH:mm-HH:mm (end 24:00 allowed), local times of the branch; a slot lies wholly inside one window. Each window ends after it starts (a rule across fields, which JSON Schema cannot state: 400 validation_error)' }),
    weekdays: z
      .string()
      .max(40)
      .transform((value, ctx) => {
        const codes = value.split(',').map((w) => w.trim().toUpperCase()).filter(Boolean);
        const bad = codes.filter((c) => !(c in WEEKDAY_CODES));
        if (bad.length > 0 || codes.length === 0) {
          ctx.addIssue({ code: 'custom', message: `Weekdays are MO,TU,WE,TH,FR,SA,SU (bad: ${bad.join(', ') || 'none given'})` });
          return z.NEVER;
        }
        return [...new Set(codes.map((c) => WEEKDAY_CODES[c as keyof typeof WEEKDAY_CODES]))];
      })
      .optional()
      .openapi({ type: 'string', example: 'WE', description: 'Local start dates of the branch on these weekdays' }),
    limit: z.coerce.number().int().min(1).max(20).default(3).openapi({ type: 'integer', minimum: 1, maximum: 20, default: 3 }),
  })
  .superRefine((q, ctx) => {
    // Both parsed into Dates only when both were valid instants (the refinement runs regardless).
    if (q.after instanceof Date && q.before instanceof Date && q.before.getTime() <= q.after.getTime()) ctx.addIssue({ code: 'custom', path: ['before'], message: '`before` must be after `after`' });
  });
export type NextQueryInput = z.output<typeof nextQuery>;

export const nextResponse = z
  .object({
    slots: z.array(
      z.object({
        start: instantOut,
        end: instantOut,
        staffId: z.string().openapi({ description: 'The first free staff member (the one asked for with staffId)' }),
        staffName: z.string(),
        staff: z.array(slotStaff).openapi({ description: 'Every staff member free at this start' }),
        price: z.number().optional(),
      }),
    ),
  })
  .openapi('NextSlots');

export const explainQuery = z.object({
  branchId: id,
  serviceId: id,
  start: instant,
  ...preferenceFields,
  customerId: id.optional().openapi({ description: 'Also judge the customer\'s booking limits and consultation' }),
});
export type ExplainQueryInput = z.output<typeof explainQuery>;

const slotSchema = z.object({
  start: instantOut,
  end: instantOut,
  staffIds: z.array(z.string()).openapi({ description: 'Staff free at this start (the same ids as `staff`). A package: those who can take every part (booking with one of them as staffId works); only when nobody can and the start fits split between people, those free for its first part (book it without staffId)' }),
  staff: z.array(slotStaff).openapi({ description: 'The free staff with their names, in the order of `staffIds`' }),
  price: z.number().optional().openapi({ description: "The service's price (only when it has one)" }),
  seatsLeft: z.number().int().optional().openapi({ description: 'Seat services: the most seats left with any listed staff member' }),
});

export const availabilityResponse = z
  .object({
    branchId: z.string(),
    serviceId: z.string(),
    timezone: z.string(),
    days: z.array(z.object({ date: z.string().openapi({ format: 'date' }), slots: z.array(slotSchema) })),
  })
  .openapi('Availability');

export const REASON_CODES = [
  'branch_closed',
  'outside_business_hours',
  'staff_not_working',
  'staff_on_break',
  'staff_time_off',
  'staff_busy',
  'resource_unavailable',
  'skill_mismatch',
  'minimum_notice',
  'max_advance',
  'max_daily_bookings',
  'preference_mismatch',
  'group_size',
  'invalid_duration',
  'service_inactive',
  'unknown_staff',
  'consultation_required',
  'booking_limit',
  'cancellation_cutoff',
  'max_reschedules',
] as const;

export const explainResponse = z
  .object({
    available: z.boolean(),
    start: instantOut,
    end: instantOut,
    staffIds: z.array(z.string()).openapi({ description: 'Staff free at that start' }),
    resourceId: z.string().nullable(),
    reasons: z.array(
      z.object({
        code: z.enum(REASON_CODES),
        staffId: z.string().optional(),
        limit: z.string().optional().openapi({ description: 'booking_limit: the limit reached, e.g. service.perCustomer.week' }),
        part: z.number().int().optional().openapi({ description: 'Packages: the blocking part (0-based, in packageServiceIds order)' }),
        serviceId: z.string().optional().openapi({ description: 'Packages: the service of the blocking part' }),
        message: z.string(),
      }),
    ),
  })
  .openapi('AvailabilityExplanation');

export const cacheHeaders: Record<'X-Cache' | 'X-Calendar-Status', { description: string; schema: { type: 'string'; enum: string[] } }> = {
  'X-Cache': { description: 'HIT when served from the availability cache, MISS when computed', schema: { type: 'string', enum: ['HIT', 'MISS'] } },
  'X-Calendar-Status': {
    description: 'ok: external Cal.com busy times were applied; unavailable: Cal.com could not be reached and the answer uses local data only; not_linked: no staff member is linked to Cal.com',
    schema: { type: 'string', enum: ['ok', 'unavailable', 'not_linked'] },
  },
};
