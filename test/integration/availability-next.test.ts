/**
 * GET /v1/availability/next over HTTP on the real database: for random time windows, weekdays,
 * `after`/`before`, staff and limits, the answer equals the first entries of a full 62-day
 * GET /v1/availability answer filtered the same way (the filter re-implemented here from the
 * rendered local times, not through the code under test); the walk stops at the first day that
 * completes `limit`; bad windows/weekdays are 400s; another company's branch is a 404.
 */
import request from 'supertest';
import pino from 'pino';
import { cachedAvailabilityCodec, createAvailabilityService } from '../../api/availability/availability.service';
import { createAvailabilityCache } from '../../infra/cache/availability-cache';
import { newId } from '../../infra/db/ids';
import { createCompany, startApiHarness, type ApiHarness, type TestCompany } from '../api/api-harness';

/** Wednesday 2030-05-01 07:13 UTC. */
const NOW = new Date('2030-05-01T07:13:00Z');
let h: ApiHarness;
let company: TestCompany;
const ids = { branch: newId('br'), service: newId('svc'), anna: newId('stf'), ben: newId('stf'), customer: newId('cus') };

/** A seeded PRNG (mulberry32): the same cases on every run, printed on failure. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

beforeAll(async () => {
  h = await startApiHarness({ rateLimit: false, clock: () => NOW });
  company = await createCompany(h.app, 'Next slots');
  const db = h.db;
  const companyId = company.id;
  const day = (start: string, end: string) => ({ open: true, start, end });
  await db.branch.create({
    data: {
      id: ids.branch, companyId, name: 'Mitte', timezone: 'Europe/Berlin',
      operatingHours: { monday: day('09:00', '18:00'), tuesday: day('09:00', '18:00'), wednesday: day('09:00', '18:00'), thursday: day('09:00', '20:00'), friday: day('09:00', '18:00'), saturday: day('09:00', '14:00') },
      closures: [{ date: '2030-05-08', reason: 'closed' }],
      specialHours: [],
      rules: { minimumNoticeMinutes: 120, maxAdvanceDays: 90, slotIntervalMinutes: 15, maxDailyBookingsPerCustomer: null },
    },
  });
  const hours = (s: string, e: string) => Object.fromEntries(['monday', 'tuesday', 'wednesday', 'thursday', 'friday'].map((d) => [d, [{ start: s, end: e }]]));
  await db.staff.create({ data: { id: ids.anna, companyId, branchId: ids.branch, name: 'Anna', workingHours: hours('09:00', '14:00'), breaks: { wednesday: [{ start: '11:00', end: '11:30' }] } } });
  await db.staff.create({ data: { id: ids.ben, companyId, branchId: ids.branch, name: 'Ben', workingHours: { ...hours('12:00', '18:00'), saturday: [{ start: '09:00', end: '14:00' }] } } });
  await db.service.create({ data: { id: ids.service, companyId, branchId: ids.branch, name: 'Cut', durationMinutes: 45, bufferAfterMinutes: 15, price: '30.00' } });
  await db.customer.create({ data: { id: ids.customer, companyId, name: 'C' } });
  // Bookings scattered over the weeks make the answer irregular.
  const random = rng(7);
  for (let i = 0; i < 40; i++) {
    const dayOffset = Math.floor(random() * 40);
    const staffId = random() < 0.5 ? ids.anna : ids.ben;
    const start = new Date(Date.UTC(2030, 4, 1 + dayOffset, 8 + Math.floor(random() * 8), Math.floor(random() * 4) * 15));
    const end = new Date(start.getTime() + 45 * 60_000);
    await db.booking
      .create({
        data: {
          id: newId('bkg'), companyId, branchId: ids.branch, serviceId: ids.service, customerId: ids.customer, staffId,
          startAt: start, endAt: end, blockedStart: start, blockedEnd: new Date(end.getTime() + 15 * 60_000), status: 'confirmed',
        },
      })
      .catch(() => undefined); // an overlap refused by the exclusion constraint is just skipped
  }
});
afterAll(async () => {
  await h?.close();
});

const WEEKDAY_CODES = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];

interface Slot {
  start: string;
  end: string;
  staffIds: string[];
  staff: Array<{ id: string; name: string }>;
}

/** Local "HH:mm" and ISO weekday (1 = Monday) straight from the rendered instant (branch offset). */
const local = (iso: string) => ({ hm: iso.slice(11, 16), weekday: ((new Date(`${iso.slice(0, 10)}T00:00:00Z`).getUTCDay() + 6) % 7) + 1 });
const minutes = (hm: string) => Number(hm.slice(0, 2)) * 60 + Number(hm.slice(3, 5));

