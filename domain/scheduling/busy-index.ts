/**
 * Busy intervals bucketed once per call: merged blocked ranges per staff member and per resource
 * (conflict checks are then a binary search), and sorted appointment starts per staff member and
 * per customer (daily counts are two binary searches over a day's [start, end)).
 */
import { normalize, type Interval } from './intervals';
import { toEpochMs } from './local-time';
import type { BusyInterval } from './scheduling.types';

export class BusyIndex {
  private readonly staff = new Map<string, Interval[]>();
  private readonly resources = new Map<string, Interval[]>();
  private readonly staffStarts = new Map<string, number[]>();
  private readonly customerStarts = new Map<string, number[]>();

  constructor(busy: readonly BusyInterval[], excludeBookingId?: string | null) {
    const staffRaw = new Map<string, Interval[]>();
    const resourceRaw = new Map<string, Interval[]>();
    // A booking may arrive as several rows (one per staff and resource); count it once per key.
    const counted = new Set<string>();
    for (const b of busy) {
      if (excludeBookingId && b.bookingId === excludeBookingId) continue;
      const interval = { start: toEpochMs(b.start, 'busy.start'), end: toEpochMs(b.end, 'busy.end') };
      if (b.staffId) push(staffRaw, b.staffId, interval);
      if (b.resourceId) push(resourceRaw, b.resourceId, interval);
      if (!b.bookingId) continue;
      const at = b.appointmentStart !== undefined ? toEpochMs(b.appointmentStart, 'busy.appointmentStart') : interval.start;
      if (b.staffId && !counted.has(`s:${b.bookingId}:${b.staffId}`)) {
        counted.add(`s:${b.bookingId}:${b.staffId}`);
        push(this.staffStarts, b.staffId, at);
      }
      if (b.customerId && !counted.has(`c:${b.bookingId}`)) {
        counted.add(`c:${b.bookingId}`);
        push(this.customerStarts, b.customerId, at);
      }
    }
    for (const [id, list] of staffRaw) this.staff.set(id, normalize(list));
    for (const [id, list] of resourceRaw) this.resources.set(id, normalize(list));
    for (const list of this.staffStarts.values()) list.sort((a, b) => a - b);
    for (const list of this.customerStarts.values()) list.sort((a, b) => a - b);
  }

  staffBusy(staffId: string): Interval[] {
    return this.staff.get(staffId) ?? EMPTY;
  }

  resourceBusy(resourceId: string): Interval[] {
    return this.resources.get(resourceId) ?? EMPTY;
  }

  /** Bookings of a staff member starting in [from, to). */
  staffCount(staffId: string, from: number, to: number): number {
    return countIn(this.staffStarts.get(staffId), from, to);
  }

  /** Bookings of a customer starting in [from, to). */
  customerCount(customerId: string, from: number, to: number): number {
    return countIn(this.customerStarts.get(customerId), from, to);
  }
}

const EMPTY: Interval[] = [];

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function lowerBound(list: number[], t: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function countIn(list: number[] | undefined, from: number, to: number): number {
  return list ? lowerBound(list, to) - lowerBound(list, from) : 0;
}
