/**
 * The self-service reschedule limit as a guarded count (API.md "The booking after confirmation":
 * maxReschedules binds the customer's own moves). The reschedule saga claims one move before it
 * holds the new slot:
 *
 *   UPDATE bookings SET rescheduled_count = rescheduled_count + 1
 *    WHERE id = $1 AND rescheduled_count < $max RETURNING rescheduled_count
 *
 * PostgreSQL re-checks the WHERE of a waiting UPDATE against the row its competitor committed, so
 * of two concurrent claims at the limit exactly one counts; the other is refused (max_reschedules)
 * before anything is held or sent to Cal.com. Every claim is recorded (`reschedule_claims`, key:
 * workflow id + step) in the same transaction, which makes all three steps idempotent:
 * - claim: a retry finds its record and counts nothing again;
 * - release (the saga's undo): gives back the count only while its record exists, so it is a
 *   no-op when nothing was claimed or the move consumed the claim;
 * - the move (booking-change.activities.ts, `claimKey`) consumes the record instead of counting.
 */
import { maxReschedulesReason } from '../domain/booking/rules';
import type { Db } from '../infra/db/prisma';
import type { RuleViolationOutcome } from '../workflows/lib/outcomes';

export interface RescheduleClaimDeps {
  db: Db;
}

export type RescheduleClaimResult = { kind: 'claimed'; rescheduledCount: number } | RuleViolationOutcome;

export function createRescheduleClaimActivities({ db }: RescheduleClaimDeps) {
  return {
    async claimReschedule(input: { bookingId: string; maxReschedules: number; claimKey: string }): Promise<RescheduleClaimResult> {
      return db.$transaction(async (tx): Promise<RescheduleClaimResult> => {
        const held = await tx.rescheduleClaim.findUnique({ where: { id: input.claimKey }, select: { bookingId: true } });
        if (held) {
          const b = await tx.booking.findUniqueOrThrow({ where: { id: input.bookingId }, select: { rescheduledCount: true } });
          return { kind: 'claimed', rescheduledCount: b.rescheduledCount };
        }
        const counted = await tx.$queryRaw<Array<{ rescheduled_count: number }>>`
          UPDATE "bookings" SET "rescheduled_count" = "rescheduled_count" + 1, "updated_at" = now()
           WHERE "id" = ${input.bookingId} AND "rescheduled_count" < ${input.maxReschedules}
           RETURNING "rescheduled_count"`;
        if (counted.length === 0) {
          const b = await tx.booking.findUniqueOrThrow({ where: { id: input.bookingId }, select: { rescheduledCount: true } });
          const reason = maxReschedulesReason(b.rescheduledCount, input.maxReschedules);
          return { kind: 'rule_violation', violations: [{ rule: reason.code, message: reason.message }] };
        }
        await tx.rescheduleClaim.create({ data: { id: input.claimKey, bookingId: input.bookingId } });
        return { kind: 'claimed', rescheduledCount: counted[0].rescheduled_count };
      });
    },

    /** The saga's undo: gives the claimed move back (no-op without a claim, or once the move consumed it). */
    async releaseRescheduleClaim(input: { claimKey: string }): Promise<{ released: number }> {
      return db.$transaction(async (tx) => {
        const gone = await tx.$queryRaw<Array<{ booking_id: string }>>`
          DELETE FROM "reschedule_claims" WHERE "id" = ${input.claimKey} RETURNING "booking_id"`;
        if (gone.length === 0) return { released: 0 };
        await tx.$executeRaw`
          UPDATE "bookings" SET "rescheduled_count" = "rescheduled_count" - 1, "updated_at" = now()
           WHERE "id" = ${gone[0].booking_id} AND "rescheduled_count" > 0`;
        return { released: 1 };
      });
    },
  };
}

export type RescheduleClaimActivities = ReturnType<typeof createRescheduleClaimActivities>;