describe('GET /v1/availability/next', () => {
  it('equals the first entries of the full 62-day answer filtered the same way (30 random cases)', async () => {
    const random = rng(42);
    const pick = <T,>(list: T[]) => list[Math.floor(random() * list.length)];
    let nonEmpty = 0;
    for (let n = 0; n < 30; n++) {
      const after = new Date(NOW.getTime() + Math.floor(random() * 20 * 24 * 60) * 60_000);
      const before = random() < 0.3 ? new Date(after.getTime() + Math.floor(1 + random() * 30 * 24 * 60) * 60_000) : null;
      const windows = Array.from({ length: Math.floor(random() * 3) }, () => {
        const s = 8 * 60 + Math.floor(random() * 36) * 15;
        const e = Math.min(s + 45 + Math.floor(random() * 16) * 15, 23 * 60 + 45);
        const hm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
        return { start: hm(s), end: hm(e) };
      });
      const weekdays = [...new Set(Array.from({ length: Math.floor(random() * 4) }, () => pick(WEEKDAY_CODES)))];
      const staffId = random() < 0.25 ? pick([ids.anna, ids.ben]) : undefined;
      const limit = 1 + Math.floor(random() * 8);
      const query = {
        branchId: ids.branch, serviceId: ids.service, after: after.toISOString(), limit,
        ...(before ? { before: before.toISOString() } : {}),
        ...(windows.length ? { timeWindows: windows.map((w) => `${w.start}-${w.end}`).join(',') } : {}),
        ...(weekdays.length ? { weekdays: weekdays.join(',') } : {}),
        ...(staffId ? { staffId } : {}),
      };
      const next = await request(h.app).get('/v1/availability/next').query(query).set(company.auth);
      expect(next.status).toBe(200);

      // The full answer: 62 local days from after's local date (Berlin is UTC+2 in May and June).
      const firstDay = new Date(after.getTime() + 2 * 3_600_000).toISOString().slice(0, 10);
      const lastDay = new Date(Date.parse(`${firstDay}T00:00:00Z`) + 61 * 86_400_000).toISOString().slice(0, 10);
      const full = await request(h.app)
        .get('/v1/availability')
        .query({ branchId: ids.branch, serviceId: ids.service, from: firstDay, to: lastDay, ...(staffId ? { staffId } : {}) })
        .set(company.auth);
      expect(full.status).toBe(200);
      const expected = (full.body.days as Array<{ slots: Slot[] }>)
        .flatMap((d) => d.slots)
        .filter((s) => Date.parse(s.start) >= after.getTime() && (!before || Date.parse(s.end) <= before.getTime()))
        .filter((s) => weekdays.length === 0 || weekdays.includes(WEEKDAY_CODES[local(s.start).weekday - 1]))
        .filter((s) => windows.length === 0 || windows.some((w) => minutes(local(s.start).hm) >= minutes(w.start) && minutes(local(s.start).hm) + 45 <= minutes(w.end)))
        .slice(0, limit)
        .map((s) => ({ start: s.start, end: s.end, staffId: s.staffIds[0], staffName: s.staff[0].name, staff: s.staff, price: 30 }));
      expect({ case: n, query, slots: next.body.slots }).toEqual({ case: n, query, slots: expected });
      if (expected.length > 0) nonEmpty++;
    }
    // The cases are not vacuous: most find slots.
    expect(nonEmpty).toBeGreaterThan(15);
  });

  it('stops at the first day that completes the limit (one day searched for the first free slot)', async () => {
    const service = createAvailabilityService({ db: h.db, logger: pino({ level: 'silent' }), clock: () => NOW });
    const search = jest.spyOn(service, 'search');
    const answer = await service.next(company.id, { branchId: ids.branch, serviceId: ids.service, limit: 3 });
    expect(answer.slots).toHaveLength(3);
    expect(search).toHaveBeenCalledTimes(1);
    // Only Saturdays 13:00-14:00 with Ben: one slot per Saturday at most, so 3 slots walk 3 weeks (3 Saturdays searched).
    search.mockClear();
    const saturdays = await service.next(company.id, { branchId: ids.branch, serviceId: ids.service, weekdays: ['saturday'], timeWindows: [{ start: '13:00', end: '14:00' }], limit: 3 });
    expect(saturdays.slots.length).toBeGreaterThan(0);
    expect(search.mock.calls.length).toBeLessThanOrEqual(9);
    expect(search.mock.calls.every(([, q]) => new Date(`${q.from}T00:00:00Z`).getUTCDay() === 6)).toBe(true);
  });

  it('reads a cached day as objects made once per cache entry, equal to its body', async () => {
    const cache = createAvailabilityCache({ redisUrl: null, logger: pino({ level: 'silent' }), codec: cachedAvailabilityCodec });
    const service = createAvailabilityService({ db: h.db, logger: pino({ level: 'silent' }), cache, clock: () => NOW });
    const day = { branchId: ids.branch, serviceId: ids.service, from: '2030-05-02', to: '2030-05-02' };
    const miss = await service.search(company.id, day, { record: false });
    expect(miss.cache).toBe('MISS');
    expect(miss.days()).toEqual(JSON.parse(miss.body.toString('utf8')).days);
    expect(miss.days()[0].slots.length).toBeGreaterThan(0);
    const parse = jest.spyOn(JSON, 'parse');
    try {
      const hit = await service.search(company.id, day, { record: false });
      expect(hit.cache).toBe('HIT');
      // The very objects the miss was serialized from: no parse of the cached body per request.
      expect(hit.days()).toBe(miss.days());
      const next = await service.next(company.id, { branchId: ids.branch, serviceId: ids.service, after: new Date('2030-05-02T00:00:00+02:00'), limit: 2 });
      expect(next.slots.map((s) => s.start)).toEqual(miss.days()[0].slots.slice(0, 2).map((s) => s.start));
      expect(parse).not.toHaveBeenCalled();
    } finally {
      parse.mockRestore();
      await cache.close();
    }
  });

  it('bad windows, weekdays, limits and ranges are 400s naming each field; another company is a 404', async () => {
    const bad = await request(h.app)
      .get('/v1/availability/next')
      .query({ branchId: ids.branch, serviceId: ids.service, timeWindows: '12:00-09:00', weekdays: 'XX', limit: 21 })
      .set(company.auth);
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['limit', 'timeWindows', 'weekdays']);
    const range = await request(h.app)
      .get('/v1/availability/next')
      .query({ branchId: ids.branch, serviceId: ids.service, after: '2030-05-02T10:00:00Z', before: '2030-05-01T10:00:00Z' })
      .set(company.auth);
    expect(range.status).toBe(400);
    expect(range.body.errors.map((e: { path: string }) => e.path)).toEqual(['before']);
    const other = await createCompany(h.app, 'Other next');
    const res = await request(h.app).get('/v1/availability/next').query({ branchId: ids.branch, serviceId: ids.service }).set(other.auth);
    expect(res.status).toBe(404);
  });
});
