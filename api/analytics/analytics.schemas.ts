/** Query and response schemas of GET /v1/analytics (API.md "Analytics"). */
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
  .object({ branchId: id, from: date, to: date })
  .superRefine((q, ctx) => {
    if (typeof q.from === 'string' && typeof q.to === 'string' && q.to < q.from) {
      ctx.addIssue({ code: 'custom', message: 'must not be before from', path: ['to'] });
    }
    if (typeof q.from === 'string' && typeof q.to === 'string' && inclusiveDays(q.from, q.to) > MAX_ANALYTICS_DAYS) {
      ctx.addIssue({ code: 'custom', message: `at most ${MAX_ANALYTICS_DAYS} days per request`, path: ['to'] });
    }
  }, { when: (payload) => typeof payload.value === 'object' && payload.value !== null });

const rate = z.number().min(0).max(1);

export const analyticsSchema = z
  .object({
    totalBookings: z.number().int(),
    bySource: z.object({ phone: z.number().int(), web: z.number().int(), api: z.number().int(), mobile: z.number().int() }),
    averageLeadHours: z.number().openapi({ description: 'Mean hours between booking creation and start; 0 without bookings' }),
    averageDailyBookings: z.number(),
    noShowRate: rate,
    cancellationRate: rate,
    utilizationRate: rate.openapi({ description: 'Booked minutes / available staff minutes (working hours minus breaks on open days)' }),
    conversionRate: z.number().min(0).openapi({ description: 'Bookings per availability search of the period (0 without searches)' }),
    popularTimes: z.array(z.object({ weekday: z.string().openapi({ example: 'monday' }), hour: z.number().int(), count: z.number().int() })),
    serviceDemand: z.array(z.object({ serviceId: id, name: z.string(), count: z.number().int() })),
  })
  .openapi('Analytics');
