/**
 * Taking a booking's hold: the booking row inserted as `pending` under the exclusion constraint,
 * which alone decides who gets a slot. Used by the API (POST /v1/bookings holds before it starts
 * the saga, so the losers of a slot are answered from PostgreSQL without a workflow of their own)
 * and by the saga's `holdSlot` activity (series, waiting-list and retry bookings, and histories
 * recorded before the API held). Reusable for any hold under the same constraint.
 *
 * - A refusal by abandoned holds (stale-holds.ts) expires them and tries once more.
 * - A refusal by the booking's OWN row (a retried step, a repeated keyed request) answers that row
 *   (`existing`), whose slot is what counts.
 * - Any other refusal is a conflict with alternatives (identical concurrent searches share one
 *   computation, booking-planner.ts).
 */
import { Prisma, type Db, type DbTx } from '../db/prisma';
import { constraintName, isExclusionViolation, isRetryableTransactionError, isUniqueViolation } from '../db/errors';
import { newId } from '../db/ids';
import { packagePartId, type BookAppointmentInput, type PartSlot } from '../../workflows/book-appointment.contract';
import type { ConflictOutcome } from '../../workflows/lib/outcomes';
import type { BookingPlanner, PlanRequest, SlotPlan } from './slot-plan.types';
import { expireStaleHolds, STALE_HOLD_MS } from './stale-holds';

const ts = (iso: string) => Prisma.sql`${iso}::timestamptz`;
const json = (value: unknown) => Prisma.sql`${JSON.stringify(value)}::jsonb`;

/**
 * Who a hold is for: a booking, or a reservation (customer null, `source` 'hold', `expiresAt`
 * set: api/reservations/), which holds its slot under the same constraint until it becomes a
 * booking or expires.
 */
export type HoldOwner = Omit<BookAppointmentInput, 'customerId' | 'source'> & {
  customerId: string | null;
  source?: BookAppointmentInput['source'] | 'hold';
  /** UTC ISO: a reservation's end (hold_expires_at). */
  expiresAt?: string | null;
};

export function planRequestOf(input: HoldOwner): PlanRequest {
  return {
    companyId: input.companyId,
    branchId: input.branchId,
    serviceId: input.serviceId,
    customerId: input.customerId,
    start: input.start,
    staffId: input.staffId ?? null,
    durationMinutes: input.durationMinutes ?? null,
    preferences: input.preferences ?? null,
    participants: input.participants && input.participants.length > 0 ? input.participants.length : null,
    // The booking's own hold never counts against it: plan runs again after a hold when the
    // saga's workflow task is retried, or when a keyed request is repeated.
    excludeBookingId: input.bookingId,
  };
}

/**
 * The advisory locks a hold statement takes first (transaction-scoped, so the statement's own
 * implicit transaction ends them): one per staff member and resource the hold would occupy, in a
 * fixed order. Without them, concurrent inserts for one slot each insert their tuple and then wait
 * for the other's in the exclusion check: a deadlock PostgreSQL only breaks after deadlock_timeout
 * (1 s), so a storm of 200 requests for one slot took 5-60 s and some answered 500 after four
 * aborted attempts. Serialized, each loser meets the winner's committed row and is refused at once.
 * The namespace prefix keeps these keys apart from any other advisory lock.
 */
export function holdLockKeys(plan: SlotPlan): string[] {
  const parts = plan.parts && plan.parts.length > 0 ? plan.parts : [plan];
  const keys = new Set<string>();
  for (const part of parts) {
    keys.add(`booking-hold:staff:${part.staffId}`);
    if (part.resourceId) keys.add(`booking-hold:resource:${part.resourceId}`);
  }
  return [...keys].sort();
}

/** A CTE body yielding one row once every key's lock is held (taken in the keys' order). */
const lockCte = (keys: string[]) => Prisma.sql`
  SELECT count(*) AS locks FROM (
    SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest(${keys}::text[]) WITH ORDINALITY AS t(k, n) ORDER BY n
  ) taken`;

