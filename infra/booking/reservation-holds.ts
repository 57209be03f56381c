/**
 * A reservation's hold row (API.md "Reservations"): a `bookings` row with id `rsv_...`, source
 * 'hold', no customer, status `pending` until `hold_expires_at`, taken with the bookings' own hold
 * function (slot-holds.ts holdSlot) under the same exclusion constraints. Its states:
 *
 *   pending   held (active until hold_expires_at)
 *   failed    expired (failure_reason 'reservation_expired'), by its expiry workflow
 *   cancelled released by DELETE /v1/reservations/:id (failure_reason 'reservation_released')
 *   completed became a booking; workflow_id then names that booking's saga
 *
 * Each move out of `pending` is one conditional UPDATE of that row, so the row lock decides
 * between converting, expiring and releasing: exactly one of them happens. Every function here
 * is scoped by company, except the expiry (its workflow got the id from this company's request).
 */
import { bookingWorkflowId } from '../../workflows/book-appointment.contract';
import { newId } from '../db/ids';
import type { Db, DbTx } from '../db/prisma';
import type { SlotPlan } from './slot-plan.types';

export const RESERVATION_PREFIX = 'rsv';

export interface ReservationRow {
  id: string;
  companyId: string;
  branchId: string;
  serviceId: string;
  status: 'active' | 'expired' | 'released' | 'converted';
  plan: SlotPlan;
  participants: Array<{ name: string; email?: string | null }>;
  expiresAt: Date;
  bookingId: string | null;
  timezone: string;
}

interface RawRow {
  id: string;
  company_id: string;
  branch_id: string;
  service_id: string;
  status: string;
  staff_id: string;
  resource_id: string | null;
  start_at: Date;
  end_at: Date;
  blocked_start: Date;
  blocked_end: Date;
  participants: unknown;
  hold_expires_at: Date;
  workflow_id: string | null;
  timezone?: string;
}

const planOf = (r: RawRow): SlotPlan => ({
  staffId: r.staff_id,
  resourceId: r.resource_id,
  start: r.start_at.toISOString(),
  end: r.end_at.toISOString(),
  blockedStart: r.blocked_start.toISOString(),
  blockedEnd: r.blocked_end.toISOString(),
});

function toRow(r: RawRow, now: Date): ReservationRow {
  const status =
    r.status === 'pending' ? (r.hold_expires_at.getTime() > now.getTime() ? 'active' : 'expired')
    : r.status === 'completed' ? 'converted'
    : r.status === 'cancelled' ? 'released'
    : 'expired';
  const bookingId = status === 'converted' && r.workflow_id?.startsWith('booking-') ? r.workflow_id.slice('booking-'.length) : null;
  const participants = (Array.isArray(r.participants) ? r.participants : []) as ReservationRow['participants'];
  return {
    id: r.id, companyId: r.company_id, branchId: r.branch_id, serviceId: r.service_id, status, plan: planOf(r), participants,
    expiresAt: r.hold_expires_at, bookingId, timezone: r.timezone ?? 'UTC',
  };
}

/** The company's reservation, any state, or null. */
export async function loadReservation(db: Db, companyId: string, reservationId: string, now: Date): Promise<ReservationRow | null> {
  const rows = await db.$queryRaw<RawRow[]>`
    SELECT b.*, br.timezone FROM bookings b JOIN branches br ON br.id = b.branch_id
    WHERE b.id = ${reservationId} AND b.company_id = ${companyId} AND b.source = 'hold' AND b.hold_expires_at IS NOT NULL`;
  return rows[0] ? toRow(rows[0], now) : null;
}

/**
 * Converts an active reservation into the booking `bookingId`: the hold ends (`completed`, naming
 * the booking's saga) in the caller's transaction, which then inserts the booking's own hold on
 * the same slot. Null when it is not active any more (expired, released, converted, or past
 * `hold_expires_at`): the expiry, or another conversion, won.
 */
export async function convertReservationHold(tx: DbTx, input: { companyId: string; reservationId: string; bookingId: string; now: Date }): Promise<ReservationRow | null> {
  const rows = await tx.$queryRaw<RawRow[]>`
    UPDATE bookings SET status = 'completed', workflow_id = ${bookingWorkflowId(input.bookingId)}, updated_at = now()
    WHERE id = ${input.reservationId} AND company_id = ${input.companyId} AND source = 'hold' AND status = 'pending'
      AND hold_expires_at > ${input.now.toISOString()}::timestamptz
    RETURNING *`;
  return rows[0] ? toRow(rows[0], input.now) : null;
}

/** Undoes a conversion whose booking saga surely never started: the reservation is active again (its booking hold is gone first). */
export async function restoreReservationHold(tx: DbTx, input: { reservationId: string; reservationWorkflowId: string }): Promise<void> {
  await tx.$executeRaw`
    UPDATE bookings SET status = 'pending', workflow_id = ${input.reservationWorkflowId}, updated_at = now()
    WHERE id = ${input.reservationId} AND source = 'hold' AND status = 'completed'`;
}

/** DELETE /v1/reservations/:id: active → released. The freed slot, or null when it was not active. */
export async function releaseReservationHold(db: Db, companyId: string, reservationId: string): Promise<SlotPlan | null> {
  const rows = await db.$queryRaw<RawRow[]>`
    UPDATE bookings SET status = 'cancelled', failure_reason = 'reservation_released', updated_at = now()
    WHERE id = ${reservationId} AND company_id = ${companyId} AND source = 'hold' AND status = 'pending' AND hold_expires_at IS NOT NULL
    RETURNING *`;
  return rows[0] ? planOf(rows[0]) : null;
}

/** The expiry: pending → failed (`reservation_expired`) with a history row; the freed slot, or null when it was not pending. */
export async function expireReservationHold(db: Db, reservationId: string, dedupeKey: string): Promise<{ staffId: string; start: string; end: string } | null> {
  const rows = await db.$queryRaw<RawRow[]>`
    WITH expired AS (
      UPDATE bookings SET status = 'failed', failure_reason = 'reservation_expired', updated_at = now()
      WHERE id = ${reservationId} AND source = 'hold' AND status = 'pending' AND hold_expires_at IS NOT NULL
      RETURNING *
    ), history AS (
      INSERT INTO booking_history (id, booking_id, event, detail, dedupe_key)
      SELECT ${newId('his')}, id, 'reservation_expired', '{}'::jsonb, ${dedupeKey} FROM expired
      ON CONFLICT (dedupe_key) DO NOTHING
    )
    SELECT * FROM expired`;
  if (!rows[0]) return null;
  const plan = planOf(rows[0]);
  return { staffId: plan.staffId, start: plan.start, end: plan.end };
}
