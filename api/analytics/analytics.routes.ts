/**
 * GET /v1/analytics: booking figures of one branch or of the whole company over local days
 * (bookings whose start falls in [from, to] of their branch's zone, searches made in those days),
 * computed by SQL aggregates (analytics.queries.ts); utilisation against really open staff hours
 * (open-hours.ts). `groupBy` adds per-branch/staff/service figures, `interval` a time series;
 * every answer carries `currency` and `revenue` (API.md "Price": shown in analytics). Rates are
 * 0..1 (API.md), so utilisation and conversion are capped at 1: bookings made without a search
 * (phone, API) would otherwise lift "bookings per search" above it.
 */
import { periodOf } from '../../domain/scheduling/limits';
import { eachDate } from '../../domain/scheduling/local-time';
import { findBranch } from '../branches/branches.routes';
import { defineRoute, routeGroup, type RouteContext } from '../route-kit';
import { bookingFigures, searchCount, type AnalyticsScope, type BucketRow, type GroupBy, type Interval } from './analytics.queries';
import { analyticsQuery, analyticsSchema, type AnalyticsOut } from './analytics.schemas';
import { loadOpenHours, type OpenHours } from './open-hours';

const ratio = (part: number, whole: number) => (whole > 0 ? part / whole : 0);
const round = (n: number, digits = 4) => Math.round(n * 10 ** digits) / 10 ** digits;
const money = (n: number) => Math.round(n * 100) / 100;

type Point = NonNullable<AnalyticsOut['series']>[number];

/** First dates of every bucket touching [from, to]. */
function bucketStarts(from: string, to: string, interval: Interval): string[] {
  const out: string[] = [];
  for (let d = periodOf(from, interval).first; d <= to; d = periodOf(d, interval).next) out.push(d);
  return out;
}

function seriesOf(rows: BucketRow[], periods: string[]): Point[] {
  const by = new Map<string, Point>(periods.map((period) => [period, { period, bookings: 0, cancellations: 0, noShows: 0, revenue: 0 }]));
  for (const r of rows) {
    const point = by.get(r.period);
    if (!point) continue;
    point.bookings += r.bookings;
    point.cancellations += r.cancellations;
    point.noShows += r.noShows;
    point.revenue = money(point.revenue + r.revenue);
  }
  return [...by.values()];
}

async function groupsOf(ctx: RouteContext, scope: AnalyticsScope, groupBy: GroupBy, rows: BucketRow[], open: OpenHours, periods: string[] | null) {
  const byKey = new Map<string, BucketRow[]>();
  for (const r of rows) {
    const mine = byKey.get(r.key);
    if (mine) mine.push(r);
    else byKey.set(r.key, [r]);
  }
  const names = groupBy === 'branch' ? new Map(open.branchNames) : groupBy === 'staff' ? new Map(open.staffNames) : new Map<string, string>();
  const missing = [...byKey.keys()].filter((k) => !names.has(k));
  if (missing.length > 0) {
    const where = { companyId: scope.companyId, id: { in: missing } };
    const found = groupBy === 'service'
      ? await ctx.deps.db.service.findMany({ where, select: { id: true, name: true } })
      : groupBy === 'staff'
        ? await ctx.deps.db.staff.findMany({ where, select: { id: true, name: true } })
        : await ctx.deps.db.branch.findMany({ where, select: { id: true, name: true } });
    for (const f of found) names.set(f.id, f.name);
  }
  const openOf = groupBy === 'branch' ? open.byBranch : groupBy === 'staff' ? open.byStaff : null;
  const groups = [...names.keys()].map((id) => {
    const mine = byKey.get(id) ?? [];
    const sum = (f: (r: BucketRow) => number) => mine.reduce((n, r) => n + f(r), 0);
    return {
      id,
      name: names.get(id) as string,
      bookings: sum((r) => r.bookings),
      cancellations: sum((r) => r.cancellations),
      noShows: sum((r) => r.noShows),
      revenue: money(sum((r) => r.revenue)),
      utilizationRate: openOf ? round(Math.min(1, ratio(sum((r) => r.bookedMinutes), openOf.get(id) ?? 0))) : null,
      ...(periods ? { series: seriesOf(mine, periods) } : {}),
    };
  });
  return groups.sort((a, b) => b.bookings - a.bookings || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export const analyticsRoutes = routeGroup('analytics', [
  defineRoute({
    method: 'get',
    path: '/v1/analytics',
    tags: ['analytics'],
    summary: 'Booking analytics of a branch or of the whole company',
    description:
      'Counted bookings: every booking starting in the period except failed ones. Rates are 0..1 (utilization and conversion capped at 1). popularTimes: weekday (lower-case English name) × hour in the branch zone. revenue: confirmed and completed bookings, in currency. ' +
      'Cross-field rules JSON Schema cannot state (400 validation_error on `to`): `to` not before `from`, and at most 366 days from `from` to `to`, both included.',
    request: { query: analyticsQuery },
    responses: { 200: { description: 'Figures', schema: analyticsSchema } },
    handler: async ({ query }, ctx) => {
      const companyId = ctx.companyId();
      const branch = query.branchId ? await findBranch(ctx, query.branchId) : null;
      const scope: AnalyticsScope = { companyId, branchId: branch?.id ?? null, from: query.from, to: query.to };
      const db = ctx.deps.db;
      const [figures, searches, open, company] = await Promise.all([
        bookingFigures(db, scope, query.groupBy ?? null, query.interval ?? null), searchCount(db, scope), loadOpenHours(db, scope),
        db.company.findUnique({ where: { id: companyId }, select: { currency: true } }),
      ]);
      const { totals, buckets } = figures;
      const days = eachDate(query.from, query.to).length;
      const body: AnalyticsOut = {
        totalBookings: totals.total,
        bySource: { phone: totals.phone, web: totals.web, api: totals.api, mobile: totals.mobile },
        averageLeadHours: round(totals.lead_hours ?? 0, 2),
        averageDailyBookings: round(totals.total / days),
        noShowRate: round(ratio(totals.no_show, totals.total)),
        cancellationRate: round(ratio(totals.cancelled, totals.total)),
        utilizationRate: round(Math.min(1, ratio(totals.booked_minutes, open.total))),
        conversionRate: round(Math.min(1, ratio(totals.total, searches))),
        popularTimes: figures.popularTimes,
        serviceDemand: figures.serviceDemand,
        currency: company?.currency ?? 'EUR',
        revenue: money(totals.revenue),
      };
      const periods = query.interval ? bucketStarts(query.from, query.to, query.interval) : null;
      return {
        body: {
          ...body,
          ...(periods ? { series: seriesOf(buckets, periods) } : {}),
          ...(query.groupBy ? { groups: await groupsOf(ctx, scope, query.groupBy, buckets, open, periods) } : {}),
        },
      };
    },
  }),
]);

