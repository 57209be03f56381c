import { loadConfig } from '../config';
import { createPrisma, type Db } from './prisma';
import { loadSchedulingContext } from './scheduling.repository';
import { insertBooking, seedAvailabilityFixture, type AvailabilityFixture } from '../../test/integration/availability.fixtures';

// Real PostgreSQL (the harness points DATABASE_URL at the migrated test database).
let db: Db;
let fx: AvailabilityFixture;
const from = new Date('2026-12-06T23:00:00Z'); // Monday 2026-12-07 00:00 Berlin
const to = new Date('2026-12-13T23:00:00Z');

beforeAll(async () => {
  db = createPrisma(loadConfig().databaseUrl);
  fx = await seedAvailabilityFixture(db, { calcomUserId: 4242 });
});
afterAll(async () => {
  await db.company.delete({ where: { id: fx.companyId } }).catch(() => undefined);
  await db.$disconnect();
});

describe('loadSchedulingContext', () => {
  it('maps branch, service, staff, time off and live bookings of the range in one query', async () => {
    await db.staffTimeOff.create({
      data: { id: 'off_' + fx.staff.ben.slice(4), companyId: fx.companyId, staffId: fx.staff.ben, startAt: new Date('2026-12-08T08:00:00Z'), endAt: new Date('2026-12-08T12:00:00Z') },
    });
    const live = await insertBooking(db, fx, { staffId: fx.staff.anna, start: new Date('2026-12-07T09:00:00Z'), calendarExternalId: 'uid-live' });
    await insertBooking(db, fx, { staffId: fx.staff.anna, start: new Date('2026-12-07T11:00:00Z'), status: 'cancelled', calendarExternalId: 'uid-cancelled' });
    await insertBooking(db, fx, { staffId: fx.staff.anna, start: new Date('2026-12-20T09:00:00Z') }); // outside

    const result = await loadSchedulingContext(db, { companyId: fx.companyId, branchId: fx.branchId, serviceId: fx.serviceId, fromUtc: from, toUtc: to });
    if (!result.found) throw new Error('expected found');
    const ctx = result.context;
    expect(ctx.branch).toMatchObject({ id: fx.branchId, timezone: 'Europe/Berlin', rules: { slotIntervalMinutes: 30 } });
    expect(ctx.branch.operatingHours.monday).toEqual({ open: true, start: '09:00', end: '18:00' });
    expect(ctx.service).toMatchObject({ id: fx.serviceId, durationMinutes: 60, requiredSkills: ['cut'], resourceRequirements: [], calcomEventTypeId: 1 });
    expect(ctx.staff.map((s) => s.name).sort()).toEqual(['Anna', 'Ben']);
    const anna = ctx.staff.find((s) => s.id === fx.staff.anna)!;
    expect(anna).toMatchObject({ calcomUserId: 4242, languages: ['de', 'en'], gender: 'female' });
    expect(anna.workingHours.monday).toHaveLength(2);
    const ben = ctx.staff.find((s) => s.id === fx.staff.ben)!;
    expect(ben.timeOff).toEqual([{ start: Date.parse('2026-12-08T08:00:00Z'), end: Date.parse('2026-12-08T12:00:00Z') }]);
    expect(ctx.busy).toEqual([
      expect.objectContaining({ bookingId: live, staffId: fx.staff.anna, start: Date.parse('2026-12-07T09:00:00Z'), end: Date.parse('2026-12-07T10:00:00Z') }),
    ]);
    expect(ctx.ownCalendarUids.sort()).toEqual(['uid-cancelled', 'uid-live']);
  });

  it('narrows to one staff member', async () => {
    const result = await loadSchedulingContext(db, { companyId: fx.companyId, branchId: fx.branchId, serviceId: fx.serviceId, fromUtc: from, toUtc: to, staffId: fx.staff.ben });
    if (!result.found) throw new Error('expected found');
    expect(result.context.staff.map((s) => s.id)).toEqual([fx.staff.ben]);
    expect(result.context.busy).toEqual([]);
  });

  it('reports a missing branch or service, also across companies', async () => {
    const q = { companyId: fx.companyId, branchId: fx.branchId, serviceId: fx.serviceId, fromUtc: from, toUtc: to };
    expect(await loadSchedulingContext(db, { ...q, branchId: 'br_nope' })).toEqual({ found: false, missing: 'branch' });
    expect(await loadSchedulingContext(db, { ...q, serviceId: 'svc_nope' })).toEqual({ found: false, missing: 'service' });
    expect(await loadSchedulingContext(db, { ...q, companyId: 'cmp_other' })).toEqual({ found: false, missing: 'branch' });
  });
});
