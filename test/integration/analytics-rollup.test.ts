/**
 * The analytics rollups (migration 20261204140000) give exactly the figures of a straightforward
 * scan of the bookings: the reference below is the statement GET /v1/analytics ran before the
 * rollups (every counted booking, converted to its branch's local time per row). Seeded data:
 * three zones (Berlin and New York with their DST days, Kolkata at +05:30), every status and
 * source, holds, package parts, null and priced services, bookings around local midnight; then the
 * changes the triggers must follow: status changes, reschedules to another staff member, service
 * and day, a changed creation time, deletions, a new service price and a branch moved to another
 * zone. Compared for the company and one branch, every groupBy and interval, several ranges.
 * A second company's bookings must never count.
 */
import { bookingFigures, type AnalyticsScope, type BookingFigures, type BucketRow, type GroupBy, type Interval } from '../../api/analytics/analytics.queries';
import { newId } from '../../infra/db/ids';
import { Prisma, type Db } from '../../infra/db/prisma';
import { startApiHarness, type ApiHarness } from '../api/api-harness';
import { dropCompany } from './availability.fixtures';

let api: ApiHarness;
let db: Db;
const companyId = newId('cmp');
const otherId = newId('cmp');
const ZONES = ['Europe/Berlin', 'America/New_York', 'Asia/Kolkata'];
const branches = ZONES.map((_, i) => `br_roll_${companyId}_${i}`);
const staffOf = (b: number, i: number) => `stf_roll_${companyId}_${b}_${i}`;
const serviceOf = (b: number, i: number) => `svc_roll_${companyId}_${b}_${i}`;
const STATUSES = ['confirmed', 'completed', 'cancelled', 'no_show', 'failed', 'pending', 'declined', 'awaiting_approval'];
const SOURCES = ['phone', 'web', 'api', 'mobile'];
const customerId = newId('cus');
const ids: string[] = [];

