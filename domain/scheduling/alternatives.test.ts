/**
 * Alternatives for a conflict (API.md 409 slot_unavailable): up to 5 distinct starts, the same
 * staff member the same day first (nearest first), then other staff the same day, then the
 * following days up to 14 days; each one passes validateBooking.
 */
import { validateBooking } from '../booking/rules/validate-booking';
import { findAlternatives, type AlternativesInput } from './alternatives';
import { at, booking, branch, NOW, service, staff } from './scheduling.fixtures';

const TUE = '2027-03-02';
const WED = '2027-03-03';

function alternatives(over: Partial<AlternativesInput> = {}) {
  return findAlternatives({
    branch: branch(),
    staff: [staff('stf_anna'), staff('stf_ben')],
    service: service(),
    busy: [],
    now: NOW,
    requestedStart: at(TUE, '10:00'),
    staffId: 'stf_anna',
    ...over,
  });
}

const label = (a: { start: string; staffId: string }) => `${a.start.slice(5, 16)} ${a.staffId}`;

describe('findAlternatives', () => {
  it('same staff same day nearest first, then other staff the same day, then the next day', () => {
    const busy = [booking('stf_anna', TUE, '09:00', '17:00'), booking('stf_ben', TUE, '09:00', '10:00'), booking('stf_ben', TUE, '11:00', '18:00')];
    expect(alternatives({ busy }).map(label)).toEqual([
      '03-02T17:00 stf_anna',
      '03-02T17:15 stf_anna',
      '03-02T10:00 stf_ben',
      '03-02T10:15 stf_ben',
      '03-03T09:00 stf_anna',
    ]);
  });

  it('orders by distance from the requested start, earlier first on a tie, never the requested start itself', () => {
    const busy = [booking('stf_anna', TUE, '10:00', '10:45'), booking('stf_ben', TUE, '09:00', '18:00')];
    expect(alternatives({ busy }).map(label)).toEqual([
      '03-02T09:15 stf_anna',
      '03-02T10:45 stf_anna',
      '03-02T09:00 stf_anna',
      '03-02T11:00 stf_anna',
      '03-02T11:15 stf_anna',
    ]);
  });

  it('lists each start once, preferring the requested staff member when several are free', () => {
    const busy = [booking('stf_anna', TUE, '09:00', '18:00'), booking('stf_ben', TUE, '09:00', '18:00')];
    const got = alternatives({ busy });
    expect(got.map(label)).toEqual(['03-03T09:00 stf_anna', '03-03T09:15 stf_anna', '03-03T09:30 stf_anna', '03-03T09:45 stf_anna', '03-03T10:00 stf_anna']);
    expect(new Set(got.map((a) => a.start)).size).toBe(got.length);
  });

  it('without a requested staff member takes the least busy free one', () => {
    const busy = [booking('stf_anna', TUE, '09:00', '18:00'), booking('stf_ben', TUE, '09:00', '18:00'), booking('stf_ben', WED, '16:00', '17:00')];
    expect(alternatives({ busy, staffId: null, limit: 1 }).map(label)).toEqual(['03-03T09:00 stf_anna']);
    const annaBusier = [...busy, booking('stf_anna', WED, '15:00', '16:00'), booking('stf_anna', WED, '17:00', '17:45')];
    expect(alternatives({ busy: annaBusier, staffId: null, limit: 1 }).map(label)).toEqual(['03-03T09:00 stf_ben']);
  });

  it('skips closed days and stops after the horizon', () => {
    const sat = '2027-03-06';
    const busy = [booking('stf_anna', sat, '10:00', '14:00'), booking('stf_ben', sat, '10:00', '14:00')];
    // Saturday full, Sunday closed: the first alternative is Monday.
    expect(alternatives({ busy, requestedStart: at(sat, '10:00'), limit: 1 }).map(label)).toEqual(['03-08T09:00 stf_anna']);
    expect(alternatives({ busy, requestedStart: at(sat, '10:00'), horizonDays: 1 })).toEqual([]);
  });

  it('is empty when nothing is free in the next 14 days, and for an invalid request', () => {
    const off = [{ start: at('2027-03-01', '00:00'), end: at('2027-03-20', '00:00') }];
    expect(alternatives({ staff: [staff('stf_anna', { timeOff: off })] })).toEqual([]);
    expect(alternatives({ durationMinutes: 50 })).toEqual([]);
  });

  it('applies the same preferences, duration and resources as the request', () => {
    const svc = service({ category: 'flexible', flexible: { minMinutes: 30, maxMinutes: 90, stepMinutes: 15 }, resourceRequirements: ['room_a'] });
    const busy = [{ resourceId: 'room_a', start: at(TUE, '09:00'), end: at(TUE, '16:00') }];
    const got = alternatives({ service: svc, busy, durationMinutes: 90, preferences: { gender: 'male' }, staff: [staff('stf_anna'), staff('stf_ben', { gender: 'male' })] });
    expect(got.map(label)).toEqual(['03-02T16:00 stf_ben', '03-02T16:15 stf_ben', '03-02T16:30 stf_ben', '03-03T09:00 stf_ben', '03-03T09:15 stf_ben']);
    for (const a of got) expect(Date.parse(a.end) - Date.parse(a.start)).toBe(90 * 60_000);
  });

  it('every alternative passes validateBooking', () => {
    const busy = [booking('stf_anna', TUE, '09:00', '12:00'), booking('stf_ben', TUE, '10:00', '16:00')];
    const input = { branch: branch(), staff: [staff('stf_anna'), staff('stf_ben')], service: service({ bufferAfterMinutes: 15 }), busy, now: NOW };
    const got = findAlternatives({ ...input, requestedStart: at(TUE, '10:00'), staffId: 'stf_anna', limit: 5 });
    expect(got).toHaveLength(5);
    for (const a of got) expect(validateBooking({ ...input, booking: { start: a.start, staffId: a.staffId } }).ok).toBe(true);
  });
});
