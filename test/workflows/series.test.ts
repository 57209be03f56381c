/**
 * Series workflows on the time-skipping server with stubbed activities and a stand-in booking
 * saga (waitlist-series.fakes.ts): local time kept across DST (expansion by the domain, booking
 * in order), conflicts skipped with alternatives or moved to the same-day alternative, bounded
 * history through continue-as-new, and a cancel from a given instant.
 */
import { bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DateTime } from 'luxon';
import { expandRecurrence } from '../../domain/recurrence/recurrence';
import type { BookAppointmentInput, BookAppointmentResult } from '../../workflows/book-appointment.contract';
import {
  cancelSeriesSignal,
  seriesProgressQuery,
  type OccurrenceRecord,
  type SeriesWorkflowInput,
} from '../../workflows/series.contract';
import type { seriesWorkflow } from '../../workflows/series.workflow';
import { createTestWorker, getTimeSkippingEnv } from '../harness/temporal';

const TZ = 'Europe/Berlin';
let env: TestWorkflowEnvironment;
let workflowBundle: WorkflowBundle;
let counter = 0;

beforeAll(async () => {
  env = await getTimeSkippingEnv();
  workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./waitlist-series.fakes'), logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error } });
});

function fakes(taken: Set<string> = new Set()) {
  const records = new Map<number, OccurrenceRecord>();
  const booked: BookAppointmentInput[] = [];
  const cancelled: string[] = [];
  const acts = {
    recordSeriesOccurrence: jest.fn(async (r: OccurrenceRecord) => void records.set(r.index, r)),
    findSeriesAlternative: jest.fn(async ({ start }: { start: string }) => {
      const moved = new Date(Date.parse(start) + 60 * 60_000).toISOString();
      return { start: moved, end: moved, staffId: 'stf_2' };
    }),
    finishSeries: jest.fn(async () => undefined),
    listSeriesBookings: jest.fn(async ({ from }: { from: string }) =>
      [...records.values()].filter((r) => r.status === 'booked' && Date.parse(r.start!) >= Date.parse(from)).map((r) => ({ index: r.index, bookingId: r.bookingId! }))),
    fakeBook: jest.fn(async (i: BookAppointmentInput): Promise<BookAppointmentResult> => {
      if (taken.has(i.start)) return { kind: 'conflict', alternatives: [{ start: i.start, end: i.start, staffId: 'stf_9', staffName: 'Nine' }] };
      taken.add(i.start);
      booked.push(i);
      return { kind: 'confirmed', bookingId: i.bookingId, staffId: i.staffId ?? 'stf_1', resourceId: null, start: i.start, end: i.start, externalId: null };
    }),
    fakeCancel: jest.fn(async ({ bookingId }: { bookingId: string }) => {
      cancelled.push(bookingId);
      return { kind: 'cancelled' as const };
    }),
  };
  return { acts, records, booked, cancelled };
}

async function run<T>(acts: object, fn: (taskQueue: string) => Promise<T>): Promise<T> {
  const taskQueue = `series-${++counter}`;
  const worker = await createTestWorker({ connection: env.nativeConnection, taskQueue, workflowBundle, activities: acts });
  return worker.runUntil(fn(taskQueue));
}

function input(starts: string[], over: Partial<SeriesWorkflowInput> = {}): SeriesWorkflowInput {
  return {
    seriesId: `ser_${counter}`, companyId: 'cmp_1', branchId: 'br_1', serviceId: 'svc_1', customerId: 'cus_1', staffId: 'stf_1',
    onConflict: 'skip', occurrences: starts.map((start, index) => ({ index, start })), ...over,
  };
}

const local = (iso: string) => DateTime.fromISO(iso, { zone: TZ }).toFormat('ccc HH:mm ZZ');

