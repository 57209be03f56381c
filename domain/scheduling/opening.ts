/**
 * When a branch is open on a local date. Precedence: a closure closes the whole day; special
 * hours for the date replace the weekday's hours (several open entries add up, a closed entry
 * wins); otherwise the weekday's operating hours, a missing weekday being closed.
 */
import type { Interval } from './intervals';
import { normalize } from './intervals';
import { parseHm, type ZoneDay } from './local-time';
import type { BranchSchedule, Closure, DayHours, SpecialHours } from './scheduling.types';

export interface BranchDay {
  closed: boolean;
  /** Why the day is closed (closure reason, special hours, weekday). */
  closedReason?: string;
  /** Open intervals as epoch ms, normalized; empty when closed. */
  open: Interval[];
}

export class BranchCalendar {
  private readonly closures = new Map<string, Closure>();
  private readonly special = new Map<string, SpecialHours[]>();

  constructor(private readonly branch: BranchSchedule) {
    for (const c of branch.closures ?? []) this.closures.set(c.date, c);
    for (const s of branch.specialHours ?? []) {
      const list = this.special.get(s.date) ?? [];
      list.push(s);
      this.special.set(s.date, list);
    }
  }

  day(day: ZoneDay): BranchDay {
    const closure = this.closures.get(day.date);
    if (closure) return closed(`closed on ${day.date}${closure.reason ? ` (${closure.reason})` : ''}`);
    const special = this.special.get(day.date);
    if (special) {
      if (special.some((s) => !s.open)) return closed(`closed on ${day.date} (special hours)`);
      return withIntervals(special.map((s) => toInterval(s, day)), `no opening hours on ${day.date}`);
    }
    const weekday = day.weekday;
    const hours: DayHours | undefined = this.branch.operatingHours[weekday];
    if (!hours || !hours.open) return closed(`closed on ${weekday}s`);
    return withIntervals([toInterval(hours, day)], `no opening hours on ${weekday}s`);
  }
}

function closed(reason: string): BranchDay {
  return { closed: true, closedReason: reason, open: [] };
}

function withIntervals(list: Interval[], reason: string): BranchDay {
  const open = normalize(list);
  return open.length > 0 ? { closed: false, open } : closed(reason);
}

/** An open entry without times means the whole local day. */
function toInterval(h: { start?: string; end?: string }, day: ZoneDay): Interval {
  return {
    start: day.at(h.start ? parseHm(h.start) : 0, 'earliest'),
    end: day.at(h.end ? parseHm(h.end) : 1440, 'latest'),
  };
}
