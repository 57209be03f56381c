import { addDays, eachDate } from '../scheduling/local-time';
import { staffRollupPlan, type RollupInterval } from './rollup-plan';

const covered = (plan: { weeks: string[]; days: string[] }) =>
  [...plan.weeks.flatMap((w) => eachDate(w, addDays(w, 6))), ...plan.days].sort();

describe('staffRollupPlan', () => {
  it('reads whole weeks inside the range and the loose days at its edges (2027 starts on a Friday)', () => {
    const plan = staffRollupPlan('2027-01-01', '2027-12-31', 'week');
    expect(plan.weeks).toHaveLength(51);
    expect(plan.weeks[0]).toBe('2027-01-04');
    expect(plan.weeks.at(-1)).toBe('2027-12-20');
    expect(plan.days).toEqual(['2027-01-01', '2027-01-02', '2027-01-03', '2027-12-27', '2027-12-28', '2027-12-29', '2027-12-30', '2027-12-31']);
  });

  it('never uses a week that straddles a month for monthly buckets, and no week for daily ones', () => {
    const monthly = staffRollupPlan('2027-04-01', '2027-06-30', 'month');
    expect(monthly.weeks).toContain('2027-04-19'); // 19–25 April
    expect(monthly.weeks).not.toContain('2027-04-26'); // 26 April – 2 May
    expect(monthly.days).toEqual(expect.arrayContaining(['2027-04-26', '2027-04-30', '2027-05-01', '2027-05-02']));
    expect(monthly.days).not.toContain('2027-05-03');
    expect(staffRollupPlan('2027-01-04', '2027-01-17', 'day')).toEqual({ weeks: [], days: eachDate('2027-01-04', '2027-01-17') });
  });

  it.each<[string, string, RollupInterval]>([
    ['2027-01-01', '2027-12-31', 'week'], ['2027-01-01', '2027-12-31', 'month'], ['2027-01-01', '2027-12-31', null],
    ['2028-02-20', '2028-03-05', 'month'], ['2027-01-06', '2027-01-06', 'week'], ['2027-03-29', '2027-04-04', 'month'], ['2027-01-01', '2027-01-31', 'day'],
  ])('covers every day of %s..%s (%s) exactly once', (from, to, interval) => {
    expect(covered(staffRollupPlan(from, to, interval))).toEqual(eachDate(from, to));
  });
});
