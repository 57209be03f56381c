/**
 * Hold sweeper workflow on the time-skipping server with stubbed activities: it expires only
 * stale holds no running workflow owns (closed, unknown, ownerless; not a running saga or
 * support retry), invalidates each touched branch once, asks for waiting-list monitors for freed
 * booking slots only (not placeholders, not holds that changed meanwhile), sweeps calendar
 * orphans after the holds, cancels only unowned ones, reports what it skipped and why, and
 * passes its options (defaults, company scope) through.
 */

import type { CalendarOrphan, HoldSweeperInput, HoldSweeperResult, StaleHold, WorkflowState } from '../../workflows/hold-sweeper.contract';
import type { holdSweeperWorkflow } from '../../workflows/hold-sweeper.workflow';
import { bundleOnce, createTestWorker, getTimeSkippingEnv } from '../harness/temporal';
import { quietTemporalRuntime } from './booking-workflows.harness';
import { NO_TRACING_SINKS } from '../../worker/booking-worker';

jest.setTimeout(60_000);
quietTemporalRuntime();
beforeAll(async () => {
  await Promise.all([getTimeSkippingEnv(), bundleOnce()]);
}, 180_000);

const hold = (bookingId: string, owners: string[], extra: Partial<StaleHold> = {}): StaleHold => ({
  bookingId, kind: 'booking', companyId: 'cmp_1', branchId: 'br_1', staffId: 'stf_1',
  start: '2031-03-04T09:00:00.000Z', end: '2031-03-04T10:00:00.000Z', updatedAt: '2031-03-01T09:00:00.000Z', owners, ...extra,
});
const orphan = (uid: string, bookingId: string, owners: string[], rowStatus: CalendarOrphan['rowStatus'] = 'failed'): CalendarOrphan => ({
  uid, bookingId, rowStatus, updatedAt: rowStatus === 'missing' ? null : '2031-03-01T09:00:00.000Z', owners,
});

interface World {
  holds: StaleHold[];
  orphans: CalendarOrphan[];
  states: Record<string, WorkflowState>;
  /** Holds the expiry finds changed meanwhile (not expired). */
  changed?: Set<string>;
  /** Orphans the cancel refuses, with the reason. */
  refused?: Map<string, string>;
}

let seq = 0;

async function sweep(world: World, input: HoldSweeperInput = {}) {
  const env = await getTimeSkippingEnv();
  const calls: Array<{ name: string; args: unknown }> = [];
  const log = (name: string, args: unknown) => void calls.push({ name, args });
  const activities = {
    async listStaleHolds(args: unknown) {
      log('listStaleHolds', args);
      return world.holds;
    },
    async describeWorkflows(args: { workflowIds: string[] }) {
      log('describeWorkflows', args);
      return Object.fromEntries(args.workflowIds.map((id) => [id, world.states[id] ?? 'not_found']));
    },
    async expireStaleHolds(args: { holds: StaleHold[] }) {
      log('expireStaleHolds', args);
      return { expired: args.holds.map((h) => h.bookingId).filter((id) => !world.changed?.has(id)) };
    },
    async listCalendarOrphans(args: unknown) {
      log('listCalendarOrphans', args);
      return world.orphans;
    },
    async cancelCalendarOrphans(args: { orphans: CalendarOrphan[] }) {
      log('cancelCalendarOrphans', args);
      return args.orphans.map((o) => {
        const reason = world.refused?.get(o.uid);
        return { uid: o.uid, bookingId: o.bookingId, cancelled: reason === undefined, ...(reason ? { reason } : {}) };
      });
    },
    async invalidateAvailability(args: unknown) {
      log('invalidateAvailability', args);
    },
    async listWaitlistMonitors(args: unknown) {
      log('listWaitlistMonitors', args);
      return [];
    },
    async fanOutSlotFreed(args: unknown) {
      log('fanOutSlotFreed', args);
      return { rowsRead: 0, pages: 1, signalled: 0 };
    },
  };
  seq += 1;
  const taskQueue = `hold-sweeper-wf-${process.pid}-${seq}-${Date.now()}`;
  const worker = await createTestWorker({ connection: env.nativeConnection, taskQueue, workflowBundle: await bundleOnce(), sinks: NO_TRACING_SINKS, activities });
  const result: HoldSweeperResult = await worker.runUntil(
    env.client.workflow.execute<typeof holdSweeperWorkflow>('holdSweeperWorkflow', { taskQueue, workflowId: `hold-sweeper-test-${taskQueue}`, args: [input] }),
  );
  const argsOf = (name: string) => calls.filter((c) => c.name === name).map((c) => c.args);
  return { result, calls, argsOf, order: calls.map((c) => c.name) };
}

