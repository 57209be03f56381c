/**
 * Test fixtures for the scheduling core (imported by *.test.ts only). Fixed zone and `now`:
 * Europe/Berlin, Monday 2027-03-01 07:00 local. Mon–Fri 09:00–18:00, Sat 10:00–14:00, Sun closed.
 */
import { DateTime } from 'luxon';
import type { AvailabilityDay, BranchSchedule, BusyInterval, ServiceSpec, StaffSchedule, TimeRange, Weekday } from './scheduling.types';

export const ZONE = 'Europe/Berlin';
export const NOW = '2027-03-01T07:00:00+01:00';

const weekdays: Weekday[] = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'];

export function branch(over: Partial<BranchSchedule> = {}): BranchSchedule {
  return {
    id: 'br_1',
    timezone: ZONE,
    operatingHours: {
      ...Object.fromEntries(weekdays.map((d) => [d, { open: true, start: '09:00', end: '18:00' }])),
      saturday: { open: true, start: '10:00', end: '14:00' },
      sunday: { open: false },
    },
    specialHours: [],
    closures: [],
    rules: { minimumNoticeMinutes: 120, maxAdvanceDays: 90, slotIntervalMinutes: 15, maxDailyBookingsPerCustomer: null },
    ...over,
  };
}

export function everyDay(ranges: TimeRange[]): Partial<Record<Weekday, TimeRange[]>> {
  return Object.fromEntries([...weekdays, 'saturday', 'sunday'].map((d) => [d, ranges]));
}

export function staff(id: string, over: Partial<StaffSchedule> = {}): StaffSchedule {
  return {
    id,
    name: id.replace(/^stf_/, ''),
    gender: 'female',
    languages: ['de'],
    skills: ['cut'],
    workingHours: everyDay([{ start: '09:00', end: '18:00' }]),
    breaks: {},
    maxDailyBookings: null,
    timeOff: [],
    ...over,
  };
}

export function service(over: Partial<ServiceSpec> = {}): ServiceSpec {
  return {
    id: 'svc_cut',
    durationMinutes: 45,
    bufferBeforeMinutes: 0,
    bufferAfterMinutes: 0,
    travelMinutes: 0,
    requiredSkills: ['cut'],
    resourceRequirements: [],
    category: 'fixed',
    ...over,
  };
}

/** ISO instant of a local date and time in `zone`. */
export function at(date: string, hm: string, zone = ZONE): string {
  return DateTime.fromISO(`${date}T${hm}`, { zone }).toISO({ suppressMilliseconds: true }) as string;
}

export function booking(staffId: string, date: string, from: string, to: string, over: Partial<BusyInterval> = {}): BusyInterval {
  return { staffId, start: at(date, from), end: at(date, to), bookingId: `bkg_${staffId}_${date}_${from}`, ...over };
}

/** Local HH:mm labels of a day's slot starts (for readable expectations). */
export function startLabels(day: AvailabilityDay | undefined): string[] {
  return (day?.slots ?? []).map((s) => s.start.slice(11, 16));
}
