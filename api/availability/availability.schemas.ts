/**
 * Request and response schemas of GET /v1/availability and GET /v1/availability/explain
 * (API.md "Availability"). They validate, type the handlers and generate the OpenAPI document.
 * Every bad field is reported: unknown preference values, malformed dates, `from` after `to` and
 * ranges over 62 days are 400 validation_error here, before anything is loaded.
 */
import { date, id, instant, instantOut } from '../common.schemas';
import { z } from '../zod';

export const MAX_RANGE_DAYS = 62;

export const GENDERS = ['female', 'male', 'diverse'] as const;

/** Query strings are text: coerce, and keep the OpenAPI type an integer. */
const positiveInt = (max: number, description: string) =>
  z.coerce.number().int().min(1).max(max).optional().openapi({ type: 'integer', minimum: 1, maximum: max, description });

const preferenceFields = {
  staffId: id.optional().openapi({ description: 'Only this staff member' }),
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
    to: date,
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

export const explainQuery = z.object({
  branchId: id,
  serviceId: id,
  start: instant,
  ...preferenceFields,
  customerId: id.optional().openapi({ description: 'Also judge the customer\'s booking limits and consultation' }),
});
export type ExplainQueryInput = z.output<typeof explainQuery>;

const slotStaff = z.object({ id: z.string(), name: z.string() }).openapi('SlotStaff');

const slotSchema = z.object({
  start: instantOut,
  end: instantOut,
  staffIds: z.array(z.string()).openapi({ description: 'Staff free at this start (the same ids as `staff`)' }),
  staff: z.array(slotStaff).openapi({ description: 'The free staff with their names, in the order of `staffIds`' }),
  price: z.number().optional().openapi({ description: "The service's price (only when it has one)" }),
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
