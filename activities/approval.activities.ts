/**
 * Activities of the approval gate (workflows/lib/approval-gate.ts, API.md "Catalog depth"):
 * `pending` → `awaiting_approval` after the hold, `awaiting_approval` → `pending` when a manager
 * approves (the saga then writes the calendar and confirms as for any booking), and
 * `awaiting_approval` → `declined` when a manager declines or the approval timer fires (the slot
 * is free at once: the row leaves the exclusion constraints' live statuses).
 * Every one is a conditional update plus a history row written once per dedupe key (the history
 * events `awaiting_approval`, `approved`, `declined` feed the outbound webhooks); a repeat, or a
 * row that moved on meanwhile (e.g. cancelled), changes nothing and answers the row's status.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { workerClient } from './lib/worker-client';
import { WorkflowNotFoundError } from '@temporalio/client';
import { Prisma, type Db } from '../infra/db/prisma';
import { approvalWithdrawnSignal, bookingWorkflowId } from '../workflows/book-appointment.contract';
import { idFromKey } from './booking-records';

const json = (value: unknown) => Prisma.sql`${JSON.stringify(value)}::jsonb`;

export interface ApprovalActivityDeps {
  db: Db;
  cache: { invalidateBranch(branchId: string): Promise<void> };
}

export type ApprovalDecider = 'manager' | 'timeout';

export interface ApprovalTransition {
  /** Whether this call (or an earlier attempt with the same dedupe key) made the change. */
  changed: boolean;
  /** The row's status afterwards. */
  status: string;
}

export interface DeclineResult extends ApprovalTransition {
  branchId: string;
  staffId: string;
  start: string;
  end: string;
}

export function createApprovalActivities({ db, cache }: ApprovalActivityDeps) {
  /** One statement: the conditional update and its history row (also on a repeat that finds the target state). */
  async function transition(input: { bookingId: string; from: string; to: string; event: string; detail: Record<string, unknown>; dedupeKey: string; failureReason?: string }) {
    const rows = await db.$queryRaw<Array<{ status: string; branch_id: string; staff_id: string; start_at: Date; end_at: Date; changed: boolean }>>`
      WITH moved AS (
        UPDATE bookings SET status = ${input.to}, failure_reason = COALESCE(${input.failureReason ?? null}::text, failure_reason), updated_at = now()
        WHERE id = ${input.bookingId} AND status = ${input.from}
        RETURNING id
      ), history AS (
        INSERT INTO booking_history (id, booking_id, event, detail, dedupe_key)
        SELECT ${idFromKey('his', input.dedupeKey)}, ${input.bookingId}, ${input.event}, ${json(input.detail)}, ${input.dedupeKey}
        WHERE EXISTS (SELECT 1 FROM moved)
        ON CONFLICT (dedupe_key) DO NOTHING
      )
      SELECT CASE WHEN EXISTS (SELECT 1 FROM moved) THEN ${input.to} ELSE b.status END AS status,
             b.branch_id, b.staff_id, b.start_at, b.end_at,
             EXISTS (SELECT 1 FROM moved) OR EXISTS (SELECT 1 FROM booking_history h WHERE h.dedupe_key = ${input.dedupeKey}) AS changed
      FROM bookings b WHERE b.id = ${input.bookingId}`;
    const row = rows[0];
    if (!row) throw ApplicationFailure.nonRetryable(`booking ${input.bookingId} not found`, 'NotFound');
    return row;
  }

  return {
    /** After the hold: `pending` → `awaiting_approval` (history `awaiting_approval` with the deadline). */
    async markAwaitingApproval(input: { bookingId: string; deadline: string; dedupeKey: string }): Promise<ApprovalTransition> {
      const row = await transition({ ...input, from: 'pending', to: 'awaiting_approval', event: 'awaiting_approval', detail: { deadline: input.deadline } });
      return { changed: row.changed, status: row.status };
    },

    /** A manager approved: `awaiting_approval` → `pending` (history `approved`); the saga syncs and confirms next. */
    async approveAwaiting(input: { bookingId: string; dedupeKey: string }): Promise<ApprovalTransition> {
      const row = await transition({ ...input, from: 'awaiting_approval', to: 'pending', event: 'approved', detail: { by: 'manager' } });
      return { changed: row.changed, status: row.status };
    },

    /** Declined by a manager or by the timer: the slot is free (cache invalidated here, before anyone is answered). */
    async declineAwaiting(input: { bookingId: string; reason: string | null; by: ApprovalDecider; dedupeKey: string }): Promise<DeclineResult> {
      const detail = { by: input.by, ...(input.reason ? { reason: input.reason } : {}) };
      // The reason is written with the status (one statement): no reader sees `declined` without it.
      const failureReason = input.by === 'timeout' ? 'approval_timeout' : 'declined';
      const row = await transition({ bookingId: input.bookingId, from: 'awaiting_approval', to: 'declined', event: 'declined', detail, dedupeKey: input.dedupeKey, failureReason });
      if (row.changed) await cache.invalidateBranch(row.branch_id);
      return { changed: row.changed, status: row.status, branchId: row.branch_id, staffId: row.staff_id, start: row.start_at.toISOString(), end: row.end_at.toISOString() };
    },
  };
}

/**
 * Ends the approval gate of a booking cancelled while it awaited approval (signal
 * `approvalWithdrawn` to its saga). Called by the cancellation after the row is `cancelled`; a
 * saga that already ended (decided, timed out) is fine; any other failure throws so the activity
 * retries (its repeat finds the row cancelled and signals again).
 */
export async function withdrawApproval(booking: { id: string; workflowId: string | null }): Promise<void> {
  const client = workerClient();
  if (!client) return;
  await client.workflow
    .getHandle(booking.workflowId ?? bookingWorkflowId(booking.id))
    .signal(approvalWithdrawnSignal, { bookingId: booking.id })
    .catch((error: unknown) => {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    });
}
