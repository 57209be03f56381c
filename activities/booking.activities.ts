/**
 * Activities of the booking saga's local side: plan (rules engine), hold, release, confirm,
 * fail, sync-failure records, cache invalidation and the waiting-list monitor lookup.
 * Every one is idempotent: the hold is keyed by the pre-generated booking id, history rows and
 * sync failures by `<workflowId>:<step>` dedupe keys, and state changes are conditional updates
 * that are no-ops when the row already moved on.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { Db } from '../infra/db/prisma';
import type { BookAppointmentInput } from '../workflows/book-appointment.contract';
import type { BookingPlanner, HoldInput, HoldResult, PlanResult, SyncOperation } from './booking-activity.types';
import { addHistory, idFromKey } from './booking-records';
import { confirmPending } from './booking-sql';
import { newId } from '../infra/db/ids';
import { STALE_HOLD_MS } from '../infra/booking/stale-holds';
import { holdSlot, planRequestOf, releaseHeld, type ExistingHold } from '../infra/booking/slot-holds';

export interface BookingActivityDeps {
  db: Db;
  planner: BookingPlanner;
  cache: { invalidateBranch(branchId: string): Promise<void> };
  clock?: () => Date;
  /** Age after which a refusing `pending` hold counts as abandoned (booking-stale-holds.ts). */
  staleHoldMs?: number;
}

export { planRequestOf };

export function createBookingActivities({ db, planner, cache, clock = () => new Date(), staleHoldMs = STALE_HOLD_MS }: BookingActivityDeps) {
  return {
    async planBooking(input: BookAppointmentInput): Promise<PlanResult> {
      return planner.plan(planRequestOf(input));
    },

    /**
     * Inserts the booking as `pending` (one statement, booking-sql.ts); the exclusion constraint
     * refuses an overlapping one. The row is written first and read only when refused: a refusal by
     * this booking's own row (a retried step) answers the slot it holds.
     */
    async holdSlot({ bookingId, workflowId, booking, plan }: HoldInput): Promise<HoldResult> {
      const attempt = await holdSlot(
        { db, planner, clock, staleHoldMs, historyId: idFromKey('his', `${workflowId}:held`) },
        { bookingId, workflowId, booking, plan },
      );
      if (attempt.kind === 'existing') return heldOrFinal(bookingId, attempt.row);
      // The slot changed hands: visible to every API process before the saga answers anyone.
      if (attempt.kind === 'held') await cache.invalidateBranch(booking.branchId);
      return attempt.kind === 'held' ? { kind: 'held' } : attempt;
    },

    /** Frees the slot of a hold that did not become a booking; no-op unless still `pending`. */
    async releaseHold({ bookingId, reason, dedupeKey }: { bookingId: string; reason: string; dedupeKey: string }): Promise<{ released: boolean }> {
      const released = await releaseHeld(db, { bookingId, reason, dedupeKey });
      // Invalidated here, at the release, not after the saga's later side effects.
      if (released) await cache.invalidateBranch(released.branchId);
      return { released: released !== null };
    },

    /** `pending` → `confirmed` + history in one statement (booking-sql.ts); a repeat is a no-op. */
    async confirmBooking({ bookingId, externalId, dedupeKey }: { bookingId: string; externalId: string | null; dedupeKey: string }): Promise<void> {
      const { confirmed, statusBefore } = await confirmPending(db, { bookingId, externalId, dedupeKey, historyId: newId('his') });
      if (confirmed) return;
      // The saga compensates on both refusals (it cancels the Cal.com booking it just made).
      if (statusBefore === null) throw ApplicationFailure.nonRetryable(`booking ${bookingId} no longer exists`, 'NotFound');
      if (statusBefore !== 'confirmed') {
        throw ApplicationFailure.nonRetryable(`booking ${bookingId} cannot be confirmed from ${statusBefore}`, 'InvalidState');
      }
    },

    /**
     * `pending`/`failed` → `failed`. Answers the row's status afterwards: another state means the
     * booking left the saga's hands meanwhile (e.g. cancelled), null that the row is gone.
     */
    async markBookingFailed(input: { bookingId: string; reason: string; error: string; dedupeKey: string }): Promise<{ status: string | null }> {
      const freed = await db.booking.updateMany({
        where: { id: input.bookingId, status: 'pending' },
        data: { status: 'failed', failureReason: input.reason, calendarStatus: 'failed' },
      });
      await db.booking.updateMany({
        where: { id: input.bookingId, status: 'failed' },
        data: { failureReason: input.reason, calendarStatus: 'failed' },
      });
      const row = await db.booking.findUnique({ where: { id: input.bookingId }, select: { status: true, branchId: true } });
      if (!row) return { status: null };
      if (freed.count > 0) await cache.invalidateBranch(row.branchId);
      await addHistory(db, { bookingId: input.bookingId, event: 'failed', detail: { reason: input.reason, error: input.error }, dedupeKey: input.dedupeKey });
      return { status: row.status };
    },

    /** One open sync failure per dedupe key; a repeat (e.g. a re-run) reopens it with the new error. */
    async recordSyncFailure(input: {
      bookingId: string;
      operation: SyncOperation;
      error: string;
      payload: Record<string, unknown>;
      dedupeKey: string;
    }): Promise<{ failureId: string }> {
      const id = idFromKey('syf', input.dedupeKey);
      const booking = await db.booking.findUnique({ where: { id: input.bookingId }, select: { companyId: true } });
      if (!booking) throw ApplicationFailure.nonRetryable(`booking ${input.bookingId} not found`, 'NotFound');
      await db.syncFailure.upsert({
        where: { id },
        create: { id, companyId: booking.companyId, bookingId: input.bookingId, operation: input.operation, error: input.error, payload: input.payload as object },
        update: { error: input.error, status: 'open' },
      });
      return { failureId: id };
    },

    async invalidateAvailability({ branchId }: { branchId: string }): Promise<void> {
      await cache.invalidateBranch(branchId);
    },

    /**
     * Workflow ids of the open waiting-list monitors of a branch (they get `slotFreed`), oldest
     * entry first. With the freed range (UTC ISO), only entries whose dates could contain it
     * (± 1 day, so no zone is needed), so a cancellation does not wake every idle monitor.
     */
    async listWaitlistMonitors({ branchId, start, end }: { branchId: string; start?: string; end?: string }): Promise<string[]> {
      const day = (iso: string, shift: number) => new Date(Date.parse(iso) + shift * 86_400_000).toISOString().slice(0, 10);
      const rows = await db.waitingListEntry.findMany({
        where: {
          branchId,
          status: { in: ['waiting', 'notified'] },
          ...(start && end ? { toDate: { gte: day(start, -1) }, fromDate: { lte: day(end, 1) } } : {}),
        },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        select: { workflowId: true },
      });
      return rows.map((r) => r.workflowId);
    },
  };
}

/** A hold that already exists (a retried step) answers the slot it holds, which the saga keeps. */
function heldOrFinal(bookingId: string, row: ExistingHold): HoldResult {
  if (row.status === 'pending' || row.status === 'confirmed') return { kind: 'held', plan: row.plan };
  throw ApplicationFailure.nonRetryable(`booking ${bookingId} already exists as ${row.status}`, 'InvalidState');
}

export type BookingActivities = ReturnType<typeof createBookingActivities>;
