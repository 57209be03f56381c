/**
 * In-memory stand-in for the booking activities (database + Cal.com + mail), for workflow tests
 * on the time-skipping server. Each stub keeps the real activity's contract: idempotent per
 * dedupe key, conditional state changes, adoption of a Cal.com booking made by an earlier
 * attempt. Failures are scripted per activity (`failNext`), and every call is logged in order so
 * tests can assert compensation order.
 */
import { Context } from '@temporalio/activity';
import { slotFreedSignal, type SlotFreedEvent } from '../../workflows/waitlist-signals.contract';
import { ApplicationFailure } from '@temporalio/common';
import type { SlotPlan } from '../../activities/booking-activity.types';
import { packagePartId, type BookAppointmentInput, type PartSlot } from '../../workflows/book-appointment.contract';
import type { CompleteOnScheduleResult, LifecyclePlan } from '../../workflows/booking-lifecycle.contract';
import type { FakeLifecycle } from './lifecycle.fakes';

/** A service whose plans are packages of three 30-minute parts (rows `<id>_p1`, `<id>_p2` beside the booking's). */
export const PACKAGE_SERVICE = 'svc_package';

/** A staff id whose plans are `calendar: 'not_linked'`. */
export const UNLINKED_STAFF = 'stf_unlinked';

export interface FakeBooking {
  id: string;
  companyId: string;
  branchId: string;
  customerId: string;
  staffId: string;
  start: string;
  end: string;
  status: 'pending' | 'awaiting_approval' | 'confirmed' | 'declined' | 'failed' | 'cancelled';
  externalId: string | null;
  calendarStatus: 'not_linked' | 'pending' | 'synced' | 'failed';
  rescheduledCount: number;
  participants: number;
  history: string[];
}

export interface FakeCalendarBooking {
  uid: string;
  bookingId: string;
  start: string;
  status: 'accepted' | 'cancelled';
}

export interface FakeSyncFailure {
  id: string;
  bookingId: string;
  operation: 'create' | 'reschedule' | 'cancel';
  error: string;
  attempts: number;
  status: 'open' | 'retrying' | 'resolved';
  payload: Record<string, unknown>;
}

type Failure = () => Error;
export const retryable = (message: string, type = 'CalendarUnavailable'): Failure => () => ApplicationFailure.retryable(message, type);
export const permanent = (message: string, type = 'CalendarRejected'): Failure => () => ApplicationFailure.nonRetryable(message, type);

const HOUR = 3_600_000;
const plus = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

export class FakeBookingWorld {
  bookings = new Map<string, FakeBooking>();
  /** Reschedule placeholder holds: holdId → the slot it takes */
  holds = new Map<string, SlotPlan>();
  calendar = new Map<string, FakeCalendarBooking>();
  syncFailures = new Map<string, FakeSyncFailure>();
  notifications: Array<{ bookingId: string; kind: string; dedupeKey: string }> = [];
  invalidations: string[] = [];
  calls: string[] = [];
  monitors: string[] = [];
  /** Bookings whose lifecycle child asked for its plan. */
  lifecycleStarts: string[] = [];
  lifecycle: FakeLifecycle | undefined;
  /** Waiting-list entries (for monitor histories): offers sent per entry, final statuses. */
  waitlist = new Map<string, { status: string; offers: Array<{ start: string; end: string; staffId: string }>; bookingId: string | null }>();
  /** Self-service count claims: claim key → booking id (reschedule_claims). */
  claims = new Map<string, string>();
  /** Starts that the "exclusion constraint" refuses (plan or hold) */
  taken = new Set<string>();
  private scripted = new Map<string, Failure[]>();
  private hooks = new Map<string, Array<() => void>>();
  private uidSeq = 0;

  /** The next `times` calls of `activity` throw what `failure` makes. */
  failNext(activity: string, failure: Failure, times = 1): void {
    this.scripted.set(activity, [...(this.scripted.get(activity) ?? []), ...Array.from({ length: times }, () => failure)]);
  }

