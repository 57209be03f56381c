/**
 * Free slots of a branch and service over whole local days, computed by the pure slot engine over
 * one scheduling-context load (infra/db/scheduling.repository). Shared by the waiting-list check
 * (which slots could an entry take) and the series' same-day alternative.
 */
import { addDays, localDateOf, zoneOf } from '../domain/scheduling/local-time';
import { computeAvailability } from '../domain/scheduling/slot-engine';
import type { Slot } from '../domain/scheduling/scheduling.types';
import type { Db } from '../infra/db/prisma';
import { loadSchedulingContext } from '../infra/db/scheduling.repository';

const DAY = 86_400_000;
/** The engine is asked for at most this many days at once (the availability API's limit). */
export const MAX_SLOT_SEARCH_DAYS = 62;

export interface FreeSlotQuery {
  companyId: string;
  branchId: string;
  serviceId: string;
  /** YYYY-MM-DD, branch zone, inclusive */
  from: string;
  to: string;
  staffId?: string | null;
  customerId?: string | null;
}

export interface FreeSlots {
  timezone: string;
  slots: Slot[];
}

/** Null when the branch or service is gone. Days before today (branch zone) are skipped. */
export async function findFreeSlots(db: Db, now: Date, q: FreeSlotQuery): Promise<FreeSlots | null> {
  // Widened by two days each side: covers any zone offset without knowing the zone yet.
  const fromUtc = new Date(Date.parse(`${q.from}T00:00:00Z`) - 2 * DAY);
  const toUtc = new Date(Date.parse(`${q.to}T00:00:00Z`) + 3 * DAY);
  const loaded = await loadSchedulingContext(db, { ...q, fromUtc, toUtc });
  if (!loaded.found) return null;
  const ctx = loaded.context;
  const today = localDateOf(now.getTime(), zoneOf(ctx.branch.timezone));
  const from = q.from < today ? today : q.from;
  const lastDay = addDays(from, MAX_SLOT_SEARCH_DAYS - 1);
  const to = q.to > lastDay ? lastDay : q.to;
  if (to < from) return { timezone: ctx.branch.timezone, slots: [] };
  const result = computeAvailability({
    ...ctx,
    now: now.getTime(),
    query: { from, to, staffId: q.staffId ?? null, customerId: q.customerId ?? null },
  });
  return { timezone: result.timezone, slots: result.days.flatMap((d) => d.slots) };
}
