/**
 * Hold sweeper (contract in hold-sweeper.contract.ts), run by the `hold-sweeper` Schedule:
 * (a) stale holds: list `pending` rows unchanged past the stale bound → describe their owning
 *     workflows → expire those whose owners are all closed or unknown (a running owner will
 *     finish or compensate itself) → invalidate the availability cache of each touched branch →
 *     tell the branch's waiting-list monitors about each freed booking slot;
 * (b) calendar orphans (after (a), so holds it just expired count): list live Cal.com bookings
 *     carrying our booking id whose booking is failed, cancelled or gone → describe their owners
 *     (saga, cancellation, support retry) → cancel those no running workflow owns.
 * The activities act only on rows still exactly as listed, so the sweep is safe to run at any
 * time and twice; a run that fails is simply repeated by the next scheduled one.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { SweeperActivities } from '../activities/sweeper.activities';
import {
  HOLD_SWEEPER_DEFAULTS,
  type CalendarOrphan,
  type HoldSweeperInput,
  type HoldSweeperResult,
  type StaleHold,
  type WorkflowState,
} from './hold-sweeper.contract';
import { announceSlotFreed, invalidateBranchCache } from './lib/side-effects';

const sweeper = proxyActivities<SweeperActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '20 seconds', maximumAttempts: 4 },
});

export async function holdSweeperWorkflow(input: HoldSweeperInput = {}): Promise<HoldSweeperResult> {
  const options = { ...HOLD_SWEEPER_DEFAULTS, ...input };
  const scope = input.companyId ? { companyId: input.companyId } : {};

  const holds = await sweeper.listStaleHolds({ staleAfterMinutes: options.staleAfterMinutes, limit: options.limit, ...scope });
  const holdOwners = await describe(holds.flatMap((h) => h.owners));
  const [abandoned, live] = partition(holds, (h) => !ownedByRunning(h.owners, holdOwners));
  const { expired } = abandoned.length > 0 ? await sweeper.expireStaleHolds({ holds: abandoned }) : { expired: [] as string[] };
  const freed = abandoned.filter((h) => expired.includes(h.bookingId));
  for (const branchId of new Set(freed.map((h) => h.branchId))) await invalidateBranchCache(branchId);
  for (const h of freed.filter((f) => f.kind === 'booking')) {
    await announceSlotFreed({ branchId: h.branchId, bookingId: h.bookingId, staffId: h.staffId, start: h.start, end: h.end, reason: 'failed' });
  }

  const candidates = await sweeper.listCalendarOrphans({
    pastDays: options.pastDays,
    futureDays: options.futureDays,
    orphanMinAgeMinutes: options.orphanMinAgeMinutes,
    limit: options.limit,
    ...scope,
  });
  const orphanOwners = await describe(candidates.flatMap((o) => o.owners));
  const [orphans, owned] = partition(candidates, (o) => !ownedByRunning(o.owners, orphanOwners));
  const outcomes = orphans.length > 0 ? await sweeper.cancelCalendarOrphans({ orphans }) : [];

  return {
    expired,
    skippedLive: live.map((h) => h.bookingId),
    cancelledOrphans: outcomes.filter((o) => o.cancelled).map(({ uid, bookingId }) => ({ uid, bookingId })),
    skippedOrphans: [
      ...owned.map((o) => ({ uid: o.uid, bookingId: o.bookingId, reason: 'owner running' })),
      ...outcomes.filter((o) => !o.cancelled).map(({ uid, bookingId, reason }) => ({ uid, bookingId, reason: reason ?? 'unknown' })),
    ],
  };
}

async function describe(workflowIds: string[]): Promise<Record<string, WorkflowState>> {
  const ids = [...new Set(workflowIds)];
  return ids.length > 0 ? sweeper.describeWorkflows({ workflowIds: ids }) : {};
}

/** Unknown states count as running: the sweeper never acts on what it could not check. */
function ownedByRunning(owners: string[], states: Record<string, WorkflowState>): boolean {
  return owners.some((id) => (states[id] ?? 'running') === 'running');
}

function partition<T extends StaleHold | CalendarOrphan>(items: T[], keep: (item: T) => boolean): [T[], T[]] {
  return [items.filter(keep), items.filter((item) => !keep(item))];
}
