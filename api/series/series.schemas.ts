/**
 * Request and response schemas of the recurring-series endpoints (API.md "Recurring series").
 * The recurrence is checked as a whole here (count or until, ≤ 366 occurrences, valid RRULE,
 * `until`) by expanding it with the domain expander, so one 400 lists every bad field together
 * with the shape errors; the handler expands it again in the branch's zone.
 */
import { expandRecurrence, FREQUENCIES, WEEKDAY_CODES, type Recurrence } from '../../domain/recurrence/recurrence';
import { ValidationError } from '../../domain/errors';
import { id, instant, instantOut, plainText } from '../common.schemas';
import { z } from '../zod';

const simpleRecurrence = z.strictObject({
  frequency: z.enum(FREQUENCIES),
  count: z.number().int().min(1).max(366).optional(),
  until: z.string().min(1).max(40).optional().openapi({ description: 'YYYY-MM-DD (inclusive, branch zone) or an instant with offset' }),
  byWeekday: z.array(z.enum(WEEKDAY_CODES)).max(7).optional(),
});
const rruleRecurrence = z.strictObject({ rrule: z.string().min(1).max(500).openapi({ example: 'FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10' }) });

export const recurrenceSchema = z.union([simpleRecurrence, rruleRecurrence]).openapi('Recurrence');

/** Expansion problems of a recurrence, with a neutral zone (the handler re-expands in the branch zone). */
function recurrenceProblems(start: unknown, recurrence: unknown): { path: string; message: string }[] {
  const parsed = recurrenceSchema.safeParse(recurrence);
  if (!parsed.success) return [];
  const from = start instanceof Date && !Number.isNaN(start.getTime()) ? start.toISOString() : '2000-01-03T09:00:00Z';
  try {
    expandRecurrence({ start: from, timezone: 'UTC', recurrence: parsed.data as Recurrence });
    return [];
  } catch (e) {
    if (e instanceof ValidationError) return e.errors;
    throw e;
  }
}

export const createSeriesBody = z
  .strictObject({
    branchId: id,
    serviceId: id,
    customerId: id,
    staffId: id.optional(),
    start: instant,
    recurrence: recurrenceSchema,
    onConflict: z.enum(['skip', 'alternative']).default('skip'),
    source: z.enum(['phone', 'web', 'api', 'mobile']).default('api'),
  })
  .superRefine((body, ctx) => {
    for (const p of recurrenceProblems(body.start, body.recurrence)) {
      ctx.addIssue({ code: 'custom', message: p.message, path: p.path.split('.') });
    }
  }, { when: (payload) => typeof payload.value === 'object' && payload.value !== null })
  .openapi('CreateSeries', { description: 'The recurrence yields 1..366 occurrences from `start` within its bounds (rules across fields, which JSON Schema cannot state: 400 validation_error)' });

export const cancelSeriesBody = z
  .strictObject({
    from: instant.optional().openapi({ description: 'Booked occurrences starting at or after it are cancelled; default now' }),
    reason: plainText(500).optional(),
  })
  .default({});

const alternativeOut = z.object({ start: instantOut, end: instantOut, staffId: id, staffName: z.string().optional() });

export const occurrenceSchema = z.object({
  index: z.number().int(),
  start: instantOut,
  status: z.enum(['pending', 'booked', 'skipped', 'failed', 'cancelled']).openapi({ description: '`pending` while the series is running' }),
  bookingId: id.optional(),
  reason: z.string().optional(),
  alternatives: z.array(alternativeOut).optional(),
});

export const seriesSchema = z
  .object({
    id,
    status: z.enum(['running', 'completed', 'cancelled']),
    branchId: id,
    serviceId: id,
    customerId: id,
    staffId: id.nullable(),
    onConflict: z.enum(['skip', 'alternative']),
    workflowId: z.string(),
    progress: z.object({ total: z.number().int(), processed: z.number().int() }),
    occurrences: z.array(occurrenceSchema),
    createdAt: instantOut,
  })
  .openapi('Series');
