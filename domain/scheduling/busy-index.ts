/**
 * Busy intervals bucketed once per call: merged blocked ranges per staff member and per resource
 * (conflict checks are then a binary search), and sorted appointment starts per staff member and
 * per customer (daily counts are two binary searches over a day's [start, end)).
 *
 * Built on every uncached availability search from hundreds of rows, so the constructor is one
 * pass that allocates one interval per row and nothing per booking: young objects kept alive
 * together make every scavenge copy them, which cost more than the work itself. Starts are kept as
 * sorted Float64Arrays: a typed array sorts numerically in place without a comparator, where
 * Array#sort boxes every double it moves (5x slower on a branch's few hundred bookings).
 */
import { mergeSorted, type Interval } from './intervals';
import { toEpochMs } from './local-time';
import type { BusyInterval } from './scheduling.types';

export class BusyIndex {
  private readonly staff = new Map<string, Interval[]>();
  private readonly resources = new Map<string, Interval[]>();
  private readonly staffStarts = new Map<string, Float64Array>();
  private readonly customerStarts = new Map<string, Float64Array>();

  constructor(busy: readonly BusyInterval[], excludeBookingId?: string | null) {
    // A booking may arrive as several rows (one per staff and resource); count it once per key.
    // The first row of a booking is recorded without allocating (its staff id, '' for none); only
    // the rare further rows of a booking go through composite keys in `later`.
    const firstStaff = new Map<string, string>();
    const later = new Set<string>();
    const staffStarts = new Map<string, number[]>();
    const customerStarts = new Map<string, number[]>();
    for (const b of busy) {
      if (excludeBookingId && b.bookingId === excludeBookingId) continue;
      const start = toEpochMs(b.start, 'busy.start');
      const end = toEpochMs(b.end, 'busy.end');
      if (b.staffId) push(this.staff, b.staffId, { start, end });
      if (b.resourceId) push(this.resources, b.resourceId, { start, end });
      const id = b.bookingId;
      if (!id) continue;
      const at = b.appointmentStart !== undefined ? toEpochMs(b.appointmentStart, 'busy.appointmentStart') : start;
      const first = firstStaff.get(id);
      if (first === undefined) {
        firstStaff.set(id, b.staffId ?? '');
        if (b.staffId) push(staffStarts, b.staffId, at);
        if (b.customerId) push(customerStarts, b.customerId, at);
        else later.add(`c:${id}`); // its customer may come with a later row
        continue;
      }
      if (b.staffId && b.staffId !== first && !later.has(`s:${id}:${b.staffId}`)) {
        later.add(`s:${id}:${b.staffId}`);
        push(staffStarts, b.staffId, at);
      }
      if (b.customerId && later.delete(`c:${id}`)) push(customerStarts, b.customerId, at);
    }
    for (const list of this.staff.values()) mergeSorted(list.sort(byStart));
    for (const list of this.resources.values()) mergeSorted(list.sort(byStart));
    for (const [id, list] of staffStarts) this.staffStarts.set(id, Float64Array.from(list).sort());
    for (const [id, list] of customerStarts) this.customerStarts.set(id, Float64Array.from(list).sort());
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
const byStart = (a: Interval, b: Interval) => a.start - b.start;

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function lowerBound(list: Float64Array, t: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function countIn(list: Float64Array | undefined, from: number, to: number): number {
  return list ? lowerBound(list, to) - lowerBound(list, from) : 0;
}
