/**
 * POST /v1/bookings with `reservationId` (API.md "Reservations"): books exactly the reservation's
 * slot for the customer, and the reservation ends.
 *
 * 1. The reservation must be active (else 409 reservation_expired, with alternatives around its
 *    time when it is known) and the customer's rules must pass at its slot (422; the reservation
 *    stays active), judged by the bookings' planner with the reservation's own hold not counted.
 * 2. One transaction converts it: the reservation's row leaves `pending` in one conditional UPDATE
 *    (the row lock makes this exclusive with the expiry and a release: whoever updates first
 *    wins, so a reservation racing its expiry yields a booking or a free slot, never both) and
 *    the booking's own hold is inserted on the same slot (slot-holds.ts insertHold). The slot is
 *    never free in between.
 * 3. The saga starts with `heldSlot` and adopts that hold, as for any POST /v1/bookings. When
 *    Temporal surely refused the start, the booking's hold goes and the reservation is active
 *    again (the request changed nothing).
 * Idempotency-Key works as for every booking: a repeat joins the booking its first request made.
 */
import { convertReservationHold, loadReservation, restoreReservationHold, type ReservationRow } from '../../infra/booking/reservation-holds';
import { existingHold, insertHold, planRequestOf } from '../../infra/booking/slot-holds';
import type { SlotPlan } from '../../infra/booking/slot-plan.types';
import { newId } from '../../infra/db/ids';
import { assertReachable, startAndAwait } from '../../infra/temporal/start-and-await';
import { awaitBookingOutcomeUpdate, bookingWorkflowId, type BookAppointmentInput } from '../../workflows/book-appointment.contract';
import { reservationWorkflowId } from '../../workflows/reservation-expiry.contract';
import { identityAttributes } from '../../workflows/search-attributes.contract';
import { formatInstant } from '../common.schemas';
import { makeProblem } from '../error-handler';
import type { Reply, RouteContext } from '../route-kit';
import { notFoundAnswer, problemAnswer, ruleViolation, sendAnswer, slotUnavailable, surelyNotStarted, temporalOf } from './booking-answers';
import { plannerOf } from './booking-hold';
import { findBookingRow, renderBooking } from './booking.view';
import type { ReservationRequest } from './bookings.schemas';
import { answerFor, BOOK_WORKFLOW, CREATE_SCOPE } from './create-booking';
import { answerOnce, type StoredAnswer } from './idempotency';

export async function createFromReservation(ctx: RouteContext, body: ReservationRequest, idempotencyKey: string | undefined): Promise<Reply | void> {
  const { db, config } = ctx.deps;
  const client = temporalOf(ctx.deps);
  const companyId = ctx.companyId();
  const { answer, replayed } = await answerOnce(
    { db, companyId, scope: CREATE_SCOPE, key: idempotencyKey, body: ctx.req.body, newResourceId: () => newId('bkg'), now: ctx.now() },
    async (bookingId) => {
      await assertReachable(client);
      const now = ctx.now();
      const reservation = await loadReservation(db, companyId, body.reservationId, now);
      const workflowId = bookingWorkflowId(bookingId);
      // A repeat of a keyed request whose first attempt converted the reservation joins its booking.
      const own = idempotencyKey !== undefined ? await existingHold(db, bookingId) : null;
      if (!reservation && !own) return { answer: expired(null, []), final: true };
      const input = sagaInput(bookingId, companyId, body, reservation!);
      let plan: SlotPlan;
      if (own) {
        plan = own.plan;
      } else {
        if (reservation!.status !== 'active') return { answer: expired(reservation, await alternativesFor(ctx, input)), final: true };
        const mismatches = slotMismatches(body, reservation!);
        if (mismatches.length > 0) return { answer: problemAnswer(makeProblem('validation_error', 'The body names another slot than the reservation', { errors: mismatches })), final: true };
        const checked = await plannerOf(ctx.deps).plan({ ...planRequestOf(input), excludeBookingId: reservation!.id });
        if (checked.kind === 'not_found') return { answer: notFoundAnswer(checked), final: true };
        if (checked.kind === 'rule_violation') return { answer: ruleViolation(checked), final: true };
        if (checked.kind === 'conflict') return { answer: slotUnavailable(checked, reservation!.timezone), final: true };
        const converted = await db.$transaction(async (tx) => {
          const row = await convertReservationHold(tx, { companyId, reservationId: reservation!.id, bookingId, now });
          // The slot is the reservation's; whether it syncs to a calendar is the planner's finding.
          const slot: SlotPlan | null = row ? { ...row.plan, ...(checked.plan.calendar ? { calendar: checked.plan.calendar } : {}) } : null;
          if (slot) await insertHold(tx, { bookingId, workflowId, booking: input, plan: slot, historyId: newId('his') });
          return slot;
        });
        if (!converted) return { answer: expired(reservation, await alternativesFor(ctx, input)), final: true };
        plan = converted;
      }
      let waited;
      try {
        waited = await startAndAwait(client, {
          workflowType: BOOK_WORKFLOW,
          workflowId,
          taskQueue: config.temporalTaskQueue,
          args: [{ ...input, heldSlot: plan }],
          update: awaitBookingOutcomeUpdate,
          waitMs: config.bookingWaitMs,
          reusePolicy: 'REJECT_DUPLICATE',
          memo: { summary: `booking ${bookingId} for ${body.customerId} at ${input.start} (reservation ${body.reservationId})` },
          searchAttributes: identityAttributes('booking', { bookingId, customerId: body.customerId, branchId: input.branchId }, 'validating'),
        });
      } catch (error) {
        if (!own && surelyNotStarted(error)) await undoConversion(ctx, bookingId, body.reservationId);
        throw error;
      }
      const zone = reservation?.timezone ?? 'UTC';
      if (waited.kind === 'outcome') return { answer: await answerFor(db, companyId, waited.value, zone), final: true };
      const row = await findBookingRow(db, companyId, bookingId);
      if (!row) throw new Error(`booking ${bookingId} is missing after its hold`);
      return { answer: { status: 202, body: renderBooking(row) }, final: false };
    },
    surelyNotStarted,
  );
  return sendAnswer(ctx, answer, replayed);
}

