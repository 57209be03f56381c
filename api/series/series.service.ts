/**
 * Use cases behind the series endpoints: start a series (validate the catalog ids, expand the
 * recurrence in the branch zone, write the series and its planned occurrences, start
 * `seriesWorkflow`, wait up to the booking wait budget) and cancel it (signal the running workflow
 * or start `seriesCancelWorkflow`). Rendering reads the database, which the workflow's activities
 * keep current occurrence by occurrence, so GET shows live progress.
 */
import type { Client } from '@temporalio/client';
import { expandRecurrence, type Recurrence } from '../../domain/recurrence/recurrence';
import type { Series, SeriesOccurrence } from '../../infra/db/prisma';
import { newId } from '../../infra/db/ids';
import {
  cancelSeriesSignal,
  seriesCancelWorkflowId,
  seriesWorkflowId,
  type SeriesCancelInput,
  type SeriesWorkflowInput,
} from '../../workflows/series.contract';
import type { seriesWorkflow } from '../../workflows/series.workflow';
import type { seriesCancelWorkflow } from '../../workflows/series-cancel.workflow';
import { findBranch } from '../branches/branches.routes';
import { formatInstant } from '../common.schemas';
import { ApiError, notFound } from '../error-handler';
import type { RouteContext } from '../route-kit';

export interface CreateSeriesInput {
  branchId: string;
  serviceId: string;
  customerId: string;
  staffId?: string;
  start: Date;
  recurrence: Recurrence;
  onConflict: 'skip' | 'alternative';
  source: 'phone' | 'web' | 'api' | 'mobile';
}

export function temporalOf(ctx: RouteContext): Client {
  if (!ctx.deps.temporal) throw new ApiError('dependency_unavailable', 'Temporal is not configured', { dependency: 'temporal' });
  return ctx.deps.temporal;
}

/** Resolves true when `work` settles within `ms`; never rejects (the caller re-reads state). */
export async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([work.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function checkCatalog(ctx: RouteContext, body: CreateSeriesInput) {
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
  return branch;
}

export async function createSeries(ctx: RouteContext, body: CreateSeriesInput): Promise<{ status: number; body: unknown }> {
  const client = temporalOf(ctx);
  const branch = await checkCatalog(ctx, body);
  const instants = expandRecurrence({ start: body.start.toISOString(), timezone: branch.timezone, recurrence: body.recurrence });
  const seriesId = newId('ser');
  const workflowId = seriesWorkflowId(seriesId);
  await ctx.deps.db.series.create({
    data: {
      id: seriesId, companyId: branch.companyId, branchId: branch.id, serviceId: body.serviceId, customerId: body.customerId,
      staffId: body.staffId ?? null, start: body.start, recurrence: body.recurrence as object, onConflict: body.onConflict, workflowId,
      occurrences: { create: instants.map((start, index) => ({ id: newId('occ'), index, start: new Date(start) })) },
    },
  });
  const input: SeriesWorkflowInput = {
    seriesId, companyId: branch.companyId, branchId: branch.id, serviceId: body.serviceId, customerId: body.customerId,
    staffId: body.staffId ?? null, onConflict: body.onConflict, source: body.source,
    occurrences: instants.map((start, index) => ({ index, start })),
  };
  let handle;
  try {
    handle = await client.workflow.start<typeof seriesWorkflow>('seriesWorkflow', { taskQueue: ctx.deps.config.temporalTaskQueue, workflowId, args: [input] });
  } catch (err) {
    await ctx.deps.db.series.delete({ where: { id: seriesId } });
    throw err;
  }
  const done = await settlesWithin(handle.result(), ctx.deps.config.bookingWaitMs);
  return { status: done ? 201 : 202, body: await renderSeriesById(ctx, seriesId) };
}

export async function cancelSeries(ctx: RouteContext, seriesId: string, request: { from?: Date; reason?: string }) {
  const client = temporalOf(ctx);
  const series = await ctx.deps.db.series.findFirst({ where: { id: seriesId, companyId: ctx.companyId() } });
  if (!series) throw notFound('Series', seriesId);
  const from = (request.from ?? ctx.now()).toISOString();
  let work: Promise<unknown> | null = null;
  if (series.status === 'running') {
    const handle = client.workflow.getHandle(series.workflowId);
    try {
      await handle.signal(cancelSeriesSignal, { from, reason: request.reason });
      work = handle.result();
    } catch {
      work = null; // finished between the read and the signal: cancel with the workflow below
    }
  }
  if (!work) {
    const args: SeriesCancelInput = { seriesId, from, reason: request.reason };
    const handle = await client.workflow.start<typeof seriesCancelWorkflow>('seriesCancelWorkflow', {
      taskQueue: ctx.deps.config.temporalTaskQueue,
      workflowId: seriesCancelWorkflowId(seriesId, newId('req')),
      args: [args],
    });
    work = handle.result();
  }
  const done = await settlesWithin(work, ctx.deps.config.bookingWaitMs);
  return { status: done ? 200 : 202, body: await renderSeriesById(ctx, seriesId) };
}

export async function renderSeriesById(ctx: RouteContext, seriesId: string) {
  const series = await ctx.deps.db.series.findFirst({
    where: { id: seriesId, companyId: ctx.companyId() },
    include: { occurrences: { orderBy: { index: 'asc' } } },
  });
  if (!series) throw notFound('Series', seriesId);
  const branch = await ctx.deps.db.branch.findUniqueOrThrow({ where: { id: series.branchId }, select: { timezone: true } });
  return renderSeries(series, branch.timezone);
}

interface StoredAlternative {
  start: string;
  end: string;
  staffId: string;
  staffName?: string;
}

export function renderSeries(series: Series & { occurrences: SeriesOccurrence[] }, zone: string) {
  const at = (iso: string | Date) => formatInstant(typeof iso === 'string' ? new Date(iso) : iso, zone);
  const occurrences = series.occurrences.map((o) => {
    const alternatives = (o.alternatives ?? []) as unknown as StoredAlternative[];
    return {
      index: o.index,
      start: at(o.start),
      status: o.status,
      ...(o.bookingId ? { bookingId: o.bookingId } : {}),
      ...(o.reason ? { reason: o.reason } : {}),
      ...(alternatives.length > 0 ? { alternatives: alternatives.map((a) => ({ ...a, start: at(a.start), end: at(a.end) })) } : {}),
    };
  });
  return {
    id: series.id,
    status: series.status,
    branchId: series.branchId,
    serviceId: series.serviceId,
    customerId: series.customerId,
    staffId: series.staffId,
    onConflict: series.onConflict,
    workflowId: series.workflowId,
    progress: { total: occurrences.length, processed: occurrences.filter((o) => o.status !== 'pending').length },
    occurrences,
    createdAt: at(series.createdAt),
  };
}
