/**
 * Staff in several branches, pure: each branch sees the person with that branch's hours, and the
 * person's bookings in another branch (loaded by staff id, any branch) are busy time in both
 * availability and auto-assignment.
 */
import { assignStaff } from '../booking/assignment';
import { at, booking, branch, everyDay, NOW, service, staff, startLabels } from './scheduling.fixtures';
import { computeAvailability } from './slot-engine';
import { branchesOf, hoursInBranch, staffOfBranch, type MultiBranchStaff } from './staff-branches';

const TUE = '2027-03-02';
const morning = everyDay([{ start: '09:00', end: '13:00' }]);
const afternoon = everyDay([{ start: '14:00', end: '18:00' }]);

/** Anna: primary branch br_1 in the mornings, assigned to br_2 in the afternoons (break 16:00-16:30). */
const anna: MultiBranchStaff = {
  ...staff('stf_anna', { workingHours: morning }),
  branchId: 'br_1',
  assignments: [{ branchId: 'br_2', workingHours: afternoon, breaks: everyDay([{ start: '16:00', end: '16:30' }]) }],
};
const ben: MultiBranchStaff = { ...staff('stf_ben'), branchId: 'br_2', assignments: [] };

describe('hoursInBranch / staffOfBranch', () => {
  it.each([
    ['the primary branch', 'br_1', morning, {}],
    ['an assigned branch', 'br_2', afternoon, everyDay([{ start: '16:00', end: '16:30' }])],
  ])('gives the hours of %s', (_label, branchId, workingHours, breaks) => {
    expect(hoursInBranch(anna, branchId)).toEqual({ workingHours, breaks });
  });

  it('leaves out people who do not work in the branch', () => {
    expect(hoursInBranch(anna, 'br_3')).toBeNull();
    expect(staffOfBranch([anna, ben], 'br_1').map((s) => s.id)).toEqual(['stf_anna']);
    expect(staffOfBranch([anna, ben], 'br_2').map((s) => s.id)).toEqual(['stf_anna', 'stf_ben']);
    expect(staffOfBranch([anna, ben], 'br_3')).toEqual([]);
  });

  it('lists every branch of a person, the primary first', () => {
    expect(branchesOf(anna)).toEqual(['br_1', 'br_2']);
    expect(branchesOf(ben)).toEqual(['br_2']);
  });
});

describe('availability and assignment across branches', () => {
  const wide = everyDay([{ start: '09:00', end: '18:00' }]);
  // Carla works all day in both branches: the hours overlap, the person cannot.
  const carla: MultiBranchStaff = { ...staff('stf_carla', { workingHours: wide }), branchId: 'br_1', assignments: [{ branchId: 'br_2', workingHours: wide }] };
  const inBranch1 = booking('stf_carla', TUE, '10:00', '11:00', { branchId: 'br_1' });

  function labelsIn(branchId: string, people: MultiBranchStaff[], busy = [inBranch1]) {
    const result = computeAvailability({
      branch: branch({ id: branchId }),
      staff: staffOfBranch(people, branchId),
      service: service({ durationMinutes: 60 }),
      busy,
      now: NOW,
      query: { from: TUE, to: TUE },
    });
    return startLabels(result.days[0]);
  }

  it('branch 2 hides the time the person is booked in branch 1', () => {
    const free = labelsIn('br_2', [carla]);
    expect(free).toContain('09:00');
    expect(free).not.toContain('09:15');
    expect(free).not.toContain('10:00');
    expect(free).not.toContain('10:45');
    expect(free).toContain('11:00');
    expect(labelsIn('br_2', [carla], [])).toContain('10:00');
  });

  it('an assigned branch uses its own hours and breaks', () => {
    const free = labelsIn('br_2', [anna], []);
    expect(free[0]).toBe('14:00');
    expect(free).not.toContain('15:30'); // would run into the 16:00 break
    expect(free).toContain('16:30');
    expect(labelsIn('br_1', [anna], [])).toEqual(['09:00', '09:15', '09:30', '09:45', '10:00', '10:15', '10:30', '10:45', '11:00', '11:15', '11:30', '11:45', '12:00']);
  });

  it('auto-assignment in branch 2 skips the person busy in branch 1 and picks someone free', () => {
    const input = {
      branch: branch({ id: 'br_2' }),
      service: service({ durationMinutes: 60 }),
      busy: [inBranch1],
      now: NOW,
      start: at(TUE, '10:00'),
    };
    expect(assignStaff({ ...input, staff: staffOfBranch([carla], 'br_2') })).toBeNull();
    expect(assignStaff({ ...input, staff: staffOfBranch([carla, ben], 'br_2') })?.staffId).toBe('stf_ben');
  });
});
