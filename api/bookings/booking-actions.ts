/**
 * Actions on an existing booking (API.md "Bookings"):
 * - reschedule: the reschedule saga (workflow `reschedule-<bookingId>-<requestKey>`, the request
 *   key reserved by the Idempotency-Key or fresh) → 200 moved / 409 slot_unavailable or
 *   invalid_state / 422 / 502 (old time kept) / 202 when it needs longer than BOOKING_WAIT_MS;
 * - cancel: the cancellation workflow answers as soon as the booking is cancelled locally (slot
 *   free), the Cal.com cancel continues durably → 200 cancelled; a booking awaiting approval
 *   cancels the same way (nothing in Cal.com to cancel; its approval wait ends, approve and
 *   decline are 409 afterwards);
 * - no-show, complete: a conditional update here (no calendar side) → 200, 409 before the start;
 *   the booking's lifecycle is told (it stops; a completed one would send the review request).
 * Cancelled or failed bookings are refused up front (409 invalid_state) without a workflow.
 */
import { newId } from '../../infra/db/ids';
import type { Db } from '../../infra/db/prisma';
import { startAndAwait } from '../../infra/temporal/start-and-await';
import { bookingChangedSignal, lifecycleWorkflowId } from '../../workflows/booking-lifecycle.contract';
import { awaitCancelRecordedUpdate, CANCEL_WORKFLOW, cancelWorkflowId } from '../../workflows/cancel-booking.contract';
import {
  awaitRescheduleOutcomeUpdate,
  RESCHEDULE_WORKFLOW,
  rescheduleWorkflowId,
  type RescheduleBookingResult,
} from '../../workflows/reschedule-booking.contract';
import { ApiError, makeProblem, notFound } from '../error-handler';
import type { Reply, RouteContext } from '../route-kit';
import {
  calendarSyncFailed,
  invalidState,
  notFoundAnswer,
  problemAnswer,
  ruleViolation,
  sendAnswer,
  slotUnavailable,
  surelyNotStarted,
  temporalOf,
} from './booking-answers';
import { findBookingRow, renderBooking } from './booking.view';
import { answerOnce, type StoredAnswer, type WorkAnswer } from './idempotency';

const CLOSED = ['cancelled', 'failed'];
/** Awaiting approval cancels like a confirmed booking (its calendar was never written); cancelled answers again. */
const CANCELLABLE = ['confirmed', 'awaiting_approval', 'cancelled'];

export interface RescheduleRequest {
  start: Date;
  staffId?: string;
  reason?: string;
  /** Self-service only: the branch's limit, claimed by the saga where the move is decided (reschedule-booking.contract.ts). */
  maxReschedules?: number;
}

export async function rescheduleBooking(ctx: RouteContext, bookingId: string, request: RescheduleRequest, key: string | undefined): Promise<Reply | void> {
  const { db, config } = ctx.deps;
  const client = temporalOf(ctx.deps);
  const companyId = ctx.companyId();
  const row = await findBookingRow(db, companyId, bookingId);
  if (!row) throw notFound('Booking', bookingId);
  if (request.staffId && !(await db.staff.findFirst({ where: { id: request.staffId, companyId }, select: { id: true } }))) {
    throw notFound('Staff', request.staffId);
  }
  const { answer, replayed } = await answerOnce(
    keyed(ctx, `POST /v1/bookings/${bookingId}/reschedule`, key, () => newId('rsq')),
    async (requestKey) => {
      if (CLOSED.includes(row.status)) return final(stateProblem(`a ${row.status} booking cannot be rescheduled`));
      // A seat shares its class's calendar event: moving one seat would move every seat's.
      if (row.seatKey) return final(stateProblem('a seat of a class cannot be moved: cancel it and book a seat of the other class'));
      const waited = await startAndAwait(client, {
        workflowType: RESCHEDULE_WORKFLOW,
        workflowId: rescheduleWorkflowId(bookingId, requestKey),
        taskQueue: config.temporalTaskQueue,
        args: [{
          bookingId,
          start: request.start.toISOString(),
          staffId: request.staffId ?? null,
          reason: request.reason ?? null,
          ...(request.maxReschedules !== undefined ? { maxReschedules: request.maxReschedules } : {}),
        }],
        update: awaitRescheduleOutcomeUpdate,
        waitMs: config.bookingWaitMs,
        reusePolicy: 'REJECT_DUPLICATE',
      });
      if (waited.kind === 'pending') return { answer: await currentBooking(db, companyId, bookingId, 202), final: false };
      return final(await rescheduleAnswer(db, companyId, waited.value, row.branch.timezone));
    },
    surelyNotStarted,
  );
  return sendAnswer(ctx, answer, replayed);
}

