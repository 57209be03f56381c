/**
 * Outbound webhook endpoints (API.md "Outbound webhooks"), manager only (support may read; the
 * secret is shown once, on create, and stored encrypted by infra/secrets). Events are captured
 * by database triggers and delivered by workflows (workflows/webhook-delivery.workflow.ts); this
 * group only manages endpoints, shows the delivery log and asks for a manual retry.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import type { WebhookDelivery, WebhookEndpoint } from '../../infra/db/prisma';
import { newId } from '../../infra/db/ids';
import { createSecretBox } from '../../infra/secrets/secret-box';
import { checkWebhookUrl, webhookUrlPolicy, WebhookUrlRefused } from '../../infra/webhooks/address-guard';
import { newWebhookSecret } from '../../infra/webhooks/webhook-sender';
import { retryNowSignal, webhookWorkflowId, WEBHOOK_DELIVERY_WORKFLOW } from '../../workflows/webhook-delivery.contract';
import { formatInstant, idParams, listOf, pageQuery } from '../common.schemas';
import { ApiError, notFound } from '../error-handler';
import { keysetArgs, toPage } from '../pagination';
import { defineRoute, routeGroup, type RouteContext } from '../route-kit';
import {
  createdEndpointSchema,
  createEndpointBody,
  deletedEndpointSchema,
  deliveryParams,
  deliverySchema,
  endpointSchema,
  listDeliveriesQuery,
  patchEndpointBody,
  retryAcceptedSchema,
} from './webhook-endpoints.schemas';

const TAGS = ['webhooks'];
const boxes = new WeakMap<object, ReturnType<typeof createSecretBox>>();
const secretsOf = (ctx: RouteContext) => {
  let box = boxes.get(ctx.deps);
  if (!box) boxes.set(ctx.deps, (box = createSecretBox(ctx.deps.config.calendarSecretKey)));
  return box;
};

type EndpointOut = ReturnType<typeof render>;
function render(row: WebhookEndpoint) {
  return {
    id: row.id,
    url: row.url,
    events: row.events as Array<(typeof endpointSchema)['_output']['events'][number]>,
    description: row.description,
    createdAt: formatInstant(row.createdAt),
    updatedAt: formatInstant(row.updatedAt),
  };
}

const at = (d: Date | null) => (d ? formatInstant(d) : null);
function renderDelivery(row: WebhookDelivery) {
  return {
    id: row.id,
    event: row.event as (typeof deliverySchema)['_output']['event'],
    subjectId: row.subjectId,
    status: row.status as 'pending' | 'delivered' | 'failed',
    attempts: row.attempts,
    lastStatusCode: row.lastStatusCode,
    lastError: row.lastError,
    lastAttemptAt: at(row.lastAttemptAt),
    nextAttemptAt: at(row.nextAttemptAt),
    deliveredAt: at(row.deliveredAt),
    createdAt: formatInstant(row.createdAt),
  };
}

/** The URL under the SSRF rule (api/… 422 webhook_url_invalid), normalized. */
async function checkedUrl(ctx: RouteContext, raw: string): Promise<string> {
  try {
    const { url } = await checkWebhookUrl(raw, webhookUrlPolicy(ctx.deps.config));
    return url.toString();
  } catch (error) {
    if (error instanceof WebhookUrlRefused) throw new ApiError('webhook_url_invalid', error.reason);
    throw error;
  }
}

async function findEndpoint(ctx: RouteContext, id: string): Promise<WebhookEndpoint> {
  const row = await ctx.deps.db.webhookEndpoint.findFirst({ where: { id, companyId: ctx.companyId() } });
  if (!row) throw notFound('Webhook endpoint', id);
  return row;
}

