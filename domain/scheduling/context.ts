/**
 * Everything prepared once per call (zone, rules, busy buckets, time off) plus per-day caches
 * (day boundaries, branch hours, each staff member's open intervals). The slot engine, explain,
 * assignment and the booking rules all read the same context, so they apply the same predicates.
 */
import type { IANAZone } from 'luxon';
import { BusyIndex } from './busy-index';
import { LimitIndex } from './limits';
import { SeatIndex } from './seats';
import { intersect, normalize, subtract, type Interval } from './intervals';
import { parseHm, toEpochMs, zoneDayOf, zoneOf, type ZoneDay } from './local-time';
import { BranchCalendar, type BranchDay } from './opening';
import {
  resolveRules,
  type BookingRuleCode,
  type BranchRules,
  type SchedulingInput,
  type ServiceSpec,
  type StaffSchedule,
  type TimeRange,
} from './scheduling.types';

const MINUTE = 60_000;

export interface StaffDay {
  /** Working intervals (ignoring breaks and branch hours), normalized. */
  working: Interval[];
  breaks: Interval[];
  /** Bookable intervals: branch hours ∩ working − breaks. Slot grids align to their starts. */
  open: Interval[];
}

export interface DayContext {
  zoneDay: ZoneDay;
  branch: BranchDay;
}

export class SchedulingContext {
  readonly zone: IANAZone;
  readonly rules: BranchRules;
  readonly now: number;
  readonly service: ServiceSpec;
  /** Staff in stable order: name, then id. */
  readonly staff: StaffSchedule[];
  readonly busy: BusyIndex;
  /** Booking limits of the branch and the service (inactive when neither sets one). */
  readonly limits: LimitIndex;
  readonly customerHistory: NonNullable<SchedulingInput['customerHistory']>;
  /** Seat services only: classes of this service and what else blocks their staff. */
  readonly seats: SeatIndex | null;
  /** Minutes kept free before and after the appointment (buffers plus travel). */
  readonly beforeMs: number;
  readonly afterMs: number;
  private readonly staffById = new Map<string, StaffSchedule>();
  private readonly timeOffById = new Map<string, Interval[]>();
  private readonly calendar: BranchCalendar;
  private readonly days = new Map<string, DayContext>();
  private readonly staffDays = new Map<string, StaffDay>();
  private readonly disabled: Set<BookingRuleCode>;

  constructor(input: SchedulingInput, excludeBookingId?: string | null) {
    this.zone = zoneOf(input.branch.timezone);
    this.rules = resolveRules(input.branch.rules);
    this.disabled = new Set(this.rules.disabledRules);
    this.now = toEpochMs(input.now, 'now');
    this.service = input.service;
    this.calendar = new BranchCalendar(input.branch);
    this.busy = new BusyIndex(input.busy, excludeBookingId);
    this.limits = new LimitIndex(this.zone, input.branch, input.service, input.busy, excludeBookingId);
    this.customerHistory = input.customerHistory ?? [];
    this.seats = input.service.seats ? new SeatIndex(input.service, input.busy, excludeBookingId) : null;
    this.staff = [...input.staff].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const s of this.staff) {
      this.staffById.set(s.id, s);
      const off = (s.timeOff ?? []).map((t) => ({ start: toEpochMs(t.start, 'timeOff.start'), end: toEpochMs(t.end, 'timeOff.end') }));
      this.timeOffById.set(s.id, normalize(off));
    }
    const svc = input.service;
    this.beforeMs = (svc.bufferBeforeMinutes + (svc.travelMinutes ?? 0)) * MINUTE;
    this.afterMs = (svc.bufferAfterMinutes + (svc.travelMinutes ?? 0)) * MINUTE;
  }

  /**
   * The same context for another service (a package's part): shares the zone, rules, busy index,
   * limits, time off and the per-day caches (none of them depends on the service), and swaps the
   * service and its buffers. Seats are not offered inside packages.
   */
  forService(service: ServiceSpec): SchedulingContext {
    const part = Object.create(this) as SchedulingContext;
    Object.defineProperties(part, {
      service: { value: service },
      seats: { value: null },
      beforeMs: { value: (service.bufferBeforeMinutes + (service.travelMinutes ?? 0)) * MINUTE },
      afterMs: { value: (service.bufferAfterMinutes + (service.travelMinutes ?? 0)) * MINUTE },
    });
    return part;
  }

  enabled(rule: BookingRuleCode): boolean {
    return !this.disabled.has(rule);
  }

  staffMember(id: string): StaffSchedule | undefined {
    return this.staffById.get(id);
  }

  timeOff(staffId: string): Interval[] {
    return this.timeOffById.get(staffId) ?? [];
  }

  day(date: string): DayContext {
    let d = this.days.get(date);
    if (!d) {
      const zoneDay = zoneDayOf(this.zone, date);
      d = { zoneDay, branch: this.calendar.day(zoneDay) };
      this.days.set(date, d);
    }
    return d;
  }

  staffDay(staff: StaffSchedule, date: string): StaffDay {
    const key = `${staff.id}|${date}`;
    let sd = this.staffDays.get(key);
    if (!sd) {
      const day = this.day(date);
      const weekday = day.zoneDay.weekday;
      const working = toIntervals(staff.workingHours[weekday], day.zoneDay);
      const breaks = toIntervals(staff.breaks?.[weekday], day.zoneDay);
      const free = subtract(working, breaks);
      // With business_hours switched off the branch's hours no longer bound staff hours.
      const open = this.enabled('business_hours') ? intersect(day.branch.open, free) : free;
      sd = { working, breaks, open };
      this.staffDays.set(key, sd);
    }
    return sd;
  }
}

function toIntervals(ranges: TimeRange[] | undefined, day: ZoneDay): Interval[] {
  if (!ranges || ranges.length === 0) return [];
  return normalize(ranges.map((r) => ({ start: day.at(parseHm(r.start), 'earliest'), end: day.at(parseHm(r.end), 'latest') })));
}