  /** The next call of `activity` first runs `effect` (a concurrent change seen by that call). */
  onNext(activity: string, effect: () => void): void {
    this.hooks.set(activity, [...(this.hooks.get(activity) ?? []), effect]);
  }

  seedConfirmed(id: string, start: string, extra: Partial<FakeBooking> = {}): FakeBooking {
    const uid = this.newUid();
    const b: FakeBooking = {
      id, companyId: 'cmp_1', branchId: 'br_1', customerId: 'cus_1', staffId: 'stf_1', start, end: plus(start, HOUR),
      status: 'confirmed', externalId: uid, calendarStatus: 'synced', rescheduledCount: 0, participants: 0, history: ['confirmed'], ...extra,
    };
    this.bookings.set(id, b);
    this.calendar.set(uid, { uid, bookingId: id, start, status: 'accepted' });
    return b;
  }

  /** The hold the API takes before it starts the saga (`heldSlot`): a `pending` row. */
  seedHeld(id: string, start: string, approval?: SlotPlan['approval']): SlotPlan {
    const plan = { ...this.planFor(start, 'stf_1'), ...(approval ? { approval } : {}) };
    this.bookings.set(id, {
      id, companyId: 'cmp_1', branchId: 'br_1', customerId: 'cus_1', staffId: plan.staffId, start, end: plan.end, status: 'pending',
      externalId: null, calendarStatus: 'pending', rescheduledCount: 0, participants: 0, history: ['held'],
    });
    return plan;
  }

  liveCalendarBookings(bookingId: string): FakeCalendarBooking[] {
    return [...this.calendar.values()].filter((c) => c.bookingId === bookingId && c.status === 'accepted');
  }

  private newUid(): string {
    this.uidSeq += 1;
    return `cal_${this.uidSeq}`;
  }

  private enter(name: string): void {
    this.calls.push(name);
    this.hooks.get(name)?.shift()?.();
    const failure = this.scripted.get(name)?.shift();
    if (failure) throw failure();
  }

  private booking(id: string): FakeBooking {
    const b = this.bookings.get(id);
    if (!b) throw ApplicationFailure.nonRetryable(`booking ${id} not found`, 'NotFound');
    return b;
  }

  /** A package's parts follow its own row's status (the SQL trigger of migration 20261203180000). */
  private mirror(b: FakeBooking): void {
    for (let i = 1; this.bookings.has(packagePartId(b.id, i)); i++) this.bookings.get(packagePartId(b.id, i))!.status = b.status;
  }

  private partIds(id: string): string[] {
    const ids: string[] = [];
    for (let i = 1; this.bookings.has(packagePartId(id, i)); i++) ids.push(packagePartId(id, i));
    return ids;
  }

  private packagePlan(start: string, staffId: string | null | undefined): SlotPlan {
    const parts: PartSlot[] = [0, 1, 2].map((i) => {
      const s = plus(start, i * HOUR / 2);
      return { serviceId: `svc_part${i}`, staffId: staffId ?? 'stf_1', resourceId: null, start: s, end: plus(s, HOUR / 2), blockedStart: s, blockedEnd: plus(s, HOUR / 2) };
    });
    return { ...parts[0], end: parts[2].end, parts };
  }

  private planFor(start: string, staffId: string | null | undefined): SlotPlan {
    const plan: SlotPlan = { staffId: staffId ?? 'stf_1', resourceId: null, start, end: plus(start, HOUR), blockedStart: start, blockedEnd: plus(start, HOUR) };
    // `stf_unlinked`: a staff member without a Cal.com user (no calendar call for their bookings).
    if (staffId === UNLINKED_STAFF) plan.calendar = 'not_linked';
    return plan;
  }

