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

async function branchZone(db: Db, companyId: string, branchId: string): Promise<string> {
  const key = `${companyId}|${branchId}`;
  const known = zones.get(key);
  if (known) return known;
  const branch = await db.branch.findFirst({ where: { id: branchId, companyId }, select: { timezone: true } });
  if (!branch) throw new NotFoundError('branch', branchId);
  zones.set(key, branch.timezone);
  return branch.timezone;
}

export async function nextSlots(db: Db, companyId: string, q: NextQueryInput, now: Date, search: DaySearch): Promise<{ slots: NextSlot[] }> {
  const criteria: NextSlotCriteria = {
    timezone: await branchZone(db, companyId, q.branchId),
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
    for (const slot of answer.days()[0]?.slots ?? []) {
      if (!slotFits(criteria, Date.parse(slot.start), Date.parse(slot.end))) continue;
      const first = slot.staff[0];
      found.push({ start: slot.start, end: slot.end, staffId: first.id, staffName: first.name, staff: slot.staff, ...(slot.price !== undefined ? { price: slot.price } : {}) });
      if (found.length >= q.limit) return { slots: found };
    }
  }
  return { slots: found };
}
