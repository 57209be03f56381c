/**
 * Staff members of a branch and their time off. A staff member's branchId must be a branch of
 * the caller's company (else 404); every change invalidates that branch's availability.
 */
import type { Staff, StaffTimeOff } from '../../infra/db/prisma';
import { newId } from '../../infra/db/ids';
import { catalogView } from '../access-policy';
import { withBranchZone, type WithBranchZone } from '../branch-zone';
import { findBranch } from '../branches/branches.routes';
import { checkCalendarLink } from '../calendar-connections/calendar-account';
import { formatInstant, idParams, listOf, pageQuery } from '../common.schemas';
import { invalid, notFound } from '../error-handler';
import { keysetArgs, toPage } from '../pagination';
import { defineRoute, routeGroup, type RouteContext } from '../route-kit';
import type { StaffRating } from '../reviews/reviews.schemas';
import { staffRatings } from '../reviews/reviews.service';
import {
  assignmentErrors, breaksOutsideWork, createStaffBody, createTimeOffBody, listStaffQuery, patchStaffBody, staffSchema, timeOffSchema,
  type StaffAssignmentIn, type StaffOut, type WeeklyIntervals,
} from './staff.schemas';

type StaffRow = WithBranchZone<Staff>;

const NO_RATING: StaffRating = { average: null, count: 0 };

/** A staff answer with its rating (visible reviews; api/reviews). */
async function rated(ctx: RouteContext, row: StaffRow): Promise<StaffOut> {
  const ratings = await staffRatings(ctx.deps.db, row.companyId, [row.id]);
  return renderStaff(row, ratings.get(row.id));
}

function renderStaff(row: StaffRow, rating: StaffRating = NO_RATING): StaffOut {
  const zone = row.branch.timezone;
  return {
    id: row.id,
    branchId: row.branchId,
    name: row.name,
    email: row.email,
    gender: row.gender as StaffOut['gender'],
    languages: row.languages,
    skills: row.skills,
    workingHours: row.workingHours as WeeklyIntervals,
    breaks: (row.breaks ?? {}) as WeeklyIntervals,
    maxDailyBookings: row.maxDailyBookings,
    calcomUserId: row.calcomUserId,
    assignments: ((row.assignments ?? []) as StaffAssignmentIn[]).map((a) => ({ branchId: a.branchId, workingHours: a.workingHours, breaks: a.breaks ?? {} })),
    active: row.active,
    rating,
    createdAt: formatInstant(row.createdAt, zone),
    updatedAt: formatInstant(row.updatedAt, zone),
  };
}

export function renderTimeOff(row: StaffTimeOff, zone: string) {
  return {
    id: row.id,
    staffId: row.staffId,
    start: formatInstant(row.startAt, zone),
    end: formatInstant(row.endAt, zone),
    reason: row.reason,
    createdAt: formatInstant(row.createdAt, zone),
  };
}

export async function findStaff(ctx: RouteContext, staffId: string): Promise<StaffRow> {
  const row = await ctx.deps.db.staff.findFirst({ where: { id: staffId, companyId: ctx.companyId() }, include: withBranchZone });
  if (!row) throw notFound('Staff', staffId);
  return row;
}

function assertBreaksInsideWork(workingHours: WeeklyIntervals, breaks: WeeklyIntervals): void {
  const errors = breaksOutsideWork(workingHours, breaks);
  if (errors.length > 0) throw invalid(errors);
}

/** Every assigned branch must be one of the caller's company (else 404, like the primary branch). */
async function checkAssignedBranches(ctx: RouteContext, assignments: StaffAssignmentIn[] | undefined): Promise<string[]> {
  const ids = (assignments ?? []).map((a) => a.branchId);
  for (const branchId of ids) await findBranch(ctx, branchId);
  return ids;
}

const assignedBranches = (row: Staff): string[] => ((row.assignments ?? []) as StaffAssignmentIn[]).map((a) => a.branchId);

