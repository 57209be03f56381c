/**
 * Reservations: the slot is planned by the bookings' planner and held by the bookings' own hold
 * function (infra/booking/slot-holds.ts) as a `pending` row under the same exclusion constraints,
 * without a customer, until `expiresAt` (infra/booking/reservation-holds.ts has its states). The
 * expiry is a durable timer: one `reservation-<id>` workflow per reservation
 * (workflows/reservation-expiry.workflow.ts explains why).
 *
 * - Create: plan (404 / 422 / 409 with alternatives) → hold (409 when someone was faster) →
 *   invalidate the branch's availability (nobody else is offered the slot from now on) → start
 *   the expiry workflow. When Temporal surely refused that start, the hold is removed again and
 *   the answer is 503: a hold without its timer would outlive its ttl.
 * - Release (DELETE): active → released in one conditional UPDATE, availability invalidated
 *   before the answer, then the expiry workflow is told (it wakes the branch's waiting lists).
 */
import { dropUnstartedHold, holdSlot, planRequestOf, type HoldOwner } from '../../infra/booking/slot-holds';
import { loadReservation, releaseReservationHold, type ReservationRow } from '../../infra/booking/reservation-holds';
import { BookingRuleViolationError } from '../../domain/errors';
import { newId } from '../../infra/db/ids';
import { assertReachable } from '../../infra/temporal/start-and-await';
import { reservationReleasedSignal, reservationWorkflowId, RESERVATION_EXPIRY_WORKFLOW } from '../../workflows/reservation-expiry.contract';
import { startOrJoinOwning } from '../series/start-or-join';
import { plannerOf } from '../bookings/booking-hold';
import { notFoundAnswer, ruleViolation, sendAnswer, slotUnavailable, temporalOf } from '../bookings/booking-answers';
import { formatInstant } from '../common.schemas';
import { notFound } from '../error-handler';
import type { Reply, RouteContext } from '../route-kit';
import type { CreateReservationBody, ReservationOut } from './reservations.schemas';

export function renderReservation(r: ReservationRow): ReservationOut {
  const zone = r.timezone;
  return {
    id: r.id,
    branchId: r.branchId,
    serviceId: r.serviceId,
    staffId: r.plan.staffId,
    start: formatInstant(new Date(r.plan.start), zone),
    end: formatInstant(new Date(r.plan.end), zone),
    expiresAt: formatInstant(r.expiresAt, zone),
    status: r.status,
    bookingId: r.bookingId,
  };
}

export async function createReservation(ctx: RouteContext, body: CreateReservationBody): Promise<Reply | void> {
  const { db, config } = ctx.deps;
  const companyId = ctx.companyId();
  // Reservations (hold, expiry, conversion into a booking) are built and tested for one-row holds;
  // a package's parts through all three are not (issue 16 gap): refused before anything is held.
  const service = await db.service.findFirst({ where: { id: body.serviceId, companyId }, select: { category: true } });
  if (service?.category === 'package') {
    throw new BookingRuleViolationError([{ rule: 'service_availability', message: 'A package cannot be reserved; book it directly' }]);
  }
  const client = temporalOf(ctx.deps);
  await assertReachable(client);
  const id = newId('rsv');
  const now = ctx.now();
  const expiresAt = new Date(now.getTime() + (body.ttlSeconds !== undefined ? body.ttlSeconds * 1000 : config.reservationTtlMs));
  const owner: HoldOwner = {
    bookingId: id, companyId, branchId: body.branchId, serviceId: body.serviceId, customerId: null, start: body.start.toISOString(),
    staffId: body.staffId ?? null, durationMinutes: body.durationMinutes ?? null, preferences: null, participants: body.participants ?? [],
    source: 'hold', notes: null, expiresAt: expiresAt.toISOString(),
  };
  const planner = plannerOf(ctx.deps);
  const planned = await planner.plan({ ...planRequestOf(owner), excludeBookingId: null });
  const zone = async () => (await db.branch.findFirst({ where: { id: body.branchId, companyId }, select: { timezone: true } }))?.timezone ?? 'UTC';
  if (planned.kind === 'not_found') return sendAnswer(ctx, notFoundAnswer(planned), false);
  if (planned.kind === 'rule_violation') return sendAnswer(ctx, ruleViolation(planned), false);
  if (planned.kind === 'conflict') return sendAnswer(ctx, slotUnavailable(planned, await zone()), false);
  const workflowId = reservationWorkflowId(id);
  const held = await holdSlot({ db, planner, clock: ctx.now }, { bookingId: id, workflowId, booking: owner, plan: planned.plan });
  if (held.kind === 'conflict') return sendAnswer(ctx, slotUnavailable(held, await zone()), false);
  await ctx.branchChanged(companyId, body.branchId);
  await startOrJoinOwning(
    client,
    { workflowType: RESERVATION_EXPIRY_WORKFLOW, workflowId, taskQueue: config.temporalTaskQueue, args: [{ reservationId: id, branchId: body.branchId, expiresAt: expiresAt.toISOString() }] },
    async () => {
      if (await dropUnstartedHold(db, id)) await ctx.branchChanged(companyId, body.branchId);
    },
  );
  const row = await loadReservation(db, companyId, id, now);
  if (!row) throw new Error(`reservation ${id} vanished after its hold`);
  return { status: 201, body: renderReservation(row) };
}

export async function getReservation(ctx: RouteContext, reservationId: string): Promise<ReservationOut> {
  const row = await loadReservation(ctx.deps.db, ctx.companyId(), reservationId, ctx.now());
  if (!row) throw notFound('Reservation', reservationId);
  return renderReservation(row);
}

/** Releases an active reservation; a reservation that already ended answers as it is. */
export async function releaseReservation(ctx: RouteContext, reservationId: string): Promise<ReservationOut> {
  const { db } = ctx.deps;
  const companyId = ctx.companyId();
  const freed = await releaseReservationHold(db, companyId, reservationId);
  const row = await loadReservation(db, companyId, reservationId, ctx.now());
  if (!row) throw notFound('Reservation', reservationId);
  if (freed) {
    await ctx.branchChanged(companyId, row.branchId);
    const handle = ctx.deps.temporal?.workflow.getHandle(reservationWorkflowId(reservationId));
    // Best effort: the slot is free already; without the signal the waiting lists find it on their periodic check.
    await handle?.signal(reservationReleasedSignal, { staffId: freed.staffId, start: freed.start, end: freed.end }).catch((err: unknown) => {
      ctx.req.log?.warn({ err, reservationId }, 'reservation released, but its expiry workflow was not told');
    });
  }
  return renderReservation(row);
}