/** Inserts the hold and its `held` history row (one statement); throws the exclusion/unique violation when refused. */
export async function insertHold(
  db: Db | DbTx,
  hold: { bookingId: string; workflowId: string; booking: HoldOwner; plan: SlotPlan; historyId: string },
): Promise<void> {
  if (hold.plan.seatKey) return insertSeatHold(db, hold, hold.plan.seatKey);
  if (hold.plan.parts && hold.plan.parts.length > 1) return insertPackageHold(db, hold, hold.plan.parts);
  const { bookingId, workflowId, booking, plan } = hold;
  await db.$executeRaw`
    WITH locked AS (${lockCte(holdLockKeys(plan))}
    ), held AS (
      INSERT INTO bookings (id, company_id, branch_id, service_id, customer_id, staff_id, resource_id, start_at, end_at,
        blocked_start, blocked_end, status, source, participants, notes, series_id, calendar_status, workflow_id, hold_expires_at, updated_at)
      SELECT ${bookingId}, ${booking.companyId}, ${booking.branchId}, ${booking.serviceId}, ${booking.customerId}, ${plan.staffId},
        ${plan.resourceId}, ${ts(plan.start)}, ${ts(plan.end)}, ${ts(plan.blockedStart)}, ${ts(plan.blockedEnd)}, 'pending',
        ${booking.source ?? 'api'}, ${json(booking.participants ?? [])}, ${booking.notes ?? null}, ${booking.seriesId ?? null},
        ${plan.calendar === 'not_linked' ? 'not_linked' : 'pending'}, ${workflowId}, ${booking.expiresAt ?? null}::timestamptz, now()
      FROM locked
      RETURNING id
    )
    INSERT INTO booking_history (id, booking_id, event, detail, dedupe_key)
    SELECT ${hold.historyId}, id, 'held', ${json({ ...plan })}, ${`${workflowId}:held`} FROM held`;
}

/**
 * A package's hold: its own row (the first part for the exclusion constraints, spanning the whole
 * package) and one child row per later part, in ONE statement: a part refused by the exclusion
 * constraints refuses the whole statement, so all parts are held or none (migration
 * 20261203180000_packages).
 */
async function insertPackageHold(
  db: Db | DbTx,
  hold: { bookingId: string; workflowId: string; booking: HoldOwner; plan: SlotPlan; historyId: string },
  parts: PartSlot[],
): Promise<void> {
  const { bookingId, workflowId, booking, plan } = hold;
  const [first] = parts;
  const calendarOf = (p: { calendar?: 'not_linked' }) => (p.calendar === 'not_linked' ? 'not_linked' : 'pending');
  const children = parts.slice(1).map((p, i) => ({
    id: packagePartId(bookingId, i + 1), part_index: i + 1, service_id: p.serviceId, staff_id: p.staffId, resource_id: p.resourceId,
    start_at: p.start, end_at: p.end, blocked_start: p.blockedStart, blocked_end: p.blockedEnd, calendar_status: calendarOf(p),
  }));
  await db.$executeRaw`
    WITH locked AS (${lockCte(holdLockKeys(plan))}
    ), held AS (
      INSERT INTO bookings (id, company_id, branch_id, service_id, customer_id, staff_id, resource_id, start_at, end_at,
        blocked_start, blocked_end, status, source, participants, notes, series_id, calendar_status, workflow_id, hold_expires_at, updated_at,
        part_index, part_service_id, part_end_at)
      SELECT ${bookingId}, ${booking.companyId}, ${booking.branchId}, ${booking.serviceId}, ${booking.customerId}, ${first.staffId},
        ${first.resourceId}, ${ts(plan.start)}, ${ts(plan.end)}, ${ts(first.blockedStart)}, ${ts(first.blockedEnd)}, 'pending',
        ${booking.source ?? 'api'}, ${json(booking.participants ?? [])}, ${booking.notes ?? null}, ${booking.seriesId ?? null},
        ${calendarOf(first)}, ${workflowId}, ${booking.expiresAt ?? null}::timestamptz, now(), 0, ${first.serviceId}, ${ts(first.end)}
      FROM locked
      RETURNING id
    ), parts AS (
      INSERT INTO bookings (id, company_id, branch_id, service_id, customer_id, staff_id, resource_id, start_at, end_at,
        blocked_start, blocked_end, status, source, participants, notes, series_id, calendar_status, workflow_id, hold_expires_at, updated_at,
        package_booking_id, part_index)
      SELECT p.id, ${booking.companyId}, ${booking.branchId}, p.service_id, ${booking.customerId}, p.staff_id, p.resource_id, p.start_at, p.end_at,
        p.blocked_start, p.blocked_end, 'pending', ${booking.source ?? 'api'}, ${json(booking.participants ?? [])}, ${booking.notes ?? null},
        ${booking.seriesId ?? null}, p.calendar_status, ${workflowId}, ${booking.expiresAt ?? null}::timestamptz, now(), (SELECT id FROM held), p.part_index
      FROM jsonb_to_recordset(${json(children)}) AS p(id text, part_index int, service_id text, staff_id text, resource_id text,
        start_at timestamptz, end_at timestamptz, blocked_start timestamptz, blocked_end timestamptz, calendar_status text)
    )
    INSERT INTO booking_history (id, booking_id, event, detail, dedupe_key)
    SELECT ${hold.historyId}, id, 'held', ${json({ ...plan })}, ${`${workflowId}:held`} FROM held`;
}

