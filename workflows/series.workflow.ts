/**
 * Recurring series: books each planned occurrence, one after the other, through the booking saga
 * (child workflow `booking-<bookingId>`), then records the outcome per occurrence.
 *
 * Invariants
 * - Occurrence instants arrive expanded (domain/recurrence, branch zone); this workflow does no
 *   zone maths, only ordering and durations (STYLE 6).
 * - Booking ids derive from series id + index (+ alternative attempt), so a retried or replayed
 *   start attaches to the same saga and never books twice; recording is an idempotent upsert.
 * - A conflict is `skipped` with the saga's alternatives (`onConflict: skip`), or retried once at
 *   the nearest free slot the same day, same staff first (`alternative`). Rule violations are
 *   `skipped`; calendar failures and unexpected errors `failed`. One bad occurrence never stops
 *   the others.
 * - History stays bounded: after `batchSize` occurrences (or when the server suggests it) the
 *   workflow continues as new with a cursor and the counts.
 * - `cancelSeries` stops booking at/after `from`; the booked ones from there on are cancelled by
 *   the child `seriesCancelWorkflow` before the series ends `cancelled`.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  executeChild,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { bookAppointmentWorkflow } from './book-appointment.workflow';
import { bookingWorkflowId, type BookAppointmentResult } from './book-appointment.contract';
import {
  cancelSeriesSignal,
  occurrenceBookingId,
  SERIES_RUN_BATCH,
  seriesCancelWorkflowId,
  seriesProgressQuery,
  type OccurrenceRecord,
  type PlannedOccurrence,
  type SeriesActivities,
  type SeriesCounts,
  type SeriesWorkflowInput,
  type SeriesWorkflowResult,
} from './series.contract';
import type { seriesCancelWorkflow } from './series-cancel.workflow';

const acts = proxyActivities<SeriesActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds' },
});

export async function seriesWorkflow(input: SeriesWorkflowInput): Promise<SeriesWorkflowResult> {
  const { seriesId, occurrences } = input;
  const counts: SeriesCounts = { ...(input.counts ?? { booked: 0, skipped: 0, failed: 0, cancelled: 0 }) };
  let cancel: { from: string; reason?: string } | null = input.cancelFrom ? { from: input.cancelFrom } : null;
  let next = input.nextIndex ?? 0;
  let status: 'running' | 'completed' | 'cancelled' = 'running';

  setHandler(seriesProgressQuery, () => ({ seriesId, status, total: occurrences.length, processed: next, counts }));
  setHandler(cancelSeriesSignal, (request) => {
    if (!cancel || Date.parse(request.from) < Date.parse(cancel.from)) cancel = request;
  });

  const batch = input.batchSize ?? SERIES_RUN_BATCH;
  const runStart = next;
  while (next < occurrences.length) {
    if (next - runStart >= batch || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof seriesWorkflow>({ ...input, nextIndex: next, counts, cancelFrom: cancel?.from ?? null });
    }
    const occurrence = occurrences[next];
    const record = cancelled(occurrence, cancel)
      ? { seriesId, index: occurrence.index, status: 'cancelled' as const, reason: 'series cancelled' }
      : await bookOccurrence(input, occurrence);
    await acts.recordSeriesOccurrence(record);
    counts[record.status] += 1;
    next += 1;
  }

  if (cancel) {
    const from = cancel.from;
    await executeChild<typeof seriesCancelWorkflow>('seriesCancelWorkflow', {
      workflowId: seriesCancelWorkflowId(seriesId, `run-${Date.parse(from)}`),
      args: [{ seriesId, from, reason: cancel.reason }],
    });
  }
  status = cancel ? 'cancelled' : 'completed';
  await acts.finishSeries({ seriesId, status });
  await condition(allHandlersFinished);
  return { seriesId, status, counts };
}

function cancelled(o: PlannedOccurrence, cancel: { from: string } | null): boolean {
  return cancel !== null && Date.parse(o.start) >= Date.parse(cancel.from);
}

async function bookOccurrence(input: SeriesWorkflowInput, o: PlannedOccurrence): Promise<OccurrenceRecord> {
  const base = { seriesId: input.seriesId, index: o.index };
  const first = await book(input, o.start, input.staffId ?? null, occurrenceBookingId(input.seriesId, o.index));
  if (first.kind !== 'conflict' || input.onConflict !== 'alternative') return toRecord(base, first);
  const alternative = await acts.findSeriesAlternative({ ...base, start: o.start, staffId: input.staffId ?? null });
  if (!alternative) return toRecord(base, first);
  const second = await book(input, alternative.start, alternative.staffId, occurrenceBookingId(input.seriesId, o.index, 1));
  const record = toRecord(base, second.kind === 'conflict' ? first : second);
  return record.status === 'booked' ? { ...record, reason: `alternative to ${o.start}` } : record;
}

async function book(input: SeriesWorkflowInput, start: string, staffId: string | null, bookingId: string): Promise<BookAppointmentResult | { kind: 'error'; message: string }> {
  try {
    return await executeChild<typeof bookAppointmentWorkflow>('bookAppointmentWorkflow', {
      workflowId: bookingWorkflowId(bookingId),
      args: [{
        bookingId,
        companyId: input.companyId,
        branchId: input.branchId,
        serviceId: input.serviceId,
        customerId: input.customerId,
        start,
        staffId,
        source: input.source ?? 'api',
        seriesId: input.seriesId,
      }],
    });
  } catch (err) {
    return { kind: 'error', message: err instanceof Error ? err.message : String(err) };
  }
}

function toRecord(base: { seriesId: string; index: number }, r: BookAppointmentResult | { kind: 'error'; message: string }): OccurrenceRecord {
  switch (r.kind) {
    case 'confirmed':
      return { ...base, status: 'booked', bookingId: r.bookingId, start: r.start };
    case 'conflict':
      return { ...base, status: 'skipped', reason: 'slot_unavailable', alternatives: r.alternatives };
    case 'rule_violation':
      return { ...base, status: 'skipped', reason: `booking_rule_violation: ${r.violations.map((v) => v.rule).join(', ')}` };
    case 'calendar_failed':
      return { ...base, status: 'failed', bookingId: r.bookingId, reason: `calendar_sync_failed: ${r.error}` };
    case 'not_found':
      return { ...base, status: 'failed', reason: `not_found: ${r.entity} ${r.id}` };
    // Approval services: the child saga answers once decided (it never ends while awaiting).
    case 'awaiting_approval':
      return { ...base, status: 'booked', bookingId: r.bookingId, start: r.start };
    case 'declined':
      return { ...base, status: 'failed', bookingId: r.bookingId, reason: `declined${r.reason ? `: ${r.reason}` : ''}` };
    default:
      return { ...base, status: 'failed', reason: r.message };
  }
}