export const staffRoutes = routeGroup('staff', [
  defineRoute({
    method: 'post',
    path: '/v1/staff',
    tags: ['catalog'],
    summary: 'Create a staff member',
    request: { body: createStaffBody },
    responses: { 201: { description: 'Created', schema: staffSchema } },
    problems: ['calendar_link_invalid', 'dependency_unavailable'],
    handler: async ({ body }, ctx) => {
      const branch = await findBranch(ctx, body.branchId);
      await checkCalendarLink(ctx, branch, { kind: 'user', id: body.calcomUserId, field: 'calcomUserId' });
      const assigned = await checkAssignedBranches(ctx, body.assignments);
      const row = await ctx.deps.db.staff.create({
        data: {
          id: newId('stf'),
          companyId: branch.companyId,
          branchId: branch.id,
          name: body.name,
          email: body.email ?? null,
          gender: body.gender ?? null,
          languages: body.languages ?? [],
          skills: body.skills ?? [],
          workingHours: body.workingHours,
          breaks: body.breaks ?? {},
          maxDailyBookings: body.maxDailyBookings ?? null,
          calcomUserId: body.calcomUserId ?? null,
          assignments: (body.assignments ?? []) as object[],
          active: body.active ?? true,
        },
        include: withBranchZone,
      });
      await ctx.branchChanged(branch.companyId, branch.id);
      for (const branchId of assigned) await ctx.branchChanged(branch.companyId, branchId);
      return { status: 201, body: renderStaff(row) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/v1/staff',
    tags: ['catalog'],
    summary: 'List staff (optionally of one branch)',
    request: { query: listStaffQuery },
    responses: { 200: { description: 'Staff', schema: listOf(staffSchema) } },
    handler: async ({ query }, ctx) => {
      const page = keysetArgs(query);
      const rows = await ctx.deps.db.staff.findMany({
        ...page,
        where: {
          companyId: ctx.companyId(),
          // A branch's staff: its own and those assigned to it from other branches.
          ...(query.branchId ? { OR: [{ branchId: query.branchId }, { assignments: { array_contains: [{ branchId: query.branchId }] } }] } : {}),
          ...page.where,
        },
        include: withBranchZone,
      });
      const ratings = await staffRatings(ctx.deps.db, ctx.companyId(), rows.slice(0, query.limit).map((r) => r.id));
      return { body: toPage(rows, query, (row) => catalogView(ctx.principal(), renderStaff(row, ratings.get(row.id)))) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/v1/staff/:id',
    tags: ['catalog'],
    summary: 'Get a staff member',
    request: { params: idParams },
    responses: { 200: { description: 'Staff', schema: staffSchema } },
    handler: async ({ params }, ctx) => ({ body: catalogView(ctx.principal(), await rated(ctx, await findStaff(ctx, params.id))) }),
  }),
  defineRoute({
    method: 'patch',
    path: '/v1/staff/:id',
    tags: ['catalog'],
    summary: 'Change a staff member',
    description: 'Moving a staff member to another branch (branchId) invalidates both branches.',
    request: { params: idParams, body: patchStaffBody },
    responses: { 200: { description: 'Staff', schema: staffSchema } },
    problems: ['calendar_link_invalid', 'dependency_unavailable'],
    handler: async ({ params, body }, ctx) => {
      const existing = await findStaff(ctx, params.id);
      assertBreaksInsideWork(
        body.workingHours ?? (existing.workingHours as WeeklyIntervals),
        body.breaks ?? ((existing.breaks ?? {}) as WeeklyIntervals),
      );
      const branch = body.branchId && body.branchId !== existing.branchId ? await findBranch(ctx, body.branchId) : undefined;
      const assignmentProblems = assignmentErrors(body.branchId ?? existing.branchId, body.assignments ?? existing.assignments);
      if (assignmentProblems.length > 0) throw invalid(assignmentProblems);
      const assigned = body.assignments !== undefined ? await checkAssignedBranches(ctx, body.assignments) : [];
      // A new Cal.com id, or an existing one carried into another branch, must be known to that branch's account.
      if (body.calcomUserId !== undefined || (branch && existing.calcomUserId !== null)) {
        const target = branch ?? (await findBranch(ctx, existing.branchId));
        await checkCalendarLink(ctx, target, { kind: 'user', id: body.calcomUserId === undefined ? existing.calcomUserId : body.calcomUserId, field: 'calcomUserId' });
      }
      const { assignments, ...fields } = body;
      const data = assignments !== undefined ? { ...fields, assignments: assignments as object[] } : fields;
      const row = await ctx.deps.db.staff.update({ where: { id: existing.id }, data, include: withBranchZone });
      await ctx.branchChanged(existing.companyId, existing.branchId);
      if (branch) await ctx.branchChanged(existing.companyId, branch.id);
      // Branches the person joined or left see (or stop seeing) them at once.
      for (const branchId of new Set([...assignedBranches(existing), ...assigned])) await ctx.branchChanged(existing.companyId, branchId);
      return { body: await rated(ctx, row) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/v1/staff/:id/time-off',
    tags: ['catalog'],
    summary: 'Add time off for a staff member',
    request: { params: idParams, body: createTimeOffBody },
    responses: { 201: { description: 'Created', schema: timeOffSchema } },
    handler: async ({ params, body }, ctx) => {
      const staff = await findStaff(ctx, params.id);
      const row = await ctx.deps.db.staffTimeOff.create({
        data: { id: newId('off'), companyId: staff.companyId, staffId: staff.id, startAt: body.start, endAt: body.end, reason: body.reason ?? null },
      });
      // The person is away in every branch they work in: none may offer them meanwhile.
      for (const branchId of new Set([staff.branchId, ...assignedBranches(staff)])) await ctx.branchChanged(staff.companyId, branchId);
      return { status: 201, body: renderTimeOff(row, staff.branch.timezone) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/v1/staff/:id/time-off',
    tags: ['catalog'],
    summary: 'List a staff member\'s time off',
    request: { params: idParams, query: pageQuery },
    responses: { 200: { description: 'Time off', schema: listOf(timeOffSchema) } },
    handler: async ({ params, query }, ctx) => {
      const staff = await findStaff(ctx, params.id);
      const page = keysetArgs(query);
      const rows = await ctx.deps.db.staffTimeOff.findMany({ ...page, where: { companyId: staff.companyId, staffId: staff.id, ...page.where } });
      return { body: toPage(rows, query, (row) => renderTimeOff(row, staff.branch.timezone)) };
    },
  }),
]);
