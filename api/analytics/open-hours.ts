/**
 * Loads the branches of an analytics scope with their active staff and the time off touching the
 * period (two queries), and asks the domain for each staff member's really open minutes
 * (domain/analytics/open-minutes.ts): utilisation's denominator per branch and per staff member.
 * Staff in several branches (API.md "Catalog depth") count in every branch of the scope they work
 * in, each with THAT branch's hours (primary hours at home, the assignment's elsewhere): a
 * company-wide answer adds up all of them, a per-branch one takes that branch's hours only.
 */
import { openStaffMinutes } from '../../domain/analytics/open-minutes';
import { staffOfBranch, type StaffAssignment } from '../../domain/scheduling/staff-branches';
import type { BranchSchedule, StaffSchedule } from '../../domain/scheduling/scheduling.types';
import type { Db } from '../../infra/db/prisma';
import type { AnalyticsScope } from './analytics.queries';

const DAY_MS = 86_400_000;

export interface OpenHours {
  byBranch: Map<string, number>;
  byStaff: Map<string, number>;
  branchNames: Map<string, string>;
  staffNames: Map<string, string>;
  total: number;
}

export async function loadOpenHours(db: Db, p: AnalyticsScope): Promise<OpenHours> {
  const where = { companyId: p.companyId, ...(p.branchId ? { id: p.branchId } : {}) };
  // Branches and staff at once (the staff of the scope are known without the branch rows).
  const [branches, staff] = await Promise.all([
    db.branch.findMany({ where, orderBy: { id: 'asc' } }),
    db.staff.findMany({
      where: {
        companyId: p.companyId,
        active: true,
        ...(p.branchId ? { OR: [{ branchId: p.branchId }, { assignments: { array_contains: [{ branchId: p.branchId }] } }] } : {}),
      },
      include: {
        timeOff: {
          where: { startAt: { lt: new Date(Date.parse(p.to) + 2 * DAY_MS) }, endAt: { gt: new Date(Date.parse(p.from) - DAY_MS) } },
          select: { startAt: true, endAt: true },
        },
      },
    }),
  ]);
  const out: OpenHours = { byBranch: new Map(), byStaff: new Map(), branchNames: new Map(), staffNames: new Map(), total: 0 };
  for (const b of branches) {
    out.branchNames.set(b.id, b.name);
    const schedule: BranchSchedule = {
      id: b.id,
      timezone: b.timezone,
      operatingHours: b.operatingHours as BranchSchedule['operatingHours'],
      specialHours: (b.specialHours ?? []) as unknown as BranchSchedule['specialHours'],
      closures: (b.closures ?? []) as unknown as BranchSchedule['closures'],
      rules: (b.rules ?? {}) as BranchSchedule['rules'],
    };
    const everyone = staff.map((s) => ({
      id: s.id,
      name: s.name,
      branchId: s.branchId,
      languages: [],
      skills: [],
      workingHours: (s.workingHours ?? {}) as StaffSchedule['workingHours'],
      breaks: (s.breaks ?? {}) as StaffSchedule['breaks'],
      assignments: (Array.isArray(s.assignments) ? s.assignments : []) as unknown as StaffAssignment[],
      timeOff: s.timeOff.map((t) => ({ start: t.startAt.getTime(), end: t.endAt.getTime() })),
    }));
    const members: StaffSchedule[] = staffOfBranch(everyone, b.id);
    let branchTotal = 0;
    for (const [staffId, minutes] of openStaffMinutes({ branch: schedule, staff: members, from: p.from, to: p.to })) {
      // A person working in several branches of the scope: their open minutes of each add up.
      out.byStaff.set(staffId, (out.byStaff.get(staffId) ?? 0) + minutes);
      branchTotal += minutes;
    }
    for (const s of members) out.staffNames.set(s.id, s.name);
    out.byBranch.set(b.id, branchTotal);
    out.total += branchTotal;
  }
  return out;
}
