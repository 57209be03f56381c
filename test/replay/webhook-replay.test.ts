/**
 * Replay determinism of the webhook delivery and dispatcher workflows: every recorded
 * webhook-*.json history (record-webhook-histories.ts: retried in order, given up after 72 hours,
 * manual retry, a dispatcher run) replays against the workflow code as the worker bundles it.
 * (booking-replay.test.ts replays them too, with every other history.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { bundleOnce, testDataConverter } from '../harness/temporal';

jest.setTimeout(120_000);

const DIR = path.join(__dirname, 'histories');
const files = fs.readdirSync(DIR).filter((f) => f.startsWith('webhook-') && f.endsWith('.json')).sort();

test('the webhook workflows have recorded histories for each path', () => {
  expect(files).toEqual([
    'webhook-delivery-gave-up-after-72h.json',
    'webhook-delivery-manual-retry.json',
    'webhook-delivery-retried-in-order.json',
    'webhook-dispatcher-run.json',
  ]);
});

test('every webhook history replays against the current workflow code', async () => {
  const histories = files.map((file) => ({ workflowId: file.replace(/\.json$/, ''), history: historyFromJSON(JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8'))) }));
  const failures: string[] = [];
  let replayed = 0;
  for await (const result of Worker.runReplayHistories({ workflowBundle: await bundleOnce(), replayName: 'webhook-replay', dataConverter: testDataConverter() }, histories)) {
    replayed += 1;
    if (result.error) failures.push(`${result.workflowId}: ${String(result.error)}`);
  }
  expect(failures).toEqual([]);
  expect(replayed).toBe(files.length);
});
