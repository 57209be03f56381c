/**
 * The availability benchmark's workload, as plain domain data so the pure-engine run and the
 * database seed share it: one branch (Europe/Berlin, Mon–Sat 08:00–20:00), 20 staff (same hours,
 * a 12:00–12:30 break), a 45-minute service with 5/10-minute buffers, a 15-minute slot interval
 * and N live bookings spread over the staff and the open days of a 30-day range, never
 * overlapping per staff member (so they also satisfy the database's exclusion constraint).
 */
import { addDays, weekdayOf } from '../../domain/scheduling/local-time';
import type { BranchSchedule, BusyInterval, ServiceSpec, StaffSchedule, Weekday } from '../../domain/scheduling/scheduling.types';

export const BENCH_ZONE = 'Europe/Berlin';
const OPEN_DAYS: Weekday[] = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
/** Local appointment starts a staff member may have on a day (2 h apart: buffers never meet). */
const BOOKING_STARTS = ['08:00', '10:00', '13:00', '15:00', '17:00'];
/** Staff are shifted by 0/15/30/45 minutes so their bookings do not all fall on the same starts. */
const STAFF_SHIFT_MINUTES = [0, 15, 30, 45];

export interface AvailabilityScenario {
  branch: BranchSchedule;
  staff: StaffSchedule[];
  service: ServiceSpec;
  /** Appointments (not blocked ranges): staff, local date and start, 45 minutes each. */
  bookings: { staffId: string; start: Date; end: Date }[];
  /** Blocked ranges as the engine reads them (buffers included). */
  busy: BusyInterval[];
  from: string;
  to: string;
}

export function buildScenario(options: { from: string; days?: number; staffCount?: number; bookingCount?: number; ids?: (kind: 'staff' | 'booking', i: number) => string }): AvailabilityScenario {
  const days = options.days ?? 30;
  const staffCount = options.staffCount ?? 20;
  const bookingCount = options.bookingCount ?? 2000;
  const id = options.ids ?? ((kind, i) => `${kind === 'staff' ? 'stf' : 'bkg'}_${i}`);
  const hours = Object.fromEntries(OPEN_DAYS.map((d) => [d, [{ start: '08:00', end: '20:00' }]]));
  const breaks = Object.fromEntries(OPEN_DAYS.map((d) => [d, [{ start: '12:00', end: '12:30' }]]));
  const branch: BranchSchedule = {
    id: 'br_bench',
    timezone: BENCH_ZONE,
    operatingHours: { ...Object.fromEntries(OPEN_DAYS.map((d) => [d, { open: true, start: '08:00', end: '20:00' }])), sunday: { open: false } },
    specialHours: [],
    closures: [],
    rules: { minimumNoticeMinutes: 0, maxAdvanceDays: 365, slotIntervalMinutes: 15, maxDailyBookingsPerCustomer: null },
  };
  const staff: StaffSchedule[] = Array.from({ length: staffCount }, (_, i) => ({
    id: id('staff', i),
    name: `Staff ${String(i).padStart(2, '0')}`,
    gender: i % 2 ? 'male' : 'female',
    languages: ['de', 'en'],
    skills: ['cut'],
    workingHours: hours,
    breaks,
    maxDailyBookings: null,
    timeOff: [],
  }));
  const service: ServiceSpec = {
    id: 'svc_bench',
    durationMinutes: 45,
    bufferBeforeMinutes: 5,
    bufferAfterMinutes: 10,
    travelMinutes: 0,
    requiredSkills: ['cut'],
    resourceRequirements: [],
    category: 'fixed',
  };
  const openDates = Array.from({ length: days }, (_, i) => addDays(options.from, i)).filter((d) => weekdayOf(d) !== 'sunday');
  const capacity = openDates.length * staffCount * BOOKING_STARTS.length;
  if (bookingCount > capacity) throw new Error(`at most ${capacity} bookings fit this scenario`);
  const bookings: AvailabilityScenario['bookings'] = [];
  // Walk (slot, date, staff) so bookings spread evenly over days and staff.
  for (let n = 0; n < bookingCount; n++) {
    const staffIndex = n % staffCount;
    const dateIndex = Math.floor(n / staffCount) % openDates.length;
    const slotIndex = Math.floor(n / (staffCount * openDates.length));
    const shift = STAFF_SHIFT_MINUTES[staffIndex % STAFF_SHIFT_MINUTES.length] * 60_000;
    const start = new Date(localInstant(openDates[dateIndex], BOOKING_STARTS[slotIndex]).getTime() + shift);
    bookings.push({ staffId: staff[staffIndex].id, start, end: new Date(start.getTime() + 45 * 60_000) });
  }
  const busy = bookings.map((b, i) => ({
    bookingId: id('booking', i),
    staffId: b.staffId,
    start: b.start.getTime() - 5 * 60_000,
    end: b.end.getTime() + 10 * 60_000,
    appointmentStart: b.start.getTime(),
  }));
  return { branch, staff, service, bookings, busy, from: options.from, to: addDays(options.from, days - 1) };
}

/** Europe/Berlin local date and HH:mm → instant (no DST transition falls on a booking time). */
function localInstant(date: string, hm: string): Date {
  const guess = new Date(`${date}T${hm}:00Z`);
  const offset = new Intl.DateTimeFormat('en-GB', { timeZone: BENCH_ZONE, timeZoneName: 'shortOffset' })
    .formatToParts(guess)
    .find((p) => p.type === 'timeZoneName')?.value ?? 'GMT+1';
  const hours = Number(offset.replace('GMT', '') || 0);
  return new Date(guess.getTime() - hours * 3_600_000);
}