/** Thrown when every seat of a class is taken (answered as a conflict, like an exclusion violation). */
export class ClassFullError extends Error {
  constructor(readonly seatKey: string) {
    super(`every seat of ${seatKey} is taken`);
  }
}

/**
 * A seat hold takes the lowest free seat 1..capacity of its class (capacity read in the same
 * statement). Two concurrent holds may pick the same seat: the unique index bookings_seat_taken
 * refuses one, which then tries the next free seat (outside a transaction: inside one the refused
 * statement ends it, and the caller's transaction answers the error). No free seat: ClassFullError.
 */
async function insertSeatHold(
  db: Db | DbTx,
  hold: { bookingId: string; workflowId: string; booking: HoldOwner; plan: SlotPlan; historyId: string },
  seatKey: string,
): Promise<void> {
  const { bookingId, workflowId, booking, plan } = hold;
  for (let attempt = 0; ; attempt++) {
    try {
      const rows = await db.$queryRaw<Array<{ n: number }>>`
        WITH cap AS (
          SELECT GREATEST(1, COALESCE((seats ->> 'capacity')::int, 1)) AS capacity FROM services WHERE id = ${booking.serviceId}
        ), seat AS (
          SELECT n FROM cap, generate_series(1, cap.capacity) AS n
          WHERE NOT EXISTS (SELECT 1 FROM bookings x WHERE x.seat_key = ${seatKey} AND x.seat = n AND x.status IN ('pending', 'awaiting_approval', 'confirmed'))
          ORDER BY n LIMIT 1
        ), held AS (
          INSERT INTO bookings (id, company_id, branch_id, service_id, customer_id, staff_id, resource_id, start_at, end_at,
            blocked_start, blocked_end, status, source, participants, notes, series_id, calendar_status, workflow_id, hold_expires_at,
            updated_at, seat_key, seat)
          SELECT ${bookingId}, ${booking.companyId}, ${booking.branchId}, ${booking.serviceId}, ${booking.customerId}, ${plan.staffId},
            ${plan.resourceId}, ${ts(plan.start)}, ${ts(plan.end)}, ${ts(plan.blockedStart)}, ${ts(plan.blockedEnd)}, 'pending',
            ${booking.source ?? 'api'}, ${json(booking.participants ?? [])}, ${booking.notes ?? null}, ${booking.seriesId ?? null},
            ${plan.calendar === 'not_linked' ? 'not_linked' : 'pending'}, ${workflowId}, ${booking.expiresAt ?? null}::timestamptz,
            now(), ${seatKey}, seat.n
          FROM seat
          RETURNING id, seat
        ), history AS (
          INSERT INTO booking_history (id, booking_id, event, detail, dedupe_key)
          SELECT ${hold.historyId}, id, 'held', jsonb_build_object('seat', seat) || ${json({ ...plan })}, ${`${workflowId}:held`} FROM held
        )
        SELECT count(*)::int AS n FROM held`;
      if ((rows[0]?.n ?? 0) === 0) throw new ClassFullError(seatKey);
      return;
    } catch (error) {
      // Another hold took the same seat at the same moment: try the next one (bounded).
      if (isUniqueViolation(error) && constraintName(error) === 'bookings_seat_taken' && attempt < 50) continue;
      throw error;
    }
  }
}

export interface ExistingHold {
  status: string;
  plan: SlotPlan;
}

export type HoldAttempt = { kind: 'held'; plan: SlotPlan } | { kind: 'existing'; row: ExistingHold } | ConflictOutcome;

export interface HoldDeps {
  db: Db;
  planner: BookingPlanner;
  clock?: () => Date;
  /** Age after which a refusing `pending` hold counts as abandoned (stale-holds.ts). */
  staleHoldMs?: number;
  /** Deterministic history ids for retried steps (the activity); default a fresh id. */
  historyId?: string;
}

