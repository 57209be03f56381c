/**
 * Activities that change an existing booking: reschedule (plan, hold the new slot, move), cancel
 * and no-show. A reschedule holds its new slot with placeholder rows (`source = 'hold'`, ids
 * `<holdId>-<n>`) under the same exclusion constraint as bookings; where the new range overlaps
 * the booking's own current range only the uncovered parts are held (the booking already holds
 * the rest). The move deletes the placeholders and moves the booking in one transaction.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { Db } from '../infra/db/prisma';
import { isExclusionViolation } from '../infra/db/errors';
import type {
  BookingPlanner,
  CancelRecordResult,
  HoldResult,
  MoveResult,
  NoShowResult,
  ReschedulePlan,
  RescheduleInputs,
  SlotPlan,
} from './booking-activity.types';
import { addHistory, snapshotOf } from './booking-records';

import { withdrawApproval } from './approval.activities';
import { nudgeLifecycle } from './lifecycle.activities';
import { expireStaleHolds, STALE_HOLD_MS } from '../infra/booking/stale-holds';
import { packageParts } from '../infra/booking/slot-holds';
import { packagePartId } from '../workflows/book-appointment.contract';

export interface BookingChangeDeps {
  db: Db;
  planner: BookingPlanner;
  clock: () => Date;
  /** Invalidated where a slot changes hands (hold, release, move, cancel), before any answer. */
  cache?: { invalidateBranch(branchId: string): Promise<void> };
  staleHoldMs?: number;
}

export const HOLD_SOURCE = 'hold';

