/**
 * A storm for one slot on the real PostgreSQL (issue 12, (d) of bench:booking):
 * - a hold statement takes the advisory locks of its staff member and resource before it inserts
 *   (insertHold waits while another session holds the staff member's lock), so concurrent holds of
 *   one slot are refused one after the other by the committed winner instead of deadlocking in the
 *   exclusion check (40P01 after deadlock_timeout, 1 s each);
 * - many concurrent holds of one slot: one held, every other a conflict with alternatives, no error;
 * - identical requests arriving while one of them is being decided are answered from its decision:
 *   one plan, one insert, one alternatives search for all of them.
 */
import { Client as PgClient } from 'pg';
import { holdForRequest } from '../../api/bookings/booking-hold';
import type { RouteContext } from '../../api/route-kit';
import { createBookingPlanner } from '../../infra/booking/booking-planner';
import { holdLockKeys, holdSlot, insertHold } from '../../infra/booking/slot-holds';
import type { BookingPlanner, SlotPlan } from '../../infra/booking/slot-plan.types';
import { newId } from '../../infra/db/ids';
import { createPrisma, type Db } from '../../infra/db/prisma';
import { bookingWorkflowId, type BookAppointmentInput } from '../../workflows/book-appointment.contract';
import { testEnv } from '../harness/env';
import { dropCompany, seedAvailabilityFixture, type AvailabilityFixture } from './availability.fixtures';

jest.setTimeout(60_000);

const env = testEnv();
let db: Db;
let fx: AvailabilityFixture;

beforeAll(async () => {
  // As many connections as the storm below sends statements at once.
  db = createPrisma(env.databaseUrl, { max: 12 });
  fx = await seedAvailabilityFixture(db);
});
afterAll(async () => {
  if (fx) await dropCompany(db, fx.companyId);
  await db?.$disconnect();
});

function request(start: string, bookingId = newId('bkg')): BookAppointmentInput {
  return { bookingId, companyId: fx.companyId, branchId: fx.branchId, serviceId: fx.serviceId, customerId: fx.customerId, staffId: fx.staff.anna, start, source: 'api' };
}

async function planOf(planner: BookingPlanner, input: BookAppointmentInput): Promise<SlotPlan> {
  const planned = await planner.plan({ ...input, participants: null, excludeBookingId: null });
  if (planned.kind !== 'ok') throw new Error(`plan failed: ${JSON.stringify(planned)}`);
  return planned.plan;
}

test('the lock keys: every staff member and resource of the hold, in a fixed order', () => {
  const part = { serviceId: 'svc', start: 'a', end: 'b', blockedStart: 'a', blockedEnd: 'b' };
  expect(holdLockKeys({ staffId: 'stf_b', resourceId: 'res_1', start: 'a', end: 'b', blockedStart: 'a', blockedEnd: 'b' })).toEqual([
    'booking-hold:resource:res_1',
    'booking-hold:staff:stf_b',
  ]);
  expect(
    holdLockKeys({
      staffId: 'stf_b', resourceId: null, start: 'a', end: 'b', blockedStart: 'a', blockedEnd: 'b',
      parts: [{ ...part, staffId: 'stf_b', resourceId: null }, { ...part, staffId: 'stf_a', resourceId: null }, { ...part, staffId: 'stf_b', resourceId: null }],
    }),
  ).toEqual(['booking-hold:staff:stf_a', 'booking-hold:staff:stf_b']);
});

test('a hold waits for the advisory lock of its staff member before it inserts', async () => {
  const planner = createBookingPlanner({ db, clock: () => new Date('2027-01-01T00:00:00Z') });
  const input = request('2027-03-01T09:00:00.000Z');
  const plan = await planOf(planner, input);
  const other = new PgClient({ connectionString: env.databaseUrl });
  await other.connect();
  try {
    await other.query('BEGIN');
    await other.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`booking-hold:staff:${fx.staff.anna}`]);
    let settled = false;
    const inserting = insertHold(db, { bookingId: input.bookingId, workflowId: bookingWorkflowId(input.bookingId), booking: input, plan, historyId: newId('his') }).finally(() => {
      settled = true;
    });
    // The insert's session shows up waiting for an advisory lock, and has written nothing.
    for (;;) {
      const { rows } = await other.query(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`);
      if (rows[0].n > 0) break;
      expect(settled).toBe(false);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(settled).toBe(false);
    expect(await db.booking.findUnique({ where: { id: input.bookingId } })).toBeNull();
    await other.query('COMMIT');
    await inserting;
    expect((await db.booking.findUniqueOrThrow({ where: { id: input.bookingId } })).status).toBe('pending');
  } finally {
    await other.end();
  }
});

test('24 concurrent holds of one slot: one held, 23 conflicts with alternatives, none fails', async () => {
  const planner = createBookingPlanner({ db, clock: () => new Date('2027-01-01T00:00:00Z') });
  const start = '2027-03-01T10:00:00.000Z';
  const plan = await planOf(planner, request(start));
  const attempts = await Promise.all(
    Array.from({ length: 24 }, () => {
      const input = request(start);
      return holdSlot({ db, planner }, { bookingId: input.bookingId, workflowId: bookingWorkflowId(input.bookingId), booking: input, plan });
    }),
  );
  expect(attempts.filter((a) => a.kind === 'held')).toHaveLength(1);
  const conflicts = attempts.filter((a) => a.kind === 'conflict');
  expect(conflicts).toHaveLength(23);
  for (const c of conflicts) expect(c.kind === 'conflict' && c.alternatives.length).toBeGreaterThan(0);
  const rows = await db.booking.findMany({ where: { branchId: fx.branchId, startAt: new Date(start) } });
  expect(rows.map((r) => r.status)).toEqual(['pending']);
});

test('identical requests arriving while one is decided share its decision: one plan, one search', async () => {
  const real = createBookingPlanner({ db, clock: () => new Date('2027-01-01T00:00:00Z') });
  const calls = { plan: 0, alternatives: 0 };
  const planner: BookingPlanner = {
    plan: (r) => (calls.plan++, real.plan(r)),
    alternatives: (r) => (calls.alternatives++, real.alternatives(r)),
  };
  let changed = 0;
  const ctx = {
    deps: { db, planner, logger: { error: () => undefined } },
    now: () => new Date(),
    branchChanged: async () => {
      changed++;
    },
  } as unknown as RouteContext;
  const start = '2027-03-01T11:00:00.000Z';
  const holds = await Promise.all(
    Array.from({ length: 20 }, () => {
      const input = request(start);
      return holdForRequest(ctx, input, bookingWorkflowId(input.bookingId), false);
    }),
  );
  expect(holds.filter((h) => h.kind === 'held')).toHaveLength(1);
  const conflicts = holds.filter((h) => h.kind === 'conflict');
  expect(conflicts).toHaveLength(19);
  for (const c of conflicts) expect(c.kind === 'conflict' && c.alternatives.length).toBeGreaterThan(0);
  expect(calls).toEqual({ plan: 1, alternatives: 1 });
  expect(changed).toBe(1);

  // Once decided, the next identical request decides for itself (nothing is remembered).
  const late = request(start);
  expect((await holdForRequest(ctx, late, bookingWorkflowId(late.bookingId), false)).kind).toBe('conflict');
  expect(calls.plan).toBe(2);
});
