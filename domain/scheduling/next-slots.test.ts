import { searchDays, slotFits, type NextSlotCriteria } from './next-slots';

const berlin = (over: Partial<NextSlotCriteria> = {}): NextSlotCriteria => ({
  timezone: 'Europe/Berlin', after: Date.parse('2026-03-27T23:30:00Z'), timeWindows: [], weekdays: [], ...over,
});

describe('next free slots: days and fit', () => {
  it('starts at the local date of `after` (Berlin is already Saturday at 00:30) and covers 62 days', () => {
    const days = [...searchDays(berlin())];
    expect(days[0]).toBe('2026-03-28');
    expect(days).toHaveLength(62);
    expect(days[61]).toBe('2026-05-28');
  });

  it('keeps only wanted weekdays and stops at `before`', () => {
    expect([...searchDays(berlin({ weekdays: ['wednesday'], before: Date.parse('2026-04-20T00:00:00+02:00') }))]).toEqual(['2026-04-01', '2026-04-08', '2026-04-15']);
  });

  it('reads windows in local time across the DST change (29 March 2026)', () => {
    const c = berlin({ timeWindows: [{ start: '14:00', end: '17:00' }] });
    expect(slotFits(c, Date.parse('2026-03-30T14:00:00+02:00'), Date.parse('2026-03-30T15:00:00+02:00'))).toBe(true);
    expect(slotFits(c, Date.parse('2026-03-28T14:00:00+01:00'), Date.parse('2026-03-28T15:00:00+01:00'))).toBe(true);
    expect(slotFits(c, Date.parse('2026-03-30T16:30:00+02:00'), Date.parse('2026-03-30T17:30:00+02:00'))).toBe(false);
    expect(slotFits(c, Date.parse('2026-03-30T13:45:00+02:00'), Date.parse('2026-03-30T14:45:00+02:00'))).toBe(false);
  });

  it('refuses slots before `after`, ending after `before`, or on other weekdays', () => {
    const c = berlin({ before: Date.parse('2026-04-01T12:00:00+02:00'), weekdays: ['wednesday', 'monday'] });
    expect(slotFits(c, Date.parse('2026-03-27T23:00:00Z'), Date.parse('2026-03-28T00:00:00Z'))).toBe(false);
    expect(slotFits(c, Date.parse('2026-04-01T11:00:00+02:00'), Date.parse('2026-04-01T12:00:00+02:00'))).toBe(true);
    expect(slotFits(c, Date.parse('2026-04-01T11:30:00+02:00'), Date.parse('2026-04-01T12:30:00+02:00'))).toBe(false);
    expect(slotFits(c, Date.parse('2026-03-31T10:00:00+02:00'), Date.parse('2026-03-31T11:00:00+02:00'))).toBe(false);
  });
});
