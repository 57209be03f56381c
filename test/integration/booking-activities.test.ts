/**
 * The booking activities on real parts: PostgreSQL (the exclusion constraint), Redis (cache) and a
 * private Cal.com emulator over HTTP, run in a MockActivityEnvironment (real activityInfo().attempt).
 * - two concurrent holds of one slot: exactly one held, the other a conflict with alternatives;
 * - a cancelled booking frees its slot at once;
 * - a create whose response was lost is adopted by the retry (attempt 2) and by a plain repeat
 *   that Cal.com refuses as a duplicate: one Cal.com booking, the booking's externalId is its uid;
 * - a reschedule stores Cal.com's NEW uid, and the move updates the booking with history;
 * - a plan retried after its own hold is no conflict, a repeated hold answers the held slot;
 * - alternatives widen past a requested day that has nothing free.
 */
import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { Activities } from '../../activities';
import type { SlotPlan } from '../../activities/booking-activity.types';
import { createBookingPlanner } from '../../activities/booking-planner';
import { control } from '../../infra/calcom/calcom.test-helpers';
import type { CalcomEmulator } from '../../infra/calcom/emulator/emulator.server';
import { newId } from '../../infra/db/ids';
import { createPrisma, type Db } from '../../infra/db/prisma';
import type { BookAppointmentInput } from '../../workflows/book-appointment.contract';
import { testEnv } from '../harness/env';
import { linkCalendar } from '../harness/calendar-link';
import { startRealActivities, type RealActivities } from '../harness/real-activities';
import { dropCompany, seedAvailabilityFixture, type AvailabilityFixture } from './availability.fixtures';

jest.setTimeout(60_000);

const env = testEnv();
let db: Db;
let emulator: CalcomEmulator;
let acts: Activities;
let parts: RealActivities | undefined;
let fx: AvailabilityFixture;

/** Runs an activity as attempt `attempt` of a workflow `workflowId`. */
function attempt<A extends unknown[], R>(n: number, fn: (...args: A) => Promise<R>, ...args: A): Promise<R> {
  return new MockActivityEnvironment({ attempt: n }).run(fn, ...args);
}

function request(start: string, bookingId = newId('bkg')): BookAppointmentInput {
  return { bookingId, companyId: fx.companyId, branchId: fx.branchId, serviceId: fx.serviceId, customerId: fx.customerId, staffId: fx.staff.anna, start, source: 'api' };
}

async function held(start: string): Promise<{ input: BookAppointmentInput; plan: SlotPlan }> {
  const input = request(start);
  const planned = await attempt(1, acts.planBooking, input);
  if (planned.kind !== 'ok') throw new Error(`plan failed: ${JSON.stringify(planned)}`);
  const hold = await attempt(1, acts.holdSlot, { bookingId: input.bookingId, workflowId: `booking-${input.bookingId}`, booking: input, plan: planned.plan });
  expect(hold).toEqual({ kind: 'held' });
  return { input, plan: planned.plan };
}

const ours = (bookingId: string) => emulator.state.allBookings().filter((b) => b.metadata?.bookingId === bookingId);