/** The pre-rollup statement: one pass over the counted bookings of the period. */
async function referenceFigures(p: AnalyticsScope, groupBy: GroupBy | null, interval: Interval | null): Promise<BookingFigures> {
  const branch = p.branchId === null ? Prisma.empty : Prisma.sql`AND b.branch_id = ${p.branchId}`;
  const key = groupBy === 'branch' ? Prisma.sql`b.branch_id` : groupBy === 'staff' ? Prisma.sql`b.staff_id` : groupBy === 'service' ? Prisma.sql`b.service_id` : Prisma.sql`''`;
  const trunc = interval ? Prisma.sql`date_trunc(${interval}, b.start_at AT TIME ZONE br.timezone)` : Prisma.sql`NULL::timestamp`;
  const rows = await db.$queryRaw<{ sets: number; key: string; day: string; dow: number; hour: number; service_id: string; name: string | null; bookings: number; cancellations: number; noShows: number; phone: number; web: number; api: number; mobile: number; lead_hours: number | null; revenue: number; bookedMinutes: number }[]>(Prisma.sql`
    WITH r AS (
      SELECT ${key} AS key, ${trunc} AS period, b.service_id,
        extract(isodow FROM b.start_at AT TIME ZONE br.timezone)::int AS dow, extract(hour FROM b.start_at AT TIME ZONE br.timezone)::int AS hour,
        b.status, b.source, s.price, extract(epoch FROM b.start_at - b.created_at)::float8 AS lead, extract(epoch FROM b.end_at - b.start_at)::float8 / 60 AS length
      FROM bookings b JOIN branches br ON br.id = b.branch_id AND br.company_id = ${p.companyId} JOIN services s ON s.id = b.service_id
      WHERE b.company_id = ${p.companyId} ${branch}
        AND (b.start_at AT TIME ZONE br.timezone)::date BETWEEN ${p.from}::date AND ${p.to}::date
        AND b.source <> 'hold' AND b.status <> 'failed' AND b.package_booking_id IS NULL
    ), g AS (
      SELECT GROUPING(key, period, dow, hour, service_id) AS sets, key, period, dow, hour, service_id,
        count(*)::int AS bookings, count(*) FILTER (WHERE status = 'cancelled')::int AS cancellations, count(*) FILTER (WHERE status = 'no_show')::int AS "noShows",
        count(*) FILTER (WHERE source = 'phone')::int AS phone, count(*) FILTER (WHERE source = 'web')::int AS web,
        count(*) FILTER (WHERE source = 'api')::int AS api, count(*) FILTER (WHERE source = 'mobile')::int AS mobile,
        (avg(lead) / 3600)::float8 AS lead_hours,
        coalesce(sum(price) FILTER (WHERE status IN ('confirmed', 'completed')), 0)::float8 AS revenue,
        coalesce(sum(length) FILTER (WHERE status IN ('confirmed', 'completed', 'no_show')), 0)::float8 AS "bookedMinutes"
      FROM r GROUP BY GROUPING SETS ((), (dow, hour), (service_id), (key, period))
    )
    SELECT g.*, coalesce(to_char(g.period, 'YYYY-MM-DD'), '') AS day, s.name FROM g LEFT JOIN services s ON s.id = g.service_id`);
  const all = rows.find((r) => r.sets === 0b11111);
  const names = ['', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
  return {
    totals: {
      total: all?.bookings ?? 0, phone: all?.phone ?? 0, web: all?.web ?? 0, api: all?.api ?? 0, mobile: all?.mobile ?? 0, no_show: all?.noShows ?? 0,
      cancelled: all?.cancellations ?? 0, lead_hours: all?.lead_hours ?? null, booked_minutes: all?.bookedMinutes ?? 0, revenue: all?.revenue ?? 0,
    },
    popularTimes: rows.filter((r) => r.sets === 0b11001).sort((a, b) => b.bookings - a.bookings || a.dow - b.dow || a.hour - b.hour)
      .map((r) => ({ weekday: names[r.dow], hour: r.hour, count: r.bookings })),
    serviceDemand: rows.filter((r) => r.sets === 0b11110).map((r) => ({ serviceId: r.service_id, name: r.name ?? '', count: r.bookings }))
      .sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    buckets: rows.filter((r) => r.sets === 0b00111).map((r) => ({ key: r.key, period: r.day, bookings: r.bookings, cancellations: r.cancellations, noShows: r.noShows, revenue: r.revenue, bookedMinutes: r.bookedMinutes })),
  };
}

/** Buckets summed per (key, period) and sorted, money to cents: the way the route reads them. */
function byBucket(rows: BucketRow[]) {
  const sums = new Map<string, BucketRow>();
  for (const r of rows) {
    const id = `${r.key}|${r.period}`;
    const s = sums.get(id) ?? { key: r.key, period: r.period, bookings: 0, cancellations: 0, noShows: 0, revenue: 0, bookedMinutes: 0 };
    sums.set(id, { ...s, bookings: s.bookings + r.bookings, cancellations: s.cancellations + r.cancellations, noShows: s.noShows + r.noShows,
      revenue: Math.round((s.revenue + r.revenue) * 100) / 100, bookedMinutes: s.bookedMinutes + r.bookedMinutes });
  }
  return [...sums.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, v]) => v);
}

