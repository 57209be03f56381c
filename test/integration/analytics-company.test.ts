/**
 * Company-wide analytics over HTTP (issue 16): groupBy and interval series with revenue in the
 * company currency, each booking counted on the local day of its own branch's zone, utilisation
 * against really open hours (special hours and time off removed), another company never counted,
 * the 366-day bound, and the plain one-branch answer keeping exactly its old fields; staff working
 * in several branches count with the hours of the branches in scope (company-wide: all of them).
 */
import request from 'supertest';
import { newId } from '../../infra/db/ids';
import { startApiHarness, type ApiHarness } from '../api/api-harness';
import { dropCompany, insertBooking } from './availability.fixtures';
import { seedTenant, type Tenant } from './series-waitlist.harness';

let api: ApiHarness;
let t: Tenant;
let other: Tenant;
const ny = { branchId: newId('br'), staffId: newId('stf'), serviceId: newId('svc') };

async function book(tenant: Tenant, start: string, status: string, over: { staffId?: string; branchId?: string; serviceId?: string } = {}) {
  const id = newId('bkg');
  const s = new Date(start);
  const e = new Date(s.getTime() + 3_600_000);
  await api.db.booking.create({
    data: {
      id, companyId: tenant.companyId, branchId: over.branchId ?? tenant.branchId, serviceId: over.serviceId ?? tenant.serviceId,
      customerId: tenant.customerId, staffId: over.staffId ?? tenant.staff.anna, startAt: s, endAt: e, blockedStart: s, blockedEnd: e, status,
    },
  });
}

beforeAll(async () => {
  api = await startApiHarness();
  t = await seedTenant(api.db);
  other = await seedTenant(api.db);
  const db = api.db;
  await db.company.update({ where: { id: t.companyId }, data: { currency: 'USD' } });
  await db.service.update({ where: { id: t.serviceId }, data: { price: 30 } });
  // Berlin: Wednesday 6 January open 09–12 only; Anna off all Tuesday 5 January.
  await db.branch.update({ where: { id: t.branchId }, data: { specialHours: [{ date: '2027-01-06', open: true, start: '09:00', end: '12:00' }] } });
  await db.staffTimeOff.create({ data: { id: newId('off'), companyId: t.companyId, staffId: t.staff.anna, startAt: new Date('2027-01-04T23:00:00Z'), endAt: new Date('2027-01-05T23:00:00Z') } });
  const every = { open: true, start: '09:00', end: '19:00' };
  const days = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
  await db.branch.create({
    data: { id: ny.branchId, companyId: t.companyId, name: 'Brooklyn', timezone: 'America/New_York', operatingHours: Object.fromEntries(days.map((d) => [d, every])) },
  });
  await db.staff.create({
    data: { id: ny.staffId, companyId: t.companyId, branchId: ny.branchId, name: 'Cleo', skills: ['color'], workingHours: Object.fromEntries(days.map((d) => [d, [{ start: '10:00', end: '18:00' }]])) },
  });
  await db.service.create({ data: { id: ny.serviceId, companyId: t.companyId, branchId: ny.branchId, name: 'Color', durationMinutes: 60, price: 80 } });

  await book(t, '2027-01-04T10:00:00+01:00', 'confirmed');
  await book(t, '2027-01-04T10:00:00+01:00', 'completed', { staffId: t.staff.ben });
  await book(t, '2027-01-05T10:00:00+01:00', 'cancelled');
  await book(t, '2027-01-05T12:00:00+01:00', 'failed'); // never counted
  await book(t, '2027-01-11T10:00:00+01:00', 'no_show', { staffId: t.staff.ben }); // next week: outside
  const nyOver = { branchId: ny.branchId, staffId: ny.staffId, serviceId: ny.serviceId };
  await book(t, '2027-01-04T10:00:00-05:00', 'confirmed', nyOver);
  // Sunday 23:30 in New York is already Monday 11 January in UTC (and in Berlin): still in the period.
  await book(t, '2027-01-10T23:30:00-05:00', 'confirmed', nyOver);
  await insertBooking(api.db, other, { staffId: other.staff.anna, start: new Date('2027-01-04T10:00:00+01:00') });
});

