/**
 * The slot-freed fan-out on the real database (activities/waitlist-fanout.activities.ts): one
 * indexed query per page over the branch's open entries whose dates contain the freed slot,
 * fairness decided once (oldest entry first), paging that stops once the freed capacity is
 * claimed, and signals only to the monitors that got offers (captured here: the monitors
 * themselves are covered by the workflow tests and test/integration/waitlist.test.ts).
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { createPrisma, type Db } from '../../infra/db/prisma';
import { newId } from '../../infra/db/ids';
import { loadConfig } from '../../infra/config';
import { createWaitlistFanOutActivities, type FanOutResult } from '../../activities/waitlist-fanout.activities';
import { createWaitlistActivities } from '../../activities/waitlist.activities';
import type { SlotFreedEvent } from '../../workflows/waitlist-signals.contract';
import { dropCompany, insertBooking, seedAvailabilityFixture, type AvailabilityFixture } from './availability.fixtures';

let db: Db;
let fx: AvailabilityFixture;
let other: AvailabilityFixture;
const DAY = '2027-01-11'; // a Monday; Berlin is UTC+1
const NOW = new Date('2027-01-04T08:00:00Z');

beforeAll(async () => {
  db = createPrisma(loadConfig().databaseUrl, { max: 4 });
  fx = await seedAvailabilityFixture(db);
  other = await seedAvailabilityFixture(db);
});
afterAll(async () => {
  if (fx) await dropCompany(db, fx.companyId);
  if (other) await dropCompany(db, other.companyId);
  await db.$disconnect();
});

let seq = 0;
async function entry(f: AvailabilityFixture, extra: { fromDate?: string; toDate?: string; staffId?: string; timeWindows?: object[]; offers?: object[] } = {}) {
  seq += 1;
  const id = newId('wl');
  await db.waitingListEntry.create({
    data: {
      id, companyId: f.companyId, branchId: f.branchId, serviceId: f.serviceId, customerId: f.customerId, staffId: extra.staffId ?? null,
      fromDate: extra.fromDate ?? DAY, toDate: extra.toDate ?? DAY, timeWindows: extra.timeWindows ?? [], offers: extra.offers ?? [],
      expiresAt: new Date('2027-02-01T00:00:00Z'), workflowId: `waitlist-${id}`, createdAt: new Date(Date.UTC(2026, 11, 1, 0, 0, seq)),
    },
  });
  return id;
}

test('signals only the oldest matching entry that can take the freed slot, reading pages until it is claimed', async () => {
  // Both staff booked all day, then Anna's 10:00 (09:00Z) is cancelled: exactly one slot is freed.
  const ids: string[] = [];
  for (const staffId of [fx.staff.anna, fx.staff.ben]) {
    for (const hour of [9, 10, 11, 12, 14, 15, 16, 17]) ids.push(await insertBooking(db, fx, { staffId, start: new Date(Date.UTC(2027, 0, 11, hour - 1)) }));
  }
  await db.booking.update({ where: { id: ids[1] }, data: { status: 'cancelled' } });
  const freedStart = '2027-01-11T09:00:00.000Z';

  await entry(fx, { fromDate: '2027-01-14', toDate: '2027-01-15' }); // other days (beyond the ±1 day the zone-free lookup adds): not read
  await entry(other); // another branch, same day: not read
  const wantsBen = await entry(fx, { staffId: fx.staff.ben });
  const afternoon = await entry(fx, { timeWindows: [{ start: '14:00', end: '18:00' }] });
  const offeredBefore = await entry(fx, { offers: [{ start: freedStart, end: '2027-01-11T10:00:00.000Z', staffId: fx.staff.anna }] });
  const winner = await entry(fx);
  const younger = [await entry(fx), await entry(fx), await entry(fx)];

  const signals: Array<{ workflowId: string; event: SlotFreedEvent }> = [];
  const activities = createWaitlistFanOutActivities({
    db, clock: () => NOW, pageSize: 2, signal: async (workflowId, event) => void signals.push({ workflowId, event }),
  });
  // In an activity context (it heartbeats per page).
  const fanOutSlotFreed = (e: SlotFreedEvent): Promise<FanOutResult> => new MockActivityEnvironment().run(activities.fanOutSlotFreed, e) as Promise<FanOutResult>;
  const event: SlotFreedEvent = { branchId: fx.branchId, bookingId: ids[1], staffId: fx.staff.anna, start: freedStart, end: '2027-01-11T10:00:00.000Z', reason: 'cancelled' };
  const result = await fanOutSlotFreed(event);

  expect(signals).toEqual([{
    workflowId: `waitlist-${winner}`,
    event: { ...event, offers: [{ start: '2027-01-11T10:00:00+01:00', end: '2027-01-11T11:00:00+01:00', staffId: fx.staff.anna }], entry: { companyId: fx.companyId, serviceId: fx.serviceId, customerId: fx.customerId } },
  }]);
  // Pages of 2: [wantsBen, afternoon], [offeredBefore, winner]; the slot is claimed, so the younger entries are never read.
  expect(result).toEqual({ rowsRead: 4, pages: 2, signalled: 1 });
  expect([wantsBen, afternoon, offeredBefore, ...younger]).not.toContain(signals[0].workflowId.replace('waitlist-', ''));

  // A second freed slot (Ben's 10:00 too): the next entry in age order that can take it gets it.
  await db.booking.update({ where: { id: ids[9] }, data: { status: 'cancelled' } });
  signals.length = 0;
  const again = await fanOutSlotFreed({ ...event, bookingId: ids[9], staffId: fx.staff.ben });
  // wantsBen (oldest) takes Ben; the winner (not yet marked offered in the database) takes Anna again.
  expect(signals.map((s) => [s.workflowId, s.event.offers?.map((o) => o.staffId)])).toEqual([
    [`waitlist-${wantsBen}`, [fx.staff.ben]],
    [`waitlist-${winner}`, [fx.staff.anna]],
  ]);
  expect(again.signalled).toBe(2);
});

test('the lookup is one indexed query: the GiST reach index serves it', async () => {
  await db.$executeRawUnsafe('SET enable_seqscan = off');
  try {
    const plan = await db.$queryRawUnsafe<Array<{ 'QUERY PLAN': string }>>(
      `EXPLAIN SELECT id FROM waiting_list_entries WHERE branch_id = $1 AND status IN ('waiting', 'notified')
         AND daterange(waitlist_day(from_date), waitlist_day(to_date), '[]') && daterange('2027-01-10'::date, '2027-01-12'::date, '[]')`,
      fx.branchId,
    );
    expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toContain('waiting_list_entries_open_reach');
  } finally {
    await db.$executeRawUnsafe('RESET enable_seqscan');
  }
});

test("a monitor's own check yields to older entries competing for its dates, and only those", async () => {
  // One free hour on the day: Anna's 10:00 (all else booked for both staff).
  const day = '2027-01-12';
  for (const staffId of [fx.staff.anna, fx.staff.ben]) {
    for (const hour of [9, 10, 11, 12, 14, 15, 16, 17]) {
      if (staffId === fx.staff.anna && hour === 10) continue;
      await insertBooking(db, fx, { staffId, start: new Date(Date.UTC(2027, 0, 12, hour - 1)) });
    }
  }
  const otherDays = await entry(fx, { fromDate: '2027-01-20', toDate: '2027-01-21' }); // older, other dates: no competitor
  const older = await entry(fx, { fromDate: day, toDate: day });
  const younger = await entry(fx, { fromDate: day, toDate: day });
  const { checkWaitlistEntry } = createWaitlistActivities({ db, clock: () => NOW, sendWaitlistOffer: async () => ({ status: 'skipped' as const, notificationId: 'none' }) });
  const startsOf = async (entryId: string) => {
    const check = await checkWaitlistEntry({ entryId });
    return check.kind === 'open' ? check.candidates.map((c) => `${c.start}|${c.staffId}`) : [check.kind];
  };

  expect(await startsOf(older)).toEqual([`2027-01-12T10:00:00+01:00|${fx.staff.anna}`]);
  expect(await startsOf(younger)).toEqual([]); // the older entry takes the one hour
  expect((await startsOf(otherDays))[0]).toBe(`2027-01-20T09:00:00+01:00|${fx.staff.anna}`); // its own dates are free

  // Once the older entry is no longer open, the younger one gets the hour (the older entry of other dates is no competitor).
  await db.waitingListEntry.update({ where: { id: older }, data: { status: 'cancelled' } });
  expect(await startsOf(younger)).toEqual([`2027-01-12T10:00:00+01:00|${fx.staff.anna}`]);
});

test('a freed hour of a person working in two branches reaches the waiting lists of both, each signalled with its own branch', async () => {
  // Anna (primary branch fx) also works in branch B on Mondays; her Monday in fx is fully booked,
  // then her 10:00 is cancelled: she is free at 10:00 in B too (one person, never in two places).
  const day = '2027-01-25';
  const branchB = newId('br');
  const hours = { monday: [{ start: '09:00', end: '13:00' }, { start: '14:00', end: '18:00' }] };
  await db.branch.create({
    data: { id: branchB, companyId: fx.companyId, name: 'Prenzlauer Berg', timezone: 'Europe/Berlin', operatingHours: { monday: { open: true, start: '09:00', end: '18:00' } },
      rules: { minimumNoticeMinutes: 0, maxAdvanceDays: 365, slotIntervalMinutes: 30, maxDailyBookingsPerCustomer: null } },
  });
  const serviceB = newId('svc');
  await db.service.create({ data: { id: serviceB, companyId: fx.companyId, branchId: branchB, name: 'Beard trim', durationMinutes: 60, requiredSkills: ['cut'] } });
  await db.staff.update({ where: { id: fx.staff.anna }, data: { assignments: [{ branchId: branchB, workingHours: hours }] } });
  try {
    const ids: string[] = [];
    for (const hour of [9, 10, 11, 12, 14, 15, 16, 17]) ids.push(await insertBooking(db, fx, { staffId: fx.staff.anna, start: new Date(Date.UTC(2027, 0, 25, hour - 1)) }));
    await db.booking.update({ where: { id: ids[1] }, data: { status: 'cancelled' } });
    seq += 1;
    const inB = newId('wl');
    await db.waitingListEntry.create({
      data: {
        id: inB, companyId: fx.companyId, branchId: branchB, serviceId: serviceB, customerId: fx.customerId, fromDate: day, toDate: day, timeWindows: [], offers: [],
        expiresAt: new Date('2027-02-01T00:00:00Z'), workflowId: `waitlist-${inB}`, createdAt: new Date(Date.UTC(2026, 11, 1, 0, 0, seq)),
      },
    });
    const signals: Array<{ workflowId: string; event: SlotFreedEvent }> = [];
    const activities = createWaitlistFanOutActivities({ db, clock: () => NOW, signal: async (workflowId, event) => void signals.push({ workflowId, event }) });
    const event: SlotFreedEvent = { branchId: fx.branchId, bookingId: ids[1], staffId: fx.staff.anna, start: '2027-01-25T09:00:00.000Z', end: '2027-01-25T10:00:00.000Z', reason: 'cancelled' };
    await new MockActivityEnvironment().run(activities.fanOutSlotFreed, event);
    expect(signals).toEqual([{
      workflowId: `waitlist-${inB}`,
      event: { ...event, branchId: branchB, offers: [{ start: '2027-01-25T10:00:00+01:00', end: '2027-01-25T11:00:00+01:00', staffId: fx.staff.anna }], entry: { companyId: fx.companyId, serviceId: serviceB, customerId: fx.customerId } },
    }]);
  } finally {
    await db.staff.update({ where: { id: fx.staff.anna }, data: { assignments: [] } });
  }
});
