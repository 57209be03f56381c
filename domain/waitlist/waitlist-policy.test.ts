import {
  compareEntryAge,
  entryReachUtc,
  fairOffers,
  slotTimeMatches,
  unsentOffers,
  type FreeSlot,
  type OpenWaitlistEntry,
  type WaitlistCriteria,
} from './waitlist-policy';

const TZ = 'Europe/Berlin';
const criteria = (over: Partial<WaitlistCriteria> = {}): WaitlistCriteria => ({
  id: 'wl_b',
  createdAt: '2026-06-01T10:00:00Z',
  fromDate: '2026-06-10',
  toDate: '2026-06-12',
  timeWindows: [],
  ...over,
});
const entry = (over: Partial<OpenWaitlistEntry> = {}): OpenWaitlistEntry => ({ ...criteria(), offers: [], ...over });
const slot = (start: string, end: string, staffIds = ['stf_1']): FreeSlot => ({ start, end, staffIds });

describe('slotTimeMatches', () => {
  it.each([
    ['inside dates, no windows', slot('2026-06-10T07:00:00Z', '2026-06-10T08:00:00Z'), [], true],
    ['before fromDate in local time (23:30 local on the 9th)', slot('2026-06-09T21:30:00Z', '2026-06-09T22:00:00Z'), [], false],
    ['local date is the 10th although UTC is the 9th', slot('2026-06-09T22:30:00Z', '2026-06-09T23:00:00Z'), [], true],
    ['after toDate', slot('2026-06-13T07:00:00Z', '2026-06-13T08:00:00Z'), [], false],
    ['09:00-10:00 local inside 09:00-12:00', slot('2026-06-10T07:00:00+00:00', '2026-06-10T08:00:00Z'), [{ start: '09:00', end: '12:00' }], true],
    ['11:30-12:30 local overruns 12:00', slot('2026-06-10T09:30:00Z', '2026-06-10T10:30:00Z'), [{ start: '09:00', end: '12:00' }], false],
    ['second window matches', slot('2026-06-10T13:00:00Z', '2026-06-10T14:00:00Z'), [{ start: '09:00', end: '12:00' }, { start: '14:00', end: '18:00' }], true],
  ] as const)('%s', (_n, s, windows, expected) => {
    expect(slotTimeMatches(criteria({ timeWindows: [...windows] }), s, TZ)).toBe(expected);
  });
});

describe('unsentOffers', () => {
  const offers = ['07', '08', '09', '10'].map((h) => ({ start: `2026-06-10T${h}:00:00Z`, end: `2026-06-10T${h}:30:00Z`, staffId: 'stf_1' }));

  it('caps at three, in order', () => {
    expect(unsentOffers(offers, [])).toEqual(offers.slice(0, 3));
  });

  it('never repeats an offer, whatever offset it was written with', () => {
    const sent = [{ start: '2026-06-10T09:00:00+02:00', end: '2026-06-10T09:30:00+02:00', staffId: 'stf_1' }];
    expect(unsentOffers(offers, sent)).toEqual(offers.slice(1, 4));
    expect(unsentOffers(offers, offers)).toEqual([]);
  });
});

describe('fairOffers (older entry first)', () => {
  const freed = slot('2026-06-10T07:00:00Z', '2026-06-10T08:00:00Z');
  const older = entry({ id: 'wl_a', createdAt: '2026-06-01T09:00:00Z' });
  const younger = criteria({ id: 'wl_b', createdAt: '2026-06-01T10:00:00Z' });

  it('gives a single-staff slot to the older entry only', () => {
    expect(fairOffers(older, [freed], [older, { ...younger, offers: [] }], TZ)).toHaveLength(1);
    expect(fairOffers(younger, [freed], [older, { ...younger, offers: [] }], TZ)).toEqual([]);
  });

  it('lets the younger entry have the second free staff member', () => {
    const two = slot(freed.start, freed.end, ['stf_1', 'stf_2']);
    expect(fairOffers(younger, [two], [older], TZ)).toEqual([{ start: two.start, end: two.end, staffId: 'stf_2' }]);
  });

  it('does not hold a slot for an older entry that does not match it', () => {
    const picky = { ...older, timeWindows: [{ start: '14:00', end: '18:00' }] };
    expect(fairOffers(younger, [freed], [picky], TZ)).toHaveLength(1);
    const otherStaff = { ...older, staffId: 'stf_9' };
    expect(fairOffers(younger, [freed], [otherStaff], TZ)).toHaveLength(1);
  });

  it('releases a slot once the older entry was offered it', () => {
    const offered = { ...older, offers: [{ start: '2026-06-10T09:00:00+02:00', end: freed.end, staffId: 'stf_1' }] };
    expect(fairOffers(younger, [freed], [offered], TZ)).toHaveLength(1);
  });

  it('orders equal timestamps by id, so both monitors agree', () => {
    const a = { ...older, createdAt: younger.createdAt };
    expect(compareEntryAge(a, younger)).toBeLessThan(0);
    expect(fairOffers(younger, [freed], [a], TZ)).toEqual([]);
    expect(fairOffers(a, [freed], [{ ...younger, offers: [] }], TZ)).toHaveLength(1);
  });
});

describe('entryReachUtc', () => {
  it('widens the local date range by a day on each side', () => {
    expect(entryReachUtc({ fromDate: '2026-06-10', toDate: '2026-06-12' })).toEqual({
      start: '2026-06-09T00:00:00.000Z',
      end: '2026-06-14T00:00:00.000Z',
    });
  });
});
