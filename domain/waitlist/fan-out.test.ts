import { allocateFreedSlots, checkDelayMs, exhausted, openClaims } from './fan-out';
import { fairOffers, type OpenWaitlistEntry } from './waitlist-policy';

const ZONE = 'Europe/Berlin';
const slot = (start: string, end: string, staffIds: string[]) => ({ start, end, staffIds });
const entry = (id: string, createdAt: string, extra: Partial<OpenWaitlistEntry> = {}): OpenWaitlistEntry => ({
  id, createdAt, staffId: null, fromDate: '2027-01-11', toDate: '2027-01-11', timeWindows: [], offers: [], ...extra,
});
const SLOTS = [slot('2027-01-11T09:00:00Z', '2027-01-11T10:00:00Z', ['anna', 'ben']), slot('2027-01-11T10:00:00Z', '2027-01-11T11:00:00Z', ['anna'])];

describe('allocateFreedSlots', () => {
  test('oldest first: each entry takes the staff nobody older claimed; agrees with fairOffers', () => {
    const entries = [entry('c', '2026-12-03T00:00:03Z'), entry('a', '2026-12-03T00:00:01Z', { staffId: 'ben' }), entry('b', '2026-12-03T00:00:02Z')];
    const claims = openClaims(SLOTS);
    const got = allocateFreedSlots(entries, claims, ZONE);
    expect(got).toEqual([
      { entryId: 'a', offers: [{ start: '2027-01-11T09:00:00Z', end: '2027-01-11T10:00:00Z', staffId: 'ben' }] },
      { entryId: 'b', offers: [{ start: '2027-01-11T09:00:00Z', end: '2027-01-11T10:00:00Z', staffId: 'anna' }, { start: '2027-01-11T10:00:00Z', end: '2027-01-11T11:00:00Z', staffId: 'anna' }] },
    ]);
    expect(exhausted(claims)).toBe(true);
    for (const e of entries) {
      const expected = fairOffers(e, SLOTS, entries, ZONE);
      expect(got.find((g) => g.entryId === e.id)?.offers ?? []).toEqual(expected);
    }
  });

  test('pages carry the claims: a younger page gets only what older pages left', () => {
    const claims = openClaims(SLOTS);
    expect(allocateFreedSlots([entry('a', '2026-12-03T00:00:01Z')], claims, ZONE).map((g) => g.entryId)).toEqual(['a']);
    expect(exhausted(claims)).toBe(false);
    const second = allocateFreedSlots([entry('b', '2026-12-03T00:00:02Z', { staffId: 'anna' })], claims, ZONE);
    expect(second).toEqual([]); // anna's 09:00 and 10:00 went to a; ben is left, b wants anna
    const third = allocateFreedSlots([entry('c', '2026-12-03T00:00:03Z')], claims, ZONE);
    expect(third).toEqual([{ entryId: 'c', offers: [{ start: '2027-01-11T09:00:00Z', end: '2027-01-11T10:00:00Z', staffId: 'ben' }] }]);
    expect(exhausted(claims)).toBe(true);
  });

  test('an entry already offered a slot claims nothing there; dates and windows must match', () => {
    const offered = entry('a', '2026-12-03T00:00:01Z', { offers: [{ start: '2027-01-11T09:00:00Z', end: '2027-01-11T10:00:00Z', staffId: 'anna' }] });
    const otherDay = entry('b', '2026-12-03T00:00:02Z', { fromDate: '2027-01-12', toDate: '2027-01-12' });
    const afternoon = entry('c', '2026-12-03T00:00:03Z', { timeWindows: [{ start: '13:00', end: '17:00' }] });
    const got = allocateFreedSlots([offered, otherDay, afternoon], openClaims(SLOTS), ZONE);
    expect(got).toEqual([{ entryId: 'a', offers: [{ start: '2027-01-11T10:00:00Z', end: '2027-01-11T11:00:00Z', staffId: 'anna' }] }]);
  });
});

describe('checkDelayMs', () => {
  test('within [0.8, 1.2) of the interval, the same for the same id, spread across ids', () => {
    const hour = 3_600_000;
    const delays = Array.from({ length: 200 }, (_, i) => checkDelayMs(`wl_${i}`, 12 * hour));
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(0.8 * 12 * hour);
      expect(d).toBeLessThan(1.2 * 12 * hour);
    }
    expect(checkDelayMs('wl_7', 12 * hour)).toBe(delays[7]);
    expect(new Set(delays.map((d) => Math.floor(d / (0.04 * 12 * hour)))).size).toBeGreaterThanOrEqual(8);
  });
});
