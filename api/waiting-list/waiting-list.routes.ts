/**
 * Waiting list (API.md "Waiting list"): POST writes the entry and starts its monitor workflow
 * (`waitlist-<entryId>`), GET reads the entry (kept current by the monitor's activities), DELETE
 * closes it as `cancelled` at once and tells the monitor to end.
 */
import type { WaitingListEntry } from '../../infra/db/prisma';
import { newId } from '../../infra/db/ids';
import { entryReachUtc, type TimeWindow, type WaitlistOffer } from '../../domain/waitlist/waitlist-policy';
import {
  cancelWaitlistSignal,
  DEFAULT_WAITLIST_EXPIRY_DAYS,
  waitlistWorkflowId,
  type WaitlistMonitorInput,
} from '../../workflows/waitlist-monitor.contract';
import type { waitlistMonitorWorkflow } from '../../workflows/waitlist-monitor.workflow';
import { findBranch } from '../branches/branches.routes';
import { formatInstant, idParams } from '../common.schemas';
import { ApiError, invalid, notFound } from '../error-handler';
import { defineRoute, routeGroup, type RouteContext } from '../route-kit';
import { temporalOf } from '../series/series.service';
import { createWaitlistBody, waitlistEntrySchema } from './waiting-list.schemas';

const OPEN = ['waiting', 'notified'];

function render(row: WaitingListEntry, zone: string) {
  const at = (d: Date | string) => formatInstant(typeof d === 'string' ? new Date(d) : d, zone);
  const offers = (row.offers ?? []) as unknown as WaitlistOffer[];
  return {
    id: row.id,
    status: row.status,
    branchId: row.branchId,
    serviceId: row.serviceId,
    customerId: row.customerId,
    staffId: row.staffId,
    from: row.fromDate,
    to: row.toDate,
    timeWindows: (row.timeWindows ?? []) as unknown as TimeWindow[],
    autoBook: row.autoBook,
    offers: offers.map((o) => ({ start: at(o.start), end: at(o.end), staffId: o.staffId })),
    bookingId: row.bookingId,
    notificationsSent: row.notificationsSent,
    workflowId: row.workflowId,
    expiresAt: at(row.expiresAt),
    createdAt: at(row.createdAt),
  };
}

async function findEntry(ctx: RouteContext, entryId: string) {
  const row = await ctx.deps.db.waitingListEntry.findFirst({ where: { id: entryId, companyId: ctx.companyId() } });
  if (!row) throw notFound('Waiting-list entry', entryId);
  const branch = await ctx.deps.db.branch.findUniqueOrThrow({ where: { id: row.branchId }, select: { timezone: true } });
  return { row, zone: branch.timezone };
}

export const waitingListRoutes = routeGroup('waiting-list', [
  defineRoute({
    method: 'post',
    path: '/v1/waiting-list',
    tags: ['waiting-list'],
    summary: 'Put a customer on the waiting list',
    description:
      'Starts a monitor that checks at once, whenever a booking of the branch is cancelled or moved, and every WAITLIST_CHECK_INTERVAL. With `autoBook` it books the first fair match; otherwise it emails up to 3 new offers per match and keeps watching.',
    request: { body: createWaitlistBody },
    responses: { 201: { description: 'Waiting', schema: waitlistEntrySchema } },
    problems: ['dependency_unavailable'],
    handler: async ({ body }, ctx) => {
      const client = temporalOf(ctx);
      const now = ctx.now();
      const expiresAt = body.expiresAt ?? new Date(now.getTime() + DEFAULT_WAITLIST_EXPIRY_DAYS * 86_400_000);
      if (expiresAt.getTime() <= now.getTime()) throw invalid([{ path: 'expiresAt', message: 'must be in the future' }]);
      const companyId = ctx.companyId();
      const branch = await findBranch(ctx, body.branchId);
      const [service, customer, staff] = await Promise.all([
        ctx.deps.db.service.findFirst({ where: { id: body.serviceId, companyId, branchId: branch.id } }),
        ctx.deps.db.customer.findFirst({ where: { id: body.customerId, companyId } }),
        body.staffId ? ctx.deps.db.staff.findFirst({ where: { id: body.staffId, companyId, branchId: branch.id } }) : Promise.resolve(true),
      ]);
      if (!service) throw notFound('Service', body.serviceId);
      if (!customer) throw notFound('Customer', body.customerId);
      if (!staff) throw notFound('Staff', body.staffId ?? '');
      const entryId = newId('wl');
      const workflowId = waitlistWorkflowId(entryId);
      const row = await ctx.deps.db.waitingListEntry.create({
        data: {
          id: entryId, companyId, branchId: branch.id, serviceId: body.serviceId, customerId: body.customerId, staffId: body.staffId ?? null,
          fromDate: body.from, toDate: body.to, timeWindows: body.timeWindows, autoBook: body.autoBook, expiresAt, workflowId,
        },
      });
      const input: WaitlistMonitorInput = {
        entryId,
        expiresAt: expiresAt.toISOString(),
        autoBook: body.autoBook,
        checkIntervalMs: ctx.deps.config.waitlistCheckIntervalMs,
        reach: entryReachUtc({ fromDate: body.from, toDate: body.to }),
      };
      try {
        await client.workflow.start<typeof waitlistMonitorWorkflow>('waitlistMonitorWorkflow', { taskQueue: ctx.deps.config.temporalTaskQueue, workflowId, args: [input] });
      } catch (err) {
        await ctx.deps.db.waitingListEntry.delete({ where: { id: entryId } });
        throw err;
      }
      return { status: 201, body: render(row, branch.timezone) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/v1/waiting-list/:id',
    tags: ['waiting-list'],
    summary: 'Get a waiting-list entry with its offers',
    request: { params: idParams },
    responses: { 200: { description: 'Entry', schema: waitlistEntrySchema } },
    handler: async ({ params }, ctx) => {
      const { row, zone } = await findEntry(ctx, params.id);
      return { body: render(row, zone) };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/v1/waiting-list/:id',
    tags: ['waiting-list'],
    summary: 'Take an entry off the waiting list',
    description: 'Ends the monitor; 200 with status `cancelled` (also when already cancelled). An entry that was booked or expired answers 409 invalid_state.',
    request: { params: idParams },
    responses: { 200: { description: 'Cancelled', schema: waitlistEntrySchema } },
    problems: ['invalid_state', 'dependency_unavailable'],
    handler: async ({ params }, ctx) => {
      const client = temporalOf(ctx);
      const { row, zone } = await findEntry(ctx, params.id);
      if (row.status !== 'cancelled' && !OPEN.includes(row.status)) {
        throw new ApiError('invalid_state', `a ${row.status} waiting-list entry cannot be cancelled`);
      }
      await ctx.deps.db.waitingListEntry.updateMany({ where: { id: row.id, status: { in: OPEN } }, data: { status: 'cancelled' } });
      // The database says `cancelled` first: a monitor that misses the signal (ended already, or
      // Temporal briefly down) finds the entry closed at its next check and ends then.
      await client.workflow.getHandle(row.workflowId).signal(cancelWaitlistSignal).catch((err: unknown) => {
        ctx.deps.logger.warn({ err, entryId: row.id }, 'waiting-list monitor not signalled');
      });
      const after = await ctx.deps.db.waitingListEntry.findUniqueOrThrow({ where: { id: row.id } });
      if (after.status !== 'cancelled') throw new ApiError('invalid_state', `a ${after.status} waiting-list entry cannot be cancelled`);
      return { body: render(after, zone) };
    },
  }),
]);
