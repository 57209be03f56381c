/**
 * Changing and removing a staff member's time off (API.md "Catalog depth"): PATCH and DELETE
 * /v1/staff/:id/time-off/:timeOffId. Both are scoped to the caller's company (another company's
 * staff or time off is a 404) and invalidate the branch's availability before answering. When
 * time is freed (a removal, or a change that no longer covers part of the old range), the branch's
 * open waiting-list monitors get `slotFreed` for the freed range, as after a cancellation; that
 * wake-up is best effort (the monitors' periodic check finds the time anyway).
 */
import type { StaffTimeOff } from '../../infra/db/prisma';
import { slotFreedSignal, type SlotFreedEvent } from '../../workflows/waitlist-signals.contract';
import { invalid, notFound } from '../error-handler';
import { defineRoute, routeGroup, type RouteContext } from '../route-kit';
import { findStaff, renderTimeOff } from './staff.routes';
import { patchTimeOffBody, timeOffParams, timeOffSchema } from './staff.schemas';

const DAY_MS = 86_400_000;

async function findTimeOff(ctx: RouteContext, staffId: string, timeOffId: string) {
  const staff = await findStaff(ctx, staffId);
  const row = await ctx.deps.db.staffTimeOff.findFirst({ where: { id: timeOffId, staffId: staff.id, companyId: staff.companyId } });
  if (!row) throw notFound('TimeOff', timeOffId);
  return { staff, row };
}

/** The parts of [old.start, old.end) that [now.start, now.end) no longer covers. */
function freedRanges(old: { startAt: Date; endAt: Date }, now?: { startAt: Date; endAt: Date }): { start: Date; end: Date }[] {
  if (!now || now.endAt <= old.startAt || now.startAt >= old.endAt) return [{ start: old.startAt, end: old.endAt }];
  const out: { start: Date; end: Date }[] = [];
  if (now.startAt > old.startAt) out.push({ start: old.startAt, end: now.startAt });
  if (now.endAt < old.endAt) out.push({ start: now.endAt, end: old.endAt });
  return out;
}

/** Every branch a staff member works in: the primary one and those of their assignments. */
function branchesOf(staff: { branchId: string; assignments: unknown }): string[] {
  const assigned = Array.isArray(staff.assignments) ? (staff.assignments as { branchId?: unknown }[]).map((a) => a?.branchId) : [];
  return [...new Set([staff.branchId, ...assigned.filter((b): b is string => typeof b === 'string')])];
}

/**
 * Time off changed: availability of every branch the person works in is invalidated, and each of
 * those branches' waiting lists is woken (the person is free there too).
 */
async function timeOffChanged(ctx: RouteContext, staff: { companyId: string; branchId: string; assignments: unknown; id: string }, off: StaffTimeOff, freed: { start: Date; end: Date }[]) {
  const branches = branchesOf(staff);
  for (const branchId of branches) await ctx.branchChanged(staff.companyId, branchId);
  for (const branchId of branches) await wakeWaitingLists(ctx, branchId, staff.id, off, freed);
}

/** Signals the branch's open waiting-list monitors whose dates may contain a freed range. */
async function wakeWaitingLists(ctx: RouteContext, branchId: string, staffId: string, off: StaffTimeOff, freed: { start: Date; end: Date }[]) {
  const client = ctx.deps.temporal;
  if (!client || freed.length === 0) return;
  const day = (d: Date, shift: number) => new Date(d.getTime() + shift * DAY_MS).toISOString().slice(0, 10);
  const from = new Date(Math.min(...freed.map((f) => f.start.getTime())));
  const to = new Date(Math.max(...freed.map((f) => f.end.getTime())));
  const entries = await ctx.deps.db.waitingListEntry.findMany({
    where: { companyId: off.companyId, branchId, status: { in: ['waiting', 'notified'] }, toDate: { gte: day(from, -1) }, fromDate: { lte: day(to, 1) } },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    select: { workflowId: true },
  });
  for (const range of freed) {
    const event: SlotFreedEvent = {
      branchId, bookingId: off.id, staffId, start: range.start.toISOString(), end: range.end.toISOString(), reason: 'time_off_changed',
    };
    await Promise.all(entries.map((e) => client.workflow.getHandle(e.workflowId).signal(slotFreedSignal, event).catch((err: unknown) => {
      ctx.deps.logger.warn({ err, workflowId: e.workflowId }, 'waiting-list monitor not signalled after a time-off change');
    })));
  }
}

export const timeOffRoutes = routeGroup('time-off', [
  defineRoute({
    method: 'patch',
    path: '/v1/staff/:id/time-off/:timeOffId',
    tags: ['catalog'],
    summary: 'Change a staff member\'s time off',
    request: { params: timeOffParams, body: patchTimeOffBody },
    responses: { 200: { description: 'Time off', schema: timeOffSchema } },
    handler: async ({ params, body }, ctx) => {
      const { staff, row } = await findTimeOff(ctx, params.id, params.timeOffId);
      const startAt = body.start ?? row.startAt;
      const endAt = body.end ?? row.endAt;
      if (endAt.getTime() <= startAt.getTime()) throw invalid([{ path: body.end ? 'end' : 'start', message: 'end must be after start' }]);
      const updated = await ctx.deps.db.staffTimeOff.update({
        where: { id: row.id },
        data: { startAt, endAt, ...(body.reason !== undefined ? { reason: body.reason } : {}) },
      });
      await timeOffChanged(ctx, staff, row, freedRanges(row, updated));
      return { body: renderTimeOff(updated, staff.branch.timezone) };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/v1/staff/:id/time-off/:timeOffId',
    tags: ['catalog'],
    summary: 'Remove a staff member\'s time off',
    description: 'Answers the removed time off; its time is bookable again at once.',
    request: { params: timeOffParams },
    responses: { 200: { description: 'Removed', schema: timeOffSchema } },
    handler: async ({ params }, ctx) => {
      const { staff, row } = await findTimeOff(ctx, params.id, params.timeOffId);
      await ctx.deps.db.staffTimeOff.deleteMany({ where: { id: row.id, companyId: staff.companyId } });
      await timeOffChanged(ctx, staff, row, freedRanges(row));
      return { body: renderTimeOff(row, staff.branch.timezone) };
    },
  }),
]);
