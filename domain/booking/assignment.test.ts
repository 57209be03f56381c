/**
 * Staff assignment (API.md "Bookings"): among staff with the skills, matching the preferences and
 * free at that start, the one with the fewest bookings that local day; ties in the stable order
 * (name, then id), whatever order the staff arrive in.
 */
import { at, booking, branch, NOW, service, staff } from '../scheduling/scheduling.fixtures';
import type { BusyInterval, StaffSchedule } from '../scheduling/scheduling.types';
import { assignStaff, type AssignStaffInput } from './assignment';

const TUE = '2027-03-02';
const WED = '2027-03-03';

function assign(people: StaffSchedule[], busy: BusyInterval[] = [], over: Partial<AssignStaffInput> = {}) {
  return assignStaff({ branch: branch(), staff: people, service: service(), busy, now: NOW, start: at(TUE, '12:00'), ...over });
}

const anna = staff('stf_anna', { gender: 'female', languages: ['de'] });
const ben = staff('stf_ben', { gender: 'male', languages: ['en', 'de'] });
const cara = staff('stf_cara', { gender: 'female', languages: ['en'], skills: ['cut', 'color'] });

describe('assignStaff', () => {
  it.each<[string, StaffSchedule[], BusyInterval[], Partial<AssignStaffInput>, string | null]>([
    ['fewest bookings that day wins', [anna, ben], [booking('stf_anna', TUE, '09:00', '10:00')], {}, 'stf_ben'],
    ['a tie goes to the stable order (name), not the input order', [ben, cara, anna], [], {}, 'stf_anna'],
    [
      'a tie among the least busy keeps the stable order',
      [cara, ben, anna],
      [booking('stf_anna', TUE, '09:00', '10:00'), booking('stf_ben', TUE, '15:00', '16:00')],
      {},
      'stf_cara',
    ],
    [
      'bookings on other days do not count',
      [anna, ben],
      [booking('stf_anna', WED, '09:00', '10:00'), booking('stf_anna', WED, '10:00', '11:00'), booking('stf_ben', TUE, '09:00', '10:00')],
      {},
      'stf_anna',
    ],
    ['external busy times (no booking id) do not count', [anna, ben], [{ staffId: 'stf_anna', start: at(TUE, '09:00'), end: at(TUE, '10:00') }], {}, 'stf_anna'],
    [
      'the least busy staff member is skipped when busy at that start',
      [anna, ben],
      [booking('stf_ben', TUE, '11:30', '12:30'), booking('stf_anna', TUE, '09:00', '10:00'), booking('stf_anna', TUE, '10:00', '11:00')],
      {},
      'stf_anna',
    ],
    [
      'buffers make a neighbour busy',
      [anna, ben],
      [booking('stf_ben', TUE, '12:45', '13:30'), booking('stf_anna', TUE, '09:00', '10:00'), booking('stf_anna', TUE, '10:00', '11:00')],
      { service: service({ bufferAfterMinutes: 10 }) },
      'stf_anna',
    ],
    [
      'without buffers the same neighbour is free',
      [anna, ben],
      [booking('stf_ben', TUE, '12:45', '13:30'), booking('stf_anna', TUE, '09:00', '10:00'), booking('stf_anna', TUE, '10:00', '11:00')],
      {},
      'stf_ben',
    ],
    ['required skills', [anna, ben, cara], [booking('stf_cara', TUE, '09:00', '10:00')], { service: service({ requiredSkills: ['color'] }) }, 'stf_cara'],
    ['gender preference', [anna, ben], [booking('stf_ben', TUE, '09:00', '10:00')], { preferences: { gender: 'male' } }, 'stf_ben'],
    ['language preference', [anna, ben, cara], [], { preferences: { language: 'en' } }, 'stf_ben'],
    ['both preferences', [anna, ben, cara], [], { preferences: { gender: 'female', language: 'en' } }, 'stf_cara'],
    ['nobody matches the preferences', [anna, ben], [], { preferences: { language: 'fr' } }, null],
    ['everybody is busy', [anna, ben], [booking('stf_anna', TUE, '12:00', '13:00'), booking('stf_ben', TUE, '11:30', '12:15')], {}, null],
    ['the branch is closed', [anna, ben], [], { start: at('2027-03-07', '12:00') }, null],
    ['staff on time off', [anna, ben], [booking('stf_ben', TUE, '09:00', '10:00')], { staff: [staff('stf_anna', { timeOff: [{ start: at(TUE, '00:00'), end: at(WED, '00:00') }] }), ben] }, 'stf_ben'],
    ['staff at their daily limit', [staff('stf_anna', { maxDailyBookings: 1 }), ben], [booking('stf_anna', TUE, '09:00', '10:00'), booking('stf_ben', TUE, '09:00', '10:00'), booking('stf_ben', TUE, '10:00', '11:00')], {}, 'stf_ben'],
  ])('%s', (_, people, busy, over, expected) => {
    const got = assign(over.staff ?? people, busy, over);
    expect(got?.staffId ?? null).toBe(expected);
  });

  it('explains the choice with the day count and the tie-break', () => {
    const got = assign([ben, anna]);
    expect(got).toMatchObject({ staffId: 'stf_anna', staffName: 'anna', bookingsThatDay: 0, resourceId: null });
    expect(got?.reason).toContain('fewest bookings on 2027-03-02 (0) among 2');
    expect(got?.reason).toContain('tie broken by name');
    expect(assign([anna])?.reason).toContain('only matching staff member');
  });

  it('counts one booking once even when it arrives as several rows', () => {
    const rows = [booking('stf_anna', TUE, '09:00', '10:00', { bookingId: 'bkg_x' }), { ...booking('stf_anna', TUE, '09:00', '10:00'), bookingId: 'bkg_x', resourceId: 'room_a' }];
    const got = assign([anna, ben], [...rows, booking('stf_ben', TUE, '10:00', '11:00')]);
    expect(got?.staffId).toBe('stf_anna');
    expect(got?.bookingsThatDay).toBe(1);
  });

  it('uses caller-supplied day counts when given', () => {
    expect(assign([anna, ben], [], { dayCounts: { stf_anna: 3, stf_ben: 1 } })?.staffId).toBe('stf_ben');
  });

  it('returns the free resource with the staff member', () => {
    const svc = service({ resourceRequirements: ['room_a', 'room_b'] });
    const busy = [{ resourceId: 'room_a', start: at(TUE, '11:00'), end: at(TUE, '13:00') }];
    expect(assign([anna], busy, { service: svc })?.resourceId).toBe('room_b');
    expect(assign([anna], [...busy, { resourceId: 'room_b', start: at(TUE, '12:30'), end: at(TUE, '13:00') }], { service: svc })).toBeNull();
  });

  it('ignores the booking being rescheduled', () => {
    const busy = [booking('stf_anna', TUE, '12:00', '13:00', { bookingId: 'bkg_self' })];
    expect(assign([anna], busy)).toBeNull();
    expect(assign([anna], busy, { excludeBookingId: 'bkg_self' })?.staffId).toBe('stf_anna');
  });
});
