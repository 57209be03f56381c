/**
 * Which rollup rows answer a range of local days (migration 20261204140000_analytics_rollups):
 * staff figures exist per day and per ISO week (Monday first). A week row may stand in for its
 * seven days only when all seven lie in the range and fall into one bucket of the requested
 * interval (always for week or none, never for day, for month only when the week does not
 * straddle a month's end); every other day of the range is read from the day rows. The plan
 * covers each day of [from, to] exactly once, so sums over it equal sums over the days.
 */
import { periodOf } from '../scheduling/limits';
import { addDays, eachDate } from '../scheduling/local-time';

export type RollupInterval = 'day' | 'week' | 'month' | null;

export interface RollupPlan {
  /** Week starts (Mondays) whose week rows are read */
  weeks: string[];
  /** Days read from the day rows */
  days: string[];
}

export function staffRollupPlan(from: string, to: string, interval: RollupInterval): RollupPlan {
  const weeks: string[] = [];
  const days: string[] = [];
  // Week by week (a year is 53 steps, not 366 days of date arithmetic on every request).
  for (let monday = periodOf(from, 'week').first; monday <= to; monday = addDays(monday, 7)) {
    const sunday = addDays(monday, 6);
    const whole = interval !== 'day' && monday >= from && sunday <= to && (interval !== 'month' || monday.slice(0, 7) === sunday.slice(0, 7));
    if (whole) weeks.push(monday);
    else days.push(...eachDate(monday < from ? from : monday, sunday > to ? to : sunday));
  }
  return { weeks, days };
}