afterAll(async () => {
  if (t) await dropCompany(api.db, t.companyId);
  if (other) await dropCompany(api.db, other.companyId);
  await api?.close();
});

const get = (query: Record<string, string>) => request(api.app).get('/v1/analytics').set(t.auth).query(query);

describe('company-wide analytics', () => {
  it('groups by branch with a weekly series, revenue in the company currency and utilisation against real open hours', async () => {
    const res = await get({ from: '2027-01-04', to: '2027-01-10', groupBy: 'branch', interval: 'week' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      totalBookings: 5,
      cancellationRate: 0.2,
      currency: 'USD',
      revenue: 220,
      series: [{ period: '2027-01-04', bookings: 5, cancellations: 1, noShows: 0, revenue: 220 }],
    });
    // Berlin: Anna 8+0+3+8+8 h, Ben 8+8+3+8+8 h = 3720 min; 2 kept hours → 120/3720.
    // Brooklyn: Cleo 7 × 8 h = 3360 min; 2 kept hours → 120/3360.
    expect(res.body.groups).toEqual([
      { id: t.branchId, name: 'Mitte', bookings: 3, cancellations: 1, noShows: 0, revenue: 60, utilizationRate: 0.0323, series: [{ period: '2027-01-04', bookings: 3, cancellations: 1, noShows: 0, revenue: 60 }] },
      { id: ny.branchId, name: 'Brooklyn', bookings: 2, cancellations: 0, noShows: 0, revenue: 160, utilizationRate: 0.0357, series: [{ period: '2027-01-04', bookings: 2, cancellations: 0, noShows: 0, revenue: 160 }] },
    ]);
  });

  it('groups by staff with a daily series (every day listed) and by service without one', async () => {
    const staff = await get({ from: '2027-01-04', to: '2027-01-10', groupBy: 'staff', interval: 'day' });
    expect(staff.status).toBe(200);
    const anna = staff.body.groups.find((g: { id: string }) => g.id === t.staff.anna);
    expect(anna).toMatchObject({ name: 'Anna', bookings: 2, cancellations: 1, revenue: 30 });
    expect(anna.series.map((p: { period: string; bookings: number }) => [p.period, p.bookings])).toEqual([
      ['2027-01-04', 1], ['2027-01-05', 1], ['2027-01-06', 0], ['2027-01-07', 0], ['2027-01-08', 0], ['2027-01-09', 0], ['2027-01-10', 0],
    ]);
    const cleo = staff.body.groups.find((g: { id: string }) => g.id === ny.staffId);
    expect(cleo.series.find((p: { period: string }) => p.period === '2027-01-10')).toMatchObject({ bookings: 1, revenue: 80 });
    expect(staff.body.series).toHaveLength(7);

    const services = await get({ from: '2027-01-04', to: '2027-01-31', groupBy: 'service', interval: 'month', branchId: t.branchId });
    expect(services.body.groups).toEqual([
      { id: t.serviceId, name: 'Haircut', bookings: 4, cancellations: 1, noShows: 1, revenue: 60, utilizationRate: null, series: [{ period: '2027-01-01', bookings: 4, cancellations: 1, noShows: 1, revenue: 60 }] },
    ]);
  });

  it('answers a plain one-branch request with the v1 fields plus currency and revenue, and bounds the range to 366 days', async () => {
    const plain = await get({ branchId: t.branchId, from: '2027-01-04', to: '2027-01-10' });
    expect(Object.keys(plain.body).sort()).toEqual([
      'averageDailyBookings', 'averageLeadHours', 'bySource', 'cancellationRate', 'conversionRate', 'currency', 'noShowRate', 'popularTimes', 'revenue', 'serviceDemand', 'totalBookings', 'utilizationRate',
    ]);
    expect(plain.body.currency).toBe('USD'); // the company's own currency
    expect(plain.body.revenue).toEqual(expect.any(Number));
    expect(plain.body.totalBookings).toBe(3);
    expect((await get({ from: '2027-01-01', to: '2028-01-01' })).status).toBe(200); // 366 days
    const tooLong = await get({ from: '2027-01-01', to: '2028-01-02' });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.errors).toEqual([expect.objectContaining({ path: 'to', message: expect.stringContaining('366') })]);
    expect((await get({ from: '2027-01-04', to: '2027-01-10', groupBy: 'room' })).status).toBe(400);
    expect((await get({ branchId: other.branchId, from: '2027-01-04', to: '2027-01-10' })).status).toBe(404);
  });
});

