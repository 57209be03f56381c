/**
 * The booking planner behind `planBooking`, `planReschedule` and conflict alternatives: loads the
 * branch's scheduling data in one round trip (infra/db/scheduling.repository) and asks the pure
 * core (validateBooking, assignStaff, computeAvailability) with the injected clock's `now`.
 * A start that only fails because someone else holds it is a conflict (409 + alternatives);
 * any other failing rule is a rule violation (422).
 * With `externalBusy`, the linked staff's Cal.com bookings that are not ours block the plan and the
 * alternatives like our own (the same cached source as the availability search; a Cal.com outage
 * plans on local data only, the calendar create then has the last word).
 */
import { approvalDeadline, DEFAULT_APPROVAL_TIMEOUT_HOURS } from '../../domain/booking/approval';
import { assignStaff } from '../../domain/booking/assignment';
import { validateBooking } from '../../domain/booking/rules';
import { validatePackage } from '../../domain/booking/rules/validate-package';
import { addDays, localDateOf, zoneOf } from '../../domain/scheduling/local-time';
import { seatKeyOf } from '../../domain/scheduling/seats';
import { computeAvailability } from '../../domain/scheduling/slot-engine';
import { violationView, type AlternativeSlot } from '../../domain/errors';
import type { ExternalBusySource } from '../calcom/external-busy';
import type { Db } from '../db/prisma';
import { loadSchedulingContext, type LoadedSchedulingContext } from '../db/scheduling.repository';
import type { BookingPlanner, PlanRequest, PlanResult, SlotPlan } from './slot-plan.types';

const DAY_MS = 24 * 60 * 60 * 1000;
const MINUTE = 60_000;
const ALTERNATIVE_DAYS = 14;
const MAX_ALTERNATIVES = 5;

