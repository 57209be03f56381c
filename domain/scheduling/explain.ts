/**
 * Why a start is or is not bookable (GET /v1/availability/explain). Available means: no general
 * reason and at least one considered staff member without a reason. When available, only the
 * free staff are named; when not, every reason is listed (general first, then per staff member).
 */
import { SchedulingContext } from './context';
import { evaluateStart } from './evaluate';
import { formatInstant, toEpochMs } from './local-time';
import type { Instant, Reason, SchedulingInput, SlotQuery } from './scheduling.types';

export interface ExplainInput extends SchedulingInput, SlotQuery {
  start: Instant;
  /**
   * Reasons that concern the request beyond the start itself, added to the general ones: a
   * self-service reschedule's `cancellation_cutoff` / `max_reschedules` (booking/rules/self-service-change.ts).
   */
  extraReasons?: Reason[];
}

export interface ExplainResult {
  available: boolean;
  start: string;
  end: string;
  /** Staff members free at that start (stable order). */
  staffIds: string[];
  /** Free resource that would be used; null when none is needed or none is free. */
  resourceId: string | null;
  reasons: Reason[];
}

export function explainStart(input: ExplainInput): ExplainResult {
  const ctx = new SchedulingContext(input, input.excludeBookingId);
  const ev = evaluateStart(ctx, { ...input, start: toEpochMs(input.start, 'start') });
  if (input.extraReasons) ev.general.push(...input.extraReasons);
  const available = ev.general.length === 0 && ev.freeStaffIds.length > 0;
  const reasons = available ? [] : [...ev.general, ...[...ev.byStaff.values()].flat()];
  if (!available && reasons.length === 0) {
    reasons.push({ code: 'staff_not_working', message: 'No staff member works at this branch' });
  }
  return {
    available,
    start: formatInstant(ev.start, ctx.zone),
    end: formatInstant(ev.end, ctx.zone),
    staffIds: available ? ev.freeStaffIds : [],
    resourceId: ev.resourceId ?? null,
    reasons,
  };
}