async function seed() {
  const every = { open: true, start: '08:00', end: '20:00' };
  const days = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
  for (const cid of [companyId, otherId]) await db.company.create({ data: { id: cid, name: 'Rollup GmbH' } });
  await db.customer.create({ data: { id: customerId, companyId, name: 'Rollup customer' } });
  for (const [b, timezone] of ZONES.entries()) {
    await db.branch.create({ data: { id: branches[b], companyId, name: `Branch ${b}`, timezone, operatingHours: Object.fromEntries(days.map((d) => [d, every])) } });
    await db.staff.createMany({ data: [0, 1, 2].map((i) => ({ id: staffOf(b, i), companyId, branchId: branches[b], name: `Staff ${b}-${i}` })) });
    await db.service.createMany({
      data: [0, 1, 2].map((i) => ({ id: serviceOf(b, i), companyId, branchId: branches[b], name: `Service ${b}-${i}`, durationMinutes: 45, price: i === 2 ? null : new Prisma.Decimal(`${19.99 + 10 * i + b}`) })),
    });
  }
  // 700 bookings 876 minutes apart (every hour of the local day, all of 2027 and a little beyond):
  // one staff member's bookings are 2,628 minutes apart, so live ones never overlap.
  const base = Date.parse('2026-12-30T21:00:00Z');
  const rows = Array.from({ length: 700 }, (_, n) => {
    const b = n % 3;
    const start = new Date(base + n * 876 * 60_000 + (n % 7) * 60_000);
    const end = new Date(start.getTime() + (30 + (n % 4) * 15) * 60_000);
    const id = `bkg_roll_${companyId}_${n}`;
    ids.push(id);
    return {
      id, companyId, branchId: branches[b], serviceId: serviceOf(b, Math.floor(n / 3) % 3), customerId, staffId: staffOf(b, Math.floor(n / 9) % 3),
      startAt: start, endAt: end, blockedStart: start, blockedEnd: end,
      status: STATUSES[(n * 5) % STATUSES.length], source: SOURCES[(n * 3) % SOURCES.length], createdAt: new Date(start.getTime() - ((n % 11) * 7 + 1) * 3_600_000 - (n % 5) * 1_000),
    };
  });
  await db.booking.createMany({ data: rows.slice(0, 400) });
  for (const r of rows.slice(400)) await db.booking.create({ data: r }); // row by row as well as in one statement
  // Holds and package parts never count (in statuses that would count otherwise and hold nobody).
  const hold = new Date('2027-06-01T10:00:00Z');
  await db.booking.create({ data: { id: newId('bkg'), companyId, branchId: branches[0], serviceId: serviceOf(0, 0), customerId, staffId: staffOf(0, 0), startAt: hold, endAt: new Date(hold.getTime() + 3_600_000), blockedStart: hold, blockedEnd: new Date(hold.getTime() + 3_600_000), status: 'cancelled', source: 'hold' } });
  const part = new Date('2027-06-02T10:00:00Z');
  await db.booking.create({ data: { id: newId('bkg'), companyId, branchId: branches[1], serviceId: serviceOf(1, 1), customerId, staffId: staffOf(1, 2), startAt: part, endAt: new Date(part.getTime() + 3_600_000), blockedStart: part, blockedEnd: new Date(part.getTime() + 3_600_000), status: 'no_show', source: 'api', packageBookingId: ids[1], partIndex: 1 } });
  // Another company at the same times.
  const otherBranch = newId('br');
  await db.branch.create({ data: { id: otherBranch, companyId: otherId, name: 'Other', timezone: 'Europe/Berlin', operatingHours: {} } });
  await db.staff.create({ data: { id: newId('stf'), companyId: otherId, branchId: otherBranch, name: 'Other' } });
  const otherStaff = (await db.staff.findFirstOrThrow({ where: { companyId: otherId } })).id;
  const otherService = newId('svc');
  await db.service.create({ data: { id: otherService, companyId: otherId, branchId: otherBranch, name: 'Other', durationMinutes: 60, price: 99 } });
  const otherCustomer = newId('cus');
  await db.customer.create({ data: { id: otherCustomer, companyId: otherId, name: 'Other' } });
  await db.booking.createMany({
    data: rows.slice(0, 50).map((r) => ({ ...r, id: `${r.id}_other`, companyId: otherId, branchId: otherBranch, serviceId: otherService, customerId: otherCustomer, staffId: otherStaff, status: 'cancelled' })),
  });
}

async function change() {
  // Status changes one by one and many at once (the package trigger's nested update included).
  await db.booking.update({ where: { id: ids[0] }, data: { status: 'cancelled', cancelledAt: new Date() } });
  await db.booking.updateMany({ where: { id: { in: ids.slice(10, 60) } }, data: { status: 'completed' } });
  await db.booking.updateMany({ where: { id: { in: ids.slice(60, 80) } }, data: { status: 'failed' } });
  // Reschedules: another day, staff member and service of the same branch; a longer appointment
  // (completed since: no live booking of that person may overlap it).
  for (const [i, n] of [100, 101, 102, 250, 251].entries()) {
    const b = n % 3;
    const start = new Date(Date.parse('2027-11-15T23:40:00Z') + i * 7 * 86_400_000);
    await db.booking.update({ where: { id: ids[n] }, data: { startAt: start, endAt: new Date(start.getTime() + 95 * 60_000), blockedStart: start, blockedEnd: new Date(start.getTime() + 95 * 60_000), staffId: staffOf(b, (i + 1) % 3), serviceId: serviceOf(b, (i + 2) % 3), status: 'completed', rescheduledCount: { increment: 1 } } });
  }
  await db.booking.update({ where: { id: ids[300] }, data: { createdAt: new Date('2026-01-01T00:00:00Z'), source: 'web' } });
  await db.booking.update({ where: { id: ids[301] }, data: { calendarStatus: 'synced', notes: 'nothing counted changes' } });
  await db.booking.deleteMany({ where: { id: { in: ids.slice(500, 520) } } });
  // A new price re-prices the past; a branch in another zone moves its bookings' local days.
  await db.service.update({ where: { id: serviceOf(0, 1) }, data: { price: new Prisma.Decimal('44.45') } });
  await db.service.update({ where: { id: serviceOf(1, 2) }, data: { price: new Prisma.Decimal('12.5') } });
  await db.branch.update({ where: { id: branches[2] }, data: { timezone: 'Pacific/Chatham' } });
}

