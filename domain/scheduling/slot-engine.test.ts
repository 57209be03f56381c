import { NotFoundError, ValidationError } from '../errors';
import { at, booking, branch, NOW, service, staff, startLabels } from './scheduling.fixtures';
import type { AvailabilityInput } from './slot-engine';
import { computeAvailability } from './slot-engine';
import type { AvailabilityQuery } from './scheduling.types';

const TUE = '2027-03-02';
const WED = '2027-03-03';

function run(over: Partial<AvailabilityInput> = {}, query: Partial<AvailabilityQuery> = {}) {
  return computeAvailability({
    branch: branch(),
    staff: [staff('stf_anna')],
    service: service(),
    busy: [],
    now: NOW,
    ...over,
    query: { from: TUE, to: TUE, ...query },
  });
}

function labels(over: Partial<AvailabilityInput> = {}, query: Partial<AvailabilityQuery> = {}, date = query.from ?? TUE) {
  return startLabels(run(over, query).days.find((d) => d.date === date));
}

function grid(from: string, to: string, step = 15): string[] {
  const toMin = (hm: string) => +hm.slice(0, 2) * 60 + +hm.slice(3);
  const out: string[] = [];
  for (let m = toMin(from); m <= toMin(to); m += step) out.push(`${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`);
  return out;
}

