/**
 * GET /v1/analytics: booking figures of one branch over local days (bookings whose start falls in
 * [from, to], searches made in those days), all computed by SQL aggregates (analytics.queries.ts).
 */
import { eachDate } from '../../domain/scheduling/local-time';
import { findBranch } from '../branches/branches.routes';
import { defineRoute, routeGroup } from '../route-kit';
import { availableStaffMinutes, bookingTotals, popularTimes, searchCount, serviceDemand } from './analytics.queries';
import { analyticsQuery, analyticsSchema } from './analytics.schemas';

const ratio = (part: number, whole: number) => (whole > 0 ? part / whole : 0);
const round = (n: number, digits = 4) => Math.round(n * 10 ** digits) / 10 ** digits;

export const analyticsRoutes = routeGroup('analytics', [
  defineRoute({
    method: 'get',
    path: '/v1/analytics',
    tags: ['analytics'],
    summary: 'Booking analytics of a branch',
    description:
      'Counted bookings: every booking starting in the period except failed ones. Rates are 0..1 (utilization capped at 1). popularTimes: weekday (lower-case English name) × hour in the branch zone. ' +
      'Cross-field rules JSON Schema cannot state (400 validation_error on `to`): `to` not before `from`, and at most 366 days from `from` to `to`, both included.',
    request: { query: analyticsQuery },
    responses: { 200: { description: 'Figures', schema: analyticsSchema } },
    handler: async ({ query }, ctx) => {
      const branch = await findBranch(ctx, query.branchId);
      const period = { companyId: branch.companyId, branchId: branch.id, timezone: branch.timezone, from: query.from, to: query.to };
      const db = ctx.deps.db;
      const [totals, searches, times, demand, staffMinutes] = await Promise.all([
        bookingTotals(db, period), searchCount(db, period), popularTimes(db, period), serviceDemand(db, period), availableStaffMinutes(db, period),
      ]);
      const days = eachDate(query.from, query.to).length;
      return {
        body: {
          totalBookings: totals.total,
          bySource: { phone: totals.phone, web: totals.web, api: totals.api, mobile: totals.mobile },
          averageLeadHours: round(totals.lead_hours ?? 0, 2),
          averageDailyBookings: round(totals.total / days),
          noShowRate: round(ratio(totals.no_show, totals.total)),
          cancellationRate: round(ratio(totals.cancelled, totals.total)),
          utilizationRate: round(Math.min(1, ratio(totals.booked_minutes, staffMinutes))),
          conversionRate: round(ratio(totals.total, searches)),
          popularTimes: times.map(({ weekday, hour, count }) => ({ weekday, hour, count })),
          serviceDemand: demand,
        },
      };
    },
  }),
]);
