import { ValidationError } from '../errors';
import { expandRecurrence, type ExpandRecurrenceInput } from './recurrence';

const berlin = (start: string, recurrence: ExpandRecurrenceInput['recurrence']) =>
  expandRecurrence({ start, timezone: 'Europe/Berlin', recurrence });

function problemsOf(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) return e.errors;
    throw e;
  }
  throw new Error('expected a ValidationError');
}

describe('expandRecurrence keeps the local time across DST', () => {
  it.each([
    [
      'weekly over Berlin spring-forward (2026-03-29)',
      'Europe/Berlin', '2026-03-16T09:00:00+01:00', { frequency: 'weekly', count: 4 },
      ['2026-03-16T08:00:00.000Z', '2026-03-23T08:00:00.000Z', '2026-03-30T07:00:00.000Z', '2026-04-06T07:00:00.000Z'],
    ],
    [
      'weekly over Berlin fall-back (2026-10-25)',
      'Europe/Berlin', '2026-10-19T09:00:00+02:00', { frequency: 'weekly', count: 2 },
      ['2026-10-19T07:00:00.000Z', '2026-10-26T08:00:00.000Z'],
    ],
    [
      'daily over New York spring-forward (2026-03-08)',
      'America/New_York', '2026-03-07T09:00:00-05:00', { frequency: 'daily', count: 3 },
      ['2026-03-07T14:00:00.000Z', '2026-03-08T13:00:00.000Z', '2026-03-09T13:00:00.000Z'],
    ],
    [
      'biweekly with byWeekday across New York fall-back (2026-11-01)',
      'America/New_York', '2026-10-26T10:30:00-04:00', { frequency: 'biweekly', byWeekday: ['MO', 'WE'], count: 4 },
      ['2026-10-26T14:30:00.000Z', '2026-10-28T14:30:00.000Z', '2026-11-09T15:30:00.000Z', '2026-11-11T15:30:00.000Z'],
    ],
    [
      'RRULE text in the branch zone',
      'Europe/Berlin', '2026-03-25T09:00:00+01:00', { rrule: 'FREQ=WEEKLY;BYDAY=MO,WE;COUNT=3' },
      ['2026-03-25T08:00:00.000Z', '2026-03-30T07:00:00.000Z', '2026-04-01T07:00:00.000Z'],
    ],
  ] as const)('%s', (_name, timezone, start, recurrence, expected) => {
    expect(expandRecurrence({ start, timezone, recurrence: recurrence as never })).toEqual(expected);
  });

  it('maps a time inside the spring-forward gap to the transition instant, once', () => {
    const out = berlin('2026-03-28T02:30:00+01:00', { frequency: 'daily', count: 3 });
    expect(out).toEqual(['2026-03-28T01:30:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z']);
  });

  it('monthly on the 31st skips short months (RFC 5545)', () => {
    const out = berlin('2026-01-31T09:00:00+01:00', { frequency: 'monthly', count: 3 });
    expect(out).toEqual(['2026-01-31T08:00:00.000Z', '2026-03-31T07:00:00.000Z', '2026-05-31T07:00:00.000Z']);
  });
});

describe('expandRecurrence until', () => {
  it('treats a date as the whole local day, inclusive', () => {
    expect(berlin('2026-06-01T20:00:00+02:00', { frequency: 'daily', until: '2026-06-03' })).toHaveLength(3);
  });

  it('reads an instant in the zone', () => {
    expect(berlin('2026-06-01T20:00:00+02:00', { frequency: 'daily', until: '2026-06-03T19:59:00+02:00' })).toHaveLength(2);
  });

  it('converts an RRULE UNTIL in UTC to the local day', () => {
    const out = berlin('2026-06-01T09:00:00+02:00', { rrule: 'RRULE:FREQ=DAILY;UNTIL=20260603T070000Z' });
    expect(out).toEqual(['2026-06-01T07:00:00.000Z', '2026-06-02T07:00:00.000Z', '2026-06-03T07:00:00.000Z']);
  });

  it('accepts exactly 366 occurrences', () => {
    expect(berlin('2026-01-01T09:00:00+01:00', { frequency: 'daily', count: 366 })).toHaveLength(366);
  });
});

describe('expandRecurrence rejects bad input with every problem listed', () => {
  it('needs count or until', () => {
    expect(problemsOf(() => berlin('2026-06-01T09:00:00+02:00', { frequency: 'weekly' }))).toEqual([
      { path: 'recurrence', message: 'count or until is required' },
    ]);
  });

  it('refuses more than 366 by count and by until', () => {
    expect(problemsOf(() => berlin('2026-06-01T09:00:00+02:00', { frequency: 'daily', count: 367 }))[0].path).toBe('recurrence.count');
    expect(problemsOf(() => berlin('2026-06-01T09:00:00+02:00', { frequency: 'daily', until: '2027-12-31' }))[0].message).toMatch(/more than 366/);
  });

  it('lists several RRULE problems together', () => {
    const problems = problemsOf(() => berlin('2026-06-01T09:00:00+02:00', { rrule: 'FREQ=HOURLY;BYDAY=XX;FOO=1' }));
    expect(problems.map((p) => p.message)).toEqual([
      'invalid FREQ "HOURLY"',
      'invalid BYDAY "XX"',
      'unknown RRULE part "FOO"',
      'COUNT or UNTIL is required',
    ]);
  });

  it('collects a bad start and a bad until together', () => {
    const problems = problemsOf(() => berlin('2026-06-01T09:00:00', { frequency: 'daily', until: '2026-02-30' }));
    expect(problems.map((p) => p.path).sort()).toEqual(['recurrence.until', 'start']);
  });

  it('refuses an until before start (no occurrence)', () => {
    expect(problemsOf(() => berlin('2026-06-01T09:00:00+02:00', { frequency: 'daily', until: '2026-05-01' }))[0].message).toMatch(/no occurrence/);
  });
});
