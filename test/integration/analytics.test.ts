/**
 * GET /v1/analytics over the real app and PostgreSQL: the figures equal what the test wrote
 * (bookings with known sources, statuses, lead times and starts; availability searches), a
 * booking outside the period and a failed one do not count, and bad input is a 400.
 * No Temporal needed: analytics reads the database only.
 */
import request from 'supertest';
import { newId } from '../../infra/db/ids';
import { startApiHarness, type ApiHarness } from '../api/api-harness';
import { dropCompany, insertBooking } from './availability.fixtures';
import { seedTenant, type Tenant } from './series-waitlist.harness';

let api: ApiHarness;
let t: Tenant;

describe('analytics over HTTP', () => {
  beforeAll(async () => {
    api = await startApiHarness();
    t = await seedTenant(api.db);
    const add = async (start: string, source: string, status: string, staffId = t.staff.anna) => {
      const id = await insertBooking(api.db, t, { staffId, start: new Date(start), status });
      const at = new Date(Date.parse(start) - 48 * 3_600_000);
      await api.db.booking.update({ where: { id }, data: { source, createdAt: at } });
    };
    // Monday 4 and Tuesday 5 January 2027 (Berlin, UTC+1)
    await add('2027-01-04T10:00:00+01:00', 'web', 'confirmed');
    await add('2027-01-04T10:00:00+01:00', 'phone', 'confirmed', t.staff.ben);
    await add('2027-01-04T14:00:00+01:00', 'api', 'cancelled');
    await add('2027-01-05T09:00:00+01:00', 'mobile', 'no_show');
    await add('2027-01-05T11:00:00+01:00', 'web', 'failed'); // never counted
    await add('2027-01-06T10:00:00+01:00', 'web', 'confirmed'); // outside the period
    const inPeriod = ['2027-01-04T08:00:00+01:00', '2027-01-05T23:30:00+01:00'];
    const searches = [...Array(7).fill(inPeriod[0]), inPeriod[1], '2027-01-06T00:30:00+01:00'];
    await api.db.availabilitySearch.createMany({
      data: searches.map((at) => ({ id: newId('srch'), companyId: t.companyId, branchId: t.branchId, serviceId: t.serviceId, at: new Date(at) })),
    });
  });
  afterAll(async () => {
    if (t) await dropCompany(api.db, t.companyId);
    await api?.close();
  });

  it('computes every figure from what was created', async () => {
    const res = await request(api.app).get('/v1/analytics').set(t.auth).query({ branchId: t.branchId, from: '2027-01-04', to: '2027-01-05' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      totalBookings: 4,
      bySource: { phone: 1, web: 1, api: 1, mobile: 1 },
      averageLeadHours: 48,
      averageDailyBookings: 2,
      noShowRate: 0.25,
      cancellationRate: 0.25,
      // 3 kept bookings × 60 min / (2 staff × 8 h × 2 days = 1920 min)
      utilizationRate: 0.0938,
      // 4 bookings / 8 searches in the period
      conversionRate: 0.5,
      popularTimes: [
        { weekday: 'monday', hour: 10, count: 2 },
        { weekday: 'monday', hour: 14, count: 1 },
        { weekday: 'tuesday', hour: 9, count: 1 },
      ],
      serviceDemand: [{ serviceId: t.serviceId, name: 'Haircut', count: 4 }],
      currency: 'EUR',
      revenue: expect.any(Number),
    });
  });

  it('keeps conversionRate within 0..1 when more bookings than searches fall in the period (phone and API bookings need no search)', async () => {
    for (const start of ['2027-01-07T10:00:00+01:00', '2027-01-07T12:00:00+01:00', '2027-01-07T14:00:00+01:00']) {
      await insertBooking(api.db, t, { staffId: t.staff.anna, start: new Date(start), status: 'confirmed' });
    }
    await api.db.availabilitySearch.create({ data: { id: newId('srch'), companyId: t.companyId, branchId: t.branchId, serviceId: t.serviceId, at: new Date('2027-01-07T09:00:00+01:00') } });
    const res = await request(api.app).get('/v1/analytics').set(t.auth).query({ branchId: t.branchId, from: '2027-01-07', to: '2027-01-07' });
    expect(res.status).toBe(200);
    expect(res.body.totalBookings).toBe(3);
    expect(res.body.conversionRate).toBe(1);
  });

  it('rejects to before from and unknown branches', async () => {
    const bad = await request(api.app).get('/v1/analytics').set(t.auth).query({ branchId: t.branchId, from: '2027-01-05', to: '2027-01-04' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(['to']);
    const missing = await request(api.app).get('/v1/analytics').set(t.auth).query({ branchId: 'br_nope', from: '2027-01-04', to: '2027-01-05' });
    expect(missing.status).toBe(404);
  });

  it('covers at most 366 days per request (a 1,000-year range took 2 s and built a 365,000-day series)', async () => {
    const ask = (from: string, to: string) => request(api.app).get('/v1/analytics').set(t.auth).query({ branchId: t.branchId, from, to });
    for (const [from, to] of [['1900-01-01', '2899-12-31'], ['2027-01-01', '2028-01-02'], ['2027-01-01', '9998-12-31']]) {
      const res = await ask(from, to);
      expect([from, to, res.status, res.body.errors?.map((e: { path: string }) => e.path)]).toEqual([from, to, 400, ['to']]);
    }
    expect((await ask('2027-01-01', '2028-01-01')).status).toBe(200); // 366 days
    expect((await ask('2028-01-01', '2028-12-31')).status).toBe(200); // a leap year
  });
});
