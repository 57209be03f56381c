/**
 * The webhook dispatcher (contract in webhook-delivery.contract.ts), run every minute by its
 * Schedule: for `runMs` it claims outbox rows nobody woke yet (and pending rows left unattended,
 * e.g. a delivery workflow that ended as its signal arrived) and signal-with-starts their
 * delivery workflows, polling every `pollMs` while idle. Idempotent: a claimed row woken twice is
 * only looked at twice; overlapping runs are skipped by the Schedule, and claims use SKIP LOCKED.
 */
import { proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { WebhookDispatcherInput, WebhookDispatcherResult } from './webhook-delivery.contract';

const dispatch = proxyActivities<Activities>({ startToCloseTimeout: '20 seconds', retry: { initialInterval: '1 second', maximumInterval: '5 seconds', maximumAttempts: 3 } });

const BATCH = 100;

export async function webhookDispatcherWorkflow(input: WebhookDispatcherInput = {}): Promise<WebhookDispatcherResult> {
  const until = Date.now() + (input.runMs ?? 50_000);
  const total: WebhookDispatcherResult = { claimed: 0, woken: 0 };
  while (Date.now() < until) {
    const pass = await dispatch.dispatchWebhookDeliveries({ limit: BATCH, baseBackoffMs: input.baseBackoffMs });
    total.claimed += pass.claimed;
    total.woken += pass.woken;
    if (pass.claimed < BATCH) await sleep(input.pollMs ?? 1_000);
  }
  return total;
}
