/**
 * Public contract of outbound webhook delivery (API.md "Outbound webhooks"). Names are a durable API.
 *
 * - `webhookDeliveryWorkflow`, one per endpoint and subject (a booking with its sync failures, or
 *   a waiting-list entry): id `webhook-<endpointId>-<subjectId>`, started or woken by
 *   signal-with-start of `webhookDeliveriesPending` (the dispatcher) or `webhookRetryNow` (the
 *   manual retry of the API).
 * - `webhookDispatcherWorkflow`, run every minute by the `webhook-dispatcher` Schedule: for about
 *   50 s it claims new outbox rows (written by the database triggers) every second and wakes
 *   their delivery workflows, so an event leaves within a second or two of its commit.
 */
import { defineSignal } from '@temporalio/workflow';

export const WEBHOOK_DELIVERY_WORKFLOW = 'webhookDeliveryWorkflow';
export const WEBHOOK_DISPATCHER_WORKFLOW = 'webhookDispatcherWorkflow';
export const WEBHOOK_DISPATCHER_SCHEDULE_ID = 'webhook-dispatcher';
export const WEBHOOK_DISPATCHER_INTERVAL = '1 minute';
export const WEBHOOK_DISPATCHER_RUN_TIMEOUT = '58 seconds';

export interface WebhookDeliveryInput {
  companyId: string;
  endpointId: string;
  subjectId: string;
  /** First retry delay (default 5 s, doubling up to 6 h; tests shorten it). */
  baseBackoffMs?: number;
}

export interface WebhookDeliveryResult {
  delivered: number;
  failed: number;
}

export const webhookWorkflowId = (endpointId: string, subjectId: string): string => `webhook-${endpointId}-${subjectId}`;

/** New pending deliveries may exist for this endpoint and subject (wakes an idle workflow). */
export const deliveriesPendingSignal = defineSignal('webhookDeliveriesPending');
/** A manual retry: try the next pending delivery now, without waiting out the backoff. */
export const retryNowSignal = defineSignal('webhookRetryNow');

export interface WebhookDispatcherInput {
  /** How long one run keeps polling (default 50 s; the Schedule starts the next). */
  runMs?: number;
  /** Pause between polls when nothing was waiting (default 1 s). */
  pollMs?: number;
  /** Passed to the delivery workflows it starts. */
  baseBackoffMs?: number;
}

export interface WebhookDispatcherResult {
  claimed: number;
  woken: number;
}
