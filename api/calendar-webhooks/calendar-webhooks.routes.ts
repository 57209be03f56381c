/**
 * Inbound Cal.com webhooks (API.md "Calendar connections", inbound changes):
 * `POST /v1/webhooks/calcom/:connectionId` needs no key (api/access-policy.ts KEYLESS_ROUTES; still
 * rate limited per address). Order of checks: unknown connection 404 → `X-Cal-Signature-256`
 * (hex HMAC-SHA256 of the RAW body with the connection's webhook secret, constant-time) missing or
 * wrong 401 → malformed body 400 → stale delivery (createdAt outside the window) 401. Nothing
 * changes on any refusal. A good event is answered 200 at once and handed to the inbound workflow,
 * whose id derives from the event (a redelivery is refused by Temporal and answered `duplicate: true`).
 * Triggers we do not sync (PING, MEETING_ENDED, ...) are answered 200 `handled: false`.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { isTemporalUnavailable } from '../../infra/temporal/temporal-client';
import { assertReachable, TemporalUnavailableError } from '../../infra/temporal/start-and-await';
import {
  CALENDAR_INBOUND_WORKFLOW,
  calendarInboundWorkflowId,
  INBOUND_TRIGGERS,
  type CalendarInboundEvent,
  type CalendarInboundInput,
  type InboundTrigger,
} from '../../workflows/calendar-inbound.contract';
import { temporalOf } from '../bookings/booking-answers';
import { calendarConnectionsOf } from '../calendar-connections/calendar-connections.deps';
import { ApiError, invalid, notFound } from '../error-handler';
import { defineRoute, routeGroup } from '../route-kit';
import { calcomWebhookBody, webhookAcceptedSchema, webhookParams, type CalcomWebhookBody } from './calendar-webhooks.schemas';
import { verifyWebhookSignature } from './webhook-signature';

/** Deliveries older than this (or dated this far ahead) are refused as stale; reconciliation repairs what they carried. */
export const WEBHOOK_MAX_AGE_MS = 60 * 60_000;
export const WEBHOOK_MAX_SKEW_MS = 5 * 60_000;
const START_DEADLINE_MS = 1500;

const asString = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

export function toInboundEvent(body: CalcomWebhookBody): CalendarInboundEvent {
  const p = body.payload;
  const hosts = [p.organizer?.id ?? null, ...(p.hosts ?? []).map((h) => h.id)].filter((id): id is number => typeof id === 'number');
  return {
    trigger: body.triggerEvent as InboundTrigger,
    uid: p.uid,
    previousUid: body.triggerEvent === 'BOOKING_RESCHEDULED' ? asString(p.rescheduleUid) : null,
    start: new Date(p.startTime).toISOString(),
    end: new Date(p.endTime).toISOString(),
    bookingId: asString(p.metadata?.bookingId),
    companyId: asString(p.metadata?.companyId),
    hostIds: [...new Set(hosts)],
    reason: asString(p.cancellationReason) ?? asString(p.reschedulingReason),
  };
}

export const calendarWebhooksRoutes = routeGroup('calendar-webhooks', [
  defineRoute({
    method: 'post',
    path: '/v1/webhooks/calcom/:connectionId',
    operationId: 'receiveCalcomWebhook',
    keyless: true,
    tags: ['calendar'],
    summary: 'Cal.com webhook receiver (no key; signed)',
    description:
      'Registered by the service in the connected Cal.com account. Verifies X-Cal-Signature-256 (hex HMAC-SHA256 of the raw body with the secret the service registered): missing, wrong or stale (createdAt older than 1 hour) → 401; unknown connection → 404; malformed body → 400; nothing changes on any of them. BOOKING_CANCELLED / BOOKING_RESCHEDULED of our bookings and BOOKING_CREATED by others are applied durably after the 200; a redelivery changes nothing more.',
    request: { params: webhookParams },
    responses: { 200: { description: 'Received', schema: webhookAcceptedSchema } },
    problems: ['dependency_unavailable'],
    handler: async ({ params }, ctx) => {
      const { db, config } = ctx.deps;
      const connection = await db.calendarConnection.findUnique({ where: { id: params.connectionId }, select: { id: true, webhookSecretEnc: true } });
      if (!connection) throw notFound('Calendar connection', params.connectionId);
      const raw = Buffer.isBuffer(ctx.req.body) ? ctx.req.body : Buffer.alloc(0);
      const secret = connection.webhookSecretEnc ? calendarConnectionsOf(ctx.deps).secrets.decrypt(connection.webhookSecretEnc) : null;
      if (!secret || !verifyWebhookSignature(raw, ctx.req.get('x-cal-signature-256'), secret)) {
        throw new ApiError('unauthenticated', 'Missing or invalid X-Cal-Signature-256');
      }
      let json: unknown;
      try {
        json = JSON.parse(raw.toString('utf8'));
      } catch {
        throw invalid([{ path: 'body', message: 'Malformed JSON' }], 'Malformed JSON body');
      }
      const body = calcomWebhookBody.parse(json);
      const age = ctx.now().getTime() - Date.parse(body.createdAt);
      if (age > WEBHOOK_MAX_AGE_MS || age < -WEBHOOK_MAX_SKEW_MS) throw new ApiError('unauthenticated', 'Stale webhook delivery (createdAt outside the accepted window)');
      if (!(INBOUND_TRIGGERS as readonly string[]).includes(body.triggerEvent)) {
        return { body: { received: true, handled: false, workflowId: null, duplicate: false } };
      }
      const event = toInboundEvent(body);
      const workflowId = calendarInboundWorkflowId(connection.id, event);
      const input: CalendarInboundInput = { connectionId: connection.id, event, source: 'webhook' };
      const client = temporalOf(ctx.deps);
      await assertReachable(client);
      let duplicate = false;
      try {
        await client.withDeadline(Date.now() + START_DEADLINE_MS, () =>
          client.workflow.start(CALENDAR_INBOUND_WORKFLOW, {
            workflowId,
            taskQueue: config.temporalTaskQueue,
            args: [input],
            workflowIdConflictPolicy: 'FAIL',
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
          }),
        );
      } catch (error) {
        if (isTemporalUnavailable(error)) throw new TemporalUnavailableError(error, true);
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
        duplicate = true;
      }
      return { body: { received: true, handled: true, workflowId, duplicate } };
    },
  }),
]);
