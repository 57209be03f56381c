/**
 * Every reason a single start is or is not bookable, split into reasons that concern the request
 * as a whole and reasons per staff member. explainStart, assignStaff and the booking rules are thin
 * views of this evaluation.
 */
import type { SchedulingContext } from './context';
import { consultationReason } from './consultation';
import { describeHit } from './limits';
import { containing, overlapsAny } from './intervals';
import { formatInstant, localDateOf } from './local-time';
import {
  customerDayFull,
  earliestStart,
  freeResource,
  groupSizeReason,
  latestStart,
  missingSkills,
  onTimeOff,
  preferenceMismatch,
  resolveDuration,
  staffBusyAt,
  staffDayFull,
} from './predicates';
import type { Preferences, Reason, StaffSchedule } from './scheduling.types';

export interface StartRequest {
  start: number;
  durationMinutes?: number | null;
  staffId?: string | null;
  preferences?: Preferences | null;
  participants?: number | null;
  customerId?: string | null;
}

export interface StartEvaluation {
  start: number;
  end: number;
  date: string;
  /** Reasons that hold whoever the staff member is. */
  general: Reason[];
  /** Reasons per considered staff member (all staff, or only the requested one). */
  byStaff: Map<string, Reason[]>;
  /** Considered staff with no reason against them, in stable order. */
  freeStaffIds: string[];
  /** Free resource for this start: undefined when none is needed, null when all are taken. */
  resourceId: string | null | undefined;
}

export function evaluateStart(ctx: SchedulingContext, req: StartRequest): StartEvaluation {
  const general: Reason[] = [];
  const duration = resolveDuration(ctx.service, req.durationMinutes);
  if (!duration.ok) general.push(duration.reason);
  const minutes = duration.ok ? duration.minutes : ctx.service.durationMinutes;
  const start = req.start;
  const end = start + minutes * 60_000;
  const date = localDateOf(start, ctx.zone);
  const day = ctx.day(date);
  const at = formatInstant(start, ctx.zone);

  if (ctx.service.active === false) general.push({ code: 'service_inactive', message: 'This service is not bookable' });
  const group = ctx.enabled('group_size') ? groupSizeReason(ctx.service, req.participants) : null;
  if (group) general.push(group);
  if (start < earliestStart(ctx)) {
    general.push({ code: 'minimum_notice', message: `Bookings need at least ${ctx.rules.minimumNoticeMinutes} minutes' notice` });
  }
  if (start > latestStart(ctx)) {
    general.push({ code: 'max_advance', message: `Bookings can be made at most ${ctx.rules.maxAdvanceDays} days in advance` });
  }
  if (ctx.enabled('business_hours')) {
    if (day.branch.closed) general.push({ code: 'branch_closed', message: `The branch is ${day.branch.closedReason}` });
    else if (!containing(day.branch.open, start, end)) {
      general.push({ code: 'outside_business_hours', message: `${at} for ${minutes} minutes is outside the branch's opening hours` });
    }
  }
  const resourceId = freeResource(ctx, start, end);
  if (resourceId === null) general.push({ code: 'resource_unavailable', message: 'None of the required resources is free at that time' });
  if (customerDayFull(ctx, req.customerId, day.zoneDay.start, day.zoneDay.end)) {
    general.push({ code: 'max_daily_bookings', message: `The customer already has ${ctx.rules.maxDailyBookingsPerCustomer} bookings on ${date}` });
  }

  if (ctx.enabled('booking_limit')) {
    for (const hit of ctx.limits.hits('perCustomer', req.customerId, date)) {
      general.push({ code: 'booking_limit', limit: hit.limit, message: describeHit(hit, 'the customer') });
    }
  }
  const consultation = ctx.enabled('consultation_required') ? consultationReason(ctx, req.customerId, start) : null;
  if (consultation) general.push(consultation);

  const byStaff = new Map<string, Reason[]>();
  const considered = req.staffId ? ctx.staff.filter((s) => s.id === req.staffId) : ctx.staff;
  if (req.staffId && considered.length === 0) {
    general.push({ code: 'unknown_staff', staffId: req.staffId, message: `Staff member ${req.staffId} does not work at this branch` });
  }
  for (const s of considered) byStaff.set(s.id, staffReasons(ctx, s, start, end, date, req.preferences));
  const freeStaffIds = considered.filter((s) => byStaff.get(s.id)?.length === 0).map((s) => s.id);
  return { start, end, date, general, byStaff, freeStaffIds, resourceId };
}

function staffReasons(ctx: SchedulingContext, s: StaffSchedule, start: number, end: number, date: string, prefs?: Preferences | null): Reason[] {
  const out: Reason[] = [];
  const add = (code: Reason['code'], message: string) => out.push({ code, staffId: s.id, message });
  const missing = missingSkills(s, ctx.service);
  if (missing.length > 0) add('skill_mismatch', `${s.name} lacks the required skills: ${missing.join(', ')}`);
  const mismatch = preferenceMismatch(s, prefs);
  if (mismatch) add('preference_mismatch', mismatch);
  const sd = ctx.staffDay(s, date);
  if (!containing(sd.working, start, end)) add('staff_not_working', `${s.name} is not working for the whole appointment`);
  if (overlapsAny(sd.breaks, start, end)) add('staff_on_break', `${s.name} is on a break during the appointment`);
  if (onTimeOff(ctx, s.id, start, end)) add('staff_time_off', `${s.name} is off at that time`);
  if (staffBusyAt(ctx, s.id, start, end)) add('staff_busy', `${s.name} has another appointment at that time (buffers included)`);
  const day = ctx.day(date).zoneDay;
  if (staffDayFull(ctx, s, day.start, day.end)) add('max_daily_bookings', `${s.name} already has ${s.maxDailyBookings} bookings on ${date}`);
  if (ctx.enabled('booking_limit')) {
    for (const hit of ctx.limits.hits('perStaff', s.id, date)) out.push({ code: 'booking_limit', staffId: s.id, limit: hit.limit, message: describeHit(hit, s.name) });
  }
  return out;
}
