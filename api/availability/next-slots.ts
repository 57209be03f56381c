/**
 * GET /v1/availability/next: the earliest free slots that fit, walking the search days
 * (domain/scheduling/next-slots.ts) one at a time through the same availability search as
 * GET /v1/availability for that single day (so the engine, its rules and the cache are shared:
 * a day asked before is a cache hit), and stopping as soon as `limit` slots are found. A phone
 * agent asking for 3 slots usually costs one day's search.
 */
import { NotFoundError } from '../../domain/errors';
import { searchDays, slotFits, type NextSlotCriteria } from '../../domain/scheduling/next-slots';
import type { Db } from '../../infra/db/prisma';
import type { AvailabilityQueryInput, NextQueryInput } from './availability.schemas';

interface DaySlot {
  start: string;
  end: string;
  staffIds: string[];
  staff: Array<{ id: string; name: string }>;
  price?: number;
}

export interface NextSlot {
  start: string;
  end: string;
  staffId: string;
  staffName: string;
  staff: Array<{ id: string; name: string }>;
  price?: number;
}

type DaySearch = (q: AvailabilityQueryInput) => Promise<{ body: Buffer }>;

export async function nextSlots(db: Db, companyId: string, q: NextQueryInput, now: Date, search: DaySearch): Promise<{ slots: NextSlot[] }> {
  const branch = await db.branch.findFirst({ where: { id: q.branchId, companyId }, select: { timezone: true } });
  if (!branch) throw new NotFoundError('branch', q.branchId);
  const criteria: NextSlotCriteria = {
    timezone: branch.timezone,
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
    const body = JSON.parse(answer.body.toString('utf8')) as { days: Array<{ slots: DaySlot[] }> };
    for (const slot of body.days[0]?.slots ?? []) {
      if (!slotFits(criteria, Date.parse(slot.start), Date.parse(slot.end))) continue;
      const first = slot.staff[0];
      found.push({ start: slot.start, end: slot.end, staffId: first.id, staffName: first.name, staff: slot.staff, ...(slot.price !== undefined ? { price: slot.price } : {}) });
      if (found.length >= q.limit) return { slots: found };
    }
  }
  return { slots: found };
}
