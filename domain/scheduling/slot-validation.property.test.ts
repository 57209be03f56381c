/**
 * Property: a listed slot always passes validation. For many seeded random scenarios (zones with
 * DST, DST dates, closures, special hours, breaks, time off across midnight, buffers, travel,
 * resources, skills, preferences, daily limits, flexible durations, group sizes, notice and
 * advance windows), every slot computeAvailability lists passes validateBooking for each staff
 * member it names and for auto-assignment, and explainStart calls it available. Conversely, every
 * start on a member's grid that is not listed for that member fails validation for them.
 * Seeds are fixed, so a failure is reproducible (the seed is in the test name).
 */
import { validateBooking } from '../booking/rules/validate-booking';
import { SchedulingContext } from './context';
import { explainStart } from './explain';
import { computeAvailability } from './slot-engine';
import { addDays } from './local-time';
import {
  WEEKDAYS,
  type BranchSchedule,
  type BusyInterval,
  type Preferences,
  type ServiceSpec,
  type StaffSchedule,
  type TimeRange,
  type Weekday,
} from './scheduling.types';

/** mulberry32: small deterministic PRNG. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(list: readonly T[]): T => list[int(0, list.length - 1)];
  const chance = (p: number) => next() < p;
  return { int, pick, chance };
}
type Rng = ReturnType<typeof rng>;

const ZONES = ['Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Sydney', 'UTC'];
const DATES = ['2027-03-26', '2027-03-12', '2027-10-29', '2027-11-05', '2027-06-14'];
const hm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
const MIN = 60_000;

function window(r: Rng, from: number, to: number): TimeRange {
  const start = r.int(from / 5, (to - 60) / 5) * 5;
  const end = Math.min(to, start + r.int(12, 48) * 5);
  return { start: hm(start), end: hm(end) };
}

function scenario(seed: number) {
  const r = rng(seed);
  const timezone = r.pick(ZONES);
  const from = r.pick(DATES);
  const to = addDays(from, r.int(0, 3));
  const dates = [from, addDays(from, 1), addDays(from, 2), addDays(from, 3)];
  const branch: BranchSchedule = {
    id: 'br_p',
    timezone,
    operatingHours: Object.fromEntries(
      WEEKDAYS.map((d) => [d, r.chance(0.85) ? { open: true, start: hm(r.int(0, 20) * 30), end: r.chance(0.2) ? '24:00' : hm(r.int(26, 46) * 30) } : { open: false }]),
    ),
    specialHours: r.chance(0.4) ? [{ date: r.pick(dates), open: r.chance(0.6), ...window(r, 0, 1440) }] : [],
    closures: r.chance(0.3) ? [{ date: r.pick(dates), reason: 'random' }] : [],
    rules: {
      minimumNoticeMinutes: r.pick([0, 30, 120, 24 * 60]),
      maxAdvanceDays: r.pick([1, 2, 30]),
      slotIntervalMinutes: r.pick([5, 10, 15, 20, 30]),
      maxDailyBookingsPerCustomer: r.pick([null, 1, 2]),
      disabledRules: r.chance(0.2) ? [r.pick(['minimum_notice', 'business_hours', 'max_daily_bookings'] as const)] : [],
    },
  };
  const staff: StaffSchedule[] = Array.from({ length: r.int(1, 4) }, (_, i) => {
    const hours: Partial<Record<Weekday, TimeRange[]>> = {};
    const breaks: Partial<Record<Weekday, TimeRange[]>> = {};
    for (const d of WEEKDAYS) {
      if (r.chance(0.15)) continue;
      hours[d] = r.chance(0.5) ? [window(r, 0, 720), window(r, 720, 1440)] : [{ start: hm(r.int(0, 24) * 30), end: hm(r.int(28, 48) * 30) }];
      if (r.chance(0.4)) breaks[d] = [window(r, 600, 900)];
    }
    const base = Date.parse(`${from}T00:00:00Z`);
    const timeOff = r.chance(0.3) ? [{ start: base + r.int(-24, 72) * 60 * MIN, end: 0 }] : [];
    for (const t of timeOff) t.end = t.start + r.int(1, 30) * 60 * MIN; // may cross midnight
    return {
      id: `stf_${i}`,
      name: r.pick(['Anna', 'Ben', 'Cara', 'Dan']),
      gender: r.pick(['female', 'male', null]),
      languages: r.chance(0.5) ? ['de'] : ['en', 'de-AT'],
      skills: r.chance(0.8) ? ['cut'] : ['color'],
      workingHours: hours,
      breaks,
      maxDailyBookings: r.pick([null, null, 1, 2]),
      timeOff,
    };
  });
  const flexible = r.chance(0.3);
  const service: ServiceSpec = {
    id: 'svc_p',
    durationMinutes: r.pick([15, 30, 45, 60, 90]),
    bufferBeforeMinutes: r.pick([0, 0, 5, 15]),
    bufferAfterMinutes: r.pick([0, 10, 30]),
    travelMinutes: r.pick([0, 0, 20]),
    requiredSkills: r.chance(0.8) ? ['cut'] : [],
    resourceRequirements: r.chance(0.4) ? ['res_a', 'res_b'].slice(0, r.int(1, 2)) : [],
    category: flexible ? 'flexible' : 'fixed',
    flexible: flexible ? { minMinutes: 30, maxMinutes: 120, stepMinutes: 15 } : null,
    group: r.chance(0.2) ? { minParticipants: 2, maxParticipants: 5 } : null,
  };
  const busy: BusyInterval[] = [];
  const base = Date.parse(`${from}T00:00:00Z`) - 12 * 60 * MIN;
  for (let i = r.int(0, 25); i > 0; i--) {
    const start = base + r.int(0, 5 * 24 * 12) * 5 * MIN;
    const end = start + r.int(3, 24) * 5 * MIN;
    const kind = r.int(0, 3);
    if (kind === 3) busy.push({ staffId: r.pick(staff).id, start, end }); // external busy time
    else
      busy.push({
        bookingId: `bkg_${i}`,
        staffId: r.pick(staff).id,
        resourceId: service.resourceRequirements.length > 0 && r.chance(0.6) ? r.pick(['res_a', 'res_b']) : null,
        customerId: r.pick(['cus_1', 'cus_2']),
        start,
        end,
        appointmentStart: start + r.pick([0, 10]) * MIN,
      });
  }
  const preferences: Preferences | null = r.chance(0.3) ? { gender: r.pick(['female', 'male', null]), language: r.pick(['de', 'en', null]) } : null;
  const now = Date.parse(`${from}T00:00:00Z`) + r.int(-48, 30) * 60 * MIN;
  return {
    input: { branch, staff, service, busy, now },
    query: {
      from,
      to,
      durationMinutes: flexible ? r.pick([30, 45, 120]) : null,
      preferences,
      participants: service.group ? r.int(2, 5) : r.pick([null, 1]),
      customerId: r.pick([null, 'cus_1']),
    },
  };
}

const SEEDS = Array.from({ length: 150 }, (_, i) => 1000 + i * 7919);

describe('a listed slot always passes validation', () => {
  let listedTotal = 0;
  let unlistedTotal = 0;

  it.each(SEEDS)('seed %i', (seed) => {
    const { input, query } = scenario(seed);
    const result = computeAvailability({ ...input, query });
    const booking = { durationMinutes: query.durationMinutes, preferences: query.preferences, participants: query.participants, customerId: query.customerId };
    const step = (input.branch.rules?.slotIntervalMinutes ?? 15) * MIN;
    for (const day of result.days) {
      const listed = new Map(day.slots.map((s) => [Date.parse(s.start), s.staffIds]));
      for (const slot of day.slots) {
        listedTotal++;
        for (const staffId of slot.staffIds) {
          const v = validateBooking({ ...input, booking: { ...booking, start: slot.start, staffId } });
          expect({ seed, start: slot.start, staffId, violations: v.violations }).toEqual({ seed, start: slot.start, staffId, violations: [] });
        }
        expect(validateBooking({ ...input, booking: { ...booking, start: slot.start, staffId: null } }).ok).toBe(true);
        const ex = explainStart({ ...input, ...booking, start: slot.start });
        // explain may name more staff: a member free at that instant whose own grid (aligned to their
        // open interval) does not hit it is not listed there, but is free.
        expect({ start: slot.start, available: ex.available, listedAreFree: slot.staffIds.every((id) => ex.staffIds.includes(id)) }).toEqual({ start: slot.start, available: true, listedAreFree: true });
      }
      // Converse: every start on a member's grid (each open interval's start, stepping by the
      // interval) that is not listed for that member fails validation for that member.
      const ctx = new SchedulingContext(input);
      let probe = 0;
      const dur = (query.durationMinutes ?? input.service.durationMinutes) * MIN;
      for (const member of ctx.staff) {
        for (const open of ctx.staffDay(member, day.date).open) {
          for (let s = open.start; s + dur <= open.end; s += step) {
            if (listed.get(s)?.includes(member.id) || ++probe % 3 !== 0) continue; // every third, for speed
            unlistedTotal++;
            const v = validateBooking({ ...input, booking: { ...booking, start: new Date(s).toISOString(), staffId: member.id } });
            expect({ seed, start: new Date(s).toISOString(), staffId: member.id, ok: v.ok }).toEqual({ seed, start: new Date(s).toISOString(), staffId: member.id, ok: false });
          }
        }
      }
    }
  });

  afterAll(() => {
    // The scenarios must actually list slots, or the property above would hold vacuously.
    expect(listedTotal).toBeGreaterThan(2000);
    expect(unlistedTotal).toBeGreaterThan(1000);
  });
});