async function rescheduleAnswer(db: Db, companyId: string, outcome: RescheduleBookingResult, zone: string): Promise<StoredAnswer> {
  switch (outcome.kind) {
    case 'rescheduled':
      return currentBooking(db, companyId, outcome.bookingId, 200);
    case 'conflict':
      return slotUnavailable(outcome, zone);
    case 'rule_violation':
      return ruleViolation(outcome);
    case 'invalid_state':
      return invalidState(outcome);
    case 'not_found':
      return notFoundAnswer(outcome);
    case 'calendar_failed':
      return calendarSyncFailed(outcome.bookingId);
  }
}

/**
 * A booking key (phone agent, app) may not cancel a booking that has started: that rewrites the
 * past (no-show and completion records, analytics). A manager may. Checked before the
 * idempotency record, so it is not stored as the key's answer.
 */
function assertMayCancel(ctx: RouteContext, row: { status: string; startAt: Date }): void {
  const principal = ctx.principal();
  if (principal.kind !== 'company' || principal.role !== 'booking') return;
  if (row.status === 'confirmed' && row.startAt.getTime() <= ctx.now().getTime()) {
    throw new ApiError('forbidden', 'A booking key may not cancel a booking that has already started; a manager key may');
  }
}

export async function cancelBooking(ctx: RouteContext, bookingId: string, reason: string | undefined, key: string | undefined): Promise<Reply | void> {
  const { db, config } = ctx.deps;
  const companyId = ctx.companyId();
  const row = await findBookingRow(db, companyId, bookingId);
  if (!row) throw notFound('Booking', bookingId);
  assertMayCancel(ctx, row);
  const client = temporalOf(ctx.deps);
  const { answer, replayed } = await answerOnce(
    keyed(ctx, `POST /v1/bookings/${bookingId}/cancel`, key, () => bookingId),
    async () => {
      if (!CANCELLABLE.includes(row.status)) {
        return final(stateProblem(`a ${row.status} booking cannot be cancelled`));
      }
      const waited = await startAndAwait(client, {
        workflowType: CANCEL_WORKFLOW,
        workflowId: cancelWorkflowId(bookingId),
        taskQueue: config.temporalTaskQueue,
        args: [{ bookingId, reason: reason ?? null }],
        update: awaitCancelRecordedUpdate,
        waitMs: config.bookingWaitMs,
        reusePolicy: 'ALLOW_DUPLICATE',
      });
      if (waited.kind === 'pending') return { answer: await currentBooking(db, companyId, bookingId, 202), final: false };
      const outcome = waited.value;
      if (outcome.kind === 'cancelled') return final(await currentBooking(db, companyId, bookingId, 200));
      return final(outcome.kind === 'invalid_state' ? invalidState(outcome) : notFoundAnswer(outcome));
    },
    surelyNotStarted,
  );
  return sendAnswer(ctx, answer, replayed);
}

