/**
 * Records the replay histories of the webhook delivery and dispatcher workflows (test/replay/
 * histories/webhook-*.json) on the time-skipping server with the in-memory outbox of
 * test/workflows/webhook-delivery.fakes.ts: delivered in order after retries, failed after 72
 * hours then the next delivered, a manual retry cutting the backoff short, a dispatcher run.
 * Re-record after an intended, versioned change: `npx tsx test/replay/record-webhook-histories.ts`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { WorkflowHandle } from '@temporalio/client';
import { retryNowSignal, webhookWorkflowId, WEBHOOK_DELIVERY_WORKFLOW, WEBHOOK_DISPATCHER_WORKFLOW } from '../../workflows/webhook-delivery.contract';
import { getTimeSkippingEnv, teardownTestEnvs } from '../harness/temporal';
import { FakeWebhookOutbox, webhookWorker } from '../workflows/webhook-delivery.fakes';

const OUT = path.join(__dirname, 'histories');

interface Scenario {
  name: string;
  workflow: string;
  args: unknown[];
  deliveries: Array<[string, number[]]>;
  drive?: (handle: WorkflowHandle, outbox: FakeWebhookOutbox) => Promise<void>;
}

const delivery = (subjectId: string, baseBackoffMs?: number) => [{ companyId: 'cmp_1', endpointId: 'whe_1', subjectId, ...(baseBackoffMs ? { baseBackoffMs } : {}) }];

const SCENARIOS: Scenario[] = [
  { name: 'webhook-delivery-retried-in-order', workflow: WEBHOOK_DELIVERY_WORKFLOW, args: delivery('bkg_rec_order'), deliveries: [['whd_a', [500, 500, 200]], ['whd_b', [204]]] },
  { name: 'webhook-delivery-gave-up-after-72h', workflow: WEBHOOK_DELIVERY_WORKFLOW, args: delivery('bkg_rec_down'), deliveries: [['whd_c', [503]], ['whd_d', [200]]] },
  {
    name: 'webhook-delivery-manual-retry', workflow: WEBHOOK_DELIVERY_WORKFLOW, args: delivery('bkg_rec_manual', 3_600_000), deliveries: [['whd_e', [500, 200]]],
    drive: async (handle, outbox) => {
      while (outbox.attempts.length === 0) await new Promise((r) => setTimeout(r, 50));
      await handle.signal(retryNowSignal);
    },
  },
  { name: 'webhook-dispatcher-run', workflow: WEBHOOK_DISPATCHER_WORKFLOW, args: [{ runMs: 5_000, pollMs: 1_000 }], deliveries: [] },
];

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const env = await getTimeSkippingEnv();
  for (const scenario of SCENARIOS.filter((s) => only.length === 0 || only.includes(s.name))) {
    const outbox = new FakeWebhookOutbox();
    const t0 = await env.currentTimeMs();
    for (const [id, answers] of scenario.deliveries) outbox.add(id, answers, t0);
    const { worker, taskQueue } = await webhookWorker(env, outbox);
    const workflowId = scenario.workflow === WEBHOOK_DELIVERY_WORKFLOW ? webhookWorkflowId('whe_1', String((scenario.args[0] as { subjectId: string }).subjectId)) : `webhook-dispatcher-${taskQueue}`;
    const history = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(scenario.workflow, { taskQueue, workflowId, args: scenario.args });
      await scenario.drive?.(handle, outbox);
      await handle.result();
      return handle.fetchHistory();
    });
    fs.writeFileSync(path.join(OUT, `${scenario.name}.json`), `${JSON.stringify(JSON.parse(historyToJSON(history)), null, 1)}\n`);
    console.log(`recorded ${scenario.name}: ${history.events?.length ?? 0} events, ${outbox.attempts.length} attempts`);
  }
}

main()
  .then(() => teardownTestEnvs())
  .then(() => process.exit(0))
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
