/**
 * Why a start is or is not bookable (GET /v1/availability/explain). Available means: no general
 * reason and at least one considered staff member without a reason. When available, only the
 * free staff are named; when not, every reason is listed (general first, then per staff member).
 */
import { SchedulingContext } from './context';
import { evaluateStart } from './evaluate';
import { formatInstant, toEpochMs } from './local-time';
import { evaluatePackage, packageOf, partBlocked, type PackageSchedule } from './packages';
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
  const pkg = packageOf(ctx, input);
  if (pkg) return explainPackage(pkg, input);
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

/**
 * A package start: available when every part is; otherwise the reasons of each blocking part,
 * each marked with its `part` (0-based) and `serviceId`. `staffIds`, as in availability
 * (package-slots.ts): the first part's free staff who can take every part, else the first part's.
 */
function explainPackage(pkg: PackageSchedule, input: ExplainInput): ExplainResult {
  const start = toEpochMs(input.start, 'start');
  const evs = evaluatePackage(pkg, { ...input, start });
  const blocked = evs.filter(partBlocked);
  const reasons: Reason[] = blocked.flatMap(({ part, evaluation }) => {
    const mark = (r: Reason): Reason => ({ ...r, part: part.index, serviceId: part.service.id });
    const listed = [...evaluation.general, ...[...evaluation.byStaff.values()].flat()].map(mark);
    return listed.length > 0 ? listed : [mark({ code: 'staff_not_working', message: 'No staff member works at this branch' })];
  });
  const zone = pkg.base.zone;
  return {
    available: blocked.length === 0,
    start: formatInstant(start, zone),
    end: formatInstant(start + pkg.spanMs, zone),
    staffIds: blocked.length === 0 ? soloOrFirst(evs.map((e) => e.evaluation.freeStaffIds)) : [],
    resourceId: evs[0].evaluation.resourceId ?? null,
    reasons,
  };
}

/** The first part's free staff who are free for every part too; all of the first part's when none is. */
function soloOrFirst(freeByPart: string[][]): string[] {
  const [first, ...rest] = freeByPart;
  const alone = first.filter((id) => rest.every((free) => free.includes(id)));
  return alone.length > 0 ? alone : first;
}
