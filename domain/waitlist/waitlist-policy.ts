/**
 * Waiting-list policy: which free slots match an entry, which offers are new, and who gets a slot
 * first when several entries want it.
 *
 * Fairness invariant: a free slot goes to open entries in age order (createdAt, then id). Walking
 * that order, each older entry that matches the slot and has not yet been offered it claims one
 * of the slot's free staff (its preferred one, else the first in the slot's stable order); a
 * younger entry only gets a staff member nobody older claimed. An older entry that was already
 * offered the slot (notify mode) has had its first chance and claims nothing. The result depends
 * only on the inputs, so every monitor computes the same allocation.
 *
 * Instants are UTC ISO strings (or with an offset); dates and HH:mm are in the branch zone.
 */
import { localDateOf, parseHm, toEpochMs, zoneOf } from '../scheduling/local-time';

export interface TimeWindow {
  start: string;
  end: string;
}

export interface WaitlistCriteria {
  id: string;
  createdAt: string;
  staffId?: string | null;
  fromDate: string;
  toDate: string;
  /** empty: any time of the open hours */
  timeWindows: TimeWindow[];
}

export interface OpenWaitlistEntry extends WaitlistCriteria {
  /** offers already sent to this entry's customer */
  offers: WaitlistOffer[];
}

export interface FreeSlot {
  start: string;
  end: string;
  /** free staff for this start, in the availability engine's stable order */
  staffIds: string[];
}

export interface WaitlistOffer {
  start: string;
  end: string;
  staffId: string;
}

export const MAX_OFFERS = 3;
const MINUTE = 60_000;
const DAY = 86_400_000;

/** Older first: createdAt, then id, so equal timestamps still give one order. */
export function compareEntryAge(a: Pick<WaitlistCriteria, 'id' | 'createdAt'>, b: Pick<WaitlistCriteria, 'id' | 'createdAt'>): number {
  const byTime = toEpochMs(a.createdAt) - toEpochMs(b.createdAt);
  return byTime !== 0 ? byTime : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Whether a slot's time fits the entry's dates and windows (staff is checked separately). */
export function slotTimeMatches(c: WaitlistCriteria, slot: FreeSlot, timezone: string): boolean {
  const zone = zoneOf(timezone);
  const start = toEpochMs(slot.start);
  const end = toEpochMs(slot.end);
  const date = localDateOf(start, zone);
  if (date < c.fromDate || date > c.toDate) return false;
  if (c.timeWindows.length === 0) return true;
  const startMinute = Math.round((((start + zone.offset(start) * MINUTE) % DAY) + DAY) % DAY / MINUTE);
  const endMinute = startMinute + Math.round((end - start) / MINUTE);
  return c.timeWindows.some((w) => startMinute >= parseHm(w.start) && endMinute <= parseHm(w.end));
}

export function offerKey(o: WaitlistOffer): string {
  return `${new Date(toEpochMs(o.start)).toISOString()}|${o.staffId}`;
}

function wasOffered(entry: OpenWaitlistEntry, slot: FreeSlot): boolean {
  const start = toEpochMs(slot.start);
  return entry.offers.some((o) => toEpochMs(o.start) === start && slot.staffIds.includes(o.staffId));
}

function pickStaff(c: WaitlistCriteria, free: string[]): string | undefined {
  return c.staffId ? free.find((s) => s === c.staffId) : free[0];
}

/**
 * Offers for `self` from the free slots, after older open entries took their share (see the
 * module comment), in time order. `others` may include `self` and younger entries; they are ignored.
 */
export function fairOffers(self: WaitlistCriteria, slots: FreeSlot[], others: OpenWaitlistEntry[], timezone: string): WaitlistOffer[] {
  const older = others.filter((o) => o.id !== self.id && compareEntryAge(o, self) < 0).sort(compareEntryAge);
  const out: WaitlistOffer[] = [];
  const ordered = [...slots].sort((a, b) => toEpochMs(a.start) - toEpochMs(b.start));
  for (const slot of ordered) {
    if (!slotTimeMatches(self, slot, timezone)) continue;
    const free = [...slot.staffIds];
    for (const entry of older) {
      if (wasOffered(entry, slot) || !slotTimeMatches(entry, slot, timezone)) continue;
      const claimed = pickStaff(entry, free);
      if (claimed !== undefined) free.splice(free.indexOf(claimed), 1);
    }
    const staffId = pickStaff(self, free);
    if (staffId !== undefined) out.push({ start: slot.start, end: slot.end, staffId });
  }
  return out;
}

/** Up to `max` candidates not offered before (same start and staff), keeping their order. */
export function unsentOffers(candidates: WaitlistOffer[], sent: WaitlistOffer[], max = MAX_OFFERS): WaitlistOffer[] {
  const seen = new Set(sent.map(offerKey));
  const out: WaitlistOffer[] = [];
  for (const c of candidates) {
    const key = offerKey(c);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(c);
    if (out.length === max) break;
  }
  return out;
}

/**
 * A UTC range that contains every instant an entry could match, widened by a day on each side so
 * it needs no zone (offsets are within ±14 h) and covers buffers around a freed booking. A freed
 * booking outside it cannot create a slot for the entry.
 */
export function entryReachUtc(c: Pick<WaitlistCriteria, 'fromDate' | 'toDate'>): { start: string; end: string } {
  const from = Date.parse(`${c.fromDate}T00:00:00Z`);
  const to = Date.parse(`${c.toDate}T00:00:00Z`) + DAY;
  return { start: new Date(from - DAY).toISOString(), end: new Date(to + DAY).toISOString() };
}