beforeAll(async () => {
  api = await startApiHarness();
  db = api.db;
  await seed();
});

afterAll(async () => {
  if (db) {
    await dropCompany(db, companyId);
    await dropCompany(db, otherId);
  }
  await api?.close();
});

const RANGES: [string, string][] = [['2027-01-01', '2027-12-31'], ['2027-03-10', '2027-04-20'], ['2027-03-28', '2027-03-28'], ['2026-12-28', '2027-02-03']];
const GROUPS: (GroupBy | null)[] = [null, 'branch', 'staff', 'service'];
const INTERVALS: (Interval | null)[] = [null, 'day', 'week', 'month'];

async function expectSameAsReference() {
  let compared = 0;
  for (const branchId of [null, branches[0], branches[2]]) {
    for (const [from, to] of RANGES) {
      for (const groupBy of GROUPS) {
        for (const interval of INTERVALS) {
          const scope: AnalyticsScope = { companyId, branchId, from, to };
          const [mine, ref] = await Promise.all([bookingFigures(db, scope, groupBy, interval), referenceFigures(scope, groupBy, interval)]);
          const label = { branchId, from, to, groupBy, interval };
          const { lead_hours: lead, ...totals } = mine.totals;
          const { lead_hours: refLead, ...refTotals } = ref.totals;
          expect({ ...label, totals, popularTimes: mine.popularTimes, serviceDemand: mine.serviceDemand })
            .toEqual({ ...label, totals: refTotals, popularTimes: ref.popularTimes, serviceDemand: ref.serviceDemand });
          expect(lead === null ? null : Math.round(lead * 1e9)).toBe(refLead === null ? null : Math.round(refLead * 1e9));
          // Without groupBy or interval the route reads no bucket.
          if (groupBy !== null || interval !== null) expect({ ...label, buckets: byBucket(mine.buckets) }).toEqual({ ...label, buckets: byBucket(ref.buckets) });
          compared += 1;
        }
      }
    }
  }
  return compared;
}

describe('analytics rollups equal a scan of the bookings', () => {
  it('after the bookings were written', async () => {
    expect((await referenceFigures({ companyId, branchId: null, from: '2027-01-01', to: '2027-12-31' }, null, null)).totals.total).toBeGreaterThan(500);
    expect(await expectSameAsReference()).toBe(3 * RANGES.length * GROUPS.length * INTERVALS.length);
  });

  it('after status changes, reschedules, deletions, a new price and a new branch zone', async () => {
    await change();
    await expectSameAsReference();
  });

  it('a rollup rebuilt from scratch equals the one the triggers kept', async () => {
    const snapshot = () => db.$queryRaw<unknown[]>`
      SELECT 'sd' AS t, company_id, day::text, branch_id, service_id AS k, bookings, cancellations, no_shows, paid::text AS x, lead_ms::text AS y, kept_ms::text AS z FROM analytics_service_days WHERE company_id = ${companyId} AND bookings <> 0
      UNION ALL SELECT 'st', company_id, day::text, branch_id, staff_id, bookings, cancellations, no_shows, revenue::text, kept_ms::text, '' FROM analytics_staff_days WHERE company_id = ${companyId} AND bookings <> 0
      UNION ALL SELECT 'sw', company_id, week::text, branch_id, staff_id, bookings, cancellations, no_shows, revenue::text, kept_ms::text, '' FROM analytics_staff_weeks WHERE company_id = ${companyId} AND bookings <> 0
      UNION ALL SELECT 'bh', company_id, day::text, branch_id, hour::text, bookings, 0, 0, '', '', '' FROM analytics_branch_hours WHERE company_id = ${companyId} AND bookings <> 0
      ORDER BY 1, 2, 3, 4, 5`;
    const kept = await snapshot();
    for (const branchId of branches) await db.$executeRaw`SELECT analytics_rollup_rebuild(${companyId}, ${branchId})`;
    expect(await snapshot()).toEqual(kept);
  });
});
