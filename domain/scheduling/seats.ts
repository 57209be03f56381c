/**
 * Seats (API.md "Catalog depth"): a service with `seats: {capacity}` lets up to `capacity`
 * customers book the same staff member at the same start, one booking each. The bookings of one
 * class share a seat key (service | UTC start | staff); the first one holds the staff member like
 * any booking, the others join it while seats are left. Anything else overlapping the class (another
 * booking, or a class of this service at another start) still blocks it, as the exclusion
 * constraint does in PostgreSQL (rows of different seat keys never overlap).
 */
import { BusyIndex } from './busy-index';
import { overlapsAny } from './intervals';
import { toEpochMs } from './local-time';
import type { BusyInterval, ServiceSpec } from './scheduling.types';

export function seatKeyOf(serviceId: string, start: number, staffId: string): string {
  return `${serviceId}|${new Date(start).toISOString()}|${staffId}`;
}

interface SeatClass {
  key: string;
  start: number;
  end: number;
  taken: number;
}

export class SeatIndex {
  readonly capacity: number;
  /** Busy rows without this service's classes: what a seat can never overlap. */
  private readonly others: BusyIndex;
  private readonly classesByStaff = new Map<string, SeatClass[]>();

  constructor(service: ServiceSpec, busy: readonly BusyInterval[], excludeBookingId?: string | null) {
    this.capacity = service.seats?.capacity ?? 1;
    const prefix = `${service.id}|`;
    const byKey = new Map<string, SeatClass & { staffId: string; bookings: Set<string> }>();
    const rest: BusyInterval[] = [];
    for (const b of busy) {
      if (!b.seatKey || !b.seatKey.startsWith(prefix) || !b.staffId) {
        rest.push(b);
        continue;
      }
      if (excludeBookingId && b.bookingId === excludeBookingId) continue;
      let c = byKey.get(b.seatKey);
      if (!c) {
        c = { key: b.seatKey, start: toEpochMs(b.start), end: toEpochMs(b.end), taken: 0, staffId: b.staffId, bookings: new Set() };
        byKey.set(b.seatKey, c);
      }
      if (b.bookingId && !c.bookings.has(b.bookingId)) {
        c.bookings.add(b.bookingId);
        c.taken++;
      }
    }
    this.others = new BusyIndex(rest, excludeBookingId);
    for (const c of byKey.values()) {
      const list = this.classesByStaff.get(c.staffId);
      if (list) list.push(c);
      else this.classesByStaff.set(c.staffId, [c]);
    }
  }

  /** Resource time taken by anything but this service's classes (a class shares its resource). */
  resourceBusy(resourceId: string) {
    return this.others.resourceBusy(resourceId);
  }

  /**
   * Seats left for a booking of `staffId` starting at `start` whose blocked range is [from, to):
   * 0 when the staff member is taken (or the class is full).
   */
  seatsLeft(serviceId: string, staffId: string, start: number, from: number, to: number): number {
    if (overlapsAny(this.others.staffBusy(staffId), from, to)) return 0;
    const key = seatKeyOf(serviceId, start, staffId);
    let left = this.capacity;
    for (const c of this.classesByStaff.get(staffId) ?? []) {
      if (c.end <= from || c.start >= to) continue;
      if (c.key !== key) return 0;
      left = this.capacity - c.taken;
    }
    return Math.max(0, left);
  }
}
