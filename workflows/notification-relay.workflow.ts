/**
 * Notification relay (contract in notification-relay.contract.ts), run by its Schedule every
 * minute: one pass of `relayPendingNotifications` (claims due `pending` rows with the same lease
 * a send attempt takes, sends, records backoff or `sent`; marks rows older than 72 h `failed`).
 * Idempotent and safe to overlap with sagas: the lease decides who sends a row. A failed pass is
 * simply repeated by the next scheduled one.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { NotificationRelayActivities } from '../activities/notification-relay.activities';
import type { NotificationRelayInput, NotificationRelayResult } from './notification-relay.contract';

const relay = proxyActivities<NotificationRelayActivities>({
  startToCloseTimeout: '50 seconds',
  retry: { maximumAttempts: 1 },
});

export async function notificationRelayWorkflow(input: NotificationRelayInput = {}): Promise<NotificationRelayResult> {
  return relay.relayPendingNotifications({ limit: input.limit ?? 100 });
}
