import { ValidationError } from '../errors';
import { formatInstant, localDateOf, parseHm, toEpochMs, wallToInstant, weekdayOf, ZoneDay, zoneOf } from './local-time';

const iso = (ms: number) => new Date(ms).toISOString();
const wall = (s: string) => Date.parse(`${s}Z`);

describe('wallToInstant (DST-exact)', () => {
  it.each([
    ['Europe/Berlin', '2027-01-10T09:00:00', 'earliest', '2027-01-10T08:00:00.000Z'],
    // Spring forward: 02:00–02:59 does not exist; it maps to the transition instant.
    ['Europe/Berlin', '2027-03-28T02:30:00', 'earliest', '2027-03-28T01:00:00.000Z'],
    ['America/New_York', '2027-03-14T02:00:00', 'latest', '2027-03-14T07:00:00.000Z'],
    // Fall back: 02:00–02:59 happens twice in Berlin; starts take the first, ends the second.
    ['Europe/Berlin', '2027-10-31T02:30:00', 'earliest', '2027-10-31T00:30:00.000Z'],
    ['Europe/Berlin', '2027-10-31T02:30:00', 'latest', '2027-10-31T01:30:00.000Z'],
    ['America/New_York', '2027-11-07T01:00:00', 'earliest', '2027-11-07T05:00:00.000Z'],
    ['America/New_York', '2027-11-07T01:00:00', 'latest', '2027-11-07T06:00:00.000Z'],
  ] as const)('%s %s (%s) → %s', (zone, local, prefer, expected) => {
    expect(iso(wallToInstant(zoneOf(zone), wall(local), prefer))).toBe(expected);
  });
});

describe('ZoneDay', () => {
  it.each([
    ['Europe/Berlin', '2027-03-27', 24],
    ['Europe/Berlin', '2027-03-28', 23],
    ['Europe/Berlin', '2027-10-31', 25],
    ['America/New_York', '2027-03-14', 23],
    ['America/New_York', '2027-11-07', 25],
  ])('%s %s lasts %d hours', (zone, date, hours) => {
    const day = new ZoneDay(zoneOf(zone), date);
    expect((day.end - day.start) / 3_600_000).toBe(hours);
    expect(day.fixedOffset === null).toBe(hours !== 24);
  });

  it('converts minutes of the day with the day offset', () => {
    const day = new ZoneDay(zoneOf('Europe/Berlin'), '2027-07-01');
    expect(iso(day.at(9 * 60, 'earliest'))).toBe('2027-07-01T07:00:00.000Z');
    expect(iso(day.at(1440, 'latest'))).toBe('2027-07-01T22:00:00.000Z');
  });
});

describe('formatting and parsing', () => {
  it('renders instants with the zone offset of that instant', () => {
    const z = zoneOf('Europe/Berlin');
    expect(formatInstant(Date.parse('2027-10-31T00:30:00Z'), z)).toBe('2027-10-31T02:30:00+02:00');
    expect(formatInstant(Date.parse('2027-10-31T01:30:00Z'), z)).toBe('2027-10-31T02:30:00+01:00');
    expect(formatInstant(Date.parse('2027-11-07T06:30:00Z'), zoneOf('America/New_York'))).toBe('2027-11-07T01:30:00-05:00');
  });

  it('finds the local date and weekday', () => {
    expect(localDateOf(Date.parse('2027-03-01T23:30:00Z'), zoneOf('Europe/Berlin'))).toBe('2027-03-02');
    expect(weekdayOf('2027-03-01')).toBe('monday');
    expect(weekdayOf('2027-03-07')).toBe('sunday');
  });

  // localDateOf reads memoized day boundaries; the reference reads the zone's offset at the instant.
  it.each([
    ['Europe/Berlin', '2027-03-27T00:00:00Z', 3], // spring forward at 02:00
    ['Europe/Berlin', '2027-10-30T00:00:00Z', 3], // fall back at 03:00
    ['America/Santiago', '2027-04-02T00:00:00Z', 3], // fall back at midnight: 23:00–23:59 twice
    ['America/Santiago', '2027-09-04T00:00:00Z', 3], // spring forward at midnight: no 00:00
    ['America/Havana', '2027-03-13T00:00:00Z', 3], // spring forward at midnight
    ['Australia/Lord_Howe', '2027-04-03T00:00:00Z', 3], // 30-minute shift
    ['Pacific/Apia', '2011-12-29T00:00:00Z', 3], // 2011-12-30 never happened there
    ['Pacific/Kiritimati', '2027-06-01T00:00:00Z', 2], // +14:00
    ['Pacific/Niue', '2027-06-01T00:00:00Z', 2], // -11:00
    ['Asia/Kathmandu', '2027-06-01T00:00:00Z', 2], // +05:45
  ])('finds the local date in %s from %s for %d days as the offset at the instant gives it', (name, from, days) => {
    const zone = zoneOf(name);
    const start = Date.parse(from);
    for (let ms = start; ms < start + days * 86_400_000; ms += 5 * 60_000) {
      expect([iso(ms), localDateOf(ms, zone)]).toEqual([iso(ms), new Date(ms + zone.offset(ms) * 60_000).toISOString().slice(0, 10)]);
    }
  });

  it.each(['2027-03-01T09:00:00', '2027-03-01', 'yesterday', Number.NaN])('rejects %p as an instant', (bad) => {
    expect(() => toEpochMs(bad)).toThrow(ValidationError);
  });

  it('accepts instants with an offset or Z, and epoch ms', () => {
    expect(toEpochMs('2027-03-01T09:00:00+01:00')).toBe(Date.parse('2027-03-01T08:00:00Z'));
    expect(toEpochMs('2027-03-01T08:00:00Z')).toBe(Date.parse('2027-03-01T08:00:00Z'));
    expect(toEpochMs(5)).toBe(5);
  });

  it.each(['9:00', '25:00', '24:01', '12:60'])('rejects time %p', (bad) => {
    expect(() => parseHm(bad)).toThrow(ValidationError);
  });

  it('rejects unknown zones', () => {
    expect(() => zoneOf('Mars/Olympus')).toThrow(ValidationError);
  });
});

describe('ZoneDay.format (fast path of the slot engine)', () => {
  it.each([
    ['Europe/Berlin', '2027-01-10'],
    ['Europe/Berlin', '2027-03-28'], // spring forward
    ['Europe/Berlin', '2027-10-31'], // fall back
    ['Asia/Kolkata', '2027-06-01'], // +05:30
    ['America/St_Johns', '2027-06-01'], // -02:30
    ['America/Santiago', '2027-09-05'], // transition at midnight
  ])('%s %s: every 7.5 minutes and the day end format like formatInstant', (zone, date) => {
    const day = new ZoneDay(zoneOf(zone), date);
    for (let t = day.start - 450_000; t <= day.end + 450_000; t += 450_000) {
      expect(day.format(t)).toBe(formatInstant(t, day.zone));
    }
    expect(day.format(day.start + 1234)).toBe(formatInstant(day.start + 1234, day.zone));
    expect(day.weekday).toBe(weekdayOf(date));
  });
});
