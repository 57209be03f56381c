/**
 * Booking limits (API.md "Catalog depth"): a branch or a service may cap the bookings per staff
 * member and per customer per local day, week (Monday first) and calendar month of the branch
 * zone. A branch limit counts every booking of that branch; a service limit only that service's.
 * Counted: our own live bookings (busy rows with a bookingId), each once, on the local date of
 * its appointment start. A booking that would be one too many is refused with the limit named.
 */
import type { IANAZone } from 'luxon';
import { addDays, toEpochMs, weekdayOf, zoneDayOf } from './local-time';
import { WEEKDAYS, type BookingLimits, type BusyInterval, type LimitCounts } from './scheduling.types';

export type LimitWho = 'perStaff' | 'perCustomer';
export type LimitPeriod = 'day' | 'week' | 'month';
const PERIODS: readonly LimitPeriod[] = ['day', 'week', 'month'];

/** One limit that a new booking would exceed. */
export interface LimitHit {
  /** e.g. "service.perCustomer.week" */
  limit: string;
  max: number;
  count: number;
  /** First local date of the period */
  from: string;
}

interface Counted {
  at: number;
  branchId: string | null;
  serviceId: string | null;
}

interface Scope {
  name: 'branch' | 'service';
  limits: BookingLimits;
  matches(c: Counted): boolean;
}

/** The local dates [first, next) of the period containing `date`. */
export function periodOf(date: string, period: LimitPeriod): { first: string; next: string } {
  if (period === 'day') return { first: date, next: addDays(date, 1) };
  if (period === 'week') {
    const first = addDays(date, -WEEKDAYS.indexOf(weekdayOf(date)));
    return { first, next: addDays(first, 7) };
  }
  const first = `${date.slice(0, 7)}-01`;
  const [y, m] = [Number(date.slice(0, 4)), Number(date.slice(5, 7))];
  const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
  return { first, next };
}

/** True when any limit is set (the loader then widens its window to whole months). */
export function hasLimits(...all: (BookingLimits | null | undefined)[]): boolean {
  return all.some((l) => [l?.perStaff, l?.perCustomer].some((c) => c && PERIODS.some((p) => typeof c[p] === 'number')));
}

export class LimitIndex {
  private readonly byStaff = new Map<string, Counted[]>();
  private readonly byCustomer = new Map<string, Counted[]>();
  private readonly scopes: Scope[] = [];
  private readonly bounds = new Map<string, number>();

  constructor(
    private readonly zone: IANAZone,
    branch: { id: string; limits?: BookingLimits | null },
    service: { id: string; limits?: BookingLimits | null },
    busy: readonly BusyInterval[],
    excludeBookingId?: string | null,
  ) {
    if (hasLimits(branch.limits)) this.scopes.push({ name: 'branch', limits: branch.limits!, matches: (c) => c.branchId === null || c.branchId === branch.id });
    if (hasLimits(service.limits)) this.scopes.push({ name: 'service', limits: service.limits!, matches: (c) => c.serviceId === service.id });
    if (this.scopes.length === 0) return;
    const seenStaff = new Set<string>();
    const seenCustomer = new Set<string>();
    for (const b of busy) {
      if (!b.bookingId || b.bookingId === excludeBookingId) continue;
      const c: Counted = {
        at: toEpochMs(b.appointmentStart ?? b.start, 'busy.appointmentStart'),
        branchId: b.branchId ?? null,
        serviceId: b.serviceId ?? null,
      };
      if (b.staffId && !seenStaff.has(`${b.bookingId}|${b.staffId}`)) {
        seenStaff.add(`${b.bookingId}|${b.staffId}`);
        push(this.byStaff, b.staffId, c);
      }
      if (b.customerId && !seenCustomer.has(b.bookingId)) {
        seenCustomer.add(b.bookingId);
        push(this.byCustomer, b.customerId, c);
      }
    }
  }

  get active(): boolean {
    return this.scopes.length > 0;
  }

  /** The limits a further booking of `id` on local `date` would exceed (none when within all). */
  hits(who: LimitWho, id: string | null | undefined, date: string): LimitHit[] {
    if (!id || this.scopes.length === 0) return [];
    const list = (who === 'perStaff' ? this.byStaff : this.byCustomer).get(id) ?? [];
    const out: LimitHit[] = [];
    for (const scope of this.scopes) {
      const counts: LimitCounts | null | undefined = scope.limits[who];
      if (!counts) continue;
      for (const period of PERIODS) {
        const max = counts[period];
        if (typeof max !== 'number') continue;
        const { first, next } = periodOf(date, period);
        const from = this.dayStart(first);
        const to = this.dayStart(next);
        let count = 0;
        for (const c of list) if (c.at >= from && c.at < to && scope.matches(c)) count++;
        if (count >= max) out.push({ limit: `${scope.name}.${who}.${period}`, max, count, from: first });
      }
    }
    return out;
  }

  private dayStart(date: string): number {
    let t = this.bounds.get(date);
    if (t === undefined) {
      t = zoneDayOf(this.zone, date).start;
      this.bounds.set(date, t);
    }
    return t;
  }
}

/** "the service's limit perCustomer.week (2 bookings, week of 2027-03-01) is reached" */
export function describeHit(hit: LimitHit, whose: string): string {
  const [scope, who, period] = hit.limit.split('.');
  const span = period === 'day' ? `on ${hit.from}` : period === 'week' ? `in the week of ${hit.from}` : `in ${hit.from.slice(0, 7)}`;
  return `Booking limit ${hit.limit} reached: ${whose} already has ${hit.count} booking${hit.count === 1 ? '' : 's'} ${span} (the ${scope}'s limit ${who}.${period} is ${hit.max})`;
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