describe('computeAvailability', () => {
  it('lists every start on the grid whose whole appointment fits, with ISO offsets and staff', () => {
    const day = run().days[0];
    expect(startLabels(day)).toEqual(grid('09:00', '17:15'));
    expect(day.slots[0]).toEqual({ start: '2027-03-02T09:00:00+01:00', end: '2027-03-02T09:45:00+01:00', staffIds: ['stf_anna'] });
  });

  it('lists every day of the range, empty when closed', () => {
    const days = run({}, { from: '2027-03-01', to: '2027-03-07' }).days;
    expect(days.map((d) => d.date)).toEqual(['2027-03-01', TUE, WED, '2027-03-04', '2027-03-05', '2027-03-06', '2027-03-07']);
    expect(days[6].slots).toEqual([]);
    expect(startLabels(days[5])).toEqual(grid('10:00', '13:15')); // Saturday 10:00–14:00
  });

  it.each([
    // [case, service overrides, busy, must include, must exclude]
    ['buffers on both sides', { bufferBeforeMinutes: 10, bufferAfterMinutes: 15 }, ['12:00', '13:00'], ['09:00', '11:00', '13:15', '17:15'], ['11:15', '12:00', '13:00']],
    ['travel time before and after', { travelMinutes: 30 }, ['12:00', '13:00'], ['10:45', '13:30'], ['11:00', '13:15']],
    ['no buffers: back to back', {}, ['12:00', '13:00'], ['11:15', '13:00'], ['11:30', '12:45']],
  ])('%s', (_, svc, [from, to], include, exclude) => {
    const got = labels({ service: service(svc), busy: [booking('stf_anna', TUE, from, to)] });
    for (const l of include) expect(got).toContain(l);
    for (const l of exclude) expect(got).not.toContain(l);
  });

  it('excludes breaks and gaps and aligns the grid to each open interval start', () => {
    const anna = staff('stf_anna', {
      workingHours: { tuesday: [{ start: '09:00', end: '13:00' }, { start: '14:00', end: '18:00' }] },
      breaks: { tuesday: [{ start: '11:00', end: '11:10' }] },
    });
    expect(labels({ staff: [anna] })).toEqual([...grid('09:00', '10:15'), ...grid('11:10', '12:10'), ...grid('14:00', '17:15')]);
  });

  it('aligns to a special-hours opening that is off the quarter hour', () => {
    const b = branch({ specialHours: [{ date: TUE, open: true, start: '09:10', end: '12:00' }] });
    expect(labels({ branch: b })).toEqual(grid('09:10', '11:10'));
  });

  it.each([
    ['closure', { closures: [{ date: TUE, reason: 'Inventory' }] }, TUE, []],
    ['special hours closed', { specialHours: [{ date: TUE, open: false }] }, TUE, []],
    ['Sunday opened by special hours', { specialHours: [{ date: '2027-03-07', open: true, start: '10:00', end: '12:00' }] }, '2027-03-07', grid('10:00', '11:15')],
  ])('%s', (_, over, date, expected) => {
    expect(labels({ branch: branch(over) }, { from: date, to: date }, date)).toEqual(expected);
  });

  it('honours time off that crosses midnight', () => {
    const anna = staff('stf_anna', { timeOff: [{ start: at(TUE, '16:00'), end: at(WED, '10:00') }] });
    const days = run({ staff: [anna] }, { from: TUE, to: WED }).days;
    expect(startLabels(days[0])).toEqual(grid('09:00', '15:15'));
    expect(startLabels(days[1])).toEqual(grid('10:00', '17:15'));
  });

  it('needs one of the listed resources free for the blocked range', () => {
    const svc = service({ resourceRequirements: ['room_a', 'room_b'] });
    const busy = [
      { resourceId: 'room_a', start: at(TUE, '10:00'), end: at(TUE, '12:00') },
      { resourceId: 'room_b', start: at(TUE, '11:00'), end: at(TUE, '12:00') },
    ];
    const got = labels({ service: svc, busy });
    expect(got).toEqual(expect.arrayContaining(['10:00', '10:15', '12:00']));
    for (const l of grid('10:30', '11:45')) expect(got).not.toContain(l);
  });

  it('offers only staff with the required skills, merging staff per start in name order', () => {
    const people = [staff('stf_ben', { skills: ['cut', 'color'] }), staff('stf_anna', { skills: ['cut'] }), staff('stf_cara', { skills: ['color', 'cut'] })];
    expect(run({ staff: people, service: service({ requiredSkills: ['color'] }) }).days[0].slots[0].staffIds).toEqual(['stf_ben', 'stf_cara']);
    expect(run({ staff: people }).days[0].slots[0].staffIds).toEqual(['stf_anna', 'stf_ben', 'stf_cara']);
  });

  it.each([
    ['staff limit reached', 2, 2, []],
    ['staff limit not reached', 2, 1, ['09:00']],
    ['no staff limit', null, 3, ['09:00']],
  ])('staff max daily bookings: %s', (_, max, count, firstSlots) => {
    const busy = ['15:00', '16:00', '17:00'].slice(0, count).map((t) => booking('stf_anna', TUE, t, `${t.slice(0, 2)}:45`));
    const got = labels({ staff: [staff('stf_anna', { maxDailyBookings: max })], busy });
    expect(got.slice(0, firstSlots.length)).toEqual(firstSlots);
    if (firstSlots.length === 0) expect(got).toEqual([]);
  });

  it('external busy times block but do not count toward daily limits', () => {
    const busy = [{ staffId: 'stf_anna', start: at(TUE, '15:00'), end: at(TUE, '16:00') }];
    const got = labels({ staff: [staff('stf_anna', { maxDailyBookings: 1 })], busy });
    expect(got).toContain('09:00');
    expect(got).not.toContain('15:00');
  });

  it('customer max daily bookings empties the customer\'s full days only', () => {
    const b = branch({ rules: { maxDailyBookingsPerCustomer: 1 } });
    const busy = [booking('stf_ben', TUE, '15:00', '16:00', { customerId: 'cus_1' })];
    const input = { branch: b, staff: [staff('stf_anna'), staff('stf_ben')], busy };
    expect(labels(input, { customerId: 'cus_1' })).toEqual([]);
    expect(labels(input, { customerId: 'cus_1', from: WED, to: WED }, WED)).toContain('09:00');
    expect(labels(input, { customerId: 'cus_2' })).toContain('09:00');
  });

  it.each([
    ['exactly the notice', NOW, '09:00'],
    ['one minute less than the notice', '2027-03-01T07:01:00+01:00', '09:15'],
    ['notice reaches into the afternoon', '2027-03-01T12:20:00+01:00', '14:30'],
  ])('minimum notice: %s', (_, now, first) => {
    expect(labels({ now }, { from: '2027-03-01', to: '2027-03-01' })[0]).toBe(first);
  });

  it('max advance: the last start is exactly maxAdvanceDays × 24 h after now', () => {
    const b = branch({ rules: { minimumNoticeMinutes: 0, maxAdvanceDays: 1 } });
    expect(labels({ branch: b, now: '2027-03-01T10:00:00+01:00' })).toEqual(grid('09:00', '10:00'));
    expect(labels({ branch: b, now: '2027-03-01T10:00:00+01:00' }, { from: WED, to: WED }, WED)).toEqual([]);
  });

  it.each([
    ['in bounds on the step', 60, '17:00'],
    ['the minimum', 30, '17:30'],
    ['the maximum', 90, '16:30'],
  ])('flexible duration %s', (_, minutes, last) => {
    const svc = service({ category: 'flexible', durationMinutes: 45, flexible: { minMinutes: 30, maxMinutes: 90, stepMinutes: 15 } });
    const day = run({ service: svc }, { durationMinutes: minutes }).days[0];
    expect(startLabels(day).at(-1)).toBe(last);
    expect(day.slots.every((s) => Date.parse(s.end) - Date.parse(s.start) === minutes * 60_000)).toBe(true);
  });

  it.each([
    ['below the minimum', 'flexible', 15],
    ['above the maximum', 'flexible', 120],
    ['off the step', 'flexible', 70],
    ['not the fixed duration', 'fixed', 60],
    ['not positive', 'fixed', -45],
  ])('rejects a duration %s', (_, category, minutes) => {
    const svc = service({ category, flexible: category === 'flexible' ? { minMinutes: 30, maxMinutes: 90, stepMinutes: 15 } : null });
    expect(() => run({ service: svc }, { durationMinutes: minutes })).toThrow(ValidationError);
  });

  it.each([
    ['within the group range', { minParticipants: 2, maxParticipants: 6 }, 3, true],
    ['the maximum', { minParticipants: 2, maxParticipants: 6 }, 6, true],
    ['too many', { minParticipants: 2, maxParticipants: 6 }, 7, false],
    ['too few', { minParticipants: 2, maxParticipants: 6 }, 1, false],
    ['a group on a non-group service', null, 2, false],
    ['one person on a non-group service', null, 1, true],
    ['size not given', { minParticipants: 2, maxParticipants: 6 }, undefined, true],
  ])('group size: %s', (_, group, participants, open) => {
    expect(labels({ service: service({ group }) }, { participants }).length > 0).toBe(open);
  });

  it.each([
    [{ gender: 'female' }, ['stf_anna']],
    [{ gender: 'male' }, ['stf_ben']],
    [{ language: 'en' }, ['stf_ben']],
    [{ language: 'DE' }, ['stf_anna']],
    [{ gender: 'female', language: 'en' }, []],
  ])('preferences %p → %p', (preferences, ids) => {
    const people = [staff('stf_anna', { gender: 'female', languages: ['de-AT'] }), staff('stf_ben', { gender: 'male', languages: ['en'] })];
    const slots = run({ staff: people }, { preferences }).days[0].slots;
    expect(slots[0]?.staffIds ?? []).toEqual(ids);
  });

  it('narrows to one staff member and rejects unknown ones', () => {
    const people = [staff('stf_anna'), staff('stf_ben')];
    expect(run({ staff: people }, { staffId: 'stf_ben' }).days[0].slots[0].staffIds).toEqual(['stf_ben']);
    expect(() => run({ staff: people }, { staffId: 'stf_nobody' })).toThrow(NotFoundError);
  });

  it('ignores the busy rows of the booking being rescheduled', () => {
    const busy = [booking('stf_anna', TUE, '09:00', '18:00', { bookingId: 'bkg_self' })];
    expect(labels({ busy })).toEqual([]);
    expect(labels({ busy }, { excludeBookingId: 'bkg_self' })).toEqual(grid('09:00', '17:15'));
  });

  it('rejects a range that ends before it starts', () => {
    expect(() => run({}, { from: WED, to: TUE })).toThrow(ValidationError);
  });
});
