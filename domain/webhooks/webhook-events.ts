/**
 * Outbound webhook events (API.md "Outbound webhooks") and the delivery retry policy. Pure: the
 * delivery workflow asks it how long to wait, the API which event names exist.
 */
export const WEBHOOK_EVENTS = [
  'booking.confirmed',
  'booking.failed',
  'booking.awaiting_approval',
  'booking.declined',
  'booking.rescheduled',
  'booking.cancelled',
  'booking.no_show',
  'booking.completed',
  'waitlist.offered',
  'waitlist.booked',
  'sync_failure.opened',
  'sync_failure.resolved',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** How long a delivery is retried before it is `failed` (API.md: 72 hours). */
export const WEBHOOK_RETRY_WINDOW_MS = 72 * 3_600_000;
export const WEBHOOK_BASE_BACKOFF_MS = 5_000;
export const WEBHOOK_MAX_BACKOFF_MS = 6 * 3_600_000;

/**
 * Wait after failed attempt number `attempt` (1-based): base · 2^(attempt-1), at most 6 hours,
 * so 5 s, 10 s, 20 s, ... ~1.4 h, 2.8 h, 5.7 h, 6 h, ...: about 25 attempts within 72 hours.
 */
export function webhookBackoffMs(attempt: number, baseMs = WEBHOOK_BASE_BACKOFF_MS, maxMs = WEBHOOK_MAX_BACKOFF_MS): number {
  const exponent = Math.min(Math.max(attempt, 1) - 1, 40);
  return Math.min(maxMs, baseMs * 2 ** exponent);
}
