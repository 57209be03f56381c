/**
 * Availability: for each local day, each eligible staff member's open intervals (branch hours ∩
 * working hours − breaks) are walked in real time from each interval's start, stepping by the
 * branch's slot interval, and every start that passes the shared predicates is kept. Stepping in
 * epoch ms makes DST days exact: no start at a nonexistent local time, none twice, and every slot
 * lasts its duration in real minutes. luxon is touched once per day (ZoneDay), never per slot.
 */
import { NotFoundError, ValidationError } from '../errors';
import { SchedulingContext } from './context';
import { overlapsAny, type Interval } from './intervals';
import { eachDate, parseDate } from './local-time';
import { packageDaySlots } from './package-slots';
import { packageOf } from './packages';
import {
  customerDayFull,
  earliestStart,
  eligibleStaff,
  freeResource,
  groupSizeReason,
  latestStart,
  resolveDuration,
  staffDayFull,
} from './predicates';
import type { AvailabilityDay, AvailabilityQuery, AvailabilityResult, SchedulingInput } from './scheduling.types';

const MINUTE = 60_000;

export interface AvailabilityInput extends SchedulingInput {
  query: AvailabilityQuery;
}

export interface RawSlot {
  start: number;
  end: number;
  staffIds: string[];
  seatsLeft?: number;
}

/** Per-query settings resolved once; invalid queries throw ValidationError / NotFoundError. */
export interface SlotSearch {
  durationMs: number;
  staffId?: string | null;
  preferences?: AvailabilityQuery['preferences'];
  customerId?: string | null;
  /** False when the group size can never fit: every day is then empty. */
  groupOk: boolean;
}

export function prepareSearch(ctx: SchedulingContext, query: Omit<AvailabilityQuery, 'from' | 'to'>): SlotSearch {
  // A package's length is its parts' (packages.ts): a requested duration is not applied.
  const duration = resolveDuration(ctx.service, ctx.service.category === 'package' ? null : query.durationMinutes);
  if (!duration.ok) throw new ValidationError(duration.reason.message, [{ path: 'durationMinutes', message: duration.reason.message }]);
  if (query.staffId && !ctx.staffMember(query.staffId)) throw new NotFoundError('staff', query.staffId);
  const groupOk = !ctx.enabled('group_size') || groupSizeReason(ctx.service, query.participants) === null;
  return { durationMs: duration.minutes * MINUTE, staffId: query.staffId, preferences: query.preferences, customerId: query.customerId, groupOk };
}

/** Bookable starts of one local day, ascending, each with the free staff in stable order. */
export function daySlots(ctx: SchedulingContext, date: string, search: SlotSearch): RawSlot[] {
  const day = ctx.day(date);
  if (!search.groupOk || ctx.service.active === false) return [];
  if (ctx.enabled('business_hours') && day.branch.closed) return [];
  const { start: dayStart, end: dayEnd } = day.zoneDay;
  if (customerDayFull(ctx, search.customerId, dayStart, dayEnd)) return [];
  const limited = ctx.limits.active && ctx.enabled('booking_limit');
  if (limited && ctx.limits.hits('perCustomer', search.customerId, date).length > 0) return [];
  const minStart = earliestStart(ctx);
  const maxStart = latestStart(ctx);
  if (dayEnd <= minStart || dayStart > maxStart) return [];

  const step = ctx.rules.slotIntervalMinutes * MINUTE;
  const dur = search.durationMs;
  const byStart = new Map<number, string[]>();
  const seatsLeft = new Map<number, number>();
  const seats = ctx.seats;
  for (const staff of eligibleStaff(ctx, search.staffId, search.preferences)) {
    if (staffDayFull(ctx, staff, dayStart, dayEnd)) continue;
    if (limited && ctx.limits.hits('perStaff', staff.id, date).length > 0) continue;
    const busy = ctx.busy.staffBusy(staff.id);
    const off = ctx.timeOff(staff.id);
    for (const open of ctx.staffDay(staff, date).open) {
      for (let s = firstOnGrid(open, minStart, step); s + dur <= open.end && s <= maxStart; s += step) {
        const e = s + dur;
        if (overlapsAny(off, s, e)) continue;
        if (seats) {
          const left = seats.seatsLeft(ctx.service.id, staff.id, s, s - ctx.beforeMs, e + ctx.afterMs);
          if (left === 0) continue;
          seatsLeft.set(s, Math.max(left, seatsLeft.get(s) ?? 0));
        } else if (overlapsAny(busy, s - ctx.beforeMs, e + ctx.afterMs)) continue;
        if (freeResource(ctx, s, e) === null) continue;
        const ids = byStart.get(s);
        if (ids) ids.push(staff.id);
        else byStart.set(s, [staff.id]);
      }
    }
  }
  return [...byStart.keys()].sort((a, b) => a - b).map((s) => ({
    start: s, end: s + dur, staffIds: byStart.get(s) as string[], ...(seats ? { seatsLeft: seatsLeft.get(s) as number } : {}),
  }));
}

/** First grid point of an open interval (grid aligned to its start) not before `minStart`. */
function firstOnGrid(open: Interval, minStart: number, step: number): number {
  if (minStart <= open.start) return open.start;
  return open.start + Math.ceil((minStart - open.start) / step) * step;
}

export function formatDay(ctx: SchedulingContext, date: string, slots: RawSlot[]): AvailabilityDay {
  const zd = ctx.day(date).zoneDay;
  return {
    date,
    slots: slots.map((s) => ({
      start: zd.format(s.start),
      end: zd.format(s.end),
      staffIds: s.staffIds,
      ...(s.seatsLeft !== undefined ? { seatsLeft: s.seatsLeft } : {}),
    })),
  };
}

/** Slots for every day of [query.from, query.to] (inclusive), empty days included. */
export function computeAvailability(input: AvailabilityInput): AvailabilityResult {
  const { query } = input;
  if (parseDate(query.to) < parseDate(query.from)) {
    throw new ValidationError('`to` is before `from`', [{ path: 'to', message: 'must not be before from' }]);
  }
  const ctx = new SchedulingContext(input, query.excludeBookingId);
  const search = prepareSearch(ctx, query);
  const pkg = packageOf(ctx, input);
  const slotsOf = pkg ? (date: string) => packageDaySlots(pkg, date, search) : (date: string) => daySlots(ctx, date, search);
  return {
    timezone: input.branch.timezone,
    days: eachDate(query.from, query.to).map((date) => formatDay(ctx, date, slotsOf(date))),
  };
}