/** Holds `plan` for the booking; see the module comment for the three answers. */
export async function holdSlot(deps: HoldDeps, hold: { bookingId: string; workflowId: string; booking: HoldOwner; plan: SlotPlan }): Promise<HoldAttempt> {
  const { db, planner } = deps;
  const { bookingId, plan } = hold;
  // Concurrent inserts for one slot can deadlock in the exclusion check (each waits for the other,
  // PostgreSQL aborts one: 40P01, NOTES-reliability §1.2); the aborted one tries again and then
  // meets the winner's row as an ordinary exclusion violation.
  const insert = async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await insertHold(db, { ...hold, historyId: deps.historyId ?? newId('his') });
      } catch (error) {
        if (attempt >= 4 || !isRetryableTransactionError(error)) throw error;
      }
    }
  };
  try {
    try {
      await insert();
    } catch (error) {
      if (!isExclusionViolation(error) && !(error instanceof ClassFullError)) throw error;
      const own = await existingHold(db, bookingId);
      if (own) return { kind: 'existing', row: own };
      // Refused: retry once if abandoned holds were in the way, else it is a real conflict.
      if ((await expireStaleHolds(db, plan, (deps.clock ?? (() => new Date()))(), deps.staleHoldMs ?? STALE_HOLD_MS)) === 0) throw error;
      await insert();
    }
    return { kind: 'held', plan };
  } catch (error) {
    if (isExclusionViolation(error) || error instanceof ClassFullError) {
      // A loser has no row of its own: the search is the same for every loser of the slot.
      return { kind: 'conflict', alternatives: await planner.alternatives({ ...planRequestOf(hold.booking), excludeBookingId: null }) };
    }
    if (isUniqueViolation(error)) {
      // This booking's row exists already (an earlier or concurrent attempt).
      const again = await existingHold(db, bookingId);
      if (again) return { kind: 'existing', row: again };
    }
    throw error;
  }
}

/** The booking's row as a hold (any status), or null when there is none. */
export async function existingHold(db: Db, bookingId: string): Promise<ExistingHold | null> {
  const row = await db.booking.findUnique({
    where: { id: bookingId },
    select: {
      status: true, staffId: true, resourceId: true, startAt: true, endAt: true, blockedStart: true, blockedEnd: true, calendarStatus: true,
      partServiceId: true, partEndAt: true,
    },
  });
  if (!row) return null;
  const parts = row.partEndAt ? await packageParts(db, bookingId) : null;
  return {
    status: row.status,
    plan: {
      ...(parts ? { parts } : {}),
      staffId: row.staffId,
      resourceId: row.resourceId,
      start: row.startAt.toISOString(),
      end: row.endAt.toISOString(),
      blockedStart: row.blockedStart.toISOString(),
      blockedEnd: row.blockedEnd.toISOString(),
      ...(row.calendarStatus === 'not_linked' ? { calendar: 'not_linked' as const } : {}),
    },
  };
}

/** A package booking's parts in order (its own row is part 0), as planned slots. */
export async function packageParts(db: Db, bookingId: string): Promise<PartSlot[]> {
  const rows = await db.booking.findMany({
    where: { OR: [{ id: bookingId }, { packageBookingId: bookingId }] },
    orderBy: { partIndex: 'asc' },
    select: {
      id: true, serviceId: true, partServiceId: true, staffId: true, resourceId: true, startAt: true, endAt: true, partEndAt: true,
      blockedStart: true, blockedEnd: true, calendarStatus: true,
    },
  });
  return rows.map((r) => ({
    serviceId: r.partServiceId ?? r.serviceId,
    staffId: r.staffId,
    resourceId: r.resourceId,
    start: r.startAt.toISOString(),
    end: (r.partEndAt ?? r.endAt).toISOString(),
    blockedStart: r.blockedStart.toISOString(),
    blockedEnd: r.blockedEnd.toISOString(),
    ...(r.calendarStatus === 'not_linked' ? { calendar: 'not_linked' as const } : {}),
  }));
}

/**
 * Frees a hold that did not become a booking (`pending` → `failed`, history once per dedupe key);
 * answers the branch whose availability changed, or null when the row had moved on.
 */
export async function releaseHeld(db: Db, input: { bookingId: string; reason: string; dedupeKey: string }): Promise<{ branchId: string } | null> {
  const rows = await db.$queryRaw<Array<{ branch_id: string }>>`
    WITH released AS (
      UPDATE bookings SET status = 'failed', failure_reason = ${input.reason}, updated_at = now()
      WHERE id = ${input.bookingId} AND status = 'pending'
      RETURNING id, branch_id
    ),
    history AS (
      INSERT INTO booking_history (id, booking_id, event, detail, dedupe_key)
      SELECT ${newId('his')}, id, 'hold_released', ${json({ reason: input.reason })}, ${input.dedupeKey} FROM released
      ON CONFLICT (dedupe_key) DO NOTHING
    )
    SELECT branch_id FROM released`;
  return rows[0] ? { branchId: rows[0].branch_id } : null;
}

/**
 * Removes a hold whose saga surely never started (Temporal refused the start): the request
 * changed nothing, so nothing of it stays (history rows go with it). Answers the branch, or null
 * when the row was not a pending hold any more.
 */
export async function dropUnstartedHold(db: Db, bookingId: string): Promise<{ branchId: string } | null> {
  const rows = await db.$queryRaw<Array<{ branch_id: string }>>`
    DELETE FROM bookings WHERE id = ${bookingId} AND status = 'pending' RETURNING branch_id`;
  return rows[0] ? { branchId: rows[0].branch_id } : null;
}
