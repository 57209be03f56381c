/**
 * Waiting-list monitor on the time-skipping server with stubbed activities. The stubs keep an
 * in-memory "database" of entries and free slots and apply the real domain policy (fairness,
 * offer dedupe), so the tests exercise the same decisions the real activities make.
 */
import { bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { fairOffers, unsentOffers, type FreeSlot, type OpenWaitlistEntry } from '../../domain/waitlist/waitlist-policy';
import type { BookAppointmentInput, BookAppointmentResult } from '../../workflows/book-appointment.contract';
import {
  cancelWaitlistSignal,
  slotFreedSignal,
  waitlistStateQuery,
  waitlistWorkflowId,
  type WaitlistActivities,
  type WaitlistMonitorInput,
  type WaitlistMonitorState,
} from '../../workflows/waitlist-monitor.contract';
import type { waitlistMonitorWorkflow } from '../../workflows/waitlist-monitor.workflow';
import { createTestWorker, getTimeSkippingEnv } from '../harness/temporal';
import { checkDelayMs } from '../../domain/waitlist/fan-out';

const TZ = 'Europe/Berlin';
const DAY = 86_400_000;
const MIN = 60_000;

interface FakeEntry extends OpenWaitlistEntry {
  status: 'waiting' | 'notified' | 'booked' | 'expired' | 'cancelled';
  bookingId: string | null;
  notificationsSent: number;
  customerId: string;
}

class FakeStore {
  entries = new Map<string, FakeEntry>();
  free: FreeSlot[] = [];
  bookings: BookAppointmentInput[] = [];
  emails: { entryId: string; offers: unknown[] }[] = [];

  add(id: string, createdAt: string): FakeEntry {
    const e: FakeEntry = {
      id, createdAt, fromDate: '2030-06-10', toDate: '2030-06-12', timeWindows: [], offers: [],
      status: 'waiting', bookingId: null, notificationsSent: 0, customerId: `cus_${id}`,
    };
    this.entries.set(id, e);
    return e;
  }

  activities(): WaitlistActivities & { fakeBook(i: BookAppointmentInput): Promise<BookAppointmentResult> } {
    const open = () => [...this.entries.values()].filter((e) => e.status === 'waiting' || e.status === 'notified');
    return {
      checkWaitlistEntry: jest.fn(async ({ entryId }) => {
        const e = this.entries.get(entryId)!;
        if (e.status !== 'waiting' && e.status !== 'notified') return { kind: 'closed' as const, status: e.status, bookingId: e.bookingId };
        const booking = { companyId: 'cmp_1', branchId: 'br_1', serviceId: 'svc_1', customerId: e.customerId };
        return { kind: 'open' as const, candidates: fairOffers(e, this.free, open(), TZ), booking };
      }),
      offerWaitlistSlots: jest.fn(async ({ entryId, candidates }) => {
        const e = this.entries.get(entryId)!;
        const sent = unsentOffers(candidates, e.offers);
        if (sent.length > 0) {
          e.offers.push(...sent);
          e.notificationsSent += 1;
          e.status = 'notified';
          this.emails.push({ entryId, offers: sent });
        }
        return { offers: e.offers, notificationsSent: e.notificationsSent, sent };
      }),
      markWaitlistBooked: jest.fn(async ({ entryId, bookingId }) => {
        Object.assign(this.entries.get(entryId)!, { status: 'booked', bookingId });
      }),
      closeWaitlistEntry: jest.fn(async ({ entryId, status }) => {
        this.entries.get(entryId)!.status = status;
      }),
      fakeBook: jest.fn(async (input: BookAppointmentInput): Promise<BookAppointmentResult> => {
        const slot = this.free.find((s) => s.start === input.start && s.staffIds.includes(input.staffId ?? ''));
        if (!slot) return { kind: 'conflict', alternatives: [] };
        slot.staffIds = slot.staffIds.filter((s) => s !== input.staffId);
        this.bookings.push(input);
        return { kind: 'confirmed', bookingId: input.bookingId, staffId: input.staffId!, resourceId: null, start: input.start, end: input.start, externalId: null };
      }),
    };
  }
}

const freedSlot: FreeSlot = { start: '2030-06-10T08:00:00.000Z', end: '2030-06-10T09:00:00.000Z', staffIds: ['stf_1'] };
const freedEvent = { branchId: 'br_1', bookingId: 'bkg_x', staffId: 'stf_1', start: freedSlot.start, end: freedSlot.end, reason: 'cancelled' as const };

let env: TestWorkflowEnvironment;
let workflowBundle: WorkflowBundle;
let taskQueue = '';
let counter = 0;

beforeAll(async () => {
  env = await getTimeSkippingEnv();
  workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./waitlist-series.fakes'), logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error } });
});

async function withWorker<T>(store: FakeStore, fn: (acts: ReturnType<FakeStore['activities']>) => Promise<T>): Promise<T> {
  taskQueue = `wl-${++counter}`;
  const acts = store.activities();
  const worker = await createTestWorker({ connection: env.nativeConnection, taskQueue, workflowBundle, activities: acts });
  return worker.runUntil(fn(acts));
}

function input(entryId: string, over: Partial<WaitlistMonitorInput> = {}): WaitlistMonitorInput {
  return {
    entryId,
    expiresAt: '2030-01-31T00:00:00.000Z',
    autoBook: true,
    checkIntervalMs: 5 * MIN,
    reach: { start: '2030-06-09T00:00:00.000Z', end: '2030-06-14T00:00:00.000Z' },
    ...over,
  };
}

async function start(entryId: string, over: Partial<WaitlistMonitorInput>) {
  const now = await env.currentTimeMs();
  return env.client.workflow.start<typeof waitlistMonitorWorkflow>('waitlistMonitorWorkflow', {
    taskQueue,
    workflowId: waitlistWorkflowId(`${entryId}-${counter}`),
    args: [{ ...input(entryId), expiresAt: new Date(now + 30 * DAY).toISOString(), ...over }],
  });
}

async function until(fn: () => Promise<boolean>, label: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const stateOf = (h: { query: (q: typeof waitlistStateQuery) => Promise<WaitlistMonitorState> }) => h.query(waitlistStateQuery);

describe('waitlistMonitorWorkflow (time-skipping)', () => {
  it('a check that keeps failing is not retried for ever: the monitor fails after the check\'s schedule-to-close bound', async () => {
    const store = new FakeStore();
    store.add('wl_err', '2030-01-01T00:00:00Z');
    await withWorker(store, async (acts) => {
      (acts.checkWaitlistEntry as jest.Mock).mockImplementation(async () => {
        throw new Error('availability search exploded');
      });
      const handle = await start('wl_err', {});
      // Without the bound the check is retried for ever and this never settles.
      // (The server stops retrying when the next attempt would end past the bound and reports the last error.)
      const failure = await handle.result().then(() => undefined, (err: { cause?: { name?: string; cause?: { message?: string } } }) => err);
      expect(failure?.cause?.name).toBe('ActivityFailure');
      expect(failure?.cause?.cause?.message).toBe('availability search exploded');
      const calls = (acts.checkWaitlistEntry as jest.Mock).mock.calls.length;
      expect(calls).toBeGreaterThan(5); // retried with back-off meanwhile
      expect(calls).toBeLessThan(40);
    });
  });

  it('expires after 30 days and closes the entry', async () => {
    const store = new FakeStore();
    store.add('wl_a', '2030-01-01T00:00:00Z');
    await withWorker(store, async (acts) => {
      const t0 = await env.currentTimeMs();
      const handle = await start('wl_a', { checkIntervalMs: 6 * 3_600_000 });
      const result = await handle.result();
      expect(result.status).toBe('expired');
      expect((await env.currentTimeMs()) - t0).toBeGreaterThanOrEqual(30 * DAY);
      // at once, then every 6 h × the entry's jitter (0.8-1.2) until the 30th day, across runs of ≤ 50 iterations
      expect(result.checks).toBe(Math.ceil((30 * DAY) / checkDelayMs('wl_a', 6 * 3_600_000)));
      expect(result.runs).toBeGreaterThanOrEqual(3);
      expect(acts.closeWaitlistEntry).toHaveBeenCalledWith({ entryId: 'wl_a', status: 'expired' });
      expect(store.entries.get('wl_a')!.status).toBe('expired');
    });
  });

  it('checks periodically at the configured interval', async () => {
    const store = new FakeStore();
    store.add('wl_a', '2030-01-01T00:00:00Z');
    await withWorker(store, async (acts) => {
      const now = await env.currentTimeMs();
      const handle = await start('wl_a', { expiresAt: new Date(now + 60 * MIN).toISOString() });
      const result = await handle.result();
      expect(result.checks).toBe(Math.ceil((60 * MIN) / checkDelayMs('wl_a', 5 * MIN))); // at once, then every 5 min × jitter
      expect(result.signalWakeups).toBe(0);
      expect(acts.checkWaitlistEntry).toHaveBeenCalledTimes(result.checks);
    });
  });

  it('wakes on slotFreed at once (not on the timer) and books; ignores freed slots out of reach', async () => {
    const store = new FakeStore();
    store.add('wl_a', '2030-01-01T00:00:00Z');
    await withWorker(store, async (acts) => {
      const handle = await start('wl_a', { checkIntervalMs: DAY });
      await until(async () => (await stateOf(handle)).checks === 1 && (acts.checkWaitlistEntry as jest.Mock).mock.results.length === 1, 'first check');
      const t0 = await env.currentTimeMs();
      await handle.signal(slotFreedSignal, { ...freedEvent, start: '2031-01-01T08:00:00Z', end: '2031-01-01T09:00:00Z' });
      store.free.push({ ...freedSlot });
      await handle.signal(slotFreedSignal, freedEvent);
      await until(async () => (await stateOf(handle)).status === 'booked', 'booked');
      expect((await env.currentTimeMs()) - t0).toBeLessThan(MIN);
      const result = await handle.result();
      expect(result).toMatchObject({ status: 'booked', checks: 2, signalWakeups: 1, bookingId: store.bookings[0].bookingId });
      expect(store.bookings).toEqual([expect.objectContaining({ customerId: 'cus_wl_a', start: freedSlot.start, staffId: 'stf_1' })]);
      expect(acts.markWaitlistBooked).toHaveBeenCalledWith({ entryId: 'wl_a', bookingId: result.bookingId });
    });
  });

  it('continues as new and keeps its state: offers are never sent twice', async () => {
    const store = new FakeStore();
    store.add('wl_a', '2030-01-01T00:00:00Z');
    store.free.push({ ...freedSlot });
    await withWorker(store, async () => {
      const now = await env.currentTimeMs();
      const handle = await start('wl_a', { autoBook: false, maxIterationsPerRun: 2, expiresAt: new Date(now + 60 * MIN).toISOString() });
      const result = await handle.result();
      expect(result.runs).toBeGreaterThanOrEqual(6);
      expect(result).toMatchObject({ status: 'expired', checks: Math.ceil((60 * MIN) / checkDelayMs('wl_a', 5 * MIN)), notificationsSent: 1 });
      expect(result.offers).toEqual([{ start: freedSlot.start, end: freedSlot.end, staffId: 'stf_1' }]);
      expect(store.emails).toHaveLength(1);
      const { runId } = await handle.describe();
      expect(runId).not.toBe(handle.firstExecutionRunId);
    });
  });

  it('gives a freed slot to the older entry first; the younger keeps waiting', async () => {
    const store = new FakeStore();
    store.add('wl_old', '2030-01-01T09:00:00Z');
    store.add('wl_new', '2030-01-01T10:00:00Z');
    await withWorker(store, async (acts) => {
      const older = await start('wl_old', { checkIntervalMs: DAY });
      const younger = await start('wl_new', { checkIntervalMs: DAY });
      const checks = () => (acts.checkWaitlistEntry as jest.Mock).mock.results.length;
      await until(async () => checks() === 2, 'first checks');
      store.free.push({ ...freedSlot });
      // The younger monitor hears about the slot first and must still leave it to the older entry.
      await younger.signal(slotFreedSignal, freedEvent);
      await until(async () => checks() === 3, 'younger re-check');
      await new Promise((r) => setTimeout(r, 300));
      expect(acts.fakeBook).not.toHaveBeenCalled();
      await older.signal(slotFreedSignal, freedEvent);
      expect(await older.result()).toMatchObject({ status: 'booked' });
      expect(store.bookings.map((b) => b.customerId)).toEqual(['cus_wl_old']);
      const waiting = await stateOf(younger);
      expect(waiting).toMatchObject({ status: 'waiting', bookingAttempts: 0, bookingId: null });
      await younger.signal(cancelWaitlistSignal);
      expect(await younger.result()).toMatchObject({ status: 'cancelled', bookingAttempts: 0 });
      expect(store.entries.get('wl_new')!.status).toBe('cancelled');
    });
  });

  it('the safety check is jittered by the entry id: no check before the entry\'s own delay', async () => {
    const store = new FakeStore();
    store.add('wl_jit', '2030-01-01T00:00:00Z');
    await withWorker(store, async () => {
      const interval = 3_600_000;
      const delay = checkDelayMs('wl_jit', interval);
      expect(delay).not.toBe(interval);
      const handle = await start('wl_jit', { checkIntervalMs: interval });
      await until(async () => (await stateOf(handle)).checks === 1, 'first check');
      await env.sleep(delay - MIN);
      expect((await stateOf(handle)).checks).toBe(1);
      await env.sleep(2 * MIN);
      await until(async () => (await stateOf(handle)).checks === 2, 'jittered check');
      await handle.signal(cancelWaitlistSignal);
      expect(await handle.result()).toMatchObject({ status: 'cancelled', checks: 2 });
    });
  });

  it('acts on the offers a fan-out signal allocated, without a check of its own', async () => {
    const store = new FakeStore();
    store.add('wl_fan', '2030-01-01T00:00:00Z');
    await withWorker(store, async (acts) => {
      const handle = await start('wl_fan', { checkIntervalMs: DAY });
      await until(async () => (await stateOf(handle)).checks === 1, 'first check');
      store.free.push({ ...freedSlot });
      const entry = { companyId: 'cmp_1', serviceId: 'svc_1', customerId: 'cus_wl_fan' };
      await handle.signal(slotFreedSignal, { ...freedEvent, offers: [{ start: freedSlot.start, end: freedSlot.end, staffId: 'stf_1' }], entry });
      const result = await handle.result();
      expect(result).toMatchObject({ status: 'booked', checks: 1, signalWakeups: 1 });
      expect(acts.checkWaitlistEntry).toHaveBeenCalledTimes(1);
      expect(store.bookings).toEqual([expect.objectContaining({ customerId: 'cus_wl_fan', branchId: 'br_1', start: freedSlot.start, staffId: 'stf_1' })]);
    });
  });

  it('continues as new every second iteration without losing pending signals: every allocated offer is mailed once', async () => {
    const store = new FakeStore();
    store.add('wl_can', '2030-01-01T00:00:00Z');
    await withWorker(store, async () => {
      const handle = await start('wl_can', { autoBook: false, checkIntervalMs: DAY, maxIterationsPerRun: 2 });
      await until(async () => (await stateOf(handle)).checks === 1, 'first check');
      const entry = { companyId: 'cmp_1', serviceId: 'svc_1', customerId: 'cus_wl_can' };
      const hours = [8, 9, 10]; // at most 3 offers per mail (MAX_OFFERS), so none is left over by policy
      // Sent back to back: some arrive while a run decides to continue as new.
      await Promise.all(hours.map((h) => handle.signal(slotFreedSignal, {
        ...freedEvent, offers: [{ start: `2030-06-10T${String(h).padStart(2, '0')}:00:00.000Z`, end: `2030-06-10T${String(h + 1).padStart(2, '0')}:00:00.000Z`, staffId: 'stf_1' }], entry,
      })));
      await until(async () => store.emails.flatMap((e) => e.offers).length === hours.length, 'all offers mailed');
      const state = await stateOf(handle);
      expect(state.runs).toBeGreaterThanOrEqual(2);
      expect(state.signalWakeups).toBe(hours.length);
      expect(new Set(store.entries.get('wl_can')!.offers.map((o) => o.start)).size).toBe(hours.length);
      await handle.signal(cancelWaitlistSignal);
      expect(await handle.result()).toMatchObject({ status: 'cancelled', notificationsSent: store.emails.length });
    });
  });

  it('a run started with carried-over offers (continue-as-new input) acts on them first', async () => {
    const store = new FakeStore();
    store.add('wl_carry', '2030-01-01T00:00:00Z');
    store.free.push({ ...freedSlot });
    await withWorker(store, async (acts) => {
      const pendingOffers = {
        offers: [{ start: freedSlot.start, end: freedSlot.end, staffId: 'stf_1' }],
        booking: { companyId: 'cmp_1', branchId: 'br_1', serviceId: 'svc_1', customerId: 'cus_wl_carry' },
      };
      const handle = await start('wl_carry', { checkIntervalMs: DAY, checkPending: false, pendingOffers });
      expect(await handle.result()).toMatchObject({ status: 'booked', checks: 0 });
      expect(acts.checkWaitlistEntry).not.toHaveBeenCalled();
      expect(store.bookings.map((b) => b.customerId)).toEqual(['cus_wl_carry']);
    });
  });
});
