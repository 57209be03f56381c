/**
 * Support: list calendar sync failures and retry one. A retry starts the sync-retry workflow for
 * the failure's next attempt (`sync-retry-<id>-<attempt>`; a repeated POST for the same attempt
 * joins it) and answers 202 at once; the workflow marks the failure `resolved`, or `open` again
 * with attempts + 1 and the new error. Resolving by hand (support fixed it in the calendar, or it
 * no longer matters) closes an open failure with a note; it never touches the calendar or the
 * booking. Instants are shown in the booking's branch offset.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Db, SyncFailure } from '../../infra/db/prisma';
import { isTemporalUnavailable } from '../../infra/temporal/temporal-client';
import { assertReachable, TemporalUnavailableError } from '../../infra/temporal/start-and-await';
import { SYNC_RETRY_WORKFLOW, syncRetryWorkflowId, type SyncRetryInput } from '../../workflows/sync-retry.contract';
import { formatInstant, idParams, listOf } from '../common.schemas';
import { ApiError, notFound } from '../error-handler';
import { keysetArgs, toPage } from '../pagination';
import { defineRoute, routeGroup } from '../route-kit';
import { temporalOf } from '../bookings/booking-answers';
import { listSyncFailuresQuery, resolveBody, retryAcceptedSchema, syncFailureSchema, type SyncFailureOut } from './sync-failures.schemas';

const TAGS = ['support'];
/** Inside the 2 s within which every Temporal path answers 503 when Temporal is down. */
const START_DEADLINE_MS = 1500;

export const syncFailuresRoutes = routeGroup('sync-failures', [
  defineRoute({
    method: 'get',
    path: '/v1/sync-failures',
    tags: TAGS,
    summary: 'Calendar sync failures (by status)',
    request: { query: listSyncFailuresQuery },
    responses: { 200: { description: 'Sync failures', schema: listOf(syncFailureSchema) } },
    async handler({ query }, ctx) {
      const companyId = ctx.companyId();
      const page = keysetArgs(query);
      const rows = await ctx.deps.db.syncFailure.findMany({
        where: {
          AND: [{ companyId, ...(query.status ? { status: query.status } : {}), ...(query.bookingId ? { bookingId: query.bookingId } : {}) }, page.where],
        },
        orderBy: page.orderBy,
        take: page.take,
      });
      const zones = await zonesOf(ctx.deps.db, rows);
      return { status: 200, body: toPage(rows, query, (row) => renderSyncFailure(row, zones.get(row.bookingId) ?? 'UTC')) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/v1/sync-failures/:id/retry',
    tags: TAGS,
    summary: 'Retry a failed calendar operation',
    description: 'A retried create books the original slot if it is still free; otherwise the failure stays open with the conflict in `error`. A resolved failure cannot be retried (409 invalid_state).',
    request: { params: idParams },
    responses: { 202: { description: 'Retry started', schema: retryAcceptedSchema } },
    problems: ['invalid_state', 'dependency_unavailable'],
    async handler({ params }, ctx) {
      const { db, config } = ctx.deps;
      const client = temporalOf(ctx.deps);
      const failure = await db.syncFailure.findFirst({ where: { id: params.id, companyId: ctx.companyId() } });
      if (!failure) throw notFound('Sync failure', params.id);
      if (failure.status === 'resolved') throw new ApiError('invalid_state', 'This sync failure is already resolved');
      // While a retry runs, a repeat joins it (same attempt number, same workflow id).
      const attempt = failure.attempts + 1;
      const workflowId = syncRetryWorkflowId(failure.id, attempt);
      const input: SyncRetryInput = { syncFailureId: failure.id, attempt };
      await assertReachable(client);
      try {
        await client.withDeadline(Date.now() + START_DEADLINE_MS, () =>
          client.workflow.start(SYNC_RETRY_WORKFLOW, {
            workflowId,
            taskQueue: config.temporalTaskQueue,
            args: [input],
            workflowIdConflictPolicy: 'USE_EXISTING',
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
          }),
        );
      } catch (error) {
        if (isTemporalUnavailable(error)) throw new TemporalUnavailableError(error, true);
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      }
      // Visible at once; conditional so it never overwrites the workflow's own later transition.
      await db.syncFailure.updateMany({ where: { id: failure.id, status: 'open', attempts: failure.attempts }, data: { status: 'retrying' } });
      return { status: 202, body: { id: failure.id, status: 'retrying', workflowId } };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/v1/sync-failures/:id/resolve',
    tags: TAGS,
    summary: 'Resolve a sync failure by hand',
    description:
      'Marks an open failure `resolved` with an optional note (kept on the failure), e.g. after fixing the calendar by hand. Nothing is sent to the calendar. A failure being retried or already resolved: 409 invalid_state.',
    request: { params: idParams, body: resolveBody },
    responses: { 200: { description: 'Resolved', schema: syncFailureSchema } },
    problems: ['invalid_state'],
    async handler({ params, body }, ctx) {
      const { db } = ctx.deps;
      const companyId = ctx.companyId();
      const failure = await db.syncFailure.findFirst({ where: { id: params.id, companyId } });
      if (!failure) throw notFound('Sync failure', params.id);
      const principal = ctx.principal();
      const resolution = { note: body?.note ?? null, at: ctx.now().toISOString(), keyId: principal.kind === 'company' ? principal.keyId : null };
      const payload = { ...(failure.payload as Record<string, unknown>), resolution };
      // Conditional on `open`: a retry that started meanwhile keeps the failure (its workflow decides).
      const updated = await db.syncFailure.updateMany({ where: { id: failure.id, companyId, status: 'open' }, data: { status: 'resolved', payload } });
      if (updated.count === 0) throw new ApiError('invalid_state', failure.status === 'resolved' ? 'This sync failure is already resolved' : 'A retry of this sync failure is running');
      const row = await db.syncFailure.findFirstOrThrow({ where: { id: failure.id, companyId } });
      const zones = await zonesOf(db, [row]);
      return { status: 200, body: renderSyncFailure(row, zones.get(row.bookingId) ?? 'UTC') };
    },
  }),
]);

function renderSyncFailure(row: SyncFailure, zone: string): SyncFailureOut {
  return {
    id: row.id,
    bookingId: row.bookingId,
    operation: row.operation as SyncFailureOut['operation'],
    error: row.error,
    attempts: row.attempts,
    status: row.status as SyncFailureOut['status'],
    createdAt: formatInstant(row.createdAt, zone),
    updatedAt: formatInstant(row.updatedAt, zone),
  };
}

async function zonesOf(db: Db, rows: SyncFailure[]): Promise<Map<string, string>> {
  const bookings = await db.booking.findMany({
    where: { id: { in: [...new Set(rows.map((r) => r.bookingId))] } },
    select: { id: true, branch: { select: { timezone: true } } },
  });
  return new Map(bookings.map((b) => [b.id, b.branch.timezone]));
}
