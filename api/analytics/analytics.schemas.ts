/** Query and response schemas of GET /v1/analytics (API.md "Analytics", "Catalog depth"). */
import { DateTime } from 'luxon';
import { date, id } from '../common.schemas';
import { z } from '../zod';

/** API.md: analytics cover at most 366 days per request (a year, leap day included). */
export const MAX_ANALYTICS_DAYS = 366;

const inclusiveDays = (from: string, to: string) => {
  const days = DateTime.fromISO(to, { zone: 'UTC' }).diff(DateTime.fromISO(from, { zone: 'UTC' }), 'days').days;
  return Number.isFinite(days) ? days + 1 : 0;
};

export const analyticsQuery = z
  .object({
    branchId: id.optional().openapi({ description: 'One branch; the whole company without it' }),
    from: date,
    to: date.openapi({ description: 'Not before `from`, at most 366 days from it, both included (a rule across fields, which JSON Schema cannot state: 400 validation_error)' }),
    groupBy: z.enum(['branch', 'staff', 'service']).optional(),
    interval: z.enum(['day', 'week', 'month']).optional().openapi({ description: 'Time series buckets: local days, weeks (Monday first) or months' }),
  })
  .superRefine((q, ctx) => {
    if (typeof q.from !== 'string' || typeof q.to !== 'string') return;
    if (q.to < q.from) {
      ctx.addIssue({ code: 'custom', message: 'must not be before from', path: ['to'] });
      return;
    }
    if (inclusiveDays(q.from, q.to) > MAX_ANALYTICS_DAYS) {
      ctx.addIssue({ code: 'custom', message: `at most ${MAX_ANALYTICS_DAYS} days per request`, path: ['to'] });
    }
  }, { when: (payload) => typeof payload.value === 'object' && payload.value !== null });

const rate = z.number().min(0).max(1);

const bucketFields = {
  bookings: z.number().int(),
  cancellations: z.number().int(),
  noShows: z.number().int(),
  revenue: z.number().openapi({ description: 'Price of the confirmed and completed bookings, in `currency`' }),
};
const seriesPoint = z.object({ period: z.string().openapi({ description: 'First local date of the day, week (Monday) or month', format: 'date' }), ...bucketFields });

export const analyticsSchema = z
  .object({
    totalBookings: z.number().int(),
    bySource: z.object({ phone: z.number().int(), web: z.number().int(), api: z.number().int(), mobile: z.number().int() }),
    averageLeadHours: z.number().openapi({ description: 'Mean hours between booking creation and start; 0 without bookings' }),
    averageDailyBookings: z.number(),
    noShowRate: rate,
    cancellationRate: rate,
    utilizationRate: rate.openapi({ description: 'Booked minutes / really open staff minutes (branch hours incl. special hours ∩ working hours − breaks − time off − closures)' }),
    conversionRate: rate.openapi({ description: 'Bookings per availability search of the period, capped at 1 (0 without searches)' }),
    popularTimes: z.array(z.object({ weekday: z.string().openapi({ example: 'monday' }), hour: z.number().int(), count: z.number().int() })),
    serviceDemand: z.array(z.object({ serviceId: id, name: z.string(), count: z.number().int() })),
    currency: z.string().openapi({ description: 'The company currency (default EUR)' }),
    revenue: z.number().openapi({ description: 'Price of the confirmed and completed bookings, in `currency`' }),
    series: z.array(seriesPoint).optional().openapi({ description: 'With interval: every bucket of the period, empty ones included' }),
    groups: z
      .array(z.object({
        id,
        name: z.string(),
        ...bucketFields,
        utilizationRate: rate.nullable().openapi({ description: 'For branch and staff groups; null for services' }),
        series: z.array(seriesPoint).optional(),
      }))
      .optional()
      .openapi({ description: 'With groupBy: one entry per branch, staff member or service with bookings in the period (branch/staff: also those without), most bookings first' }),
  })
  .openapi('Analytics');
export type AnalyticsOut = z.infer<typeof analyticsSchema>;
