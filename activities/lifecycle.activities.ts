/**
 * Database steps of the booking lifecycle (workflows/booking-lifecycle.workflow.ts): read the
 * booking's schedule, complete it when its time is up. The schedule itself is the pure domain's
 * (domain/notifications/lifecycle-schedule.ts), from the branch's `notifications` and
 * `completionGraceMinutes`.
 */
import { workerClient } from './lib/worker-client';
import {
  COMPLETION_GRACE_DEFAULT_MINUTES,
  lifecycleSchedule,
  notificationSettingsOf,
} from '../domain/notifications/lifecycle-schedule';
import type { Db } from '../infra/db/prisma';
import {
  bookingChangedSignal,
  lifecycleWorkflowId,
  type BookingChangedEvent,
  type CompleteOnScheduleResult,
  type LifecyclePlan,
} from '../workflows/booking-lifecycle.contract';
import { addHistory } from './booking-records';

export interface LifecycleDeps {
  db: Db;
}

interface PlanRow {
  status: string;
  startAt: Date;
  endAt: Date;
  createdAt: Date;
  movedAt: Date | null;
  rules: { completionGraceMinutes?: number } | null;
  notifications: unknown;
}

export function createLifecycleActivities({ db }: LifecycleDeps) {
  return {
    async loadLifecyclePlan({ bookingId }: { bookingId: string }): Promise<LifecyclePlan> {
      const [row] = await db.$queryRaw<PlanRow[]>`
        SELECT b.status, b.start_at AS "startAt", b.end_at AS "endAt", b.created_at AS "createdAt", br.rules, br.notifications,
               (SELECT max(h.at) FROM booking_history h WHERE h.booking_id = b.id AND h.event LIKE 'rescheduled%') AS "movedAt"
        FROM bookings b JOIN branches br ON br.id = b.branch_id
        WHERE b.id = ${bookingId}`;
      if (!row) return { kind: 'ended', status: 'deleted' };
      if (row.status !== 'confirmed') return { kind: 'ended', status: row.status };
      const start = row.startAt.toISOString();
      const end = row.endAt.toISOString();
      const schedule = lifecycleSchedule({
        start,
        end,
        reminders: notificationSettingsOf(row.notifications).reminders,
        completionGraceMinutes: row.rules?.completionGraceMinutes ?? COMPLETION_GRACE_DEFAULT_MINUTES,
      });
      return { kind: 'confirmed', start, end, startSince: (row.movedAt ?? row.createdAt).toISOString(), schedule };
    },

    /** Confirmed and still ending at `end` → completed (history `completed`), once per dedupe key. */
    async completeBookingOnSchedule(input: { bookingId: string; end: string; dedupeKey: string }): Promise<CompleteOnScheduleResult> {
      return db.$transaction(async (tx): Promise<CompleteOnScheduleResult> => {
        const { count } = await tx.booking.updateMany({
          where: { id: input.bookingId, status: 'confirmed', endAt: new Date(input.end) },
          data: { status: 'completed' },
        });
        if (count === 1) {
          await addHistory(tx, { bookingId: input.bookingId, event: 'completed', detail: { by: 'lifecycle' }, dedupeKey: input.dedupeKey });
          return { kind: 'completed' };
        }
        const b = await tx.booking.findUnique({ where: { id: input.bookingId }, select: { status: true } });
        if (!b) return { kind: 'ended', status: 'deleted' };
        if (b.status === 'confirmed') return { kind: 'moved' };
        return { kind: 'ended', status: b.status };
      });
    },
  };
}

/**
 * Tells the booking's lifecycle that the booking changed, from inside an activity (the worker's
 * client). Best effort by design: a lifecycle that is gone (or never started, for bookings older
 * than it) is no error, and without the signal the lifecycle still re-reads the booking when its
 * next timer fires, so nothing stale is ever sent; only an earlier reminder could come late.
 */
export async function nudgeLifecycle(bookingId: string, event: BookingChangedEvent): Promise<void> {
  const client = workerClient();
  if (!client) return;
  await client.workflow
    .getHandle(lifecycleWorkflowId(bookingId))
    .signal(bookingChangedSignal, event)
    .catch(() => undefined);
}

export type LifecycleActivities = ReturnType<typeof createLifecycleActivities>;