export const webhookEndpointsRoutes = routeGroup('webhook-endpoints', [
  defineRoute({
    method: 'post',
    path: '/v1/webhook-endpoints',
    tags: TAGS,
    summary: 'Add a webhook endpoint',
    description: 'Answers the signing secret once. Deliveries follow Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature v1), body {type, timestamp, data}.',
    request: { body: createEndpointBody },
    responses: { 201: { description: 'Created (the secret is never shown again)', schema: createdEndpointSchema } },
    problems: ['webhook_url_invalid'],
    handler: async ({ body }, ctx) => {
      const companyId = ctx.companyId();
      const url = await checkedUrl(ctx, body.url);
      const secret = newWebhookSecret();
      const row = await ctx.deps.db.webhookEndpoint.create({
        data: { id: newId('whe'), companyId, url, events: body.events, description: body.description ?? null, secretEnc: secretsOf(ctx).encrypt(secret) },
      });
      return { status: 201, body: { ...render(row), secret } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/v1/webhook-endpoints',
    tags: TAGS,
    summary: 'List webhook endpoints',
    request: { query: pageQuery },
    responses: { 200: { description: 'Endpoints', schema: listOf(endpointSchema) } },
    handler: async ({ query }, ctx) => {
      const page = keysetArgs(query);
      const rows = await ctx.deps.db.webhookEndpoint.findMany({ ...page, where: { companyId: ctx.companyId(), ...page.where } });
      return { body: toPage(rows, query, render) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/v1/webhook-endpoints/:id',
    tags: TAGS,
    summary: 'Get a webhook endpoint',
    request: { params: idParams },
    responses: { 200: { description: 'Endpoint', schema: endpointSchema } },
    handler: async ({ params }, ctx): Promise<{ body: EndpointOut }> => ({ body: render(await findEndpoint(ctx, params.id)) }),
  }),
  defineRoute({
    method: 'patch',
    path: '/v1/webhook-endpoints/:id',
    tags: TAGS,
    summary: 'Change a webhook endpoint',
    description: 'A new url is checked like on create. Deliveries already recorded keep going to the endpoint as it is at each attempt.',
    request: { params: idParams, body: patchEndpointBody },
    responses: { 200: { description: 'Endpoint', schema: endpointSchema } },
    problems: ['webhook_url_invalid'],
    handler: async ({ params, body }, ctx) => {
      const existing = await findEndpoint(ctx, params.id);
      const url = body.url === undefined ? undefined : await checkedUrl(ctx, body.url);
      const row = await ctx.deps.db.webhookEndpoint.update({
        where: { id: existing.id },
        data: { url, events: body.events, description: body.description },
      });
      return { body: render(row) };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/v1/webhook-endpoints/:id',
    tags: TAGS,
    summary: 'Remove a webhook endpoint',
    description: 'Its deliveries, pending ones included, are removed with it.',
    request: { params: idParams },
    responses: { 200: { description: 'Deleted', schema: deletedEndpointSchema } },
    handler: async ({ params }, ctx) => {
      const existing = await findEndpoint(ctx, params.id);
      await ctx.deps.db.webhookEndpoint.deleteMany({ where: { id: existing.id, companyId: existing.companyId } });
      return { body: { id: existing.id, deleted: true as const } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/v1/webhook-endpoints/:id/deliveries',
    tags: TAGS,
    summary: 'List the deliveries of a webhook endpoint',
    request: { params: idParams, query: listDeliveriesQuery },
    responses: { 200: { description: 'Deliveries, oldest first', schema: listOf(deliverySchema) } },
    handler: async ({ params, query }, ctx) => {
      const endpoint = await findEndpoint(ctx, params.id);
      const page = keysetArgs(query);
      const rows = await ctx.deps.db.webhookDelivery.findMany({
        ...page,
        where: { endpointId: endpoint.id, companyId: endpoint.companyId, ...(query.status ? { status: query.status } : {}), ...page.where },
      });
      return { body: toPage(rows, query, renderDelivery) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/v1/webhook-endpoints/:id/deliveries/:deliveryId/retry',
    tags: TAGS,
    summary: 'Deliver again now',
    description: 'The delivery becomes pending with a fresh 72-hour window and is tried at once (a delivered one is sent again, same webhook-id). Its endpoint and subject keep their order: earlier pending deliveries of the same subject go first.',
    request: { params: deliveryParams },
    responses: { 202: { description: 'Accepted', schema: retryAcceptedSchema } },
    handler: async ({ params }, ctx) => {
      const endpoint = await findEndpoint(ctx, params.id);
      const { db, temporal, config } = ctx.deps;
      const delivery = await db.webhookDelivery.findFirst({ where: { id: params.deliveryId, endpointId: endpoint.id, companyId: endpoint.companyId } });
      if (!delivery) throw notFound('Webhook delivery', params.deliveryId);
      const now = ctx.now();
      // dispatched_at NULL: the dispatcher wakes the workflow within seconds even if the signal below cannot be sent.
      await db.webhookDelivery.update({
        where: { id: delivery.id },
        data: { status: 'pending', retryUntil: new Date(now.getTime() + 72 * 3_600_000), nextAttemptAt: null, dispatchedAt: null },
      });
      const workflowId = webhookWorkflowId(endpoint.id, delivery.subjectId);
      if (temporal) {
        await temporal.workflow
          .signalWithStart(WEBHOOK_DELIVERY_WORKFLOW, {
            workflowId,
            taskQueue: config.temporalTaskQueue,
            args: [{ companyId: endpoint.companyId, endpointId: endpoint.id, subjectId: delivery.subjectId }],
            signal: retryNowSignal,
            signalArgs: [],
          })
          .catch((error: unknown) => {
            if (!(error instanceof WorkflowNotFoundError)) ctx.deps.logger.warn({ err: error, workflowId }, 'webhook retry: signal failed; the dispatcher wakes it');
          });
      }
      return { status: 202, body: { id: delivery.id, status: 'pending' as const, workflowId } };
    },
  }),
]);
