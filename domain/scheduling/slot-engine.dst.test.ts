/**
 * DST golden cases (NOTES-reliability §7.3): slots step in real time from each open interval's
 * start, so a spring-forward day has no start at a nonexistent local time, a fall-back day lists
 * each real instant once (labels carry the offset), and every slot lasts its duration in real time.
 */
import { branch, everyDay, service, staff } from './scheduling.fixtures';
import { computeAvailability } from './slot-engine';
import type { AvailabilityDay } from './scheduling.types';

function day(zone: string, date: string, start: string, end: string, durationMinutes = 30, slotIntervalMinutes = 30): AvailabilityDay {
  const b = branch({
    timezone: zone,
    operatingHours: { sunday: { open: true, start, end } },
    rules: { minimumNoticeMinutes: 0, maxAdvanceDays: 400, slotIntervalMinutes },
  });
  const result = computeAvailability({
    branch: b,
    staff: [staff('stf_anna', { workingHours: everyDay([{ start: '00:00', end: '24:00' }]) })],
    service: service({ durationMinutes }),
    busy: [],
    now: '2027-01-01T00:00:00Z',
    query: { from: date, to: date },
  });
  return result.days[0];
}

const local = (iso: string) => iso.slice(11, 16) + iso.slice(19);

describe.each([
  // zone, date, window, expected local starts (with offsets)
  ['Europe/Berlin', '2027-03-28', '01:00', '04:00', ['01:00+01:00', '01:30+01:00', '03:00+02:00', '03:30+02:00']],
  [
    'Europe/Berlin',
    '2027-10-31',
    '01:00',
    '04:00',
    ['01:00+02:00', '01:30+02:00', '02:00+02:00', '02:30+02:00', '02:00+01:00', '02:30+01:00', '03:00+01:00', '03:30+01:00'],
  ],
  ['America/New_York', '2027-03-14', '01:00', '04:00', ['01:00-05:00', '01:30-05:00', '03:00-04:00', '03:30-04:00']],
  [
    'America/New_York',
    '2027-11-07',
    '00:30',
    '03:00',
    ['00:30-04:00', '01:00-04:00', '01:30-04:00', '01:00-05:00', '01:30-05:00', '02:00-05:00', '02:30-05:00'],
  ],
  // Starting inside the ambiguous hour: the window begins at its first occurrence (4 real hours).
  [
    'America/New_York',
    '2027-11-07',
    '01:00',
    '04:00',
    ['01:00-04:00', '01:30-04:00', '01:00-05:00', '01:30-05:00', '02:00-05:00', '02:30-05:00', '03:00-05:00', '03:30-05:00'],
  ],
  // Starting inside the gap: the window begins at the transition, not an hour later.
  ['Europe/Berlin', '2027-03-28', '02:30', '05:00', ['03:00+02:00', '03:30+02:00', '04:00+02:00', '04:30+02:00']],
  // Afternoon hours on a transition day are not shifted (Cal.com #30021).
  ['America/New_York', '2027-03-14', '13:00', '15:00', ['13:00-04:00', '13:30-04:00', '14:00-04:00', '14:30-04:00']],
])('%s %s %s–%s', (zone, date, start, end, expected) => {
  const d = day(zone, date, start, end);

  it('lists exactly the real-time grid, labelled with the offset of each instant', () => {
    expect(d.slots.map((s) => local(s.start))).toEqual(expected);
  });

  it('has no duplicate instants and every slot lasts 30 real minutes', () => {
    const instants = d.slots.map((s) => Date.parse(s.start));
    expect(new Set(instants).size).toBe(instants.length);
    for (const s of d.slots) expect(Date.parse(s.end) - Date.parse(s.start)).toBe(30 * 60_000);
  });
});

describe('whole DST days', () => {
  it.each([
    ['Europe/Berlin', '2027-03-28', 46],
    ['Europe/Berlin', '2027-10-31', 50],
    ['America/New_York', '2027-03-14', 46],
    ['America/New_York', '2027-11-07', 50],
    ['Europe/Berlin', '2027-03-21', 48],
  ])('%s %s 00:00–24:00 has %d half-hour slots, none at a nonexistent time', (zone, date, count) => {
    const d = day(zone, date, '00:00', '24:00');
    expect(d.slots).toHaveLength(count);
    const instants = d.slots.map((s) => Date.parse(s.start));
    expect(new Set(instants).size).toBe(count);
    if (date.endsWith('03-28')) expect(d.slots.some((s) => s.start.slice(11, 13) === '02')).toBe(false);
    if (date.endsWith('03-14')) expect(d.slots.some((s) => s.start.slice(11, 13) === '02')).toBe(false);
  });

  it('a slot across the spring gap lasts its duration in real minutes (01:30 → 03:30 is 60 minutes)', () => {
    const d = day('Europe/Berlin', '2027-03-28', '01:00', '04:00', 60, 30);
    expect(d.slots.map((s) => `${local(s.start)}→${local(s.end)}`)).toEqual([
      '01:00+01:00→03:00+02:00',
      '01:30+01:00→03:30+02:00',
      '03:00+02:00→04:00+02:00',
    ]);
  });
});