export function createBookingChangeActivities({ db, planner, clock, cache, staleHoldMs = STALE_HOLD_MS }: BookingChangeDeps) {
  const changed = async (branchId: string) => cache?.invalidateBranch(branchId);
  /** Whether the booking's cancellation was of one awaiting approval (its history says so). */
  const cancelledAwaitingApproval = async (bookingId: string) =>
    (await db.bookingHistory.count({ where: { bookingId, event: 'cancelled', detail: { path: ['from'], equals: 'awaiting_approval' } } })) > 0;
  type MoveInput = {
    bookingId: string;
    holdId: string;
    plan: SlotPlan;
    externalId: string | null;
    reason?: string | null;
    dedupeKey: string;
    /** History event of the move; default `rescheduled` (`rescheduled_in_calendar` for a move made in Cal.com). */
    historyEvent?: string;
    /** Move only while the booking still carries this Cal.com uid (or already the new one). */
    expectedExternalId?: string | null;
    /** The run's self-service count claim (reschedule-claim.activities.ts): the move consumes it instead of counting again. */
    claimKey?: string;
  };
  function moveInTransaction(input: MoveInput): Promise<MoveResult> {
    return db.$transaction(async (tx): Promise<MoveResult> => {
      const done = await tx.bookingHistory.findUnique({ where: { dedupeKey: input.dedupeKey } });
      const b = await tx.booking.findUniqueOrThrow({ where: { id: input.bookingId } });
      if (done) {
        const detail = done.detail as { from: { start: string; end: string; staffId: string } };
        return { previousStart: detail.from.start, previousEnd: detail.from.end, previousStaffId: detail.from.staffId, rescheduledCount: b.rescheduledCount };
      }
      if (b.status !== 'confirmed') throw ApplicationFailure.nonRetryable(`booking ${b.id} is ${b.status}`, 'InvalidState');
      if (input.expectedExternalId !== undefined && b.calendarExternalId !== input.expectedExternalId && b.calendarExternalId !== input.externalId) {
        throw ApplicationFailure.nonRetryable(`booking ${b.id} carries another Cal.com booking now`, 'InvalidState');
      }
      await tx.booking.deleteMany({ where: { id: { startsWith: `${input.holdId}-` }, source: HOLD_SOURCE } });
      // A claimed move was counted when it was claimed; the claim is spent here, in the move's transaction.
      const claimed = input.claimKey ? (await tx.rescheduleClaim.deleteMany({ where: { id: input.claimKey } })).count > 0 : false;
      if (isAt(b, input.plan)) {
        // Not moved, so not counted: a claim taken for it is given back.
        const uncount = claimed ? { rescheduledCount: { decrement: 1 } } : {};
        const sync = input.externalId && input.externalId !== b.calendarExternalId ? { calendarExternalId: input.externalId, calendarStatus: 'synced' } : {};
        if (claimed || 'calendarExternalId' in sync) await tx.booking.update({ where: { id: b.id }, data: { ...uncount, ...sync } });
        const here = { previousStart: b.startAt.toISOString(), previousEnd: b.endAt.toISOString(), previousStaffId: b.staffId };
        return { ...here, rescheduledCount: b.rescheduledCount - (claimed ? 1 : 0), unchanged: true };
      }
      const parts = b.partEndAt !== null ? input.plan.parts : undefined;
      // A package's later parts step out of the constraints while its own row moves (they may
      // overlap its new range until they move too), then come back at their new times.
      if (parts) await tx.booking.updateMany({ where: { packageBookingId: b.id }, data: { status: 'failed' } });
      const moved = await tx.booking.update({
        where: { id: b.id },
        data: {
          staffId: input.plan.staffId,
          resourceId: input.plan.resourceId,
          startAt: new Date(input.plan.start),
          endAt: new Date(input.plan.end),
          blockedStart: new Date(input.plan.blockedStart),
          blockedEnd: new Date(input.plan.blockedEnd),
          ...(claimed ? {} : { rescheduledCount: { increment: 1 } }),
          ...(parts ? { partEndAt: new Date(parts[0].end) } : {}),
          ...(input.externalId ? { calendarExternalId: input.externalId, calendarStatus: 'synced' } : {}),
        },
      });
      for (const [index, part] of (parts ?? []).entries()) {
        if (index === 0) continue;
        await tx.booking.update({
          where: { id: packagePartId(b.id, index) },
          data: {
            status: b.status, staffId: part.staffId, resourceId: part.resourceId, startAt: new Date(part.start), endAt: new Date(part.end),
            blockedStart: new Date(part.blockedStart), blockedEnd: new Date(part.blockedEnd),
          },
        });
      }
      const from = { start: b.startAt.toISOString(), end: b.endAt.toISOString(), staffId: b.staffId };
      const to = { start: input.plan.start, end: input.plan.end, staffId: input.plan.staffId };
      const detail = { from, to, reason: input.reason ?? null, ...(input.historyEvent ? { externalId: input.externalId } : {}) };
      await addHistory(tx, { bookingId: b.id, event: input.historyEvent ?? 'rescheduled', detail, dedupeKey: input.dedupeKey });
      return { previousStart: from.start, previousEnd: from.end, previousStaffId: from.staffId, rescheduledCount: moved.rescheduledCount };
    });
  }

  /** A package's new parts, each less what the package's own rows of that staff member or resource already hold. */
  async function packagePieces(bookingId: string, parts: NonNullable<SlotPlan['parts']>): Promise<HoldPiece[]> {
    const own = await packageParts(db, bookingId);
    return parts.flatMap((part) => {
      let ranges: Array<readonly [number, number]> = [[Date.parse(part.blockedStart), Date.parse(part.blockedEnd)]];
      for (const o of own) {
        if (o.staffId !== part.staffId && !(o.resourceId !== null && o.resourceId === part.resourceId)) continue;
        ranges = ranges.flatMap((r) => uncovered(r, [Date.parse(o.blockedStart), Date.parse(o.blockedEnd)]));
      }
      return ranges.map((range) => ({ range, staffId: part.staffId, resourceId: part.resourceId }));
    });
  }

  return {
    async planReschedule(input: RescheduleInputs): Promise<ReschedulePlan> {
      const b = await db.booking.findUnique({ where: { id: input.bookingId } });
      if (!b || b.source === HOLD_SOURCE || b.packageBookingId) return { kind: 'not_found', entity: 'booking', id: input.bookingId };
      if (b.status !== 'confirmed') {
        return { kind: 'invalid_state', bookingId: b.id, status: b.status, message: `a ${b.status} booking cannot be rescheduled` };
      }
      // A requested staff member binds every part of a package (domain/scheduling/packages.ts): a
      // move without one keeps the person only when one person has every part, else re-assigns.
      const partsNow = b.partEndAt !== null && !input.staffId ? await packageParts(db, b.id) : [];
      const keptStaff = partsNow.some((p) => p.staffId !== b.staffId) ? null : b.staffId;
      const planned = await planner.plan({
        companyId: b.companyId,
        branchId: b.branchId,
        serviceId: b.serviceId,
        customerId: b.customerId,
        start: input.start,
        staffId: input.staffId ?? keptStaff,
        durationMinutes: Math.round((b.endAt.getTime() - b.startAt.getTime()) / 60_000),
        participants: Array.isArray(b.participants) && b.participants.length > 0 ? b.participants.length : null,
        excludeBookingId: b.id,
      });
      if (planned.kind !== 'ok') return planned;
      if (b.partEndAt !== null) {
        const previousParts = await packageParts(db, b.id);
        if (previousParts.length !== (planned.plan.parts?.length ?? 1)) {
          return { kind: 'invalid_state', bookingId: b.id, status: b.status, message: 'the package\'s services changed since it was booked; cancel and book again' };
        }
        return { kind: 'ok', booking: snapshotOf(b), plan: planned.plan, previousParts };
      }
      return { kind: 'ok', booking: snapshotOf(b), plan: planned.plan };
    },

    async holdRescheduleSlot(input: { bookingId: string; holdId: string; plan: SlotPlan }): Promise<HoldResult> {
      const b = await db.booking.findUniqueOrThrow({ where: { id: input.bookingId } });
      if (await db.booking.count({ where: { id: { startsWith: `${input.holdId}-` } } })) return { kind: 'held' };
      const pieces = input.plan.parts && input.plan.parts.length > 1
        ? await packagePieces(b.id, input.plan.parts)
        : ownPieces(
          { staffId: b.staffId, resourceId: b.resourceId, blockedStart: b.blockedStart.toISOString(), blockedEnd: b.blockedEnd.toISOString() },
          input.plan,
        );
      const insert = () =>
        db.booking.createMany({
          data: pieces.map(({ range: [s, e], staffId, resourceId }, n) => ({
            id: `${input.holdId}-${n}`,
            companyId: b.companyId,
            branchId: b.branchId,
            serviceId: b.serviceId,
            customerId: b.customerId,
            staffId,
            resourceId,
            startAt: new Date(s),
            endAt: new Date(e),
            blockedStart: new Date(s),
            blockedEnd: new Date(e),
            status: 'pending',
            source: HOLD_SOURCE,
            notes: `reschedule hold for ${b.id}`,
          })),
          skipDuplicates: true,
        });
      try {
        try {
          await insert();
        } catch (error) {
          // Refused: retry once if abandoned holds were in the way (booking-stale-holds.ts).
          if (!isExclusionViolation(error) || (await expireStaleHolds(db, input.plan, clock(), staleHoldMs)) === 0) throw error;
          await insert();
        }
        await changed(b.branchId);
        return { kind: 'held' };
      } catch (error) {
        if (!isExclusionViolation(error)) throw error;
        const alternatives = await planner.alternatives({
          companyId: b.companyId,
          branchId: b.branchId,
          serviceId: b.serviceId,
          customerId: b.customerId,
          start: input.plan.start,
          staffId: input.plan.staffId,
          durationMinutes: Math.round((b.endAt.getTime() - b.startAt.getTime()) / 60_000),
          excludeBookingId: b.id,
        });
        return { kind: 'conflict', alternatives };
      }
    },

    async releaseRescheduleHold({ holdId }: { holdId: string }): Promise<{ released: number }> {
      const held = await db.booking.findFirst({ where: { id: { startsWith: `${holdId}-` }, source: HOLD_SOURCE }, select: { branchId: true } });
      const { count } = await db.booking.deleteMany({ where: { id: { startsWith: `${holdId}-` }, source: HOLD_SOURCE } });
      if (held && count > 0) await changed(held.branchId);
      return { released: count };
    },

    /**
     * Moves the booking onto its held new slot; returns where it was. Idempotent per dedupeKey and
     * per target: a booking already at the target (an earlier run moved it there, e.g. a support
     * retry of a reschedule the customer has repeated meanwhile) only drops the hold, with no
     * second history entry and no second `rescheduledCount` increment (`unchanged: true`).
     */
    async moveBooking(input: MoveInput): Promise<MoveResult> {
      const moved = await moveInTransaction(input).catch((error: unknown) => {
        // The new-slot hold expired as abandoned and someone else took the slot: final for this run.
        if (isExclusionViolation(error)) throw ApplicationFailure.nonRetryable(`the new slot of booking ${input.bookingId} was taken meanwhile`, 'SlotTaken');
        throw error;
      });
      // Its reminders and completion follow the new time (booking-lifecycle.contract.ts).
      if (!moved.unchanged) await nudgeLifecycle(input.bookingId, { reason: 'rescheduled' });
      // The old range is free and the placeholders are gone: before the saga answers the API.
      const row = await db.booking.findUnique({ where: { id: input.bookingId }, select: { branchId: true } });
      if (row) await changed(row.branchId);
      return moved;
    },

    /**
     * Cancels at once (the slot is free when this returns); repeating it is harmless. A booking
     * awaiting approval cancels too: its calendar was never written (calendar status `not_linked`,
     * so the calendar cancel that follows touches nothing) and its saga's approval gate is ended
     * (withdrawApproval: no later decision or timer decline).
     */
    async cancelBookingRecord(input: { bookingId: string; reason?: string | null; dedupeKey: string }): Promise<CancelRecordResult> {
      const b = await db.booking.findUnique({ where: { id: input.bookingId } });
      if (!b || b.source === HOLD_SOURCE || b.packageBookingId) return { kind: 'not_found', entity: 'booking', id: input.bookingId };
      // A package's later parts are cancelled with it (trigger); their Cal.com bookings by the workflow.
      const parts = b.partEndAt !== null ? { partIds: (await packageParts(db, b.id)).slice(1).map((_, i) => packagePartId(b.id, i + 1)) } : {};
      if (b.status === 'cancelled') {
        // A repeat after a crash between the cancel and the signal: the gate may still be waiting.
        if (await cancelledAwaitingApproval(b.id)) await withdrawApproval(b);
        return { kind: 'cancelled', alreadyCancelled: true, ...snapshotOf(b), ...parts };
      }
      if (b.status !== 'confirmed' && b.status !== 'awaiting_approval') {
        return { kind: 'invalid_state', bookingId: b.id, status: b.status, message: `a ${b.status} booking cannot be cancelled` };
      }
      const awaiting = b.status === 'awaiting_approval';
      const { count } = await db.booking.updateMany({
        where: { id: b.id, status: b.status },
        data: { status: 'cancelled', cancelledAt: clock(), calendarStatus: awaiting ? 'not_linked' : b.calendarExternalId ? 'pending' : b.calendarStatus },
      });
      // Changed between read and write: a retry re-reads and answers from the new state.
      if (count === 0) throw ApplicationFailure.retryable(`booking ${b.id} changed concurrently`, 'ConcurrentChange');
      const detail = { reason: input.reason ?? null, ...(awaiting ? { from: 'awaiting_approval' } : {}) };
      await addHistory(db, { bookingId: b.id, event: 'cancelled', detail, dedupeKey: input.dedupeKey });
      // The slot is free now: visible before the cancellation answers the API.
      await changed(b.branchId);
      if (awaiting) await withdrawApproval(b);
      else await nudgeLifecycle(b.id, { reason: 'cancelled' });
      return { kind: 'cancelled', alreadyCancelled: false, ...snapshotOf({ ...b, status: 'cancelled' }), ...parts };
    },

    async markCalendarFailed({ bookingId }: { bookingId: string }): Promise<void> {
      await db.booking.update({ where: { id: bookingId }, data: { calendarStatus: 'failed' } });
    },

    /** Only after the appointment started, and only for confirmed bookings. */
    async markNoShow(input: { bookingId: string; dedupeKey: string }): Promise<NoShowResult> {
      const b = await db.booking.findUnique({ where: { id: input.bookingId } });
      if (!b || b.source === HOLD_SOURCE) return { kind: 'not_found', entity: 'booking', id: input.bookingId };
      if (b.status === 'no_show') return { kind: 'no_show', ...snapshotOf(b) };
      if (b.status !== 'confirmed') return { kind: 'invalid_state', bookingId: b.id, status: b.status, message: `a ${b.status} booking cannot be marked as no-show` };
      if (clock().getTime() < b.startAt.getTime()) {
        return { kind: 'invalid_state', bookingId: b.id, status: b.status, message: 'a booking can be marked as no-show only after its start' };
      }
      await db.booking.updateMany({ where: { id: b.id, status: 'confirmed' }, data: { status: 'no_show' } });
      await addHistory(db, { bookingId: b.id, event: 'no_show', dedupeKey: input.dedupeKey });
      return { kind: 'no_show', ...snapshotOf({ ...b, status: 'no_show' }) };
    },
  };
}

