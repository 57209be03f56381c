/**
 * Replay determinism: every recorded history of the booking, reschedule, cancel and sync-retry
 * workflows (test/replay/histories, made by record-histories.ts) and the server-*.json ones
 * recorded from the dev server (series, series cancel, waiting-list monitor with signals, hold
 * sweeper, booking through update-with-start, reservation expiry on its three paths) replays against the current
 * workflow code as the worker bundles it (workflows/index.ts) with no nondeterminism. A doctored
 * history proves the check can fail.
 */
import fs from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker } from '@temporalio/worker';
import { bundleOnce, testDataConverter } from '../harness/temporal';

jest.setTimeout(120_000);

const DIR = path.join(__dirname, 'histories');
const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();
const load = (file: string) => historyFromJSON(JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8')));

test('the recorded histories cover every booking workflow and path', () => {
  expect(files.length).toBeGreaterThanOrEqual(20);
  // Recorded from the dev server (scripts/record-server-histories.ts; see server-histories.test.ts).
  for (const prefix of ['server-booking-update-with-start', 'server-series-child-refused', 'server-series-cancel', 'server-waitlist-', 'server-hold-sweeper', 'server-reservation-expired', 'server-reservation-not-pending', 'server-reservation-released']) {
    expect([prefix, files.some((f) => f.startsWith(prefix))]).toEqual([prefix, true]);
  }
  for (const prefix of ['booking-', 'reschedule-', 'cancel-', 'sync-retry-', 'booking-lifecycle-', 'lifecycle-', 'lifecycle-review-request', 'calendar-inbound-', 'calendar-reconcile-']) expect(files.some((f) => f.startsWith(prefix))).toBe(true);
});

test('every recorded history replays against the current workflow code', async () => {
  const workflowBundle = await bundleOnce();
  const histories = files.map((file) => ({ workflowId: file.replace(/\.json$/, ''), history: load(file) }));
  const failures: string[] = [];
  let replayed = 0;
  for await (const result of Worker.runReplayHistories({ workflowBundle, replayName: 'booking-replay', dataConverter: testDataConverter() }, histories)) {
    replayed += 1;
    if (result.error) failures.push(`${result.workflowId}: ${String(result.error)}`);
  }
  expect(failures).toEqual([]);
  expect(replayed).toBe(files.length);
});

test('a history whose commands differ from the code is reported as nondeterministic', async () => {
  const history = load('booking-confirmed.json');
  const scheduled = history.events?.find((e) => e.activityTaskScheduledEventAttributes)?.activityTaskScheduledEventAttributes;
  expect(scheduled?.activityType?.name).toBe('planBooking');
  scheduled!.activityType!.name = 'holdSlot';
  const workflowBundle = await bundleOnce();
  await expect(Worker.runReplayHistory({ workflowBundle, replayName: 'booking-replay-doctored' }, history)).rejects.toBeInstanceOf(DeterminismViolationError);
});
