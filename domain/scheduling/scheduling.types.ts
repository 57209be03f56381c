/**
 * Plain-data inputs of the scheduling core. The DB layer maps rows into these; nothing here
 * knows about Prisma, HTTP or the clock. Dates are `YYYY-MM-DD` and times `HH:mm` in the branch's
 * IANA zone; instants are epoch ms or ISO strings with an offset.
 */

export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Epoch milliseconds or an ISO-8601 string with an offset. */
export type Instant = number | string;

export interface TimeRange {
  start: string; // HH:mm, "24:00" allowed as an end
  end: string;
}

export interface DayHours {
  open: boolean;
  start?: string;
  end?: string;
}

export interface SpecialHours {
  date: string;
  open: boolean;
  start?: string;
  end?: string;
}

export interface Closure {
  date: string;
  reason?: string | null;
}

/** Rule codes of the booking rules engine (API.md "Bookings"). */
export type BookingRuleCode =
  | 'minimum_notice'
  | 'max_advance'
  | 'business_hours'
  | 'staff_availability'
  | 'service_availability'
  | 'customer_blocked'
  | 'max_daily_bookings'
  | 'group_size'
  | 'consultation_required'
  | 'booking_limit'
  /** Self-service only (domain/booking/rules/self-service-change.ts): company keys are not bound. */
  | 'cancellation_cutoff'
  | 'max_reschedules';

export interface BranchRules {
  minimumNoticeMinutes: number;
  maxAdvanceDays: number;
  slotIntervalMinutes: number;
  maxDailyBookingsPerCustomer: number | null;
  /** Rules this branch switched off (they are neither listed as violations nor filter slots). */
  disabledRules?: BookingRuleCode[];
}

export const DEFAULT_BRANCH_RULES: BranchRules = {
  minimumNoticeMinutes: 120,
  maxAdvanceDays: 90,
  slotIntervalMinutes: 15,
  maxDailyBookingsPerCustomer: null,
};

/** At most this many bookings per local day / week (Monday first) / calendar month of the branch zone. */
export interface LimitCounts {
  day?: number | null;
  week?: number | null;
  month?: number | null;
}

/** Booking limits of a branch (all its bookings) or of a service (that service's bookings). */
export interface BookingLimits {
  perStaff?: LimitCounts | null;
  perCustomer?: LimitCounts | null;
}

export interface BranchSchedule {
  id: string;
  timezone: string;
  /** A weekday missing here is closed. */
  operatingHours: Partial<Record<Weekday, DayHours>>;
  specialHours?: SpecialHours[];
  closures?: Closure[];
  rules?: Partial<BranchRules> | null;
  limits?: BookingLimits | null;
}

export interface StaffSchedule {
  id: string;
  name: string;
  gender?: string | null;
  languages: string[];
  skills: string[];
  workingHours: Partial<Record<Weekday, TimeRange[]>>;
  breaks?: Partial<Record<Weekday, TimeRange[]>>;
  maxDailyBookings?: number | null;
  timeOff?: { start: Instant; end: Instant }[];
}

export interface FlexibleDuration {
  minMinutes: number;
  maxMinutes: number;
  stepMinutes: number;
}

export interface GroupSettings {
  minParticipants: number;
  maxParticipants: number;
}

export interface ServiceSpec {
  id: string;
  durationMinutes: number;
  bufferBeforeMinutes: number;
  bufferAfterMinutes: number;
  travelMinutes?: number;
  requiredSkills: string[];
  /** Resource ids; one of them must be free. Empty: no resource needed. */
  resourceRequirements: string[];
  category?: 'fixed' | 'flexible' | 'package' | 'recurring' | string;
  flexible?: FlexibleDuration | null;
  group?: GroupSettings | null;
  /** Inactive services cannot be booked (service_availability). Default true. */
  active?: boolean;
  limits?: BookingLimits | null;
  /** With requiresConsultation: the service a customer must have had (or booked) first. */
  requiresConsultation?: boolean;
  consultationServiceId?: string | null;
  /** Seats: up to `capacity` bookings of one staff member and start (see seats.ts). */
  seats?: { capacity: number } | null;
}

