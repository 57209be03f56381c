/**
 * The SQL behind GET /v1/analytics. Every figure is a sum PostgreSQL computes over the analytics
 * rollups (migration 20261204140000_analytics_rollups): per local day of each booking's branch
 * zone, kept exact by triggers in the transaction that changes a booking. A request reads rollup
 * rows, never booking rows: a company-wide year of 100,000 bookings read every booking with three
 * zone conversions per row (p95 1.1 s in bench:analytics); it now reads ~20,000 rollup rows.
 * One branch (branchId) or the whole company (null); the company is in every statement and leads
 * every rollup key, so each read is a range of one company's index.
 *
 * Counted bookings (the triggers' rule): every booking except reschedule-hold placeholders,
 * `failed` ones (which never held an appointment) and a package's later parts. Booked minutes
 * (utilization) count the bookings that kept their time (confirmed, completed, no_show); revenue
 * the confirmed and completed ones at their service's current price.
 */
import { staffRollupPlan } from '../../domain/analytics/rollup-plan';
import { Prisma, type Db } from '../../infra/db/prisma';

export interface AnalyticsScope {
  companyId: string;
  /** One branch, or null for every branch of the company. */
  branchId: string | null;
  from: string;
  to: string;
}

export type GroupBy = 'branch' | 'staff' | 'service';
export type Interval = 'day' | 'week' | 'month';

export interface Totals {
  total: number;
  phone: number;
  web: number;
  api: number;
  mobile: number;
  no_show: number;
  cancelled: number;
  lead_hours: number | null;
  booked_minutes: number;
  revenue: number;
}

const HOUR_MS = 3_600_000;

/**
 * The scope's branches with each one's local period as UTC bounds (`bb`), computed once per
 * branch instead of converting zones per row.
 */
function branchBounds(p: AnalyticsScope) {
  const branch = p.branchId === null ? Prisma.empty : Prisma.sql`AND id = ${p.branchId}`;
  return Prisma.sql`bb AS (
    SELECT id, timezone, (${p.from}::date)::timestamp AT TIME ZONE timezone AS lo, (${p.to}::date + 1)::timestamp AT TIME ZONE timezone AS hi
    FROM branches WHERE company_id = ${p.companyId} ${branch})`;
}

/**
 * Searches of the scope made in the period (`b` joined with its branch bounds `bb`): served by the
 * (company_id, branch_id, at) index through a UTC window 15 hours wider than the dates on each side
 * (every zone's local days lie inside it); the exact local bounds are then checked per row.
 */
function searchesInScope(p: AnalyticsScope) {
  const lo = new Date(Date.parse(`${p.from}T00:00:00Z`) - 15 * HOUR_MS);
  const hi = new Date(Date.parse(`${p.to}T00:00:00Z`) + 39 * HOUR_MS);
  const branch = p.branchId === null ? Prisma.empty : Prisma.sql`AND b.branch_id = ${p.branchId}`;
  return Prisma.sql`b.company_id = ${p.companyId} ${branch}
    AND b.at >= ${lo} AND b.at < ${hi} AND b.at >= bb.lo AND b.at < bb.hi`;
}

const searchesSql = (p: AnalyticsScope) => Prisma.sql`
    WITH ${branchBounds(p)}
    SELECT count(*)::int AS n FROM availability_searches b JOIN bb ON bb.id = b.branch_id
    WHERE ${searchesInScope(p)}`;

export async function searchCount(db: Db, p: AnalyticsScope): Promise<number> {
  return (await db.$queryRaw<{ n: number }[]>(searchesSql(p)))[0].n;
}

export interface BucketRow {
  /** Branch, staff or service id; '' without groupBy */
  key: string;
  /** First local date of the day/week (Monday)/month; '' without interval */
  period: string;
  bookings: number;
  cancellations: number;
  noShows: number;
  revenue: number;
  bookedMinutes: number;
}

export interface BookingFigures {
  totals: Totals;
  popularTimes: { weekday: string; hour: number; count: number }[];
  serviceDemand: { serviceId: string; name: string; count: number }[];
  buckets: BucketRow[];
}