describe('seriesWorkflow (time-skipping)', () => {
  it('books a weekly series across the spring DST change at 09:00 local every time', async () => {
    const starts = expandRecurrence({ start: '2030-03-18T09:00:00+01:00', timezone: TZ, recurrence: { frequency: 'weekly', count: 4 } });
    const { acts, booked, records } = fakes();
    const result = await run(acts, (taskQueue) =>
      env.client.workflow.execute<typeof seriesWorkflow>('seriesWorkflow', { taskQueue, workflowId: `series-dst-${counter}`, args: [input(starts)] }));
    expect(result).toMatchObject({ status: 'completed', counts: { booked: 4, skipped: 0, failed: 0, cancelled: 0 } });
    expect(booked.map((b) => local(b.start))).toEqual(['Mon 09:00 +01:00', 'Mon 09:00 +01:00', 'Mon 09:00 +02:00', 'Mon 09:00 +02:00']);
    expect([...records.values()].map((r) => r.status)).toEqual(['booked', 'booked', 'booked', 'booked']);
    expect(acts.finishSeries).toHaveBeenCalledWith({ seriesId: `ser_${counter}`, status: 'completed' });
  });

  it('skips a taken occurrence with alternatives, or books the same-day alternative', async () => {
    const starts = ['2030-05-06T07:00:00.000Z', '2030-05-13T07:00:00.000Z', '2030-05-20T07:00:00.000Z'];
    const skip = fakes(new Set([starts[1]]));
    const skipped = await run(skip.acts, (taskQueue) =>
      env.client.workflow.execute<typeof seriesWorkflow>('seriesWorkflow', { taskQueue, workflowId: `series-skip-${counter}`, args: [input(starts)] }));
    expect(skipped.counts).toEqual({ booked: 2, skipped: 1, failed: 0, cancelled: 0 });
    expect(skip.records.get(1)).toMatchObject({ status: 'skipped', reason: 'slot_unavailable', alternatives: [expect.objectContaining({ staffId: 'stf_9' })] });

    const alt = fakes(new Set([starts[1]]));
    const moved = await run(alt.acts, (taskQueue) =>
      env.client.workflow.execute<typeof seriesWorkflow>('seriesWorkflow', { taskQueue, workflowId: `series-alt-${counter}`, args: [input(starts, { onConflict: 'alternative' })] }));
    expect(moved.counts).toEqual({ booked: 3, skipped: 0, failed: 0, cancelled: 0 });
    expect(alt.records.get(1)).toMatchObject({ status: 'booked', start: '2030-05-13T08:00:00.000Z', reason: `alternative to ${starts[1]}` });
  });

  it('continues as new in batches and keeps its progress', async () => {
    const starts = expandRecurrence({ start: '2030-01-07T09:00:00+01:00', timezone: TZ, recurrence: { frequency: 'daily', count: 7 } });
    const { acts, booked } = fakes();
    await run(acts, async (taskQueue) => {
      const handle = await env.client.workflow.start<typeof seriesWorkflow>('seriesWorkflow', { taskQueue, workflowId: `series-can-${counter}`, args: [input(starts, { batchSize: 2 })] });
      const result = await handle.result();
      expect(result.counts.booked).toBe(7);
      expect((await handle.describe()).runId).not.toBe(handle.firstExecutionRunId);
      expect(await handle.query(seriesProgressQuery)).toMatchObject({ status: 'completed', processed: 7, total: 7 });
    });
    expect(new Set(booked.map((b) => b.bookingId)).size).toBe(7);
  });

  it('cancels from a given instant: later occurrences are not booked, booked ones are cancelled', async () => {
    const starts = ['2030-05-06T07:00:00.000Z', '2030-05-13T07:00:00.000Z', '2030-05-20T07:00:00.000Z', '2030-05-27T07:00:00.000Z'];
    const { acts, records, cancelled } = fakes();
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const slowBook = acts.fakeBook;
    const booking = {
      ...acts,
      fakeBook: jest.fn(async (i: BookAppointmentInput) => {
        if (i.start === starts[2]) await gate;
        return slowBook(i);
      }),
    };
    await run(booking, async (taskQueue) => {
      const handle = await env.client.workflow.start<typeof seriesWorkflow>('seriesWorkflow', { taskQueue, workflowId: `series-cancel-${counter}`, args: [input(starts)] });
      while (booking.fakeBook.mock.calls.length < 3) await new Promise((r) => setTimeout(r, 50));
      await handle.signal(cancelSeriesSignal, { from: starts[1] });
      release();
      const result = await handle.result();
      expect(result.status).toBe('cancelled');
    });
    expect(records.get(0)?.status).toBe('booked');
    expect(records.get(1)?.status).toBe('cancelled');
    expect(records.get(2)?.status).toBe('cancelled');
    expect(records.get(3)).toMatchObject({ status: 'cancelled', reason: 'series cancelled' });
    expect(cancelled).toHaveLength(2);
    expect(acts.finishSeries).toHaveBeenLastCalledWith({ seriesId: expect.any(String), status: 'cancelled' });
  });
});
