/**
 * GET /v1/availability/next: the earliest free slots that fit, walking the search days
 * (domain/scheduling/next-slots.ts) one at a time through the same availability search as
 * GET /v1/availability for that single day (so the engine, its rules and the cache are shared:
 * a day asked before is a cache hit), and stopping as soon as `limit` slots are found. A phone
 * agent asking for 3 slots usually costs one day's search. The day's slots are read as objects
 * (AvailabilityAnswer.days: the computed ones on a miss, parsed once per cached entry on a hit),
 * never by parsing the day's JSON body per request.
 *
 * The branch's zone (which local days to ask for, how windows and weekdays read) is remembered
 * per process for ZONE_TTL_MS: reading it from PostgreSQL on every call cost a cached answer more
 * CPU than the rest of it (bench:availability (d)). A zone changed meanwhile is used at most that
 * long; each day's slots still come from the search, which reads the branch as it is. Unknown
 * branches are never remembered (each is a query and a 404), and the key holds the company.
 */
import { LRUCache } from 'lru-cache';
import { NotFoundError } from '../../domain/errors';
import { searchDays, slotFits, type NextSlotCriteria } from '../../domain/scheduling/next-slots';
import type { Db } from '../../infra/db/prisma';
import type { AvailabilityQueryInput, NextQueryInput } from './availability.schemas';
import type { AvailabilityAnswer } from './availability.service';

export interface NextSlot {
  start: string;
  end: string;
  staffId: string;
  staffName: string;
  staff: Array<{ id: string; name: string }>;
  price?: number;
}

type DaySearch = (q: AvailabilityQueryInput) => Promise<Pick<AvailabilityAnswer, 'days'>>;

const ZONE_TTL_MS = 10_000;
const zones = new LRUCache<string, string>({ max: 10_000, ttl: ZONE_TTL_MS });

/** The branch's zone: from memory without a promise when known (the hot path), else PostgreSQL. */
function branchZone(db: Db, companyId: string, branchId: string): string | Promise<string> {
  const key = `${companyId}|${branchId}`;
  return zones.get(key) ?? loadZone(db, key, companyId, branchId);
}

async function loadZone(db: Db, key: string, companyId: string, branchId: string): Promise<string> {
  const branch = await db.branch.findFirst({ where: { id: branchId, companyId }, select: { timezone: true } });
  if (!branch) throw new NotFoundError('branch', branchId);
  zones.set(key, branch.timezone);
  return branch.timezone;
}

// Epoch ms of each slot's start and end, per day's slot list: the list belongs to a cached entry
// (AvailabilityAnswer.days, shared and read only), so its instants are parsed once, not on every
// call that walks past the day's earlier slots.
const slotBounds = new WeakMap<object, Float64Array>();

function boundsOf(slots: ReadonlyArray<{ start: string; end: string }>): Float64Array {
  let bounds = slotBounds.get(slots);
  if (!bounds) {
    bounds = new Float64Array(slots.length * 2);
    for (let i = 0; i < slots.length; i++) {
      bounds[2 * i] = Date.parse(slots[i].start);
      bounds[2 * i + 1] = Date.parse(slots[i].end);
    }
    slotBounds.set(slots, bounds);
  }
  return bounds;
}

export async function nextSlots(db: Db, companyId: string, q: NextQueryInput, now: Date, search: DaySearch): Promise<{ slots: NextSlot[] }> {
  const zone = branchZone(db, companyId, q.branchId);
  const criteria: NextSlotCriteria = {
    timezone: typeof zone === 'string' ? zone : await zone,
    after: Math.max(q.after?.getTime() ?? now.getTime(), 0),
    before: q.before?.getTime() ?? null,
    timeWindows: q.timeWindows ?? [],
    weekdays: q.weekdays ?? [],
  };
  const found: NextSlot[] = [];
  for (const date of searchDays(criteria)) {
    const answer = await search({
      branchId: q.branchId, serviceId: q.serviceId, from: date, to: date,
      staffId: q.staffId, durationMinutes: q.durationMinutes, language: q.language, gender: q.gender, participants: q.participants,
    });
    const slots = answer.days()[0]?.slots ?? [];
    const bounds = boundsOf(slots);
    for (let i = 0; i < slots.length; i++) {
      if (!slotFits(criteria, bounds[2 * i], bounds[2 * i + 1])) continue;
      const slot = slots[i];
      const first = slot.staff[0];
      found.push({ start: slot.start, end: slot.end, staffId: first.id, staffName: first.name, staff: slot.staff, ...(slot.price !== undefined ? { price: slot.price } : {}) });
      if (found.length >= q.limit) return { slots: found };
    }
  }
  return { slots: found };
}
