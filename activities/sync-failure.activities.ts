/**
 * Support retries of calendar sync failures. A failure is `open` → `retrying` (while a
 * `sync-retry-<failureId>-<attempt>` workflow runs) → `resolved`, or back to `open` with
 * attempts + 1 and the new error. Transitions are conditional updates, so a retried activity
 * never counts an attempt twice.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { Db } from '../infra/db/prisma';
import { isExclusionViolation } from '../infra/db/errors';
import type { BeginSyncRetryResult, SyncOperation } from './booking-activity.types';
import { addHistory, snapshotOf } from './booking-records';

export function createSyncFailureActivities({ db }: { db: Db }) {
  return {
    async beginSyncRetry({ failureId }: { failureId: string }): Promise<BeginSyncRetryResult> {
      const f = await db.syncFailure.findUnique({ where: { id: failureId } });
      if (!f) return { kind: 'not_found', entity: 'sync_failure', id: failureId };
      if (f.status === 'resolved') return { kind: 'not_retryable', failureId, status: f.status };
      const booking = await db.booking.findUnique({ where: { id: f.bookingId } });
      if (!booking) return { kind: 'not_found', entity: 'booking', id: f.bookingId };
      await db.syncFailure.updateMany({ where: { id: failureId, status: 'open' }, data: { status: 'retrying' } });
      return {
        kind: 'ok',
        failure: {
          id: f.id,
          bookingId: f.bookingId,
          operation: f.operation as SyncOperation,
          attempts: f.attempts,
          payload: (f.payload ?? {}) as { start?: string; staffId?: string | null; reason?: string | null },
          booking: snapshotOf(booking),
        },
      };
    },

    async resolveSyncFailure({ failureId }: { failureId: string }): Promise<void> {
      await db.syncFailure.updateMany({ where: { id: failureId, status: { not: 'resolved' } }, data: { status: 'resolved' } });
    },

    async reopenSyncFailure({ failureId, error }: { failureId: string; error: string }): Promise<void> {
      await db.syncFailure.updateMany({
        where: { id: failureId, status: 'retrying' },
        data: { status: 'open', error, attempts: { increment: 1 } },
      });
    },

    /** A failed booking takes its original slot again (as `pending`) if nobody else holds it. */
    async reholdFailedBooking({ bookingId, dedupeKey }: { bookingId: string; dedupeKey: string }) {
      try {
        const { count } = await db.booking.updateMany({
          where: { id: bookingId, status: 'failed' },
          data: { status: 'pending', failureReason: null, calendarStatus: 'pending', calendarExternalId: null },
        });
        if (count > 0) await addHistory(db, { bookingId, event: 'held', detail: { retry: true }, dedupeKey });
      } catch (error) {
        if (isExclusionViolation(error)) return { kind: 'conflict' as const, error: 'the original slot is no longer free' };
        throw error;
      }
      const b = await db.booking.findUnique({ where: { id: bookingId }, select: { status: true } });
      if (b?.status === 'pending' || b?.status === 'confirmed') return { kind: 'held' as const, status: b.status };
      throw ApplicationFailure.nonRetryable(`booking ${bookingId} is ${b?.status ?? 'missing'}`, 'InvalidState');
    },
  };
}

export type SyncFailureActivities = ReturnType<typeof createSyncFailureActivities>;