function sagaInput(bookingId: string, companyId: string, body: ReservationRequest, r: ReservationRow | null): BookAppointmentInput {
  const minutes = r ? Math.round((Date.parse(r.plan.end) - Date.parse(r.plan.start)) / 60_000) : null;
  return {
    bookingId,
    companyId,
    branchId: r?.branchId ?? '',
    serviceId: r?.serviceId ?? '',
    customerId: body.customerId,
    start: r?.plan.start ?? new Date(0).toISOString(),
    staffId: r?.plan.staffId ?? null,
    durationMinutes: minutes,
    preferences: body.preferences ?? null,
    participants: body.participants ?? r?.participants ?? [],
    source: body.source,
    notes: body.notes ?? null,
  };
}

/** The slot fields the body repeats that do not name the reservation's own slot. */
function slotMismatches(body: ReservationRequest, r: ReservationRow): Array<{ path: string; message: string }> {
  const minutes = Math.round((Date.parse(r.plan.end) - Date.parse(r.plan.start)) / 60_000);
  const checks: Array<[string, boolean]> = [
    ['branchId', body.branchId === undefined || body.branchId === r.branchId],
    ['serviceId', body.serviceId === undefined || body.serviceId === r.serviceId],
    ['start', body.start === undefined || body.start.getTime() === Date.parse(r.plan.start)],
    ['staffId', body.staffId === undefined || body.staffId === r.plan.staffId],
    ['durationMinutes', body.durationMinutes === undefined || body.durationMinutes === minutes],
  ];
  return checks.filter(([, ok]) => !ok).map(([path]) => ({ path, message: `must be the reservation's own ${path} (or be left out)` }));
}

async function alternativesFor(ctx: RouteContext, input: BookAppointmentInput) {
  return plannerOf(ctx.deps).alternatives({ ...planRequestOf(input), excludeBookingId: null });
}

function expired(r: ReservationRow | null, alternatives: Array<{ start: string; end: string; staffId: string; staffName: string }>): StoredAnswer {
  const zone = r?.timezone ?? 'UTC';
  const shown = alternatives.slice(0, 5).map((a) => ({ start: formatInstant(new Date(a.start), zone), end: formatInstant(new Date(a.end), zone), staffId: a.staffId, staffName: a.staffName }));
  const detail = r ? `Reservation ${r.id} is ${r.status === 'active' ? 'no longer active' : r.status}` : 'Unknown or expired reservation';
  return problemAnswer(makeProblem('reservation_expired', detail, { alternatives: shown }));
}

/** Temporal surely refused the saga: the booking's hold goes and the reservation is active again. */
async function undoConversion(ctx: RouteContext, bookingId: string, reservationId: string): Promise<void> {
  await ctx.deps.db.$transaction(async (tx) => {
    await tx.$executeRaw`DELETE FROM bookings WHERE id = ${bookingId} AND status = 'pending'`;
    await restoreReservationHold(tx, { reservationId, reservationWorkflowId: reservationWorkflowId(reservationId) });
  });
}
