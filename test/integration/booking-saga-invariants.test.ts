/**
 * The activity halves of the saga's invariant fixes, on real parts (PostgreSQL, a private Cal.com
 * emulator over HTTP), in a MockActivityEnvironment:
 * - a repeated move to where the booking already is counts once (rescheduledCount, history);
 * - confirm tells a vanished row (NotFound) from one that left `pending` (InvalidState);
 * - the compensating Cal.com cancel still finds the booking by its known uid when the row is gone;
 * - markBookingFailed answers the row's status and tolerates a deleted row;
 * - a new hold refused only by abandoned holds (pending > 30 min) expires them and takes the slot;
 *   a move whose expired hold lost the slot is refused as SlotTaken, not retried for ever.
 */
import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { Activities } from '../../activities';
import type { SlotPlan } from '../../activities/booking-activity.types';
import type { CalcomEmulator } from '../../infra/calcom/emulator/emulator.server';
import { newId } from '../../infra/db/ids';
import { createPrisma, type Db } from '../../infra/db/prisma';
import type { BookAppointmentInput } from '../../workflows/book-appointment.contract';
import { testEnv } from '../harness/env';
import { linkCalendar } from '../harness/calendar-link';
import { startRealActivities, type RealActivities } from '../harness/real-activities';
import { dropCompany, insertBooking, seedAvailabilityFixture, type AvailabilityFixture } from './availability.fixtures';

jest.setTimeout(60_000);

const env = testEnv();
let db: Db;
let emulator: CalcomEmulator;
let acts: Activities;
let parts: RealActivities | undefined;
let fx: AvailabilityFixture;

const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> => new MockActivityEnvironment().run(fn, ...args);

/** 10:00Z on a weekday `weeks` weeks ahead (11:00 or 12:00 in Berlin: inside opening hours). */
function weekdayAhead(weeks: number, dayOffset = 0): string {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + 7 * weeks + ((8 - d.getUTCDay()) % 7 || 7) + dayOffset); // a Monday + offset
  d.setUTCHours(10, 0, 0, 0);
  return d.toISOString();
}

function request(start: string): BookAppointmentInput {
  return { bookingId: newId('bkg'), companyId: fx.companyId, branchId: fx.branchId, serviceId: fx.serviceId, customerId: fx.customerId, staffId: fx.staff.anna, start, source: 'api' };
}

async function held(start: string): Promise<{ input: BookAppointmentInput; plan: SlotPlan }> {
  const input = request(start);
  const planned = await run(acts.planBooking, input);
  if (planned.kind !== 'ok') throw new Error(`plan failed: ${JSON.stringify(planned)}`);
  expect(await run(acts.holdSlot, { bookingId: input.bookingId, workflowId: `booking-${input.bookingId}`, booking: input, plan: planned.plan })).toEqual({ kind: 'held' });
  return { input, plan: planned.plan };
}

async function confirmed(start: string): Promise<{ input: BookAppointmentInput; externalId: string }> {
  const { input } = await held(start);
  const externalId = (await run(acts.createCalendarBooking, { bookingId: input.bookingId })).externalId!;
  await run(acts.confirmBooking, { bookingId: input.bookingId, externalId, dedupeKey: `booking-${input.bookingId}:confirm` });
  return { input, externalId };
}

const calendarStatus = (uid: string) => emulator.state.allBookings().find((b) => b.uid === uid)?.status;

