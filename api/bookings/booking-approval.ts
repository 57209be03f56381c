/**
 * Approve / decline a booking that awaits approval (API.md "Catalog depth", manager only): the
 * booking saga waits in its approval gate (workflows/lib/approval-gate.ts) and the decision is an
 * update on `booking-<id>`, answered when it took effect:
 * - approve → 200 `confirmed` (calendar synced when linked, customer notified, lifecycle started),
 *   502 calendar_sync_failed when the calendar refused (hold released, booking failed);
 * - decline `{reason?}` → 200 `declined` (slot free, customer notified, waiting lists woken);
 * - any other state (or a decision that lost a race) → 409 invalid_state;
 * - 202 with the current booking when the saga needs longer than BOOKING_WAIT_MS.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import {
  approveBookingUpdate,
  bookingWorkflowId,
  declineBookingUpdate,
  type ApprovalAnswer,
} from '../../workflows/book-appointment.contract';
import { notFound } from '../error-handler';
import type { Reply, RouteContext } from '../route-kit';
import { currentBooking, final, keyed, stateProblem } from './booking-actions';
import { calendarSyncFailed, invalidState, notFoundAnswer, sendAnswer, temporalOf } from './booking-answers';
import { findBookingRow } from './booking.view';
import { answerOnce, type StoredAnswer } from './idempotency';

export type ApprovalDecision = { kind: 'approve' } | { kind: 'decline'; reason?: string };

const TIMED_OUT = Symbol('timed out');

export async function decideBooking(ctx: RouteContext, bookingId: string, decision: ApprovalDecision, key: string | undefined): Promise<Reply | void> {
  const { db, config } = ctx.deps;
  const companyId = ctx.companyId();
  const row = await findBookingRow(db, companyId, bookingId);
  if (!row) throw notFound('Booking', bookingId);
  const verb = decision.kind === 'approve' ? 'approved' : 'declined';
  const { answer, replayed } = await answerOnce(
    keyed(ctx, `POST /v1/bookings/${bookingId}/${decision.kind}`, key, () => bookingId),
    async () => {
      if (row.status !== 'awaiting_approval') return final(stateProblem(`a ${row.status} booking cannot be ${verb}`));
      const handle = temporalOf(ctx.deps).workflow.getHandle(row.workflowId ?? bookingWorkflowId(bookingId));
      const update =
        decision.kind === 'approve'
          ? handle.executeUpdate(approveBookingUpdate)
          : handle.executeUpdate(declineBookingUpdate, { args: [{ reason: decision.reason ?? null }] });
      let timer: NodeJS.Timeout | undefined;
      const budget = new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(() => resolve(TIMED_OUT), config.bookingWaitMs)));
      let outcome: ApprovalAnswer | typeof TIMED_OUT;
      try {
        outcome = await Promise.race([update, budget]);
      } catch (error) {
        // Refused by the gate's validator, or the saga ended meanwhile: the row tells which state won.
        const now = await findBookingRow(db, companyId, bookingId);
        if (now && now.status !== 'awaiting_approval') return final(stateProblem(`a ${now.status} booking cannot be ${verb}`));
        if (error instanceof WorkflowUpdateFailedError) return final(stateProblem(`the booking cannot be ${verb} now`));
        throw error;
      } finally {
        clearTimeout(timer);
      }
      // Not stored: a repeat finds the decision taken (or still running) and answers the row.
      if (outcome === TIMED_OUT) {
        update.catch(() => undefined);
        return { answer: await currentBooking(db, companyId, bookingId, 202), final: false };
      }
      return final(await answerOf(ctx, bookingId, outcome));
    },
    () => false,
  );
  return sendAnswer(ctx, answer, replayed);
}

async function answerOf(ctx: RouteContext, bookingId: string, outcome: ApprovalAnswer): Promise<StoredAnswer> {
  const { db } = ctx.deps;
  switch (outcome.kind) {
    case 'confirmed':
    case 'declined':
      return currentBooking(db, ctx.companyId(), bookingId, 200);
    case 'calendar_failed':
      return calendarSyncFailed(outcome.bookingId);
    case 'invalid_state':
      return invalidState(outcome);
    case 'not_found':
      return notFoundAnswer(outcome);
    default:
      return stateProblem(`the booking is ${outcome.kind}`);
  }
}
