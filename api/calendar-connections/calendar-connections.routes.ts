/**
 * Calendar connections: each company connects its own Cal.com account (API.md "Calendar
 * connections"). The key is verified with `GET /v2/me` on create and on change, stored encrypted
 * (infra/secrets) and never returned or logged; our webhook is registered on create. Deleting a
 * connection unlinks its branches (their bookings keep their calendar status).
 */
import type { CalendarConnection } from '../../infra/db/prisma';
import { newId } from '../../infra/db/ids';
import { formatInstant, idParams, listOf } from '../common.schemas';
import { ApiError, notFound } from '../error-handler';
import { keysetArgs, toPage } from '../pagination';
import { defineRoute, routeGroup, type RouteContext } from '../route-kit';
import { checkBaseUrl, clientOf, registerWebhook, verifyKey, webhookUrlOf } from './calendar-account';
import { calendarConnectionsOf } from './calendar-connections.deps';
import { reconcileSchedule, startReconcile } from './calendar-reconcile';
import {
  connectionSchema,
  createConnectionBody,
  deletedConnectionSchema,
  listConnectionsQuery,
  patchConnectionBody,
  reconcileAcceptedSchema,
} from './calendar-connections.schemas';

function render(ctx: RouteContext, row: CalendarConnection) {
  return {
    id: row.id,
    name: row.name,
    provider: 'calcom' as const,
    baseUrl: row.baseUrl,
    status: 'active' as const,
    account: { id: row.accountId, email: row.accountEmail },
    webhookUrl: webhookUrlOf(ctx, row.id),
    webhookRegistered: row.webhookId !== null,
    lastReconciledAt: row.lastReconciledAt ? formatInstant(row.lastReconciledAt) : null,
    drift: { repaired: row.driftRepaired, open: row.driftOpen },
    createdAt: formatInstant(row.createdAt),
    updatedAt: formatInstant(row.updatedAt),
  };
}

/** The caller's connection or a 404 (also when it belongs to another company). */
export async function findConnection(ctx: RouteContext, id: string): Promise<CalendarConnection> {
  const row = await ctx.deps.db.calendarConnection.findFirst({ where: { id, companyId: ctx.companyId() } });
  if (!row) throw notFound('Calendar connection', id);
  return row;
}

const production = (ctx: RouteContext) => ctx.deps.config.nodeEnv === 'production';

