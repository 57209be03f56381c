/**
 * Use cases behind the series endpoints: start a series (validate the catalog ids, expand the
 * recurrence in the branch zone, write the series and its planned occurrences, start
 * `seriesWorkflow`, wait up to the booking wait budget) and cancel it (signal the running workflow
 * or start `seriesCancelWorkflow`). Creation honours Idempotency-Key (api/idempotency.ts).
 * Rendering reads the database, which the workflow's activities keep current occurrence by
 * occurrence, so GET shows live progress.
 */
import { expandRecurrence, type Recurrence } from '../../domain/recurrence/recurrence';
import type { Db, Prisma, Series, SeriesOccurrence } from '../../infra/db/prisma';
import { isUniqueViolation } from '../../infra/db/errors';
import { newId } from '../../infra/db/ids';
import {
  cancelSeriesSignal,
  seriesCancelWorkflowId,
  seriesWorkflowId,
  type SeriesCancelInput,
  type SeriesWorkflowInput,
} from '../../workflows/series.contract';
import type { seriesCancelWorkflow } from '../../workflows/series-cancel.workflow';
import { ownerAttributes } from '../../workflows/search-attributes.contract';
import { formatInstant } from '../common.schemas';
import { notFound } from '../error-handler';
import { surelyNotStarted, temporalOf } from '../bookings/booking-answers';
import { assertReachable } from '../../infra/temporal/start-and-await';
import { checkBranchReferences } from '../catalog-references';
import { answerOnce, successReply } from '../idempotency';
import type { Reply, RouteContext } from '../route-kit';
import { startOrJoinOwning } from './start-or-join';

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

export const CREATE_SERIES_SCOPE = 'POST /v1/series';

/**
 * POST /v1/series. With an Idempotency-Key the series id is reserved by the key, so every repeat
 * (also concurrent ones) writes at most the one series row and joins the one `series-<id>`
 * workflow; the final 201 is stored and replayed, a 202 is not (a repeat waits on the run again).
 */
export async function createSeries(ctx: RouteContext, body: CreateSeriesInput, idempotencyKey?: string): Promise<Reply> {
  const client = temporalOf(ctx.deps);
  const { db, config } = ctx.deps;
  const branch = await checkBranchReferences(ctx, body);
  const instants = expandRecurrence({ start: body.start.toISOString(), timezone: branch.timezone, recurrence: body.recurrence });
  const keyed = { db, companyId: branch.companyId, scope: CREATE_SERIES_SCOPE, key: idempotencyKey, body: ctx.req.body, newResourceId: () => newId('ser'), now: ctx.now() };
  const { answer, replayed } = await answerOnce(
    keyed,
    async (seriesId) => {
      const workflowId = seriesWorkflowId(seriesId);
      await insertSeriesOnce(db, {
        id: seriesId, companyId: branch.companyId, branchId: branch.id, serviceId: body.serviceId, customerId: body.customerId,
        staffId: body.staffId ?? null, start: body.start, recurrence: body.recurrence as object, onConflict: body.onConflict, workflowId,
        occurrences: { create: instants.map((start, index) => ({ id: newId('occ'), index, start: new Date(start) })) },
      });
      const input: SeriesWorkflowInput = {
        seriesId, companyId: branch.companyId, branchId: branch.id, serviceId: body.serviceId, customerId: body.customerId,
        staffId: body.staffId ?? null, onConflict: body.onConflict, source: body.source,
        occurrences: instants.map((start, index) => ({ index, start })),
      };
      const handle = await startOrJoinOwning(
        client,
        {
          workflowType: 'seriesWorkflow', workflowId, taskQueue: config.temporalTaskQueue, args: [input],
          searchAttributes: ownerAttributes('series', { seriesId, customerId: body.customerId, branchId: branch.id }, 'running'),
          memo: { summary: `series ${seriesId}: ${instants.length} occurrence(s) from ${instants[0] ?? '-'} for ${body.customerId}` },
        },
        () => db.series.deleteMany({ where: { id: seriesId } }),
      );
      const done = await settlesWithin(handle.result(), config.bookingWaitMs);
      return { answer: { status: done ? 201 : 202, body: await renderSeriesById(ctx, seriesId) }, final: done };
    },
    surelyNotStarted,
  );
  return successReply(answer, replayed);
}

/** Writes the series with its planned occurrences unless a repeat of the same key wrote it first. */
async function insertSeriesOnce(db: Db, data: Prisma.SeriesUncheckedCreateInput): Promise<void> {
  try {
    await db.series.create({ data });
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
  }
}

export async function cancelSeries(ctx: RouteContext, seriesId: string, request: { from?: Date; reason?: string }) {
  const client = temporalOf(ctx.deps);
  const series = await ctx.deps.db.series.findFirst({ where: { id: seriesId, companyId: ctx.companyId() } });
  if (!series) throw notFound('Series', seriesId);
  const from = (request.from ?? ctx.now()).toISOString();
  // Temporal down: 503 within the rpc timeout, before a signal and a start each wait theirs.
  await assertReachable(client);
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
      typedSearchAttributes: ownerAttributes('series-cancel', { seriesId, customerId: series.customerId, branchId: series.branchId }, 'cancelling'),
      memo: { summary: `series ${seriesId}: cancel from ${from}${request.reason ? ` (${request.reason})` : ''}` },
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