const WEEKDAY_NAMES = ['', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

/** Rows of rollup `r` in the scope: `column` (its day or week) among `days`, or between from and to. */
function rollupScope(p: AnalyticsScope, column: Prisma.Sql, days?: string[]) {
  const branch = p.branchId === null ? Prisma.empty : Prisma.sql`AND r.branch_id = ${p.branchId}`;
  const period = days ? Prisma.sql`${column} = ANY(${days}::date[])` : Prisma.sql`${column} BETWEEN ${p.from}::date AND ${p.to}::date`;
  return Prisma.sql`r.company_id = ${p.companyId} ${branch} AND ${period}`;
}

/** First local date of the bucket of `day` (a date column): the day, its Monday or its month's first. */
function bucketOf(interval: Interval | null, day: Prisma.Sql) {
  if (interval === 'day') return day;
  if (interval === 'week') return Prisma.sql`(${day} - (extract(isodow FROM ${day})::int - 1))`;
  if (interval === 'month') return Prisma.sql`date_trunc('month', ${day}::timestamp)::date`;
  return Prisma.sql`NULL::date`;
}

const BUCKET_KEY: Record<Exclude<GroupBy, 'staff'>, Prisma.Sql> = { branch: Prisma.sql`r.branch_id`, service: Prisma.sql`r.service_id` };

/**
 * Totals, service demand and (unless grouped by staff) the buckets from the service days, in one
 * statement: the rows summed per (service, key, period) first, priced once per such group, then
 * GROUPING SETS () totals, (service_id) demand, (key, period) buckets. Sets other than the totals
 * keep only groups with bookings (a rollup row that fell back to zero is no booking).
 */
function serviceSql(p: AnalyticsScope, groupBy: GroupBy | null, interval: Interval | null) {
  // Grouped by staff, the (key, period) set is one group that nobody reads (staffSql has those buckets).
  const key = groupBy === null || groupBy === 'staff' ? Prisma.sql`''` : BUCKET_KEY[groupBy];
  const period = groupBy === 'staff' ? Prisma.sql`NULL::date` : bucketOf(interval, Prisma.sql`r.day`);
  return Prisma.sql`
    WITH a AS (
      SELECT r.service_id, ${key} AS key, ${period} AS period, sum(r.bookings) AS bookings, sum(r.cancellations) AS cancellations,
        sum(r.no_shows) AS no_shows, sum(r.phone) AS phone, sum(r.web) AS web, sum(r.api) AS api, sum(r.mobile) AS mobile,
        sum(r.lead_ms) AS lead_ms, sum(r.kept_ms) AS kept_ms, sum(r.paid) AS paid
      FROM analytics_service_days r
      WHERE ${rollupScope(p, Prisma.sql`r.day`)}
      GROUP BY 1, 2, 3
    ), d AS (
      SELECT a.*, a.paid * coalesce(s.price, 0) AS revenue FROM a JOIN services s ON s.id = a.service_id AND s.company_id = ${p.companyId}
    ), g AS (
      SELECT GROUPING(service_id, key, period) AS sets, service_id, key, period,
        coalesce(sum(bookings), 0)::int AS bookings,
        coalesce(sum(cancellations), 0)::int AS cancellations,
        coalesce(sum(no_shows), 0)::int AS "noShows",
        coalesce(sum(phone), 0)::int AS phone,
        coalesce(sum(web), 0)::int AS web,
        coalesce(sum(api), 0)::int AS api,
        coalesce(sum(mobile), 0)::int AS mobile,
        (sum(lead_ms)::float8 / nullif(sum(bookings), 0) / ${HOUR_MS})::float8 AS lead_hours,
        coalesce(sum(revenue), 0)::float8 AS revenue,
        coalesce(sum(kept_ms)::float8 / 60000, 0)::float8 AS "bookedMinutes"
      FROM d
      GROUP BY GROUPING SETS ((), (service_id), (key, period))
      HAVING GROUPING(service_id, key, period) = ${ALL} OR sum(bookings) > 0
    )
    SELECT g.*, coalesce(to_char(g.period, 'YYYY-MM-DD'), '') AS day, s.name
    FROM g LEFT JOIN services s ON s.id = g.service_id`;
}

/**
 * The staff buckets: whole weeks from the week rows where the plan allows (domain/analytics/
 * rollup-plan.ts), every other day from the day rows; each day of the period read exactly once.
 * Rows are not summed per bucket (the route adds up a bucket's rows anyway, and hashing 5,000
 * rows cost PostgreSQL more than sending the few hundred extra) but come back as one row of
 * arrays per staff member: decoding 100 rows of arrays takes half the CPU of 5,600 rows
 * (bench:analytics). Rows without bookings are left out: every figure of such a row is zero.
 */
function staffSql(p: AnalyticsScope, interval: Interval | null) {
  const plan = staffRollupPlan(p.from, p.to, interval);
  const columns = Prisma.sql`r.staff_id AS key, r.bookings, r.cancellations, r.no_shows, r.revenue, r.kept_ms`;
  return Prisma.sql`
    SELECT key, array_agg(coalesce(to_char(period, 'YYYY-MM-DD'), '')) AS days, array_agg(bookings) AS bookings,
      array_agg(cancellations) AS cancellations, array_agg(no_shows) AS "noShows", array_agg(revenue::float8) AS revenue,
      array_agg(kept_ms::float8 / 60000) AS "bookedMinutes"
    FROM (
      SELECT ${columns}, ${bucketOf(interval, Prisma.sql`r.week`)} AS period FROM analytics_staff_weeks r
      WHERE ${rollupScope(p, Prisma.sql`r.week`, plan.weeks)} AND r.bookings > 0
      UNION ALL
      SELECT ${columns}, ${bucketOf(interval, Prisma.sql`r.day`)} AS period FROM analytics_staff_days r
      WHERE ${rollupScope(p, Prisma.sql`r.day`, plan.days)} AND r.bookings > 0
    ) x
    GROUP BY key`;
}

/** Bookings per local weekday (ISO, Monday 1) and hour. */
function popularSql(p: AnalyticsScope) {
  return Prisma.sql`
    SELECT extract(isodow FROM r.day)::int AS dow, r.hour, sum(r.bookings)::int AS count
    FROM analytics_branch_hours r WHERE ${rollupScope(p, Prisma.sql`r.day`)}
    GROUP BY 1, 2 HAVING sum(r.bookings) > 0`;
}

interface ServiceRow extends Omit<BucketRow, 'period'>, Omit<Totals, 'total' | 'no_show' | 'cancelled' | 'booked_minutes'> {
  sets: number;
  day: string;
  service_id: string | null;
  name: string | null;
}
/** One staff member's rows, column by column. */
interface StaffRow {
  key: string;
  days: string[];
  bookings: number[];
  cancellations: number[];
  noShows: number[];
  revenue: number[];
  bookedMinutes: number[];
}

function staffBuckets(rows: StaffRow[]): BucketRow[] {
  return rows.flatMap((r) => r.days.map((period, i) => ({
    key: r.key, period, bookings: r.bookings[i], cancellations: r.cancellations[i], noShows: r.noShows[i], revenue: r.revenue[i], bookedMinutes: r.bookedMinutes[i],
  })));
}

// GROUPING(service_id, key, period): a bit is 1 where the column is NOT grouped.
const ALL = 0b111;
const SERVICE = 0b011;
const BUCKETS = 0b100;

export async function bookingFigures(db: Db, p: AnalyticsScope, groupBy: GroupBy | null, interval: Interval | null): Promise<BookingFigures> {
  const [rows, staff, times] = await Promise.all([
    db.$queryRaw<ServiceRow[]>(serviceSql(p, groupBy, interval)),
    groupBy === 'staff' ? db.$queryRaw<StaffRow[]>(staffSql(p, interval)) : Promise.resolve([]),
    db.$queryRaw<{ dow: number; hour: number; count: number }[]>(popularSql(p)),
  ]);
  const all = rows.find((r) => r.sets === ALL);
  const totals: Totals = {
    total: all?.bookings ?? 0, phone: all?.phone ?? 0, web: all?.web ?? 0, api: all?.api ?? 0, mobile: all?.mobile ?? 0,
    no_show: all?.noShows ?? 0, cancelled: all?.cancellations ?? 0, lead_hours: all?.lead_hours ?? null,
    booked_minutes: all?.bookedMinutes ?? 0, revenue: all?.revenue ?? 0,
  };
  const popularTimes = times
    .sort((a, b) => b.count - a.count || a.dow - b.dow || a.hour - b.hour)
    .map((r) => ({ weekday: WEEKDAY_NAMES[r.dow], hour: r.hour, count: r.count }));
  const serviceDemand = rows.filter((r) => r.sets === SERVICE)
    .map((r) => ({ serviceId: r.service_id as string, name: r.name ?? '', count: r.bookings }))
    .sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const buckets = groupBy === 'staff' ? staffBuckets(staff) : rows.filter((r) => r.sets === BUCKETS).map((r) => ({
    key: r.key, period: r.day, bookings: r.bookings, cancellations: r.cancellations, noShows: r.noShows, revenue: r.revenue, bookedMinutes: r.bookedMinutes,
  }));
  return { totals, popularTimes, serviceDemand, buckets };
}

/** The exact statements GET /v1/analytics runs, for EXPLAIN in bench:analytics. */
export function analyticsStatements(p: AnalyticsScope, groupBy: GroupBy | null, interval: Interval | null): Record<string, Prisma.Sql> {
  return {
    service: serviceSql(p, groupBy, interval),
    ...(groupBy === 'staff' ? { staff: staffSql(p, interval) } : {}),
    popularTimes: popularSql(p),
    searches: searchesSql(p),
  };
}