export const calendarConnectionsRoutes = routeGroup('calendar-connections', [
  defineRoute({
    method: 'post',
    path: '/v1/calendar-connections',
    tags: ['calendar'],
    summary: 'Connect a Cal.com account',
    description: 'Verifies the key with GET /v2/me, stores it encrypted (never returned) and registers the webhook at webhookUrl.',
    request: { body: createConnectionBody },
    responses: { 201: { description: 'Connected', schema: connectionSchema } },
    problems: ['calendar_connection_invalid'],
    handler: async ({ body }, ctx) => {
      const companyId = ctx.companyId();
      const baseUrl = checkBaseUrl(body.baseUrl, production(ctx));
      const connections = calendarConnectionsOf(ctx.deps);
      const client = connections.open(baseUrl, body.apiKey);
      const me = await verifyKey(client);
      const id = newId('cal');
      const webhook = await registerWebhook(ctx, client, id);
      const row = await ctx.deps.db.calendarConnection.create({
        data: {
          id,
          companyId,
          name: body.name,
          provider: 'calcom',
          baseUrl,
          apiKeyEnc: connections.secrets.encrypt(body.apiKey),
          accountId: me.id,
          accountEmail: me.email ?? null,
          webhookId: webhook?.webhookId ?? null,
          webhookSecretEnc: webhook ? connections.secrets.encrypt(webhook.secret) : null,
        },
      });
      await reconcileSchedule(ctx, row.id, 'ensure');
      return { status: 201, body: render(ctx, row) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/v1/calendar-connections',
    tags: ['calendar'],
    summary: 'List calendar connections',
    request: { query: listConnectionsQuery },
    responses: { 200: { description: 'Connections', schema: listOf(connectionSchema) } },
    handler: async ({ query }, ctx) => {
      const page = keysetArgs(query);
      const rows = await ctx.deps.db.calendarConnection.findMany({ ...page, where: { companyId: ctx.companyId(), ...page.where } });
      return { body: toPage(rows, query, (row) => render(ctx, row)) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/v1/calendar-connections/:id',
    tags: ['calendar'],
    summary: 'Get a calendar connection',
    request: { params: idParams },
    responses: { 200: { description: 'Connection', schema: connectionSchema } },
    handler: async ({ params }, ctx) => ({ body: render(ctx, await findConnection(ctx, params.id)) }),
  }),
  defineRoute({
    method: 'patch',
    path: '/v1/calendar-connections/:id',
    tags: ['calendar'],
    summary: 'Rename a connection or change its key',
    description: 'A new apiKey is verified with GET /v2/me and must belong to the same Cal.com account.',
    request: { params: idParams, body: patchConnectionBody },
    responses: { 200: { description: 'Connection', schema: connectionSchema } },
    problems: ['calendar_connection_invalid'],
    handler: async ({ params, body }, ctx) => {
      const existing = await findConnection(ctx, params.id);
      const connections = calendarConnectionsOf(ctx.deps);
      let keyChange = {};
      if (body.apiKey !== undefined) {
        const me = await verifyKey(connections.open(existing.baseUrl, body.apiKey));
        if (me.id !== existing.accountId) throw new ApiError('calendar_connection_invalid', 'The new key belongs to another Cal.com account; connect that account as a new connection');
        keyChange = { apiKeyEnc: connections.secrets.encrypt(body.apiKey), keyVersion: { increment: 1 }, accountEmail: me.email ?? existing.accountEmail };
      }
      const row = await ctx.deps.db.calendarConnection.update({ where: { id: existing.id }, data: { name: body.name, ...keyChange } });
      return { body: render(ctx, row) };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/v1/calendar-connections/:id',
    tags: ['calendar'],
    summary: 'Disconnect a Cal.com account',
    description: 'Branches using it become unlinked (no calendar calls); bookings stay as they are. Our webhook is removed from the account when it can be.',
    request: { params: idParams },
    responses: { 200: { description: 'Deleted', schema: deletedConnectionSchema } },
    handler: async ({ params }, ctx) => {
      const existing = await findConnection(ctx, params.id);
      const branches = await ctx.deps.db.branch.findMany({ where: { companyId: existing.companyId, calendarConnectionId: existing.id }, select: { id: true } });
      if (existing.webhookId) {
        await clientOf(ctx, existing)
          .deleteWebhook(existing.webhookId)
          .catch(() => ctx.deps.logger.warn({ connectionId: existing.id }, 'calendar connection: webhook removal failed'));
      }
      await ctx.deps.db.calendarConnection.deleteMany({ where: { id: existing.id, companyId: existing.companyId } });
      await reconcileSchedule(ctx, existing.id, 'delete');
      for (const branch of branches) await ctx.branchChanged(existing.companyId, branch.id);
      return { body: { id: existing.id, deleted: true as const, unlinkedBranchIds: branches.map((b) => b.id) } };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/v1/calendar-connections/:id/reconcile',
    operationId: 'reconcileCalendarConnection',
    tags: ['calendar'],
    summary: 'Reconcile now',
    description:
      'Starts the reconciliation of this connection at once (it also runs on a Schedule every CALENDAR_RECONCILE_INTERVAL): the next 62 days of Cal.com bookings are compared with ours and what a lost webhook missed is repaired; lastReconciledAt and drift show the outcome. While one runs, a repeat answers its workflowId.',
    request: { params: idParams },
    responses: { 202: { description: 'Reconciliation started', schema: reconcileAcceptedSchema } },
    problems: ['dependency_unavailable'],
    handler: async ({ params }, ctx) => {
      const existing = await findConnection(ctx, params.id);
      return { status: 202, body: { workflowId: await startReconcile(ctx, existing.id) } };
    },
  }),
]);