export function createBookingPlanner({ db, clock, externalBusy }: { db: Db; clock: () => Date; externalBusy?: ExternalBusySource }): BookingPlanner {
  const inFlight = new Map<string, Promise<AlternativeSlot[]>>();
  async function load(req: PlanRequest, fromUtc: Date, toUtc: Date): Promise<LoadedSchedulingContext | null> {
    const loaded = await loadSchedulingContext(db, {
      companyId: req.companyId,
      branchId: req.branchId,
      serviceId: req.serviceId,
      fromUtc,
      toUtc,
      customerId: req.customerId,
    });
    return loaded.found ? withExternalBusy(req.companyId, loaded.context, fromUtc, toUtc) : null;
  }

  /** Adds the linked staff's Cal.com busy times (whole UTC days, so nearby starts share one cached listing). */
  async function withExternalBusy(companyId: string, ctx: LoadedSchedulingContext, fromUtc: Date, toUtc: Date): Promise<LoadedSchedulingContext> {
    if (!externalBusy || ctx.calendarConnectionId === null) return ctx;
    const from = new Date(Math.floor(fromUtc.getTime() / DAY_MS) * DAY_MS);
    const to = new Date(Math.ceil(toUtc.getTime() / DAY_MS) * DAY_MS);
    const external = await externalBusy({ companyId, connectionId: ctx.calendarConnectionId, staff: ctx.staff, fromUtc: from, toUtc: to, ownCalendarUids: ctx.ownCalendarUids });
    return external.busy.length === 0 ? ctx : { ...ctx, busy: [...ctx.busy, ...external.busy] };
  }

  /**
   * Up to 5 free slots, nearest first, same day and same staff preferred (API.md). The ranking puts
   * every slot of the requested day before any other day, so the requested day alone decides when
   * it has 5 or more; only then are the next 14 days searched (a 50-staff branch: ~4 ms instead of
   * ~55 ms of CPU per refused request). Identical concurrent searches (a storm of losers for one
   * slot) share one computation while it runs; nothing is kept after it settles.
   */
  function alternatives(req: PlanRequest): Promise<AlternativeSlot[]> {
    const key = JSON.stringify([req.companyId, req.branchId, req.serviceId, req.customerId, req.start, req.staffId ?? null,
      req.durationMinutes ?? null, req.preferences ?? null, req.participants ?? null, req.excludeBookingId ?? null]);
    const running = inFlight.get(key);
    if (running) return running;
    const search = searchAlternatives(req).finally(() => inFlight.delete(key));
    inFlight.set(key, search);
    return search;
  }

  async function searchAlternatives(req: PlanRequest): Promise<AlternativeSlot[]> {
    const sameDay = await rankedAlternatives(req, 0);
    if (sameDay === null || sameDay.length >= MAX_ALTERNATIVES) return sameDay ?? [];
    return (await rankedAlternatives(req, ALTERNATIVE_DAYS)) ?? [];
  }

  /** The best free slots from the requested local day through `extraDays` days later; null: no branch. */
  async function rankedAlternatives(req: PlanRequest, extraDays: number): Promise<AlternativeSlot[] | null> {
    const startMs = Date.parse(req.start);
    const ctx = await load(req, new Date(startMs - 2 * DAY_MS), new Date(startMs + (extraDays + 2) * DAY_MS));
    if (!ctx) return null;
    const zone = zoneOf(ctx.branch.timezone);
    const from = localDateOf(startMs, zone);
    const search = (staffId: string | null) => computeAvailability({
      ...ctx,
      now: clock().getTime(),
      query: {
        from,
        to: addDays(from, extraDays),
        durationMinutes: req.durationMinutes ?? null,
        preferences: req.preferences ?? null,
        participants: req.participants ?? null,
        customerId: req.customerId,
        excludeBookingId: req.excludeBookingId ?? null,
        staffId,
      },
    });
    const result = search(null);
    // A package's slot lists who can take its FIRST part; a requested person binds every part
    // (domain/scheduling/packages.ts), so their alternatives come from a search for them alone.
    const bound = ctx.packageParts && req.staffId ? search(req.staffId) : null;
    const names = new Map(ctx.staff.map((s) => [s.id, s.name]));
    // The best MAX_ALTERNATIVES in one pass, as a stable sort by (requested day first, requested
    // staff first, distance from the requested start) would order them: a 14-day search of a
    // 50-staff branch has ~10,000 candidates, and sorting them all (with a Date.parse and two
    // arrays per comparison) was most of a refused request's CPU in a storm.
    const best: Array<{ day: number; staff: number; distance: number; start: string; end: string; staffId: string }> = [];
    const worse = (a: (typeof best)[number], b: { day: number; staff: number; distance: number }) =>
      a.day - b.day || a.staff - b.staff || a.distance - b.distance;
    const days = bound ? [...bound.days, ...result.days] : result.days;
    for (const [index, day] of days.entries()) {
      const dayRank = day.date === from ? 0 : 1;
      const fromBound = bound !== null && index < bound.days.length;
      for (const slot of day.slots) {
        const distance = Math.abs(Date.parse(slot.start) - startMs);
        for (const staffId of slot.staffIds) {
          if (bound && !fromBound && staffId === req.staffId) continue;
          const candidate = { day: dayRank, staff: req.staffId && staffId !== req.staffId ? 1 : 0, distance, start: slot.start, end: slot.end, staffId };
          if (best.length === MAX_ALTERNATIVES && worse(best[best.length - 1], candidate) <= 0) continue;
          // After every kept one that ranks the same or better (what a stable sort keeps).
          let at = best.length;
          while (at > 0 && worse(best[at - 1], candidate) > 0) at--;
          best.splice(at, 0, candidate);
          if (best.length > MAX_ALTERNATIVES) best.pop();
        }
      }
    }
    return best.map((c) => ({ start: c.start, end: c.end, staffId: c.staffId, staffName: names.get(c.staffId) ?? c.staffId }));
  }

  async function plan(req: PlanRequest): Promise<PlanResult> {
    const startMs = Date.parse(req.start);
    // One query for the scheduling data and the customer's standing. A requested staff member
    // narrows the load to that member (and the bookings blocking them, the service's resources or
    // the customer): the rules judge only that member then, and a 50-staff branch's other
    // bookings were most of the text to fetch and parse.
    const loaded = await loadSchedulingContext(db, {
      companyId: req.companyId,
      branchId: req.branchId,
      serviceId: req.serviceId,
      fromUtc: new Date(startMs - 2 * DAY_MS),
      toUtc: new Date(startMs + 2 * DAY_MS),
      customerId: req.customerId,
      staffId: req.staffId ?? null,
      withCustomer: true,
    });
    const ctx = loaded.found ? await withExternalBusy(req.companyId, loaded.context, new Date(startMs - 2 * DAY_MS), new Date(startMs + 2 * DAY_MS)) : null;
    const customer = loaded.found ? loaded.customer : null;
    if (!ctx) return { kind: 'not_found', entity: 'branch or service', id: `${req.branchId}/${req.serviceId}` };
    if (req.customerId !== null && !customer) return { kind: 'not_found', entity: 'customer', id: req.customerId };
    if (req.staffId && !ctx.staff.some((s) => s.id === req.staffId)) return { kind: 'not_found', entity: 'staff', id: req.staffId };
    const now = clock().getTime();
    if (ctx.packageParts) return planPackage(req, ctx, customer ?? null, now);
    const validation = validateBooking({
      ...ctx,
      now,
      booking: { ...req, start: startMs },
      customer: customer ? { id: customer.id, blocked: customer.blocked, blockedReason: customer.blockedReason } : null,
      excludeBookingId: req.excludeBookingId ?? null,
    });
    if (!validation.ok) {
      if (validation.slotTaken) return { kind: 'conflict', alternatives: await alternatives(req) };
      return { kind: 'rule_violation', violations: validation.violations.map(violationView) };
    }
    let staffId = req.staffId ?? null;
    let resourceId = validation.resourceId;
    if (!staffId) {
      const assigned = assignStaff({ ...ctx, now, ...req, start: startMs, excludeBookingId: req.excludeBookingId ?? null });
      if (!assigned) return { kind: 'conflict', alternatives: await alternatives(req) };
      staffId = assigned.staffId;
      resourceId = assigned.resourceId;
    }
    const start = Date.parse(validation.start);
    const end = Date.parse(validation.end);
    const before = (ctx.service.bufferBeforeMinutes + (ctx.service.travelMinutes ?? 0)) * MINUTE;
    const after = (ctx.service.bufferAfterMinutes + (ctx.service.travelMinutes ?? 0)) * MINUTE;
    const slot: SlotPlan = {
      staffId,
      resourceId,
      start: new Date(start).toISOString(),
      end: new Date(end).toISOString(),
      blockedStart: new Date(start - before).toISOString(),
      blockedEnd: new Date(end + after).toISOString(),
      ...(ctx.service.seats ? { seatKey: seatKeyOf(ctx.service.id, start, staffId) } : {}),
    };
    if (ctx.service.requiresApproval) {
      slot.approval = { deadline: new Date(approvalDeadline(now, start, ctx.service.approvalTimeoutHours ?? DEFAULT_APPROVAL_TIMEOUT_HOURS)).toISOString() };
    }
    const host = ctx.staff.find((s) => s.id === staffId)?.calcomUserId ?? null;
    if (ctx.calendarConnectionId === null || ctx.service.calcomEventTypeId === null || host === null) slot.calendar = 'not_linked';
    return { kind: 'ok', plan: slot };
  }

  /**
   * A package (domain/scheduling/packages.ts): every part validated at its time and assigned
   * (same staff member preferred). The plan's own fields are the whole package with the first
   * part's staff, resource and blocked range; `parts` lists each part with its calendar link.
   */
  async function planPackage(
    req: PlanRequest, ctx: LoadedSchedulingContext, customer: { id: string; blocked: boolean; blockedReason: string | null } | null, now: number,
  ): Promise<PlanResult> {
    const members = ctx.packageParts ?? [];
    const validation = validatePackage({
      ...ctx,
      now,
      booking: { ...req, start: Date.parse(req.start) },
      customer: customer ? { id: customer.id, blocked: customer.blocked, blockedReason: customer.blockedReason } : null,
      excludeBookingId: req.excludeBookingId ?? null,
    });
    if (!validation.ok || !validation.parts) {
      if (validation.slotTaken || validation.violations.length === 0) return { kind: 'conflict', alternatives: await alternatives(req) };
      return { kind: 'rule_violation', violations: validation.violations.map(violationView) };
    }
    const hosts = new Map(ctx.staff.map((s) => [s.id, s.calcomUserId]));
    const iso = (ms: number) => new Date(ms).toISOString();
    const parts = validation.parts.map((p) => {
      const linked = ctx.calendarConnectionId !== null && (members[p.index]?.calcomEventTypeId ?? null) !== null && (hosts.get(p.staffId) ?? null) !== null;
      return {
        serviceId: p.serviceId, staffId: p.staffId, resourceId: p.resourceId, start: iso(p.start), end: iso(p.end),
        blockedStart: iso(p.blockedStart), blockedEnd: iso(p.blockedEnd), ...(linked ? {} : { calendar: 'not_linked' as const }),
      };
    });
    const [first] = parts;
    const slot: SlotPlan = {
      staffId: first.staffId, resourceId: first.resourceId, start: first.start, end: parts[parts.length - 1].end,
      blockedStart: first.blockedStart, blockedEnd: first.blockedEnd, parts,
      ...(parts.every((p) => p.calendar === 'not_linked') ? { calendar: 'not_linked' as const } : {}),
    };
    return { kind: 'ok', plan: slot };
  }

  return { plan, alternatives };
}
