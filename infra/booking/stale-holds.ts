/**
 * Lazy expiry of abandoned holds. The exclusion constraint's predicate cannot say "not expired"
 * (it must be immutable, NOTES-reliability §1.1), so a `pending` row whose saga will never finish
 * (terminated by an operator, which skips compensation) would block its slot for ever. When the
 * constraint refuses a new hold, the refusing rows that are older than `STALE_HOLD_MS` are
 * expired and the insert is tried once more:
 * - a booking hold becomes `failed` (`hold_expired`, history entry);
 * - a reschedule placeholder (`source = 'hold'`) is deleted.
 * A saga that was only slow, not dead, stays correct: its confirm is then refused and it
 * compensates (cancels the Cal.com booking it made); its move finds the slot taken and moves the
 * calendar back. 30 minutes is ~15x the longest normal saga (5 calendar attempts of ≤ 20 s).
 */
import type { Db } from '../db/prisma';
import { newId } from '../db/ids';
import type { SlotPlan } from './slot-plan.types';

export const STALE_HOLD_MS = 30 * 60_000;
const PLACEHOLDER_SOURCE = 'hold';

/**
 * Expires the stale holds overlapping `plan`'s blocked range (each part's, for a package); answers
 * how many it freed. A stale package part expires its whole package (the parts follow its status).
 */
export async function expireStaleHolds(db: Db, plan: SlotPlan, now: Date, staleMs = STALE_HOLD_MS): Promise<number> {
  let freed = 0;
  for (const range of plan.parts ?? [plan]) freed += await expireStaleOverlapping(db, range, now, staleMs);
  return freed;
}

async function expireStaleOverlapping(
  db: Db, plan: Pick<SlotPlan, 'staffId' | 'resourceId' | 'blockedStart' | 'blockedEnd'>, now: Date, staleMs: number,
): Promise<number> {
  const overlapping = {
    status: 'pending',
    createdAt: { lt: new Date(now.getTime() - staleMs) },
    blockedStart: { lt: new Date(plan.blockedEnd) },
    blockedEnd: { gt: new Date(plan.blockedStart) },
    OR: [{ staffId: plan.staffId }, ...(plan.resourceId ? [{ resourceId: plan.resourceId }] : [])],
  };
  const { count: placeholders } = await db.booking.deleteMany({ where: { ...overlapping, source: PLACEHOLDER_SOURCE } });
  const stale = await db.booking.findMany({ where: { ...overlapping, source: { not: PLACEHOLDER_SOURCE } }, select: { id: true, packageBookingId: true } });
  let expired = 0;
  for (const id of new Set(stale.map((r) => r.packageBookingId ?? r.id))) {
    const { count } = await db.booking.updateMany({ where: { id, status: 'pending' }, data: { status: 'failed', failureReason: 'hold_expired', calendarStatus: 'failed' } });
    if (count === 0) continue;
    expired += 1;
    await db.bookingHistory.createMany({
      data: [{ id: newId('his'), bookingId: id, event: 'hold_expired', detail: { staleMinutes: staleMs / 60_000 }, dedupeKey: `${id}:hold-expired` }],
      skipDuplicates: true,
    });
  }
  return placeholders + expired;
}