test('expires only holds no running workflow owns; one cache invalidation per branch; waiting list asked for freed bookings only', async () => {
  const world: World = {
    holds: [
      hold('bkg_closed', ['booking-bkg_closed']),
      hold('bkg_live', ['booking-bkg_live']),
      hold('bkg_retrying', ['booking-bkg_retrying', 'sync-retry-syf_1-2']),
      hold('bkg_unknown', ['booking-bkg_unknown']),
      hold('bkg_ownerless', [], { branchId: 'br_2' }),
      hold('rsh_reschedule-bkg_x-1-0', ['reschedule-bkg_x-1'], { kind: 'placeholder' }),
      hold('bkg_changed', ['booking-bkg_changed']),
    ],
    orphans: [],
    states: {
      'booking-bkg_closed': 'closed',
      'booking-bkg_live': 'running',
      'booking-bkg_retrying': 'closed',
      'sync-retry-syf_1-2': 'running',
      'reschedule-bkg_x-1': 'closed',
      'booking-bkg_changed': 'closed',
    },
    changed: new Set(['bkg_changed']),
  };
  const { result, argsOf } = await sweep(world);

  const expiredAsked = (argsOf('expireStaleHolds') as Array<{ holds: StaleHold[] }>).flatMap((a) => a.holds.map((h) => h.bookingId));
  expect(expiredAsked.sort()).toEqual(['bkg_changed', 'bkg_closed', 'bkg_ownerless', 'bkg_unknown', 'rsh_reschedule-bkg_x-1-0'].sort());
  expect(result.expired.sort()).toEqual(['bkg_closed', 'bkg_ownerless', 'bkg_unknown', 'rsh_reschedule-bkg_x-1-0'].sort());
  expect(result.skippedLive.sort()).toEqual(['bkg_live', 'bkg_retrying']);
  expect(argsOf('invalidateAvailability')).toEqual([{ branchId: 'br_1' }, { branchId: 'br_2' }]);
  // The waiting lists hear of each freed booking slot (not the placeholder, not the changed row), through the fan-out activity.
  expect(argsOf('fanOutSlotFreed')).toHaveLength(3);
  expect(argsOf('fanOutSlotFreed')).toEqual(expect.arrayContaining([expect.objectContaining({ branchId: 'br_2', start: world.holds[4].start, end: world.holds[4].end, reason: 'failed' })]));
  expect(result.cancelledOrphans).toEqual([]);
});

test('cancels only Cal.com orphans no running workflow owns, after the holds are swept; reports refusals', async () => {
  const world: World = {
    holds: [hold('bkg_h', ['booking-bkg_h'])],
    orphans: [
      orphan('cal_closed', 'bkg_a', ['booking-bkg_a']),
      orphan('cal_live', 'bkg_b', ['booking-bkg_b']),
      orphan('cal_cancel_running', 'bkg_c', ['booking-bkg_c', 'cancel-bkg_c'], 'cancelled'),
      orphan('cal_missing', 'bkg_gone', [], 'missing'),
      orphan('cal_changed', 'bkg_d', ['booking-bkg_d']),
    ],
    states: { 'booking-bkg_h': 'closed', 'booking-bkg_a': 'closed', 'booking-bkg_b': 'running', 'booking-bkg_c': 'closed', 'cancel-bkg_c': 'running', 'booking-bkg_d': 'closed' },
    refused: new Map([['cal_changed', 'booking changed meanwhile']]),
  };
  const { result, argsOf, order } = await sweep(world);

  expect(order.indexOf('expireStaleHolds')).toBeLessThan(order.indexOf('listCalendarOrphans'));
  const cancelAsked = (argsOf('cancelCalendarOrphans') as Array<{ orphans: CalendarOrphan[] }>).flatMap((a) => a.orphans.map((o) => o.uid));
  expect(cancelAsked).toEqual(['cal_closed', 'cal_missing', 'cal_changed']);
  expect(result.cancelledOrphans).toEqual([{ uid: 'cal_closed', bookingId: 'bkg_a' }, { uid: 'cal_missing', bookingId: 'bkg_gone' }]);
  expect(result.skippedOrphans).toEqual([
    { uid: 'cal_live', bookingId: 'bkg_b', reason: 'owner running' },
    { uid: 'cal_cancel_running', bookingId: 'bkg_c', reason: 'owner running' },
    { uid: 'cal_changed', bookingId: 'bkg_d', reason: 'booking changed meanwhile' },
  ]);
  expect(result.expired).toEqual(['bkg_h']);
});

test('nothing stale and no orphans: no expiry, cancel, cache or describe calls; defaults and scope passed on', async () => {
  const { result, order, argsOf } = await sweep({ holds: [], orphans: [], states: {} }, { companyId: 'cmp_9', staleAfterMinutes: 45 });
  expect(result).toEqual({ expired: [], skippedLive: [], cancelledOrphans: [], skippedOrphans: [] });
  expect(order).toEqual(['listStaleHolds', 'listCalendarOrphans']);
  expect(argsOf('listStaleHolds')).toEqual([{ staleAfterMinutes: 45, limit: 200, companyId: 'cmp_9' }]);
  expect(argsOf('listCalendarOrphans')).toEqual([{ pastDays: 7, futureDays: 90, orphanMinAgeMinutes: 30, limit: 200, companyId: 'cmp_9' }]);
});
