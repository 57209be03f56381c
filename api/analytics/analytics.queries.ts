/**
 * The SQL behind GET /v1/analytics. Every figure is an aggregate computed by PostgreSQL; no
 * booking row is loaded into memory. Days are local days of the branch zone: the period is
 * [from 00:00, to + 1 day 00:00) in that zone, converted by PostgreSQL's tz database.
 *
 * Counted bookings: every booking of the branch starting in the period except reschedule-hold
 * placeholders and `failed` ones (which never held an appointment). Booked minutes (utilization)
 * count the bookings that kept their time (confirmed, completed, no_show).
 * Available staff minutes: per local day of the period and active staff member of the branch,
 * working intervals minus breaks, on days the branch is open (operating hours, no closure).
 */
import { Prisma, type Db } from '../../infra/db/prisma';

export interface AnalyticsPeriod {
  companyId: string;
  branchId: string;
  timezone: string;
  from: string;
  to: string;
}

interface Totals {
  total: number;
  phone: number;
  web: number;
  api: number;
  mobile: number;
  no_show: number;
  cancelled: number;
  lead_hours: number | null;
  booked_minutes: number;
}

const COUNTED = Prisma.sql`b.source <> 'hold' AND b.status <> 'failed'`;

function periodBounds(p: AnalyticsPeriod) {
  return Prisma.sql`b.start_at >= (${p.from}::date)::timestamp AT TIME ZONE ${p.timezone}
    AND b.start_at < (${p.to}::date + 1)::timestamp AT TIME ZONE ${p.timezone}`;
}

export async function bookingTotals(db: Db, p: AnalyticsPeriod): Promise<Totals> {
  const rows = await db.$queryRaw<Totals[]>`
    SELECT count(*)::int AS total,
      count(*) FILTER (WHERE b.source = 'phone')::int AS phone,
      count(*) FILTER (WHERE b.source = 'web')::int AS web,
      count(*) FILTER (WHERE b.source = 'api')::int AS api,
      count(*) FILTER (WHERE b.source = 'mobile')::int AS mobile,
      count(*) FILTER (WHERE b.status = 'no_show')::int AS no_show,
      count(*) FILTER (WHERE b.status = 'cancelled')::int AS cancelled,
      (avg(extract(epoch FROM (b.start_at - b.created_at))) / 3600)::float8 AS lead_hours,
      coalesce(sum(extract(epoch FROM (b.end_at - b.start_at)) / 60)
        FILTER (WHERE b.status IN ('confirmed', 'completed', 'no_show')), 0)::float8 AS booked_minutes
    FROM bookings b
    WHERE b.company_id = ${p.companyId} AND b.branch_id = ${p.branchId} AND ${COUNTED} AND ${periodBounds(p)}`;
  return rows[0];
}

export async function searchCount(db: Db, p: AnalyticsPeriod): Promise<number> {
  const rows = await db.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM availability_searches s
    WHERE s.company_id = ${p.companyId} AND s.branch_id = ${p.branchId}
      AND s.at >= (${p.from}::date)::timestamp AT TIME ZONE ${p.timezone}
      AND s.at < (${p.to}::date + 1)::timestamp AT TIME ZONE ${p.timezone}`;
  return rows[0].n;
}

export async function popularTimes(db: Db, p: AnalyticsPeriod) {
  return db.$queryRaw<{ weekday: string; hour: number; count: number }[]>`
    SELECT trim(to_char(b.start_at AT TIME ZONE ${p.timezone}, 'FMday')) AS weekday,
      extract(hour FROM b.start_at AT TIME ZONE ${p.timezone})::int AS hour,
      count(*)::int AS count,
      extract(isodow FROM b.start_at AT TIME ZONE ${p.timezone})::int AS dow
    FROM bookings b
    WHERE b.company_id = ${p.companyId} AND b.branch_id = ${p.branchId} AND ${COUNTED} AND ${periodBounds(p)}
    GROUP BY 1, 2, 4
    ORDER BY count DESC, dow, hour`;
}

export async function serviceDemand(db: Db, p: AnalyticsPeriod) {
  return db.$queryRaw<{ serviceId: string; name: string; count: number }[]>`
    SELECT s.id AS "serviceId", s.name, count(*)::int AS count
    FROM bookings b JOIN services s ON s.id = b.service_id
    WHERE b.company_id = ${p.companyId} AND b.branch_id = ${p.branchId} AND ${COUNTED} AND ${periodBounds(p)}
    GROUP BY s.id, s.name
    ORDER BY count DESC, s.name`;
}

/** Working minus break minutes of the branch's active staff over the open days of the period. */
export async function availableStaffMinutes(db: Db, p: AnalyticsPeriod): Promise<number> {
  const rows = await db.$queryRaw<{ minutes: number }[]>`
    WITH days AS (
      SELECT d::date AS day, trim(to_char(d, 'FMday')) AS dayname
      FROM generate_series(${p.from}::date, ${p.to}::date, interval '1 day') AS d
    ), br AS (
      SELECT operating_hours, closures FROM branches WHERE id = ${p.branchId} AND company_id = ${p.companyId}
    ), open_days AS (
      SELECT days.* FROM days, br
      WHERE coalesce((br.operating_hours -> days.dayname ->> 'open')::boolean, false)
        AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(br.closures) c WHERE c ->> 'date' = days.day::text)
    ), spans AS (
      SELECT 1 AS sign, iv FROM open_days o
        JOIN staff st ON st.branch_id = ${p.branchId} AND st.company_id = ${p.companyId} AND st.active
        CROSS JOIN LATERAL jsonb_array_elements(coalesce(st.working_hours -> o.dayname, '[]'::jsonb)) iv
      UNION ALL
      SELECT -1 AS sign, iv FROM open_days o
        JOIN staff st ON st.branch_id = ${p.branchId} AND st.company_id = ${p.companyId} AND st.active
        CROSS JOIN LATERAL jsonb_array_elements(coalesce(st.breaks -> o.dayname, '[]'::jsonb)) iv
    )
    SELECT coalesce(sum(sign * extract(epoch FROM ((iv ->> 'end')::time - (iv ->> 'start')::time)) / 60), 0)::float8 AS minutes
    FROM spans`;
  return rows[0].minutes;
}