describe('utilisation of staff in several branches', () => {
  // Anna works Mon–Fri 09–13 + 14–18 in her primary branch (5 × 8 h = 2400 min in the week) and,
  // by assignment, Saturday and Sunday 10–14 in Kreuzberg (2 × 4 h = 480 min).
  let m: Tenant;
  const kreuzberg = { branchId: newId('br'), serviceId: newId('svc') };
  const range = { from: '2027-01-04', to: '2027-01-10' };
  const multi = (query: Record<string, string>) => request(api.app).get('/v1/analytics').set(m.auth).query({ ...range, ...query });
  const annaOf = (res: request.Response) => res.body.groups.find((g: { id: string }) => g.id === m.staff.anna);

  beforeAll(async () => {
    m = await seedTenant(api.db);
    const every = { open: true, start: '09:00', end: '19:00' };
    const days = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
    await api.db.branch.create({
      data: { id: kreuzberg.branchId, companyId: m.companyId, name: 'Kreuzberg', timezone: 'Europe/Berlin', operatingHours: Object.fromEntries(days.map((d) => [d, every])) },
    });
    await api.db.service.create({ data: { id: kreuzberg.serviceId, companyId: m.companyId, branchId: kreuzberg.branchId, name: 'Trim', durationMinutes: 60 } });
    const weekend = { saturday: [{ start: '10:00', end: '14:00' }], sunday: [{ start: '10:00', end: '14:00' }] };
    await api.db.staff.update({ where: { id: m.staff.anna }, data: { assignments: [{ branchId: kreuzberg.branchId, workingHours: weekend, breaks: {} }] } });
    await book(m, '2027-01-04T10:00:00+01:00', 'confirmed');
    await book(m, '2027-01-09T10:00:00+01:00', 'confirmed', { branchId: kreuzberg.branchId, serviceId: kreuzberg.serviceId });
  });
  afterAll(async () => {
    if (m) await dropCompany(api.db, m.companyId);
  });

  it('company-wide: the person\'s open hours of every branch they work in', async () => {
    const staff = await multi({ groupBy: 'staff' });
    expect(staff.status).toBe(200);
    // 2 kept hours over 2400 + 480 open minutes (the primary hours alone would give 120/2400 = 0.05).
    expect(annaOf(staff)).toMatchObject({ bookings: 2, utilizationRate: 0.0417 });
    const branches = await multi({ groupBy: 'branch' });
    expect(branches.body.groups.find((g: { id: string }) => g.id === kreuzberg.branchId)).toMatchObject({ bookings: 1, utilizationRate: 0.125 });
    // Mitte: Anna and Ben 2 × 2400 min, 1 kept hour.
    expect(branches.body.groups.find((g: { id: string }) => g.id === m.branchId)).toMatchObject({ bookings: 1, utilizationRate: 0.0125 });
    // Overall: 2 kept hours over 2400 + 2400 + 480 minutes.
    expect(branches.body.utilizationRate).toBe(0.0227);
  });

  it('per branch: the hours of that branch\'s assignment only', async () => {
    const inKreuzberg = await multi({ branchId: kreuzberg.branchId, groupBy: 'staff' });
    expect(inKreuzberg.status).toBe(200);
    expect(annaOf(inKreuzberg)).toMatchObject({ name: 'Anna', bookings: 1, utilizationRate: 0.125 });
    const plain = await multi({ branchId: kreuzberg.branchId });
    expect(plain.body).toMatchObject({ totalBookings: 1, utilizationRate: 0.125 });
    const inMitte = await multi({ branchId: m.branchId, groupBy: 'staff' });
    expect(annaOf(inMitte)).toMatchObject({ bookings: 1, utilizationRate: 0.025 });
  });
});
