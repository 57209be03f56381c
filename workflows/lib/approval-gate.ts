/**
 * The booking saga's approval gate (patch `approval-gate`, API.md "Catalog depth"): between the
 * hold and the calendar step of a service that requires approval.
 *
 * Why inside the saga (and not a separate `approval-<id>` workflow): the saga already owns the
 * hold's undo and the calendar → confirm → notify → lifecycle path with its compensation; after
 * an approval that path runs unchanged (for one slot or, later, for every part of a package),
 * so nothing is duplicated and the booking keeps one workflow (`booking-<id>`) the API talks to.
 *
 * Invariants
 * - The row is `awaiting_approval` (live for the exclusion constraints, no calendar) from the
 *   outcome `awaiting_approval` until exactly one decision: approve (→ `pending`, the saga goes
 *   on), decline by a manager or by the durable timer at `deadline` (→ `declined`, slot free).
 * - The first decision wins: the update validators refuse every other (the API answers 409).
 * - A row that moved on meanwhile (e.g. cancelled) ends the gate without a decision of ours.
 * - Since patch `approval-withdrawn`: a cancellation while awaiting approval (the cancel workflow's
 *   first activity cancels the row, slot free, and signals `approvalWithdrawn`; that workflow then
 *   tells waiting lists and the customer) ends the wait at once: no decision is taken, the timer's decline never runs, approve / decline are refused, and
 *   nothing is written (the row is the cancellation's; the calendar was never written). Older runs
 *   ignore the signal and find the row cancelled when their timer fires.
 * Time: only a duration (deadline − workflow now) enters the timer; zones stay in the planner.
 * Idempotent: every step keys on `<workflowId>:<step>`.
 */
import { condition, patched, proxyActivities, proxyLocalActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import {
  approvalWithdrawnSignal,
  approveBookingUpdate,
  declineBookingUpdate,
  type ApprovalAnswer,
  type BookAppointmentResult,
  type HeldSlot,
} from '../book-appointment.contract';
import { DB_ACTIVITY, LOCAL_DB_ACTIVITY } from './activity-options';
import { announceSlotFreed, notifyCustomer } from './side-effects';

const db = proxyActivities<Activities>(DB_ACTIVITY);
const localDb = proxyLocalActivities<Activities>(LOCAL_DB_ACTIVITY);

type Decision = { kind: 'approve' } | { kind: 'decline'; by: 'manager' | 'timeout'; reason: string | null };

export interface GateContext {
  bookingId: string;
  plan: HeldSlot & { approval: { deadline: string } };
  key: (step: string) => string;
  /** Records the saga's outcome (answers the API's awaitOutcome update). */
  settle: (result: BookAppointmentResult, status: string, summary: string) => BookAppointmentResult;
  /** The saga's latest outcome: the approve update answers the first one after the approval. */
  outcome: () => BookAppointmentResult | undefined;
}

/** `approved`: the saga continues (calendar, confirm); `closed`: the booking's outcome is settled. */
export async function approvalGate(ctx: GateContext): Promise<'approved' | 'closed'> {
  const { bookingId, plan, key } = ctx;
  let phase: 'marking' | 'awaiting' | 'decided' = 'marking';
  let decision: Decision | undefined;
  let awaiting: BookAppointmentResult | undefined;
  let declined: BookAppointmentResult | undefined;
  let withdrawn = false;
  const refuse = () => {
    if (phase !== 'awaiting' || decision || withdrawn) throw new Error(`booking ${bookingId} is not awaiting approval`);
  };
  // Only approval plans reach this check; older histories (no marker) keep ignoring the signal.
  if (patched('approval-withdrawn')) setHandler(approvalWithdrawnSignal, () => void (withdrawn = true));
  setHandler(
    approveBookingUpdate,
    async (): Promise<ApprovalAnswer> => {
      decision = { kind: 'approve' };
      await condition(() => ctx.outcome() !== awaiting);
      return ctx.outcome() as BookAppointmentResult;
    },
    { validator: refuse },
  );
  setHandler(
    declineBookingUpdate,
    async ({ reason }: { reason?: string | null }): Promise<ApprovalAnswer> => {
      decision = { kind: 'decline', by: 'manager', reason: reason ?? null };
      await condition(() => declined !== undefined);
      return declined as BookAppointmentResult;
    },
    { validator: (_request: { reason?: string | null }) => refuse() },
  );

  const marked = await localDb.markAwaitingApproval({ bookingId, deadline: plan.approval.deadline, dedupeKey: key('awaiting-approval') });
  if (marked.status !== 'awaiting_approval') {
    // The hold left the saga's hands before the gate (e.g. released): nothing to decide.
    phase = 'decided';
    ctx.settle({ kind: 'not_found', entity: 'booking', id: bookingId }, 'failed', `not awaiting approval (${marked.status})`);
    return 'closed';
  }
  const slot = { bookingId, staffId: plan.staffId, resourceId: plan.resourceId, start: plan.start, end: plan.end, externalId: null };
  awaiting = ctx.settle({ kind: 'awaiting_approval', deadline: plan.approval.deadline, ...slot }, 'awaiting_approval', `awaiting approval until ${plan.approval.deadline}`);
  phase = 'awaiting';
  await notifyCustomer({ bookingId, kind: 'booking_awaiting_approval', dedupeKey: key('notify-awaiting-approval') });

  const waitMs = Date.parse(plan.approval.deadline) - Date.now();
  const decided = waitMs > 0 && (await condition(() => decision !== undefined || withdrawn, waitMs));
  phase = 'decided';
  if (withdrawn && !decision) {
    const message = 'a cancelled booking cannot be approved or declined';
    declined = ctx.settle({ kind: 'invalid_state', bookingId, status: 'cancelled', message }, 'cancelled', 'cancelled while awaiting approval');
    return 'closed';
  }
  const final: Decision = decided && decision ? decision : { kind: 'decline', by: 'timeout', reason: null };

  if (final.kind === 'approve') {
    const approved = await db.approveAwaiting({ bookingId, dedupeKey: key('approve') });
    if (approved.status === 'pending') return 'approved';
    ctx.settle({ kind: 'invalid_state', bookingId, status: approved.status, message: `a ${approved.status} booking cannot be approved` }, approved.status, 'approval overtaken');
    return 'closed';
  }
  const result = await db.declineAwaiting({ bookingId, reason: final.reason, by: final.by, dedupeKey: key('decline') });
  if (result.status !== 'declined') {
    const message = `a ${result.status} booking cannot be declined`;
    declined = ctx.settle({ kind: 'invalid_state', bookingId, status: result.status, message }, result.status, 'decline overtaken');
    return 'closed';
  }
  declined = ctx.settle({ kind: 'declined', bookingId, by: final.by, reason: final.reason }, 'declined', `declined (${final.by})`);
  if (result.changed) {
    await notifyCustomer({ bookingId, kind: 'booking_declined', dedupeKey: key('notify-declined'), ...(final.reason ? { reason: final.reason } : {}) });
    await announceSlotFreed({ branchId: result.branchId, bookingId, staffId: result.staffId, start: result.start, end: result.end, reason: 'declined' });
  }
  return 'closed';
}