/**
 * A range that is not free: a live booking's blocked range (its buffers and travel included) or an
 * external calendar's busy time. `bookingId` marks our own bookings: only those count toward
 * daily limits, on the local day of `appointmentStart` (default `start`).
 */
export interface BusyInterval {
  staffId?: string | null;
  resourceId?: string | null;
  start: Instant;
  end: Instant;
  bookingId?: string | null;
  customerId?: string | null;
  appointmentStart?: Instant;
  /** Branch and service of our booking: booking limits of a branch or a service count by them. */
  branchId?: string | null;
  serviceId?: string | null;
  /** Seat bookings: the class (service|start|staff) this row takes a seat of. */
  seatKey?: string | null;
}

/** A booking of the customer's that a consultation-first service looks for. */
export interface CustomerBookingRecord {
  serviceId: string;
  status: string;
  start: Instant;
}

export interface Preferences {
  gender?: string | null;
  language?: string | null;
}

/** What a request asks of the schedule besides its time; shared by booking, slots, explain, alternatives. */
export interface SlotRequest {
  /** One staff member; omit (or null) for any qualified one (auto-assigned when booking). */
  staffId?: string | null;
  durationMinutes?: number | null;
  preferences?: Preferences | null;
  /** Group size (number of participants), checked against `service.group`. */
  participants?: number | null;
  customerId?: string | null;
}

/** A SlotRequest that may look past one booking of its own. */
export interface SlotQuery extends SlotRequest {
  /** Busy intervals of this booking are ignored (rescheduling it must not collide with itself). */
  excludeBookingId?: string | null;
}

export interface AvailabilityQuery extends SlotQuery {
  from: string;
  to: string;
}

/** Everything the engine reads; `now` is an argument, never the clock. */
export interface SchedulingInput {
  branch: BranchSchedule;
  staff: StaffSchedule[];
  service: ServiceSpec;
  busy: BusyInterval[];
  now: Instant;
  /** The requesting customer's bookings of the consultation service (only read by consultation_required). */
  customerHistory?: CustomerBookingRecord[];
  /**
   * A package service's member services in `packageServiceIds` order (packages.ts): with a
   * `category: "package"` service and at least one part, every search plans the parts back to back.
   */
  packageParts?: ServiceSpec[] | null;
}

export interface Slot {
  start: string;
  end: string;
  staffIds: string[];
  /** Seat services: the most seats left with any of the listed staff. */
  seatsLeft?: number;
}

export interface AvailabilityDay {
  date: string;
  slots: Slot[];
}

export interface AvailabilityResult {
  timezone: string;
  days: AvailabilityDay[];
}

export type ReasonCode =
  | 'branch_closed'
  | 'outside_business_hours'
  | 'staff_not_working'
  | 'staff_on_break'
  | 'staff_time_off'
  | 'staff_busy'
  | 'resource_unavailable'
  | 'skill_mismatch'
  | 'minimum_notice'
  | 'max_advance'
  | 'max_daily_bookings'
  | 'preference_mismatch'
  | 'group_size'
  | 'invalid_duration'
  | 'service_inactive'
  | 'unknown_staff'
  | 'consultation_required'
  | 'booking_limit'
  | 'cancellation_cutoff'
  | 'max_reschedules';

export interface Reason {
  code: ReasonCode;
  staffId?: string;
  /** Packages: the part (0-based, in packageServiceIds order) and its service this reason is about. */
  part?: number;
  serviceId?: string;
  /** booking_limit: the limit reached, e.g. "service.perCustomer.week" */
  limit?: string;
  message: string;
}

export function resolveRules(rules: Partial<BranchRules> | null | undefined): BranchRules {
  const r = rules ?? {};
  return {
    minimumNoticeMinutes: r.minimumNoticeMinutes ?? DEFAULT_BRANCH_RULES.minimumNoticeMinutes,
    maxAdvanceDays: r.maxAdvanceDays ?? DEFAULT_BRANCH_RULES.maxAdvanceDays,
    slotIntervalMinutes: r.slotIntervalMinutes ?? DEFAULT_BRANCH_RULES.slotIntervalMinutes,
    maxDailyBookingsPerCustomer: r.maxDailyBookingsPerCustomer ?? null,
    disabledRules: r.disabledRules ?? [],
  };
}
