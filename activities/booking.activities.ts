/**
 * Activities of the booking saga's local side: plan (rules engine), hold, release, confirm,
 * fail, sync-failure records, cache invalidation and the waiting-list monitor lookup.
 * Every one is idempotent: the hold is keyed by the pre-generated booking id, history rows and
 * sync failures by `<workflowId>:<step>` dedupe keys, and state changes are conditional updates
 * that are no-ops when the row already moved on.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { Db } from '../infra/db/prisma';
import { isExclusionViolation, isUniqueViolation } from '../infra/db/errors';
import type { BookAppointmentInput } from '../workflows/book-appointment.contract';
import type { BookingPlanner, HoldInput, HoldResult, PlanRequest, PlanResult, SlotPlan, SyncOperation } from './booking-activity.types';
import { addHistory, idFromKey } from './booking-records';
import { confirmPending, insertHold } from './booking-sql';
import { newId } from '../infra/db/ids';
import { expireStaleHolds, STALE_HOLD_MS } from './booking-stale-holds';

export interface BookingActivityDeps {
  db: Db;
  planner: BookingPlanner;
  cache: { invalidateBranch(branchId: string): Promise<void> };
  clock?: () => Date;
  /** Age after which a refusing `pending` hold counts as abandoned (booking-stale-holds.ts). */
  staleHoldMs?: number;
}

export function planRequestOf(input: BookAppointmentInput): PlanRequest {
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
    // saga's workflow task is retried (a local activity whose task was lost to a worker crash).
    excludeBookingId: input.bookingId,
  };
}

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
      const insert = () => insertHold(db, { bookingId, workflowId, booking, plan, historyId: idFromKey('his', `${workflowId}:held`) });
      const ownRow = () => db.booking.findUnique({ where: { id: bookingId }, select: HELD_SLOT });
      try {
        try {
          await insert();
        } catch (error) {
          if (!isExclusionViolation(error)) throw error;
          const own = await ownRow();
          if (own) return heldOrFinal(bookingId, own);
          // Refused: retry once if abandoned holds were in the way, else it is a real conflict.
          if ((await expireStaleHolds(db, plan, clock(), staleHoldMs)) === 0) throw error;
          await insert();
        }
        return { kind: 'held' };
      } catch (error) {
        if (isExclusionViolation(error)) {
          return { kind: 'conflict', alternatives: await planner.alternatives(planRequestOf(booking)) };
        }
        if (isUniqueViolation(error)) {
          // This booking's row exists already (an earlier or concurrent attempt of this step).
          const again = await ownRow();
          if (again) return heldOrFinal(bookingId, again);
        }
        throw error;
      }
    },

    /** Frees the slot of a hold that did not become a booking; no-op unless still `pending`. */
    async releaseHold({ bookingId, reason, dedupeKey }: { bookingId: string; reason: string; dedupeKey: string }): Promise<{ released: boolean }> {
      const { count } = await db.booking.updateMany({ where: { id: bookingId, status: 'pending' }, data: { status: 'failed', failureReason: reason } });
      if (count > 0) await addHistory(db, { bookingId, event: 'hold_released', detail: { reason }, dedupeKey });
      return { released: count > 0 };
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
      await db.booking.updateMany({
        where: { id: input.bookingId, status: { in: ['pending', 'failed'] } },
        data: { status: 'failed', failureReason: input.reason, calendarStatus: 'failed' },
      });
      const row = await db.booking.findUnique({ where: { id: input.bookingId }, select: { status: true } });
      if (!row) return { status: null };
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

const HELD_SLOT = { status: true, staffId: true, resourceId: true, startAt: true, endAt: true, blockedStart: true, blockedEnd: true, calendarStatus: true } as const;

/** A hold that already exists (a retried step) answers the slot it holds, which the saga keeps. */
function heldOrFinal(
  bookingId: string,
  row: { status: string; staffId: string; resourceId: string | null; startAt: Date; endAt: Date; blockedStart: Date; blockedEnd: Date; calendarStatus: string },
): HoldResult {
  if (row.status === 'pending' || row.status === 'confirmed') {
    const plan: SlotPlan = {
      staffId: row.staffId, resourceId: row.resourceId, start: row.startAt.toISOString(), end: row.endAt.toISOString(),
      blockedStart: row.blockedStart.toISOString(), blockedEnd: row.blockedEnd.toISOString(),
      ...(row.calendarStatus === 'not_linked' ? { calendar: 'not_linked' as const } : {}),
    };
    return { kind: 'held', plan };
  }
  throw ApplicationFailure.nonRetryable(`booking ${bookingId} already exists as ${row.status}`, 'InvalidState');
}

export type BookingActivities = ReturnType<typeof createBookingActivities>;