describe('booking activities on Postgres and the emulator', () => {
  beforeAll(async () => {
    db = createPrisma(env.databaseUrl, { max: 6 });
    parts = await startRealActivities(db, { cachePrefix: `test-bact-${randomUUID()}`, calcomTimeoutMs: 1_500 });
    ({ emulator, activities: acts } = parts);
    fx = await seedAvailabilityFixture(db);
    await linkCalendar(db, { companyId: fx.companyId, branchId: fx.branchId, emulatorUrl: emulator.url, staffIds: [fx.staff.anna, fx.staff.ben], serviceIds: [fx.serviceId] });
  });

  afterAll(async () => {
    await parts?.close();
    if (fx) await dropCompany(db, fx.companyId);
    await db?.$disconnect();
  });

  beforeEach(() => control(emulator.url, 'POST', 'reset'));

  it('two concurrent holds of one slot: one held, the other a conflict with alternatives', async () => {
    const start = '2027-03-01T09:00:00.000Z'; // Monday 10:00 Berlin
    const [a, b] = [request(start), request(start)];
    const planA = await attempt(1, acts.planBooking, a);
    const planB = await attempt(1, acts.planBooking, b);
    if (planA.kind !== 'ok' || planB.kind !== 'ok') throw new Error('planning failed');
    const results = await Promise.all([
      attempt(1, acts.holdSlot, { bookingId: a.bookingId, workflowId: `booking-${a.bookingId}`, booking: a, plan: planA.plan }),
      attempt(1, acts.holdSlot, { bookingId: b.bookingId, workflowId: `booking-${b.bookingId}`, booking: b, plan: planB.plan }),
    ]);
    expect(results.filter((r) => r.kind === 'held')).toHaveLength(1);
    const conflict = results.find((r) => r.kind === 'conflict');
    expect(conflict).toMatchObject({ kind: 'conflict', alternatives: expect.arrayContaining([expect.objectContaining({ staffId: expect.any(String) })]) });
    expect((conflict as { alternatives: unknown[] }).alternatives.length).toBeGreaterThan(0);
    expect(await db.booking.count({ where: { companyId: fx.companyId, startAt: new Date(start), status: { in: ['pending', 'confirmed'] } } })).toBe(1);
    // a retried hold of the winner is a no-op answering held
    const winner = results[0].kind === 'held' ? a : b;
    const winnerPlan = results[0].kind === 'held' ? planA.plan : planB.plan;
    expect(await attempt(2, acts.holdSlot, { bookingId: winner.bookingId, workflowId: `booking-${winner.bookingId}`, booking: winner, plan: winnerPlan })).toEqual({ kind: 'held', plan: winnerPlan });
  });

  it('a cancelled booking frees its slot at once', async () => {
    const { input, plan } = await held('2027-03-01T13:00:00.000Z'); // Monday 14:00 Berlin
    await attempt(1, acts.confirmBooking, { bookingId: input.bookingId, externalId: null, dedupeKey: `booking-${input.bookingId}:confirm` });
    const cancelled = await attempt(1, acts.cancelBookingRecord, { bookingId: input.bookingId, reason: 'test', dedupeKey: `cancel-${input.bookingId}:cancelled` });
    expect(cancelled).toMatchObject({ kind: 'cancelled', alreadyCancelled: false, start: plan.start });
    const again = request(plan.start);
    expect(await attempt(1, acts.holdSlot, { bookingId: again.bookingId, workflowId: `booking-${again.bookingId}`, booking: again, plan })).toEqual({ kind: 'held' });
    expect(await attempt(2, acts.cancelBookingRecord, { bookingId: input.bookingId, reason: 'test', dedupeKey: `cancel-${input.bookingId}:cancelled` })).toMatchObject({ alreadyCancelled: true });
  });

  it('a plan retried after its own hold (workflow task lost in a crash) is no conflict; a repeated hold answers the held slot', async () => {
    const { input, plan } = await held('2027-03-04T09:00:00.000Z'); // Thursday 10:00 Berlin
    expect(await attempt(2, acts.planBooking, input)).toEqual({ kind: 'ok', plan });
    const again = await attempt(2, acts.holdSlot, { bookingId: input.bookingId, workflowId: `booking-${input.bookingId}`, booking: input, plan });
    expect(again).toEqual({ kind: 'held', plan });
  });

  it('alternatives of a day with nothing free come from the following days', async () => {
    // Sunday 2027-03-07 is closed; the requested day alone has no slot, so the search widens.
    const sunday = request('2027-03-07T09:00:00.000Z');
    const planned = await attempt(1, acts.planBooking, sunday);
    expect(planned.kind).toBe('rule_violation');
    const planner = createBookingPlanner({ db, clock: () => new Date() });
    const alternatives = await planner.alternatives({ ...sunday, participants: null });
    expect(alternatives).toHaveLength(5);
    expect(alternatives.every((a) => a.start >= '2027-03-08')).toBe(true);
    expect(alternatives[0].staffId).toBe(fx.staff.anna); // same staff preferred
  });

  it('create after a lost response: the retry adopts the Cal.com booking by metadata, never a second one', async () => {
    const { input } = await held('2027-03-02T08:00:00.000Z');
    await control(emulator.url, 'POST', 'lose-response', {});
    await expect(attempt(1, acts.createCalendarBooking, { bookingId: input.bookingId })).rejects.toMatchObject({ type: 'CalendarUnavailable', nonRetryable: false });
    expect(ours(input.bookingId)).toHaveLength(1); // Cal.com did create it
    expect((await db.booking.findUniqueOrThrow({ where: { id: input.bookingId } })).calendarExternalId).toBeNull();

    const { externalId } = await attempt(2, acts.createCalendarBooking, { bookingId: input.bookingId });
    expect(externalId).toBe(ours(input.bookingId)[0].uid);
    expect(ours(input.bookingId)).toHaveLength(1);
    expect((await db.booking.findUniqueOrThrow({ where: { id: input.bookingId } })).calendarExternalId).toBe(externalId);
  });

  it('a plain repeat that Cal.com refuses as a duplicate also adopts the existing booking', async () => {
    const { input } = await held('2027-03-02T09:00:00.000Z');
    await control(emulator.url, 'POST', 'lose-response', {});
    await expect(attempt(1, acts.createCalendarBooking, { bookingId: input.bookingId })).rejects.toBeDefined();
    // attempt 1 again (e.g. a fresh activity after a worker restart): the create is refused, then adopted
    const { externalId } = await attempt(1, acts.createCalendarBooking, { bookingId: input.bookingId });
    expect(ours(input.bookingId).map((b) => b.uid)).toEqual([externalId]);
  });

  it('a 4xx refusal is a non-retryable failure; 5xx is retryable', async () => {
    const { input } = await held('2027-03-02T10:00:00.000Z');
    await control(emulator.url, 'POST', 'faults', { mode: 'error', status: 503, operations: ['create'], count: 1 });
    await expect(attempt(1, acts.createCalendarBooking, { bookingId: input.bookingId })).rejects.toMatchObject({ type: 'CalendarUnavailable', nonRetryable: false });
    await control(emulator.url, 'POST', 'faults', { mode: 'error', status: 400, operations: ['create'] });
    await expect(attempt(1, acts.createCalendarBooking, { bookingId: input.bookingId })).rejects.toMatchObject({ nonRetryable: true });
    expect(ours(input.bookingId)).toEqual([]);
  });

  it('reschedule: Cal.com answers a new uid, the booking keeps it current; the move records history and count', async () => {
    const { input } = await held('2027-03-03T08:00:00.000Z');
    const { externalId: firstUid } = await attempt(1, acts.createCalendarBooking, { bookingId: input.bookingId });
    await attempt(1, acts.confirmBooking, { bookingId: input.bookingId, externalId: firstUid, dedupeKey: `booking-${input.bookingId}:confirm` });

    const newStart = '2027-03-03T13:00:00.000Z';
    const planned = await attempt(1, acts.planReschedule, { bookingId: input.bookingId, start: newStart });
    if (planned.kind !== 'ok') throw new Error(`reschedule plan failed: ${JSON.stringify(planned)}`);
    const holdId = `rsh_reschedule-${input.bookingId}-1`;
    expect(await attempt(1, acts.holdRescheduleSlot, { bookingId: input.bookingId, holdId, plan: planned.plan })).toEqual({ kind: 'held' });

    const { externalId: newUid } = await attempt(1, acts.rescheduleCalendarBooking, { bookingId: input.bookingId, start: newStart, reason: 'test' });
    expect(newUid).not.toBe(firstUid);
    expect((await db.booking.findUniqueOrThrow({ where: { id: input.bookingId } })).calendarExternalId).toBe(newUid);
    // a retried reschedule follows the rescheduledToUid chain and answers the same uid
    expect(await attempt(2, acts.rescheduleCalendarBooking, { bookingId: input.bookingId, start: newStart, reason: 'test' })).toEqual({ externalId: newUid });
    const live = ours(input.bookingId).filter((b) => b.status !== 'cancelled');
    expect(live.map((b) => b.uid)).toEqual([newUid]);

    const moved = await attempt(1, acts.moveBooking, { bookingId: input.bookingId, holdId, plan: planned.plan, externalId: newUid, reason: 'test', dedupeKey: `reschedule-${input.bookingId}-1:move` });
    expect(moved).toMatchObject({ previousStart: '2027-03-03T08:00:00.000Z', rescheduledCount: 1 });
    expect(await attempt(2, acts.moveBooking, { bookingId: input.bookingId, holdId, plan: planned.plan, externalId: newUid, reason: 'test', dedupeKey: `reschedule-${input.bookingId}-1:move` })).toMatchObject({ rescheduledCount: 1 });
    const row = await db.booking.findUniqueOrThrow({ where: { id: input.bookingId }, include: { history: true } });
    expect(row).toMatchObject({ startAt: new Date(newStart), rescheduledCount: 1, calendarExternalId: newUid, status: 'confirmed' });
    expect(row.history.filter((h) => h.event === 'rescheduled')).toHaveLength(1);
    expect(await db.booking.count({ where: { id: { startsWith: `${holdId}-` } } })).toBe(0);
  });
});
