/**
 * Waiting lists at scale: who gets a freed slot, decided once, and when an idle monitor looks.
 *
 * `allocateFreedSlots` walks open entries oldest first (the fairness order of waitlist-policy.ts)
 * over the slots a freed booking made free, and gives each entry the slots' staff nobody older
 * claimed. It is incremental (`claims` carries over from one page of entries to the next) and
 * says when nothing is left to claim, so the caller can stop reading entries: the work per freed
 * slot depends on the slot's capacity, not on how many entries wait.
 *
 * `checkDelayMs` spreads the periodic safety checks of idle monitors: the interval scaled by a
 * factor in [0.8, 1.2) derived from the entry id (FNV-1a, murmur3 finaliser), so monitors started together never
 * wake together, and every replay computes the same delay.
 */
import { compareEntryAge, slotTimeMatches, type FreeSlot, type OpenWaitlistEntry, type WaitlistOffer } from './waitlist-policy';
import { toEpochMs } from '../scheduling/local-time';

/** Staff still free per slot start (epoch ms), as entries claim them. */
export type SlotClaims = Map<number, { slot: FreeSlot; free: string[] }>;

export function openClaims(slots: FreeSlot[]): SlotClaims {
  const ordered = [...slots].sort((a, b) => toEpochMs(a.start) - toEpochMs(b.start));
  return new Map(ordered.map((slot) => [toEpochMs(slot.start), { slot, free: [...slot.staffIds] }]));
}

/** Whether every slot's staff is claimed (nothing more to hand out). */
export const exhausted = (claims: SlotClaims): boolean => [...claims.values()].every((c) => c.free.length === 0);

/**
 * Allocates for `entries` (any order; sorted oldest first here), mutating `claims`. An entry that
 * was already offered a slot has had its chance at it and claims nothing there (as in fairOffers).
 * Answers the entries that got at least one offer, oldest first, with their offers in time order.
 */
export function allocateFreedSlots(
  entries: OpenWaitlistEntry[],
  claims: SlotClaims,
  timezone: string,
): Array<{ entryId: string; offers: WaitlistOffer[] }> {
  const out: Array<{ entryId: string; offers: WaitlistOffer[] }> = [];
  for (const entry of [...entries].sort(compareEntryAge)) {
    const offers: WaitlistOffer[] = [];
    for (const [start, claim] of claims) {
      if (claim.free.length === 0 || !slotTimeMatches(entry, claim.slot, timezone)) continue;
      if (entry.offers.some((o) => toEpochMs(o.start) === start && claim.slot.staffIds.includes(o.staffId))) continue;
      const staffId = entry.staffId ? claim.free.find((s) => s === entry.staffId) : claim.free[0];
      if (staffId === undefined) continue;
      claim.free.splice(claim.free.indexOf(staffId), 1);
      offers.push({ start: claim.slot.start, end: claim.slot.end, staffId });
    }
    if (offers.length > 0) out.push({ entryId: entry.id, offers });
  }
  return out;
}

/** Delay of an idle monitor's next safety check: `intervalMs` × [0.8, 1.2) from the entry id. */
export function checkDelayMs(entryId: string, intervalMs: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < entryId.length; i++) {
    hash ^= entryId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  // murmur3's finaliser: ids differing in their last characters land far apart.
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash = (hash ^ (hash >>> 16)) >>> 0;
  return Math.max(1, Math.round(intervalMs * (0.8 + (0.4 * hash) / 0x1_0000_0000)));
}
