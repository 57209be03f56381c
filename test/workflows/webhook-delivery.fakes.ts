/**
 * An in-memory webhook outbox for the delivery workflow on the time-skipping server: deliveries
 * with a scripted receiver (answers per attempt), attempt times in server (skipped) time, and the
 * 72-hour give-up rule of attemptWebhookDelivery (`retry_until` = created + window).
 */
import { Context } from '@temporalio/activity';

import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WebhookActivities } from '../../activities/webhook.activities';
import { WEBHOOK_RETRY_WINDOW_MS } from '../../domain/webhooks/webhook-events';
import { bundleOnce, createTestWorker } from '../harness/temporal';

interface FakeDelivery {
  id: string;
  seq: number;
  /** Receiver answers in order; the last one repeats. */
  answers: number[];
  createdAt: number;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
}

export class FakeWebhookOutbox {
  readonly deliveries: FakeDelivery[] = [];
  /** [deliveryId, server time ms, answered status] per attempt, in order. */
  readonly attempts: Array<[string, number, number]> = [];
  dispatchPasses = 0;

  add(id: string, answers: number[], createdAt: number): void {
    this.deliveries.push({ id, seq: this.deliveries.length + 1, answers, createdAt, status: 'pending', attempts: 0 });
  }

  activities(): Pick<WebhookActivities, 'nextWebhookDelivery' | 'attemptWebhookDelivery' | 'dispatchWebhookDeliveries'> {
    return {
      nextWebhookDelivery: async () => {
        const next = this.deliveries.filter((d) => d.status === 'pending').sort((a, b) => a.seq - b.seq)[0];
        return next ? { id: next.id, attempts: next.attempts } : null;
      },
      attemptWebhookDelivery: async ({ deliveryId, retryDelayMs }) => {
        const d = this.deliveries.find((x) => x.id === deliveryId);
        if (!d || d.status !== 'pending') return { outcome: 'gone' as const, statusCode: null, attempts: d?.attempts ?? 0 };
        const now = Context.current().info.currentAttemptScheduledTimestampMs;
        const status = d.answers[Math.min(d.attempts, d.answers.length - 1)]!;
        d.attempts += 1;
        this.attempts.push([d.id, now, status]);
        if (status >= 200 && status < 300) {
          d.status = 'delivered';
          return { outcome: 'delivered' as const, statusCode: status, attempts: d.attempts };
        }
        const giveUp = now + retryDelayMs > d.createdAt + WEBHOOK_RETRY_WINDOW_MS;
        if (giveUp) d.status = 'failed';
        return { outcome: giveUp ? ('failed' as const) : ('retry' as const), statusCode: status, attempts: d.attempts };
      },
      dispatchWebhookDeliveries: async () => {
        this.dispatchPasses += 1;
        return { claimed: 0, woken: 0 };
      },
    };
  }
}

let runs = 0;

/** A worker on a fresh task queue of `env` running the bundled workflows with the fake outbox. */
export async function webhookWorker(env: TestWorkflowEnvironment, outbox: FakeWebhookOutbox) {
  runs += 1;
  const taskQueue = `webhooks-${runs}-${Date.now()}`;
  const worker = await createTestWorker({ connection: env.nativeConnection, taskQueue, workflowBundle: await bundleOnce(), activities: outbox.activities() });
  return { worker, taskQueue };
}
