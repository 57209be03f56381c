/**
 * Webhooks of the emulated Cal.com: subscriptions per account (`POST/GET/DELETE /v2/webhooks`,
 * Cal.com's user-webhook shape) and signed deliveries of booking events.
 */
import { randomUUID } from 'node:crypto';
import type { EmulatorAccount, EmulatorWebhook } from './emulator.accounts';
import { badRequest } from './emulator.errors';

export const WEBHOOK_TRIGGERS = ['BOOKING_CREATED', 'BOOKING_RESCHEDULED', 'BOOKING_CANCELLED'] as const;

export function createWebhook(account: EmulatorAccount, body: unknown, now: number): EmulatorWebhook {
  const input = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const errors: string[] = [];
  let url: URL | null = null;
  try {
    url = new URL(String(input.subscriberUrl));
  } catch {
    errors.push('subscriberUrl must be a URL address');
  }
  if (url && url.protocol !== 'http:' && url.protocol !== 'https:') errors.push('subscriberUrl must be a URL address');
  const triggers = input.triggers;
  if (!Array.isArray(triggers) || triggers.length === 0 || triggers.some((t) => typeof t !== 'string')) errors.push('triggers must be a non-empty array of trigger events');
  if (input.active !== undefined && typeof input.active !== 'boolean') errors.push('active must be a boolean value');
  if (input.secret !== undefined && typeof input.secret !== 'string') errors.push('secret must be a string');
  if (errors.length > 0) throw badRequest(errors);
  const webhook: EmulatorWebhook = {
    id: randomUUID(),
    subscriberUrl: String(input.subscriberUrl),
    triggers: triggers as string[],
    active: input.active !== false,
    secret: typeof input.secret === 'string' ? input.secret : null,
    payloadTemplate: typeof input.payloadTemplate === 'string' ? input.payloadTemplate : null,
    createdAt: new Date(now).toISOString(),
  };
  account.webhooks.push(webhook);
  return webhook;
}

/** Cal.com's UserWebhookOutputDto; the secret is not echoed back. */
export function renderWebhook(webhook: EmulatorWebhook): Record<string, unknown> {
  return {
    id: webhook.id,
    subscriberUrl: webhook.subscriberUrl,
    triggers: webhook.triggers,
    active: webhook.active,
    payloadTemplate: webhook.payloadTemplate,
  };
}
