/**
 * Webhooks of the emulated Cal.com: subscriptions per account (`POST/GET/DELETE /v2/webhooks`,
 * Cal.com's user-webhook shape) and signed deliveries of booking events.
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { CalcomBooking } from '../calcom.types';
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

export type WebhookMode = 'deliver' | 'drop';

export interface DeliveryLogEntry {
  at: string;
  triggerEvent: string;
  uid: string;
  subscriberUrl: string;
  outcome: number | 'dropped' | 'failed';
}

/** Cal.com's webhook body: `{triggerEvent, createdAt, payload}` with the booking in `payload`. */
export function webhookBody(triggerEvent: string, createdAt: string, booking: CalcomBooking, extra: Record<string, unknown> = {}): string {
  const host = booking.hosts[0];
  const payload = {
    type: booking.eventType?.slug ?? `event-type-${booking.eventTypeId}`,
    title: booking.title,
    description: booking.description ?? '',
    startTime: booking.start,
    endTime: booking.end,
    organizer: host ? { id: host.id, name: host.name, email: host.email, timeZone: host.timeZone } : null,
    attendees: booking.attendees.map((a) => ({ name: a.name, email: a.email, timeZone: a.timeZone, language: { locale: a.language ?? 'en' } })),
    uid: booking.uid,
    bookingId: booking.id,
    eventTypeId: booking.eventTypeId,
    status: booking.status.toUpperCase(),
    metadata: booking.metadata ?? {},
    location: booking.location,
    ...extra,
  };
  return JSON.stringify({ triggerEvent, createdAt, payload });
}

/** Hex HMAC-SHA256 of the raw body with the webhook's secret (`no-secret-provided` without one), as Cal.com signs. */
export function webhookSignature(body: string, secret: string | null): string {
  return secret ? createHmac('sha256', secret).update(body).digest('hex') : 'no-secret-provided';
}

/** Sends one event to every active subscriber of the account for that trigger (fire and forget, logged). */
export function deliverWebhooks(
  account: EmulatorAccount,
  mode: WebhookMode,
  log: DeliveryLogEntry[],
  event: { triggerEvent: string; booking: CalcomBooking; extra?: Record<string, unknown>; now: number },
): void {
  const createdAt = new Date(event.now).toISOString();
  for (const hook of account.webhooks) {
    if (!hook.active || !hook.triggers.includes(event.triggerEvent)) continue;
    const entry: DeliveryLogEntry = { at: createdAt, triggerEvent: event.triggerEvent, uid: event.booking.uid, subscriberUrl: hook.subscriberUrl, outcome: 'dropped' };
    log.push(entry);
    if (log.length > 1_000) log.splice(0, log.length - 1_000);
    if (mode === 'drop') continue;
    const body = webhookBody(event.triggerEvent, createdAt, event.booking, event.extra);
    fetch(hook.subscriberUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-cal-signature-256': webhookSignature(body, hook.secret) }, body, signal: AbortSignal.timeout(5_000) })
      .then(async (res) => {
        entry.outcome = res.status;
        await res.arrayBuffer().catch(() => undefined);
      })
      .catch(() => {
        entry.outcome = 'failed';
      });
  }
}
