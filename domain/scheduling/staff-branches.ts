/**
 * Staff in several branches (API.md "Catalog depth"): a person has a primary branch with its
 * working hours and breaks, and `assignments` with hours of their own in other branches of the
 * company. Availability and assignment in a branch use the hours of THAT branch; the person's
 * bookings in every branch stay busy time (the scheduling context loads them by staff id), and the
 * database's exclusion constraint is keyed by the person, so no two branches can overlap them.
 * Pure: no I/O.
 */
import type { StaffSchedule, TimeRange, Weekday } from './scheduling.types';


type WeeklyRanges = Partial<Record<Weekday, TimeRange[]>>;

export interface StaffAssignment {
  branchId: string;
  workingHours: WeeklyRanges;
  breaks?: WeeklyRanges;
}

export interface MultiBranchStaff extends Omit<StaffSchedule, 'workingHours' | 'breaks'> {
  /** Primary branch, whose hours are `workingHours` / `breaks`. */
  branchId: string;
  workingHours: WeeklyRanges;
  breaks?: WeeklyRanges;
  assignments?: StaffAssignment[] | null;
}

/** The person's hours in `branchId`, or null when they do not work there. */
export function hoursInBranch(staff: MultiBranchStaff, branchId: string): { workingHours: WeeklyRanges; breaks: WeeklyRanges } | null {
  if (staff.branchId === branchId) return { workingHours: staff.workingHours ?? {}, breaks: staff.breaks ?? {} };
  const assignment = (staff.assignments ?? []).find((a) => a.branchId === branchId);
  return assignment ? { workingHours: assignment.workingHours ?? {}, breaks: assignment.breaks ?? {} } : null;
}

/** The staff schedules of one branch: everyone who works there, each with that branch's hours. */
export function staffOfBranch<S extends MultiBranchStaff>(staff: S[], branchId: string): Array<Omit<S, 'assignments' | 'branchId'>> {
  return staff.flatMap((s) => {
    const hours = hoursInBranch(s, branchId);
    if (!hours) return [];
    const { assignments: _assignments, branchId: _home, ...rest } = s;
    return [{ ...rest, workingHours: hours.workingHours, breaks: hours.breaks }];
  });
}

/** Every branch the person works in, the primary first. */
export function branchesOf(staff: Pick<MultiBranchStaff, 'branchId' | 'assignments'>): string[] {
  return [staff.branchId, ...(staff.assignments ?? []).map((a) => a.branchId).filter((b) => b !== staff.branchId)];
}