describe('saga invariants on Postgres and the emulator', () => {
  beforeAll(async () => {
    db = createPrisma(env.databaseUrl, { max: 4 });
    parts = await startRealActivities(db, { cachePrefix: `test-inv-${randomUUID()}`, calcomTimeoutMs: 1_500 });
    ({ emulator, activities: acts } = parts);
    fx = await seedAvailabilityFixture(db);
    await linkCalendar(db, { companyId: fx.companyId, branchId: fx.branchId, emulatorUrl: emulator.url, staffIds: [fx.staff.anna, fx.staff.ben], serviceIds: [fx.serviceId] });
  });

  afterAll(async () => {
    await parts?.close();
    if (fx) await dropCompany(db, fx.companyId);
    await db?.$disconnect();
  });

  it('a second move to where the booking already is (another run, another key) counts once', async () => {
    const { input } = await confirmed(weekdayAhead(3));
    const target = weekdayAhead(3, 1);
    const move = async (runKey: string) => {
      const planned = await run(acts.planReschedule, { bookingId: input.bookingId, start: target });
      if (planned.kind !== 'ok') throw new Error(`reschedule plan failed: ${JSON.stringify(planned)}`);
      const holdId = `rsh_reschedule-${input.bookingId}-${runKey}`;
      expect(await run(acts.holdRescheduleSlot, { bookingId: input.bookingId, holdId, plan: planned.plan })).toEqual({ kind: 'held' });
      const { externalId } = await run(acts.rescheduleCalendarBooking, { bookingId: input.bookingId, start: target, reason: runKey });
      const moved = await run(acts.moveBooking, { bookingId: input.bookingId, holdId, plan: planned.plan, externalId, reason: runKey, dedupeKey: `reschedule-${input.bookingId}-${runKey}:move` });
      return { moved, holdId };
    };
    const first = await move('first');
    expect(first.moved).toMatchObject({ rescheduledCount: 1 });
    expect(first.moved.unchanged).toBeUndefined();
    const second = await move('support-retry');
    expect(second.moved).toMatchObject({ rescheduledCount: 1, unchanged: true, previousStart: target });
    const row = await db.booking.findUniqueOrThrow({ where: { id: input.bookingId }, include: { history: true } });
    expect(row).toMatchObject({ startAt: new Date(target), rescheduledCount: 1, status: 'confirmed' });
    expect(row.history.filter((h) => h.event === 'rescheduled')).toHaveLength(1);
    expect(await db.booking.count({ where: { id: { startsWith: `${second.holdId}-` } } })).toBe(0);
  });

  it('confirm: a deleted row is NotFound, a row that left pending is InvalidState', async () => {
    const gone = await held(weekdayAhead(4));
    await db.bookingHistory.deleteMany({ where: { bookingId: gone.input.bookingId } });
    await db.booking.delete({ where: { id: gone.input.bookingId } });
    await expect(run(acts.confirmBooking, { bookingId: gone.input.bookingId, externalId: null, dedupeKey: `x-${gone.input.bookingId}` })).rejects.toMatchObject({ type: 'NotFound', nonRetryable: true });

    const released = await held(weekdayAhead(4, 1));
    await run(acts.releaseHold, { bookingId: released.input.bookingId, reason: 'test', dedupeKey: `rel-${released.input.bookingId}` });
    await expect(run(acts.confirmBooking, { bookingId: released.input.bookingId, externalId: null, dedupeKey: `x-${released.input.bookingId}` })).rejects.toMatchObject({ type: 'InvalidState', nonRetryable: true });
  });

  it('the compensating Cal.com cancel finds the booking by its known uid after the row was deleted', async () => {
    const { input } = await held(weekdayAhead(5));
    const externalId = (await run(acts.createCalendarBooking, { bookingId: input.bookingId })).externalId!;
    expect(calendarStatus(externalId)).toBe('accepted');
    await db.bookingHistory.deleteMany({ where: { bookingId: input.bookingId } });
    await db.booking.delete({ where: { id: input.bookingId } });
    expect(await run(acts.cancelCalendarBooking, { bookingId: input.bookingId, reason: 'booking failed', externalId, branchId: fx.branchId })).toEqual({ cancelled: true });
    expect(calendarStatus(externalId)).toBe('cancelled');
    // without a known uid there is nothing to find: a no-op, not a failure
    expect(await run(acts.cancelCalendarBooking, { bookingId: input.bookingId, reason: 'booking failed', externalId: null })).toEqual({ cancelled: false });
  });

  it('markBookingFailed answers the status after the change and tolerates a deleted row', async () => {
    const pending = await held(weekdayAhead(6));
    expect(await run(acts.markBookingFailed, { bookingId: pending.input.bookingId, reason: 'calendar_sync_failed', error: 'x', dedupeKey: `mf-${pending.input.bookingId}` })).toEqual({ status: 'failed' });
    const { input } = await confirmed(weekdayAhead(6, 1));
    await run(acts.cancelBookingRecord, { bookingId: input.bookingId, reason: 'test', dedupeKey: `cx-${input.bookingId}` });
    expect(await run(acts.markBookingFailed, { bookingId: input.bookingId, reason: 'calendar_sync_failed', error: 'x', dedupeKey: `mf-${input.bookingId}` })).toEqual({ status: 'cancelled' });
    expect(await run(acts.markBookingFailed, { bookingId: newId('bkg'), reason: 'calendar_sync_failed', error: 'x', dedupeKey: `mf-${randomUUID()}` })).toEqual({ status: null });
  });

  it('abandoned holds (pending for over 30 minutes) are expired by the next hold of their slot; fresh ones are not', async () => {
    const start = weekdayAhead(7);
    const hourAgo = new Date(Date.now() - 60 * 60_000);
    const fresh = await insertBooking(db, fx, { staffId: fx.staff.anna, start: new Date(start), status: 'pending' });
    const refused = request(start);
    const planned = await run(acts.planBooking, { ...refused, staffId: fx.staff.anna });
    // the planner itself may see the slot busy; the hold is what the constraint decides
    const plan: SlotPlan = planned.kind === 'ok' ? planned.plan : { staffId: fx.staff.anna, resourceId: null, start, end: new Date(Date.parse(start) + 3_600_000).toISOString(), blockedStart: start, blockedEnd: new Date(Date.parse(start) + 3_600_000).toISOString() };
    const hold = (input: BookAppointmentInput) => run(acts.holdSlot, { bookingId: input.bookingId, workflowId: `booking-${input.bookingId}`, booking: input, plan });
    expect(await hold(refused)).toMatchObject({ kind: 'conflict' });
    expect((await db.booking.findUniqueOrThrow({ where: { id: fresh } })).status).toBe('pending');

    await db.booking.update({ where: { id: fresh }, data: { createdAt: hourAgo } });
    const winner = request(start);
    expect(await hold(winner)).toEqual({ kind: 'held' });
    const expired = await db.booking.findUniqueOrThrow({ where: { id: fresh }, include: { history: true } });
    expect(expired).toMatchObject({ status: 'failed', failureReason: 'hold_expired' });
    expect(expired.history.map((h) => h.event)).toContain('hold_expired');
    expect(await db.booking.count({ where: { companyId: fx.companyId, staffId: fx.staff.anna, startAt: new Date(start), status: { in: ['pending', 'confirmed'] } } })).toBe(1);

    // an abandoned reschedule placeholder (no saga left to release it) is deleted the same way
    const later = weekdayAhead(7, 1);
    const placeholder = await insertBooking(db, fx, { staffId: fx.staff.anna, start: new Date(later), status: 'pending' });
    await db.booking.update({ where: { id: placeholder }, data: { source: 'hold', createdAt: hourAgo } });
    const next = request(later);
    const laterPlan: SlotPlan = { ...plan, start: later, end: new Date(Date.parse(later) + 3_600_000).toISOString(), blockedStart: later, blockedEnd: new Date(Date.parse(later) + 3_600_000).toISOString() };
    expect(await run(acts.holdSlot, { bookingId: next.bookingId, workflowId: `booking-${next.bookingId}`, booking: next, plan: laterPlan })).toEqual({ kind: 'held' });
    expect(await db.booking.count({ where: { id: placeholder } })).toBe(0);
  });

  it('a move whose expired reschedule hold lost the slot is a final SlotTaken refusal', async () => {
    const { input } = await confirmed(weekdayAhead(8));
    const target = weekdayAhead(8, 1);
    const planned = await run(acts.planReschedule, { bookingId: input.bookingId, start: target });
    if (planned.kind !== 'ok') throw new Error(`reschedule plan failed: ${JSON.stringify(planned)}`);
    const holdId = `rsh_reschedule-${input.bookingId}-slow`;
    expect(await run(acts.holdRescheduleSlot, { bookingId: input.bookingId, holdId, plan: planned.plan })).toEqual({ kind: 'held' });
    await db.booking.updateMany({ where: { id: { startsWith: `${holdId}-` } }, data: { createdAt: new Date(Date.now() - 60 * 60_000) } });
    const other = request(target);
    expect(await run(acts.holdSlot, { bookingId: other.bookingId, workflowId: `booking-${other.bookingId}`, booking: other, plan: planned.plan })).toEqual({ kind: 'held' });
    await expect(
      run(acts.moveBooking, { bookingId: input.bookingId, holdId, plan: planned.plan, externalId: null, reason: 'slow', dedupeKey: `reschedule-${input.bookingId}-slow:move` }),
    ).rejects.toMatchObject({ type: 'SlotTaken', nonRetryable: true });
    expect(await db.booking.findUniqueOrThrow({ where: { id: input.bookingId } })).toMatchObject({ startAt: new Date(weekdayAhead(8)), rescheduledCount: 0, status: 'confirmed' });
  });
});