export async function markNoShow(ctx: RouteContext, bookingId: string, key: string | undefined): Promise<Reply | void> {
  const { db } = ctx.deps;
  const companyId = ctx.companyId();
  const row = await findBookingRow(db, companyId, bookingId);
  if (!row) throw notFound('Booking', bookingId);
  const { answer, replayed } = await answerOnce(
    keyed(ctx, `POST /v1/bookings/${bookingId}/no-show`, key, () => bookingId),
    async () => {
      if (row.status === 'no_show') return final(await currentBooking(db, companyId, bookingId, 200));
      if (row.status !== 'confirmed') return final(stateProblem(`a ${row.status} booking cannot be marked as no-show`));
      if (ctx.now().getTime() < row.startAt.getTime()) return final(stateProblem('a booking can be marked as no-show only after its start'));
      await db.$transaction(async (tx) => {
        const { count } = await tx.booking.updateMany({ where: { id: bookingId, status: 'confirmed' }, data: { status: 'no_show' } });
        if (count === 0) throw new ApiError('invalid_state', 'the booking changed concurrently, try again');
        await tx.bookingHistory.create({ data: { id: newId('his'), bookingId, event: 'no_show', detail: {}, dedupeKey: `no-show:${bookingId}` } });
      });
      await tellLifecycle(ctx, bookingId, 'no_show');
      return final(await currentBooking(db, companyId, bookingId, 200));
    },
    () => false,
  );
  return sendAnswer(ctx, answer, replayed);
}

/**
 * Front-desk checkout: confirmed → completed, only after the start; completing a completed
 * booking answers it again. The lifecycle (which would complete it at end + grace) is told, so
 * it ends now instead of at its timer; without that signal it finds the booking completed then.
 */
export async function completeBooking(ctx: RouteContext, bookingId: string, key: string | undefined): Promise<Reply | void> {
  const { db } = ctx.deps;
  const companyId = ctx.companyId();
  const row = await findBookingRow(db, companyId, bookingId);
  if (!row) throw notFound('Booking', bookingId);
  const { answer, replayed } = await answerOnce(
    keyed(ctx, `POST /v1/bookings/${bookingId}/complete`, key, () => bookingId),
    async () => {
      if (row.status === 'completed') return final(await currentBooking(db, companyId, bookingId, 200));
      if (row.status !== 'confirmed') return final(stateProblem(`a ${row.status} booking cannot be completed`));
      if (ctx.now().getTime() < row.startAt.getTime()) return final(stateProblem('a booking can be completed only after its start'));
      await db.$transaction(async (tx) => {
        const { count } = await tx.booking.updateMany({ where: { id: bookingId, status: 'confirmed' }, data: { status: 'completed' } });
        if (count === 0) throw new ApiError('invalid_state', 'the booking changed concurrently, try again');
        await tx.bookingHistory.create({ data: { id: newId('his'), bookingId, event: 'completed', detail: { by: 'front_desk' }, dedupeKey: `complete:${bookingId}` } });
      });
      await tellLifecycle(ctx, bookingId, 'completed');
      return final(await currentBooking(db, companyId, bookingId, 200));
    },
    () => false,
  );
  return sendAnswer(ctx, answer, replayed);
}

/** Best effort: the lifecycle re-reads the booking at its next timer anyway (booking-lifecycle.contract.ts). */
async function tellLifecycle(ctx: RouteContext, bookingId: string, reason: string): Promise<void> {
  await ctx.deps.temporal?.workflow
    .getHandle(lifecycleWorkflowId(bookingId))
    .signal(bookingChangedSignal, { reason })
    .catch(() => undefined);
}

export function keyed(ctx: RouteContext, scope: string, key: string | undefined, newResourceId: () => string) {
  return { db: ctx.deps.db, companyId: ctx.companyId(), scope, key, body: ctx.req.body ?? null, newResourceId, now: ctx.now() };
}

export const final = (answer: StoredAnswer): WorkAnswer => ({ answer, final: true });

export const stateProblem = (detail: string) => problemAnswer(makeProblem('invalid_state', detail));

export async function currentBooking(db: Db, companyId: string, bookingId: string, status: number): Promise<StoredAnswer> {
  const row = await findBookingRow(db, companyId, bookingId);
  if (!row) throw notFound('Booking', bookingId);
  return { status, body: renderBooking(row) };
}
