/**
 * Delivers one endpoint's webhooks about one subject (a booking, a waiting-list entry), in order.
 *
 * Invariants
 * - Order per subject: the outbox triggers number each subject's events in commit order (`seq`);
 *   this workflow (one per endpoint and subject, by id) takes the lowest pending `seq` and does not
 *   move on until it is delivered or has failed for good, so a receiver never sees `cancelled`
 *   before `confirmed`.
 * - At least once: an attempt is recorded after the HTTP answer; a retried or replayed attempt may
 *   send a message again with the same `webhook-id`, which receivers deduplicate on.
 * - Backoff: after a failed attempt it waits webhookBackoffMs(attempts) (5 s doubling, at most
 *   6 h) in a durable timer; the attempt activity marks the delivery `failed` once the next try
 *   would fall past its `retry_until` (created + 72 h, or manual retry + 72 h). A manual retry
 *   (`webhookRetryNow`) cuts the wait short.
 * - Ends after a minute with nothing pending; the next event signal-with-starts it again. A signal
 *   racing that end is not lost: the dispatcher wakes any pending row left unattended for two
 *   minutes again.
 * - Continues as new when the history grows long (an endpoint down for days), after handlers finish.
 * Compensation: none (nothing to undo; delivery state lives in webhook_deliveries).
 */
import { allHandlersFinished, condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { webhookBackoffMs } from '../domain/webhooks/webhook-events';
import { DB_ACTIVITY } from './lib/activity-options';
import { deliveriesPendingSignal, retryNowSignal, type WebhookDeliveryInput, type WebhookDeliveryResult } from './webhook-delivery.contract';

const db = proxyActivities<Activities>(DB_ACTIVITY);
/** One HTTP attempt (the sender's own timeout is 10 s); a crashed attempt is tried again. */
const http = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 5 } });

const IDLE = '1 minute';

export async function webhookDeliveryWorkflow(input: WebhookDeliveryInput): Promise<WebhookDeliveryResult> {
  let pending = true;
  let retryNow = false;
  setHandler(deliveriesPendingSignal, () => void (pending = true));
  setHandler(retryNowSignal, () => {
    pending = true;
    retryNow = true;
  });
  const result: WebhookDeliveryResult = { delivered: 0, failed: 0 };

  for (;;) {
    pending = false;
    const next = await db.nextWebhookDelivery({ endpointId: input.endpointId, subjectId: input.subjectId });
    if (!next) {
      if (await condition(() => pending, IDLE)) continue;
      break;
    }
    retryNow = false;
    const retryDelayMs = webhookBackoffMs(next.attempts + 1, input.baseBackoffMs);
    const attempt = await http.attemptWebhookDelivery({ deliveryId: next.id, retryDelayMs });
    if (attempt.outcome === 'delivered') result.delivered += 1;
    else if (attempt.outcome === 'failed') result.failed += 1;
    else if (attempt.outcome === 'retry') await condition(() => retryNow, retryDelayMs);
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof webhookDeliveryWorkflow>(input);
    }
  }
  await condition(allHandlersFinished);
  return result;
}
