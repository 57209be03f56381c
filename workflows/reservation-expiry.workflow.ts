/**
 * A reservation's durable timer. Design (one workflow per reservation rather than one timer
 * service): a reservation lives at most 15 minutes, so each is a workflow of a few events (start,
 * timer, one activity, end) that Temporal keeps across worker restarts and deploys, fires within
 * about a second of `expiresAt` (the contract allows 5 s), and needs no polling loop, no leader
 * and no clock of ours. A shared sweeper would have to poll every few seconds to meet the bound.
 *
 * Flow: wait until `expiresAt` (or the `reservationReleased` signal) → expire the hold
 * (`pending` → `failed`, one conditional UPDATE: a reservation converted into a booking
 * meanwhile is not pending any more and stays as it is; the row lock makes conversion and expiry
 * exclusive) → invalidate the branch's availability cache → signal the branch's waiting lists.
 * A released reservation was already freed by the API (so its answer is read-your-writes); the
 * workflow only wakes the waiting lists then.
 *
 * Idempotent: the expiry is a conditional UPDATE; cache invalidation and signals are harmless
 * when repeated. No compensation: nothing here is undone.
 */
import { condition, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { DB_ACTIVITY } from './lib/activity-options';
import { announceSlotFreed, invalidateBranchCache } from './lib/side-effects';
import {
  reservationReleasedSignal,
  type ReservationExpiryInput,
  type ReservationExpiryResult,
  type ReservationReleasedEvent,
} from './reservation-expiry.contract';

const db = proxyActivities<Activities>(DB_ACTIVITY);

export async function reservationExpiryWorkflow(input: ReservationExpiryInput): Promise<ReservationExpiryResult> {
  let released: ReservationReleasedEvent | undefined;
  setHandler(reservationReleasedSignal, (event) => {
    released = event;
  });
  // Workflow time is deterministic (the start event's clock, then timers), so replay agrees.
  const remaining = Date.parse(input.expiresAt) - Date.now();
  if (remaining > 0) await condition(() => released !== undefined, remaining);

  if (released) {
    await announceSlotFreed({ branchId: input.branchId, bookingId: input.reservationId, ...released, reason: 'failed' });
    return { outcome: 'released' };
  }
  const expired = await db.expireReservation({ reservationId: input.reservationId, dedupeKey: `${workflowInfo().workflowId}:expired` });
  if (!expired) return { outcome: 'not_pending' };
  await invalidateBranchCache(input.branchId);
  await announceSlotFreed({ branchId: input.branchId, bookingId: input.reservationId, staffId: expired.staffId, start: expired.start, end: expired.end, reason: 'failed' });
  return { outcome: 'expired' };
}