  activities() {
    const w = this;
    const alternatives = (start: string) => [{ start: plus(start, HOUR), end: plus(start, 2 * HOUR), staffId: 'stf_1', staffName: 'Staff One' }];
    return {
      async planBooking(input: BookAppointmentInput) {
        w.enter('planBooking');
        if (input.customerId === 'cus_blocked') {
          return { kind: 'rule_violation' as const, violations: [{ rule: 'customer_blocked', message: 'the customer is blocked' }] };
        }
        const size = input.participants?.length ?? 0;
        if (size > 4) return { kind: 'rule_violation' as const, violations: [{ rule: 'group_size', message: 'at most 4 participants' }] };
        if (input.serviceId === PACKAGE_SERVICE) return { kind: 'ok' as const, plan: w.packagePlan(input.start, input.staffId) };
        return { kind: 'ok' as const, plan: w.planFor(input.start, input.staffId) };
      },
      async holdSlot({ bookingId, workflowId, booking, plan }: { bookingId: string; workflowId: string; booking: BookAppointmentInput; plan: SlotPlan }) {
        w.enter('holdSlot');
        const existing = w.bookings.get(bookingId);
        if (existing) return { kind: 'held' as const };
        if (w.taken.has(plan.start)) return { kind: 'conflict' as const, alternatives: alternatives(plan.start) };
        void workflowId;
        w.bookings.set(bookingId, {
          id: bookingId, companyId: booking.companyId, branchId: booking.branchId, customerId: booking.customerId, staffId: plan.staffId,
          start: plan.start, end: plan.end, status: 'pending', externalId: null, calendarStatus: plan.calendar === 'not_linked' ? 'not_linked' : 'pending', rescheduledCount: 0,
          participants: booking.participants?.length ?? 0, history: ['held'],
        });
        for (const [i, part] of (plan.parts ?? []).entries()) {
          if (i === 0) continue;
          w.bookings.set(packagePartId(bookingId, i), {
            ...w.bookings.get(bookingId)!, id: packagePartId(bookingId, i), staffId: part.staffId, start: part.start, end: part.end, history: ['held'],
          });
        }
        return { kind: 'held' as const };
      },
      // The approval gate (activities/approval.activities.ts): conditional moves, history once.
      async markAwaitingApproval({ bookingId }: { bookingId: string; deadline: string }) {
        w.enter('markAwaitingApproval');
        const b = w.booking(bookingId);
        if (b.status === 'pending') Object.assign(b, { status: 'awaiting_approval' }) && b.history.push('awaiting_approval');
        return { changed: b.history.includes('awaiting_approval'), status: b.status };
      },
      async approveAwaiting({ bookingId }: { bookingId: string }) {
        w.enter('approveAwaiting');
        const b = w.booking(bookingId);
        if (b.status === 'awaiting_approval') Object.assign(b, { status: 'pending' }) && b.history.push('approved');
        return { changed: b.history.includes('approved'), status: b.status };
      },
      async declineAwaiting({ bookingId, reason, by }: { bookingId: string; reason: string | null; by: string }) {
        w.enter('declineAwaiting');
        const b = w.booking(bookingId);
        if (b.status === 'awaiting_approval') {
          b.status = 'declined';
          b.history.push(`declined:${by}${reason ? `:${reason}` : ''}`);
          w.invalidations.push(b.branchId);
        }
        const changed = b.history.some((h) => h.startsWith('declined'));
        return { changed, status: b.status, branchId: b.branchId, staffId: b.staffId, start: b.start, end: b.end };
      },
      async releaseHold({ bookingId, reason }: { bookingId: string; reason: string }) {
        w.enter('releaseHold');
        const b = w.bookings.get(bookingId);
        if (!b || b.status !== 'pending') return { released: false };
        b.status = 'failed';
        w.mirror(b);
        b.history.push(`hold_released:${reason}`);
        return { released: true };
      },
      async confirmBooking({ bookingId, externalId }: { bookingId: string; externalId: string | null }) {
        w.enter('confirmBooking');
        const b = w.booking(bookingId);
        if (b.status === 'pending') Object.assign(b, { status: 'confirmed', externalId, calendarStatus: b.calendarStatus === 'not_linked' && !externalId ? 'not_linked' : 'synced' });
        else if (b.status !== 'confirmed') throw ApplicationFailure.nonRetryable(`cannot confirm ${b.status}`, 'InvalidState');
        w.mirror(b);
        if (!b.history.includes('confirmed')) b.history.push('confirmed');
      },
      async markBookingFailed({ bookingId, reason }: { bookingId: string; reason: string }) {
        w.enter('markBookingFailed');
        const b = w.bookings.get(bookingId);
        if (!b) return { status: null };
        if (b.status === 'pending' || b.status === 'failed') Object.assign(b, { status: 'failed', calendarStatus: 'failed' });
        if (!b.history.includes(`failed:${reason}`)) b.history.push(`failed:${reason}`);
        return { status: b.status };
      },
      async recordSyncFailure(input: { bookingId: string; operation: FakeSyncFailure['operation']; error: string; payload: Record<string, unknown>; dedupeKey: string }) {
        w.enter('recordSyncFailure');
        const id = `syf_${input.dedupeKey}`;
        const existing = w.syncFailures.get(id);
        if (existing) Object.assign(existing, { error: input.error, status: 'open' });
        else w.syncFailures.set(id, { id, bookingId: input.bookingId, operation: input.operation, error: input.error, attempts: 1, status: 'open', payload: input.payload });
        return { failureId: id };
      },
      async invalidateAvailability({ branchId }: { branchId: string }) {
        w.enter('invalidateAvailability');
        w.invalidations.push(branchId);
      },
      async listWaitlistMonitors() {
        w.enter('listWaitlistMonitors');
        return [...w.monitors];
      },
      /** Like the real fan-out: the activity signals the monitors (here every registered probe). */
      async fanOutSlotFreed(event: SlotFreedEvent) {
        w.enter('fanOutSlotFreed');
        const client = Context.current().client;
        const sent = await Promise.allSettled(w.monitors.map((id) => client.workflow.getHandle(id).signal(slotFreedSignal, event)));
        return { rowsRead: w.monitors.length, pages: 1, signalled: sent.filter((r) => r.status === 'fulfilled').length };
      },
      async checkWaitlistEntry({ entryId }: { entryId: string }) {
        w.enter('checkWaitlistEntry');
        const e = w.waitlist.get(entryId) ?? { status: 'waiting', offers: [], bookingId: null };
        w.waitlist.set(entryId, e);
        if (e.status !== 'waiting' && e.status !== 'notified') return { kind: 'closed' as const, status: e.status as 'booked', bookingId: e.bookingId };
        return { kind: 'open' as const, candidates: [], booking: { companyId: 'cmp_1', branchId: 'br_1', serviceId: 'svc_1', customerId: 'cus_1' } };
      },
      async offerWaitlistSlots({ entryId, candidates }: { entryId: string; candidates: Array<{ start: string; end: string; staffId: string }> }) {
        w.enter('offerWaitlistSlots');
        const e = w.waitlist.get(entryId) ?? { status: 'waiting', offers: [], bookingId: null };
        const sent = candidates.filter((c) => !e.offers.some((o) => o.start === c.start && o.staffId === c.staffId)).slice(0, 3);
        e.offers.push(...sent);
        if (e.offers.length > 0) e.status = 'notified';
        w.waitlist.set(entryId, e);
        return { offers: e.offers, notificationsSent: sent.length > 0 ? 1 : 0, sent };
      },
      async markWaitlistBooked({ entryId, bookingId }: { entryId: string; bookingId: string }) {
        w.enter('markWaitlistBooked');
        w.waitlist.set(entryId, { ...(w.waitlist.get(entryId) ?? { offers: [] }), status: 'booked', bookingId });
      },
      async closeWaitlistEntry({ entryId, status }: { entryId: string; status: string }) {
        w.enter('closeWaitlistEntry');
        const e = w.waitlist.get(entryId);
        if (e && (e.status === 'waiting' || e.status === 'notified')) e.status = status;
      },
      async sendBookingNotification(input: { bookingId: string; kind: string; dedupeKey: string }) {
        w.enter('sendBookingNotification');
        if (!w.notifications.some((n) => n.dedupeKey === input.dedupeKey)) w.notifications.push({ bookingId: input.bookingId, kind: input.kind, dedupeKey: input.dedupeKey });
        return { status: 'sent' as const, notificationId: `ntf_${input.dedupeKey}` };
      },
      async createCalendarBooking({ bookingId }: { bookingId: string }) {
        const b = w.booking(bookingId);
        // One part of a package refused: `failNext('createCalendarBooking@<part row id>', …)`.
        const partFailure = w.scripted.get(`createCalendarBooking@${bookingId}`)?.shift();
        if (partFailure) {
          w.calls.push('createCalendarBooking');
          throw partFailure();
        }
        // Adopt what an earlier attempt made (the real activity looks it up by metadata).
        const adopted = b.externalId ? w.calendar.get(b.externalId) : w.liveCalendarBookings(bookingId)[0];
        if (adopted) {
          w.calls.push('createCalendarBooking');
          b.externalId = adopted.uid;
          return { externalId: adopted.uid };
        }
        if (w.scripted.get('createCalendarBooking:lose_response')?.shift()) {
          const uid = w.newUid();
          w.calendar.set(uid, { uid, bookingId, start: b.start, status: 'accepted' });
          w.calls.push('createCalendarBooking');
          throw ApplicationFailure.retryable('socket hang up after Cal.com created the booking', 'CalendarUnavailable');
        }
        w.enter('createCalendarBooking');
        const uid = w.newUid();
        w.calendar.set(uid, { uid, bookingId, start: b.start, status: 'accepted' });
        b.externalId = uid;
        return { externalId: uid };
      },
      async cancelCalendarBooking({ bookingId, externalId }: { bookingId: string; externalId?: string | null }) {
        w.enter('cancelCalendarBooking');
        // Like the real activity: without the row only a uid the caller knows finds the booking.
        const live = w.bookings.has(bookingId)
          ? w.liveCalendarBookings(bookingId)
          : [...w.calendar.values()].filter((c) => c.uid === externalId && c.status === 'accepted');
        for (const c of live) c.status = 'cancelled';
        const b = w.bookings.get(bookingId);
        if (b?.status === 'cancelled' && live.length > 0) b.calendarStatus = 'synced';
        return { cancelled: live.length > 0 };
      },
      async rescheduleCalendarBooking({ bookingId, start }: { bookingId: string; start: string }) {
        w.enter('rescheduleCalendarBooking');
        const current = w.liveCalendarBookings(bookingId)[0];
        if (!current) return { externalId: null };
        if (current.start === start) return { externalId: current.uid };
        current.status = 'cancelled';
        const uid = w.newUid();
        w.calendar.set(uid, { uid, bookingId, start, status: 'accepted' });
        w.booking(bookingId).externalId = uid;
        return { externalId: uid };
      },
      async planReschedule({ bookingId, start, staffId }: { bookingId: string; start: string; staffId?: string | null }) {
        w.enter('planReschedule');
        const b = w.bookings.get(bookingId);
        if (!b) return { kind: 'not_found' as const, entity: 'booking', id: bookingId };
        if (b.status !== 'confirmed') return { kind: 'invalid_state' as const, bookingId, status: b.status, message: `a ${b.status} booking cannot be rescheduled` };
        const booking = { bookingId, companyId: b.companyId, branchId: b.branchId, customerId: b.customerId, staffId: b.staffId, start: b.start, end: b.end, status: b.status };
        const parts = w.partIds(bookingId);
        if (parts.length > 0) {
          const previousParts = [b, ...parts.map((id) => w.booking(id))].map((p) => ({
            serviceId: 'svc_part', staffId: p.staffId, resourceId: null, start: p.start, end: p.end, blockedStart: p.start, blockedEnd: p.end,
          }));
          return { kind: 'ok' as const, booking, plan: w.packagePlan(start, staffId ?? b.staffId), previousParts };
        }
        return { kind: 'ok' as const, booking, plan: w.planFor(start, staffId ?? b.staffId) };
      },
      async holdRescheduleSlot({ holdId, plan }: { bookingId: string; holdId: string; plan: SlotPlan }) {
        w.enter('holdRescheduleSlot');
        if (w.holds.has(holdId)) return { kind: 'held' as const };
        if (w.taken.has(plan.start)) return { kind: 'conflict' as const, alternatives: alternatives(plan.start) };
        w.holds.set(holdId, plan);
        return { kind: 'held' as const };
      },
      async releaseRescheduleHold({ holdId }: { holdId: string }) {
        w.enter('releaseRescheduleHold');
        return { released: w.holds.delete(holdId) ? 1 : 0 };
      },
      async claimReschedule({ bookingId, maxReschedules, claimKey }: { bookingId: string; maxReschedules: number; claimKey: string }) {
        w.enter('claimReschedule');
        const b = w.booking(bookingId);
        if (w.claims.has(claimKey)) return { kind: 'claimed' as const, rescheduledCount: b.rescheduledCount };
        if (b.rescheduledCount >= maxReschedules) {
          const message = `This appointment was already moved ${b.rescheduledCount} times (at most ${maxReschedules} online); please contact the branch`;
          return { kind: 'rule_violation' as const, violations: [{ rule: 'max_reschedules', message }] };
        }
        b.rescheduledCount += 1;
        w.claims.set(claimKey, bookingId);
        return { kind: 'claimed' as const, rescheduledCount: b.rescheduledCount };
      },
      async releaseRescheduleClaim({ claimKey }: { claimKey: string }) {
        w.enter('releaseRescheduleClaim');
        const bookingId = w.claims.get(claimKey);
        if (!bookingId) return { released: 0 };
        w.claims.delete(claimKey);
        const b = w.booking(bookingId);
        b.rescheduledCount = Math.max(0, b.rescheduledCount - 1);
        return { released: 1 };
      },
      async moveBooking(input: { bookingId: string; holdId: string; plan: SlotPlan; externalId: string | null; dedupeKey: string; claimKey?: string }) {
        w.enter('moveBooking');
        const b = w.booking(input.bookingId);
        const done = b.history.find((h) => h.startsWith(`rescheduled:${input.dedupeKey}:`));
        if (done) {
          const [, , previousStart, previousEnd, previousStaffId] = done.split('|');
          return { previousStart, previousEnd, previousStaffId, rescheduledCount: b.rescheduledCount };
        }
        if (b.status !== 'confirmed') throw ApplicationFailure.nonRetryable(`booking ${b.id} is ${b.status}`, 'InvalidState');
        w.holds.delete(input.holdId);
        const claimed = input.claimKey !== undefined && w.claims.delete(input.claimKey);
        const prev = { previousStart: b.start, previousEnd: b.end, previousStaffId: b.staffId };
        if (b.start === input.plan.start && b.end === input.plan.end && b.staffId === input.plan.staffId) {
          if (claimed) b.rescheduledCount -= 1;
          return { ...prev, rescheduledCount: b.rescheduledCount, unchanged: true };
        }
        b.history.push(`rescheduled:${input.dedupeKey}:|x|${b.start}|${b.end}|${b.staffId}`);
        Object.assign(b, { start: input.plan.start, end: input.plan.end, staffId: input.plan.staffId, rescheduledCount: b.rescheduledCount + (claimed ? 0 : 1) });
        for (const [i, part] of (input.plan.parts ?? []).entries()) {
          if (i > 0) Object.assign(w.booking(packagePartId(b.id, i)), { start: part.start, end: part.end, staffId: part.staffId });
        }
        if (input.externalId) b.externalId = input.externalId;
        return { ...prev, rescheduledCount: b.rescheduledCount };
      },
      async cancelBookingRecord({ bookingId }: { bookingId: string }) {
        w.enter('cancelBookingRecord');
        const b = w.bookings.get(bookingId);
        if (!b) return { kind: 'not_found' as const, entity: 'booking', id: bookingId };
        const snapshot = { bookingId, companyId: b.companyId, branchId: b.branchId, customerId: b.customerId, staffId: b.staffId, start: b.start, end: b.end };
        if (b.status === 'cancelled') return { kind: 'cancelled' as const, alreadyCancelled: true, ...snapshot, status: 'cancelled' };
        if (b.status !== 'confirmed') return { kind: 'invalid_state' as const, bookingId, status: b.status, message: `a ${b.status} booking cannot be cancelled` };
        Object.assign(b, { status: 'cancelled', calendarStatus: b.externalId ? 'pending' : b.calendarStatus });
        b.history.push('cancelled');
        w.mirror(b);
        const parts = w.partIds(bookingId);
        return { kind: 'cancelled' as const, alreadyCancelled: false, ...snapshot, status: 'cancelled', ...(parts.length > 0 ? { partIds: parts } : {}) };
      },
      async markCalendarFailed({ bookingId }: { bookingId: string }) {
        w.enter('markCalendarFailed');
        w.booking(bookingId).calendarStatus = 'failed';
      },
      async beginSyncRetry({ failureId }: { failureId: string }) {
        w.enter('beginSyncRetry');
        const f = w.syncFailures.get(failureId);
        if (!f) return { kind: 'not_found' as const, entity: 'sync_failure', id: failureId };
        if (f.status === 'resolved') return { kind: 'not_retryable' as const, failureId, status: f.status };
        const b = w.booking(f.bookingId);
        if (f.status === 'open') f.status = 'retrying';
        const booking = { bookingId: b.id, companyId: b.companyId, branchId: b.branchId, customerId: b.customerId, staffId: b.staffId, start: b.start, end: b.end, status: b.status };
        return { kind: 'ok' as const, failure: { id: f.id, bookingId: f.bookingId, operation: f.operation, attempts: f.attempts, payload: f.payload, booking } };
      },
      async resolveSyncFailure({ failureId }: { failureId: string }) {
        w.enter('resolveSyncFailure');
        w.syncFailures.get(failureId)!.status = 'resolved';
      },
      async reopenSyncFailure({ failureId, error }: { failureId: string; error: string }) {
        w.enter('reopenSyncFailure');
        const f = w.syncFailures.get(failureId)!;
        if (f.status === 'retrying') Object.assign(f, { status: 'open', error, attempts: f.attempts + 1 });
      },
      async reholdFailedBooking({ bookingId }: { bookingId: string }) {
        w.enter('reholdFailedBooking');
        const b = w.booking(bookingId);
        if (b.status === 'failed') {
          if (w.taken.has(b.start)) return { kind: 'conflict' as const, error: 'the original slot is no longer free' };
          Object.assign(b, { status: 'pending', externalId: null, calendarStatus: 'pending' });
        }
        return { kind: 'held' as const, status: b.status };
      },
      // The lifecycle: `w.lifecycle` drives it when set (booking-lifecycle.test.ts); otherwise (the
      // child the saga starts) it ends at once. Not logged in `calls`: it runs beside the saga.
      async loadLifecyclePlan(input: { bookingId: string }): Promise<LifecyclePlan> {
        w.lifecycleStarts.push(input.bookingId);
        return w.lifecycle ? w.lifecycle.activities().loadLifecyclePlan() : { kind: 'ended', status: 'not_driven_here' };
      },
      async sendBookingReminder(input: { minutesBefore: number; channels: string[]; start: string; dedupeKey: string }) {
        return w.lifecycle ? w.lifecycle.activities().sendBookingReminder(input) : { status: 'stale' as const };
      },
      async sendReviewRequest(input: { bookingId: string; dedupeKey: string }) {
        return w.lifecycle ? w.lifecycle.activities().sendReviewRequest(input) : { status: 'not_completed' as const };
      },
      async completeBookingOnSchedule(input: { end: string }): Promise<CompleteOnScheduleResult> {
        return w.lifecycle ? w.lifecycle.activities().completeBookingOnSchedule(input) : { kind: 'ended', status: 'not_driven_here' };
      },
    };
  }
}