/** The booking already occupies exactly the planned slot (time, staff, resource and buffers). */
function isAt(b: { startAt: Date; endAt: Date; blockedStart: Date; blockedEnd: Date; staffId: string; resourceId: string | null }, plan: SlotPlan): boolean {
  return (
    b.staffId === plan.staffId &&
    b.resourceId === plan.resourceId &&
    b.startAt.getTime() === Date.parse(plan.start) &&
    b.endAt.getTime() === Date.parse(plan.end) &&
    b.blockedStart.getTime() === Date.parse(plan.blockedStart) &&
    b.blockedEnd.getTime() === Date.parse(plan.blockedEnd)
  );
}

interface HoldPiece {
  range: readonly [number, number];
  staffId: string;
  resourceId: string | null;
}

/** The new slot less the booking's own current range when they share the staff member or resource. */
function ownPieces(
  b: { staffId: string; resourceId: string | null; blockedStart: string; blockedEnd: string },
  plan: SlotPlan,
): HoldPiece[] {
  const own = b.staffId === plan.staffId || (b.resourceId !== null && b.resourceId === plan.resourceId);
  const next = [Date.parse(plan.blockedStart), Date.parse(plan.blockedEnd)] as const;
  const ranges = own ? uncovered(next, [Date.parse(b.blockedStart), Date.parse(b.blockedEnd)]) : [next];
  return ranges.map((range) => ({ range, staffId: plan.staffId, resourceId: plan.resourceId }));
}

/** Parts of `next` not covered by `own` (0, 1 or 2 ranges). */
function uncovered(next: readonly [number, number], own: readonly [number, number]): Array<readonly [number, number]> {
  const out: Array<readonly [number, number]> = [];
  if (next[0] < own[0]) out.push([next[0], Math.min(next[1], own[0])]);
  if (next[1] > own[1]) out.push([Math.max(next[0], own[1]), next[1]]);
  return out.filter(([s, e]) => e > s);
}

export type BookingChangeActivities = ReturnType<typeof createBookingChangeActivities>;
