/**
 * The webhook delivery workflow on the time-skipping server with an in-memory outbox: order per
 * subject under retries, the doubling backoff (5 s, 10 s, 20 s, ...), the 72-hour give-up after
 * which the next delivery still goes out, a manual retry cutting a long backoff short, and the
 * idle end. The dispatcher's run loop ends after its runMs.
 */
import { WEBHOOK_RETRY_WINDOW_MS, webhookBackoffMs } from '../../domain/webhooks/webhook-events';
import { retryNowSignal, webhookWorkflowId, WEBHOOK_DELIVERY_WORKFLOW, WEBHOOK_DISPATCHER_WORKFLOW } from '../../workflows/webhook-delivery.contract';
import { getTimeSkippingEnv } from '../harness/temporal';
import { FakeWebhookOutbox, webhookWorker } from './webhook-delivery.fakes';

jest.setTimeout(180_000);

const input = (subjectId: string, baseBackoffMs?: number) => ({ companyId: 'cmp_1', endpointId: 'whe_1', subjectId, ...(baseBackoffMs ? { baseBackoffMs } : {}) });

test('a receiver failing three times gets the first event after 5 s, 10 s and 20 s of backoff, and only then the second', async () => {
  const env = await getTimeSkippingEnv();
  const outbox = new FakeWebhookOutbox();
  const t0 = await env.currentTimeMs();
  outbox.add('whd_first', [500, 503, 500, 200], t0);
  outbox.add('whd_second', [204], t0);
  const { worker, taskQueue } = await webhookWorker(env, outbox);
  const result = await worker.runUntil(env.client.workflow.execute(WEBHOOK_DELIVERY_WORKFLOW, { taskQueue, workflowId: webhookWorkflowId('whe_1', 'bkg_order'), args: [input('bkg_order')] }));
  expect(result).toEqual({ delivered: 2, failed: 0 });
  expect(outbox.attempts.map(([id, , status]) => [id, status])).toEqual([
    ['whd_first', 500], ['whd_first', 503], ['whd_first', 500], ['whd_first', 200], ['whd_second', 204],
  ]);
  const times = outbox.attempts.map(([, at]) => at);
  const gaps = times.slice(1, 4).map((at, i) => at - times[i]!);
  [5_000, 10_000, 20_000].forEach((want, i) => {
    expect(gaps[i]).toBeGreaterThanOrEqual(want);
    expect(gaps[i]).toBeLessThan(want + 2_000);
  });
});

test('a receiver that never accepts is retried for 72 hours, then the delivery is failed and the next one goes out', async () => {
  const env = await getTimeSkippingEnv();
  const outbox = new FakeWebhookOutbox();
  const t0 = await env.currentTimeMs();
  outbox.add('whd_never', [500], t0);
  outbox.add('whd_after', [200], t0);
  const { worker, taskQueue } = await webhookWorker(env, outbox);
  const result = await worker.runUntil(env.client.workflow.execute(WEBHOOK_DELIVERY_WORKFLOW, { taskQueue, workflowId: webhookWorkflowId('whe_1', 'bkg_down'), args: [input('bkg_down')] }));
  expect(result).toEqual({ delivered: 1, failed: 1 });
  const never = outbox.attempts.filter(([id]) => id === 'whd_never');
  let expected = 0;
  for (let n = 1, at = 0; at <= WEBHOOK_RETRY_WINDOW_MS; n += 1) {
    expected += 1;
    at += webhookBackoffMs(n);
    if (at > WEBHOOK_RETRY_WINDOW_MS) break;
  }
  expect(never).toHaveLength(expected);
  const last = never[never.length - 1]![1];
  expect(last - t0).toBeGreaterThan(WEBHOOK_RETRY_WINDOW_MS - 6 * 3_600_000 - 60_000);
  expect(last - t0).toBeLessThanOrEqual(WEBHOOK_RETRY_WINDOW_MS);
  expect(outbox.attempts[outbox.attempts.length - 1]).toEqual(['whd_after', expect.any(Number), 200]);
});

test('a manual retry (webhookRetryNow) cuts a long backoff short', async () => {
  const env = await getTimeSkippingEnv();
  const outbox = new FakeWebhookOutbox();
  const t0 = await env.currentTimeMs();
  outbox.add('whd_manual', [500, 200], t0);
  const { worker, taskQueue } = await webhookWorker(env, outbox);
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start(WEBHOOK_DELIVERY_WORKFLOW, { taskQueue, workflowId: webhookWorkflowId('whe_1', 'bkg_manual'), args: [input('bkg_manual', 3_600_000)] });
    while (outbox.attempts.length === 0) await new Promise((r) => setTimeout(r, 50));
    await handle.signal(retryNowSignal);
    expect(await handle.result()).toEqual({ delivered: 1, failed: 0 });
  });
  const [first, second] = outbox.attempts;
  expect(second![1] - first![1]).toBeLessThan(3_600_000);
});

test('the dispatcher polls for its run time and ends', async () => {
  const env = await getTimeSkippingEnv();
  const outbox = new FakeWebhookOutbox();
  const { worker, taskQueue } = await webhookWorker(env, outbox);
  const result = await worker.runUntil(env.client.workflow.execute(WEBHOOK_DISPATCHER_WORKFLOW, { taskQueue, workflowId: `dispatcher-${taskQueue}`, args: [{ runMs: 10_000, pollMs: 1_000 }] }));
  expect(result).toEqual({ claimed: 0, woken: 0 });
  expect(outbox.dispatchPasses).toBeGreaterThanOrEqual(9);
  expect(outbox.dispatchPasses).toBeLessThanOrEqual(11);
});
