/**
 * Outbound webhook activities: the dispatcher's claim-and-wake pass and the delivery workflow's
 * two steps (which row is next, one HTTP attempt). Rows are written by the database triggers
 * (migration 20261203174000_webhooks), never here.
 */
import { Context } from '@temporalio/activity';
import type { Db } from '../infra/db/prisma';
import type { SecretBox } from '../infra/secrets/secret-box';
import type { SendOutcome, WebhookSender } from '../infra/webhooks/webhook-sender';
import { deliveriesPendingSignal, webhookWorkflowId, WEBHOOK_DELIVERY_WORKFLOW, type WebhookDeliveryInput } from '../workflows/webhook-delivery.contract';
import { webhookBody, type WebhookSnapshot } from './webhook-render';

/** A pending row nobody attended to for this long is woken again (a lost wake-up, a gone workflow). */
export const UNATTENDED_MS = 120_000;

export interface WebhookActivityDeps {
  db: Db;
  secrets: SecretBox;
  sender: WebhookSender;
  clock?: () => Date;
  /** Wakes one delivery workflow; defaults to signal-with-start through the activity's Temporal client. */
  wake?: (input: WebhookDeliveryInput, taskQueue: string) => Promise<void>;
}

export type AttemptOutcome = 'delivered' | 'retry' | 'failed' | 'gone';

async function wakeWithClient(input: WebhookDeliveryInput, taskQueue: string): Promise<void> {
  await Context.current().client.workflow.signalWithStart(WEBHOOK_DELIVERY_WORKFLOW, {
    workflowId: webhookWorkflowId(input.endpointId, input.subjectId),
    taskQueue,
    args: [input],
    signal: deliveriesPendingSignal,
    signalArgs: [],
  });
}

export function createWebhookActivities({ db, secrets, sender, clock = () => new Date(), wake = wakeWithClient }: WebhookActivityDeps) {
  const unattended = `${UNATTENDED_MS} milliseconds`;
  return {
    /**
     * Claims up to `limit` rows not woken yet, or pending and unattended for two minutes (next
     * attempt overdue, or never attempted since being woken), and wakes one delivery workflow per
     * endpoint and subject among them (on the dispatcher's own task queue).
     */
    async dispatchWebhookDeliveries(input: { limit: number; baseBackoffMs?: number }): Promise<{ claimed: number; woken: number }> {
      const rows = await db.$queryRaw<Array<{ company_id: string; endpoint_id: string; subject_id: string }>>`
        UPDATE webhook_deliveries SET dispatched_at = now()
        WHERE id IN (
          SELECT id FROM webhook_deliveries
          WHERE dispatched_at IS NULL
             OR (status = 'pending' AND dispatched_at < now() - ${unattended}::interval
                 AND COALESCE(next_attempt_at, dispatched_at) < now() - ${unattended}::interval)
          ORDER BY created_at LIMIT ${input.limit}
          FOR UPDATE SKIP LOCKED)
        RETURNING company_id, endpoint_id, subject_id`;
      const groups = new Map<string, WebhookDeliveryInput>();
      for (const r of rows) {
        groups.set(`${r.endpoint_id}/${r.subject_id}`, { companyId: r.company_id, endpointId: r.endpoint_id, subjectId: r.subject_id, ...(input.baseBackoffMs ? { baseBackoffMs: input.baseBackoffMs } : {}) });
      }
      const taskQueue = Context.current().info.taskQueue;
      for (const group of groups.values()) await wake(group, taskQueue);
      return { claimed: rows.length, woken: groups.size };
    },

    /** The lowest-seq pending delivery of this endpoint and subject, or null. */
    async nextWebhookDelivery(input: { endpointId: string; subjectId: string }): Promise<{ id: string; attempts: number } | null> {
      const row = await db.webhookDelivery.findFirst({
        where: { endpointId: input.endpointId, subjectId: input.subjectId, status: 'pending' },
        orderBy: [{ seq: 'asc' }, { createdAt: 'asc' }],
        select: { id: true, attempts: true },
      });
      return row ?? null;
    },

    /**
     * One attempt: render, sign, POST (address guard, no redirects, timeouts), record it.
     * Failed: `retry` with next_attempt_at = now + retryDelayMs, or `failed` when that would be
     * past retry_until. `gone`: the row or its endpoint no longer exists, or is no longer pending.
     */
    async attemptWebhookDelivery(input: { deliveryId: string; retryDelayMs: number }): Promise<{ outcome: AttemptOutcome; statusCode: number | null; attempts: number }> {
      const row = await db.webhookDelivery.findUnique({ where: { id: input.deliveryId }, include: { endpoint: true } });
      if (!row || row.status !== 'pending') return { outcome: 'gone', statusCode: null, attempts: row?.attempts ?? 0 };
      const body = webhookBody(row.event, row.occurredAt, row.snapshot as unknown as WebhookSnapshot);
      let secret: string | null = null;
      try {
        secret = secrets.decrypt(row.endpoint.secretEnc);
      } catch {
        // A key no longer configured (rotation gone wrong): a failed attempt, not a crashed workflow.
      }
      const sent: SendOutcome = secret === null
        ? { ok: false, statusCode: null, error: 'secret_unreadable' }
        : await sender.send({ id: row.id, url: row.endpoint.url, secret, body });
      const now = clock();
      const attempts = row.attempts + 1;
      const statusCode = sent.statusCode;
      const common = { attempts, lastStatusCode: statusCode, lastAttemptAt: now };
      if (sent.ok) {
        await db.webhookDelivery.updateMany({ where: { id: row.id, status: 'pending' }, data: { ...common, status: 'delivered', deliveredAt: now, lastError: null, nextAttemptAt: null } });
        return { outcome: 'delivered', statusCode, attempts };
      }
      const nextAttemptAt = new Date(now.getTime() + input.retryDelayMs);
      const giveUp = nextAttemptAt > row.retryUntil;
      await db.webhookDelivery.updateMany({
        where: { id: row.id, status: 'pending' },
        data: { ...common, lastError: sent.error.slice(0, 500), ...(giveUp ? { status: 'failed', nextAttemptAt: null } : { nextAttemptAt }) },
      });
      return { outcome: giveUp ? 'failed' : 'retry', statusCode, attempts };
    },
  };
}

export type WebhookActivities = ReturnType<typeof createWebhookActivities>;
