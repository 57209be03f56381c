/**
 * Packages (API.md "Catalog depth"): a `category: "package"` service books its member services
 * back to back, each with its own duration, skills, resources and buffers.
 *
 * Invariants
 * - Part i+1 starts when part i ends plus part i's buffer (and travel) after plus part i+1's
 *   buffer (and travel) before: the blocked ranges of consecutive parts meet and never overlap,
 *   so one staff member or resource may take several parts (the exclusion constraint agrees).
 * - A package start is offered only when every part fits: the first part decides the slot grid
 *   and the listed staff (`staffIds` are the staff who can take the first part); later parts go to
 *   anyone qualified and free. Parts are independent once their times are fixed (disjoint blocked
 *   ranges), so "every part has someone" is exactly "the package fits".
 * - A requested staff member (`staffId`) binds EVERY part: the start fits only when that person
 *   can take each part (skills, hours, breaks, time off, other appointments); a part they cannot
 *   do makes the start unavailable (a conflict with alternatives, not a broken rule).
 * - The package's own duration, buffers, skills and resources are not used; its activity,
 *   group settings, consultation and limits are (judged once, at the first part).
 * - Staff and resources are judged per part by the same predicates as single services.
 */
import type { SchedulingContext } from './context';
import type { StartEvaluation, StartRequest } from './evaluate';
import { evaluateStart } from './evaluate';
import { consultationReason } from './consultation';
import { groupSizeReason } from './predicates';
import type { ReasonCode, SchedulingInput, ServiceSpec } from './scheduling.types';

const MINUTE = 60_000;

export interface PackagePart {
  index: number;
  service: ServiceSpec;
  /** The base context for this part's service (shared caches, the part's buffers). */
  ctx: SchedulingContext;
  /** Start of the part relative to the package start. */
  offsetMs: number;
  durationMs: number;
}

export class PackageSchedule {
  readonly parts: PackagePart[];
  /** From the first part's start to the last part's end. */
  readonly spanMs: number;

  constructor(
    readonly base: SchedulingContext,
    members: readonly ServiceSpec[],
  ) {
    let offset = 0;
    this.parts = members.map((service, index) => {
      const ctx = base.forService(service);
      if (index > 0) offset += ctx.beforeMs;
      const part: PackagePart = { index, service, ctx, offsetMs: offset, durationMs: service.durationMinutes * MINUTE };
      offset += part.durationMs + ctx.afterMs;
      return part;
    });
    const last = this.parts[this.parts.length - 1];
    this.spanMs = last.offsetMs + last.durationMs;
  }

  /** Each part's appointment [start, end) for a package starting at `start`. */
  times(start: number): { start: number; end: number }[] {
    return this.parts.map((p) => ({ start: start + p.offsetMs, end: start + p.offsetMs + p.durationMs }));
  }
}

/** The package plan of a search, or null when the service is not a package (or has no parts). */
export function packageOf(ctx: SchedulingContext, input: Pick<SchedulingInput, 'packageParts'>): PackageSchedule | null {
  if (ctx.service.category !== 'package' || !input.packageParts || input.packageParts.length === 0) return null;
  return new PackageSchedule(ctx, input.packageParts);
}

export interface PartEvaluation {
  part: PackagePart;
  evaluation: StartEvaluation;
}

/** Judged once for the package (at its first part), never per part. */
const PACKAGE_LEVEL: ReadonlySet<ReasonCode> = new Set(['minimum_notice', 'max_advance', 'group_size', 'consultation_required', 'invalid_duration']);
/** The customer's daily and booking limits: the package is one booking, counted at its first part. */
const CUSTOMER_LEVEL: ReadonlySet<ReasonCode> = new Set(['max_daily_bookings', 'booking_limit']);

/**
 * Every part evaluated at its own time (evaluate.ts), the requested staff member binding every
 * part. Package-level reasons (notice, advance, group, the package's consultation and
 * activity) sit with the first part.
 */
export function evaluatePackage(pkg: PackageSchedule, req: StartRequest): PartEvaluation[] {
  const times = pkg.times(req.start);
  return pkg.parts.map((part, i) => {
    const ev = evaluateStart(part.ctx, { ...req, start: times[i].start, durationMinutes: null, staffId: req.staffId, participants: null });
    const general = ev.general.filter((r) => !(r.code === 'consultation_required' || r.code === 'group_size' || (i > 0 && (PACKAGE_LEVEL.has(r.code) || CUSTOMER_LEVEL.has(r.code)))));
    if (i === 0) {
      const base = pkg.base;
      if (base.service.active === false) general.unshift({ code: 'service_inactive', message: 'This package is not bookable' });
      const group = base.enabled('group_size') ? groupSizeReason(base.service, req.participants) : null;
      if (group) general.push(group);
      const consultation = base.enabled('consultation_required') ? consultationReason(base, req.customerId, req.start) : null;
      if (consultation) general.push(consultation);
    }
    return { part, evaluation: { ...ev, general } };
  });
}

/** Whether a part cannot be booked at its time (a general reason, or no free staff member). */
export function partBlocked(pe: PartEvaluation): boolean {
  return pe.evaluation.general.length > 0 || pe.evaluation.freeStaffIds.length === 0;
}

export interface PartAssignment {
  index: number;
  serviceId: string;
  staffId: string;
  resourceId: string | null;
  start: number;
  end: number;
  /** The part's blocked range (its own buffers and travel). */
  blockedStart: number;
  blockedEnd: number;
}

/**
 * Staff per part (all parts must be free). With a requested staff member every part's only free
 * candidate is that person (evaluatePackage). Otherwise the first part's staff member is, among the free ones the one who can take the most parts, then the fewest bookings that day, then
 * the stable order. Each later part keeps that member when free, else the previous part's, else
 * the free member with the fewest bookings that day (stable order on ties).
 */
export function assignParts(evs: PartEvaluation[], count: (staffId: string) => number): PartAssignment[] | null {
  if (evs.some(partBlocked)) return null;
  const free = evs.map((e) => new Set(e.evaluation.freeStaffIds));
  const covers = (id: string) => free.filter((f) => f.has(id)).length;
  const first = evs[0].evaluation.freeStaffIds
    .map((id, order) => ({ id, order, covers: covers(id), n: count(id) }))
    .sort((a, b) => b.covers - a.covers || a.n - b.n || a.order - b.order)[0];
  let previous = first.id;
  return evs.map((e, i) => {
    const ev = e.evaluation;
    let staffId: string;
    if (free[i].has(first.id)) staffId = first.id;
    else if (free[i].has(previous)) staffId = previous;
    else staffId = ev.freeStaffIds.map((id, order) => ({ id, order, n: count(id) })).sort((a, b) => a.n - b.n || a.order - b.order)[0].id;
    previous = staffId;
    const ctx = e.part.ctx;
    return {
      index: i,
      serviceId: e.part.service.id,
      staffId,
      resourceId: ev.resourceId ?? null,
      start: ev.start,
      end: ev.end,
      blockedStart: ev.start - ctx.beforeMs,
      blockedEnd: ev.end + ctx.afterMs,
    };
  });
}
