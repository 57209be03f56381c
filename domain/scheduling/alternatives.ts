/**
 * Alternatives for a start that cannot be booked (409 slot_unavailable): up to `limit` bookable
 * slots, distinct starts, nearest first in this order: the same staff member the same day, other
 * staff the same day, then the following days (up to `horizonDays`). Every candidate comes from
 * the slot engine, so each one passes validateBooking at the given `now`.
 */
import type { AlternativeSlot } from '../errors';
import { DomainError } from '../errors';
import { SchedulingContext } from './context';
import { addDays, formatInstant, localDateOf, toEpochMs } from './local-time';
import { daySlots, prepareSearch, type RawSlot, type SlotSearch } from './slot-engine';
import type { Instant, SchedulingInput, SlotQuery } from './scheduling.types';

export interface AlternativesInput extends SchedulingInput, SlotQuery {
  requestedStart: Instant;
  limit?: number;
  horizonDays?: number;
}

export function findAlternatives(input: AlternativesInput): AlternativeSlot[] {
  const limit = input.limit ?? 5;
  const horizonDays = input.horizonDays ?? 14;
  const ctx = new SchedulingContext(input, input.excludeBookingId);
  let search: SlotSearch;
  try {
    search = prepareSearch(ctx, { ...input, staffId: null });
  } catch (e) {
    if (e instanceof DomainError) return []; // an invalid request has no alternatives
    throw e;
  }
  const requested = toEpochMs(input.requestedStart, 'requestedStart');
  const date = localDateOf(requested, ctx.zone);
  const wanted = input.staffId ?? null;
  const out: AlternativeSlot[] = [];
  const used = new Set<number>();
  const take = (slot: RawSlot, staffId: string) => {
    if (out.length >= limit || used.has(slot.start)) return;
    used.add(slot.start);
    const staff = ctx.staffMember(staffId);
    out.push({ start: formatInstant(slot.start, ctx.zone), end: formatInstant(slot.end, ctx.zone), staffId, staffName: staff?.name ?? staffId });
  };

  const sameDay = daySlots(ctx, date, search).sort((a, b) => Math.abs(a.start - requested) - Math.abs(b.start - requested) || a.start - b.start);
  if (wanted) for (const s of sameDay) if (s.staffIds.includes(wanted) && s.start !== requested) take(s, wanted);
  for (const s of sameDay) {
    const others = s.staffIds.filter((id) => id !== wanted);
    if (others.length > 0) take(s, leastBusy(ctx, date, others));
  }
  for (let i = 1; i <= horizonDays && out.length < limit; i++) {
    const d = addDays(date, i);
    for (const s of daySlots(ctx, d, search)) take(s, wanted && s.staffIds.includes(wanted) ? wanted : leastBusy(ctx, d, s.staffIds));
  }
  return out;
}

/** Fewest bookings that day; ties keep the stable order the ids arrive in. */
function leastBusy(ctx: SchedulingContext, date: string, ids: string[]): string {
  const day = ctx.day(date).zoneDay;
  let best = ids[0];
  let bestCount = Infinity;
  for (const id of ids) {
    const n = ctx.busy.staffCount(id, day.start, day.end);
    if (n < bestCount) {
      best = id;
      bestCount = n;
    }
  }
  return best;
}
