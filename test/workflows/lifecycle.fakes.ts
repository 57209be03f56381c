/**
 * In-memory stand-in for the lifecycle activities (load plan, send reminder, complete), with the
 * real pure schedule (domain/notifications/lifecycle-schedule.ts). Times are the server's clock
 * when each activity was scheduled, so on the time-skipping server they are the skipped time.
 */
import { Context } from '@temporalio/activity';
import { lifecycleSchedule, type ReminderSetting } from '../../domain/notifications/lifecycle-schedule';
import type { CompleteOnScheduleResult, LifecyclePlan } from '../../workflows/booking-lifecycle.contract';

export interface LifecycleBooking {
  status: string;
  start: string;
  end: string;
  startSince: string;
  reminders: ReminderSetting[];
  completionGraceMinutes: number;
}

const scheduledAt = () => Context.current().info.currentAttemptScheduledTimestampMs;

export class FakeLifecycle {
  sent: Array<{ key: string; channels: string[]; at: number; dedupeKey: string }> = [];
  stale: string[] = [];
  completedAt: number | undefined;
  /** Review requests asked for (dedupe keys), with the time and the status the booking had then. */
  reviewRequests: Array<{ dedupeKey: string; at: number; status: string }> = [];
  plans = 0;

  constructor(public booking: LifecycleBooking) {}

  /** A reschedule as the move activity does it: new time, and the moment it got it. */
  move(start: string, end: string, at: number): void {
    Object.assign(this.booking, { start, end, startSince: new Date(at).toISOString() });
  }

  activities() {
    const f = this;
    return {
      async loadLifecyclePlan(): Promise<LifecyclePlan> {
        f.plans += 1;
        const b = f.booking;
        if (b.status !== 'confirmed') return { kind: 'ended', status: b.status };
        const schedule = lifecycleSchedule({ start: b.start, end: b.end, reminders: b.reminders, completionGraceMinutes: b.completionGraceMinutes });
        return { kind: 'confirmed', start: b.start, end: b.end, startSince: b.startSince, schedule };
      },
      async sendBookingReminder(input: { minutesBefore: number; channels: string[]; start: string; dedupeKey: string }) {
        const key = `${input.minutesBefore}@${input.start}`;
        if (f.booking.status !== 'confirmed' || f.booking.start !== input.start) {
          f.stale.push(key);
          return { status: 'stale' as const };
        }
        if (f.sent.some((s) => s.dedupeKey === input.dedupeKey)) return { status: 'already_sent' as const };
        f.sent.push({ key, channels: input.channels, at: scheduledAt(), dedupeKey: input.dedupeKey });
        return { status: 'sent' as const };
      },
      async sendReviewRequest(input: { dedupeKey: string }) {
        if (f.booking.status !== 'completed') return { status: 'not_completed' as const };
        if (f.reviewRequests.some((r) => r.dedupeKey === input.dedupeKey)) return { status: 'already_sent' as const };
        f.reviewRequests.push({ dedupeKey: input.dedupeKey, at: scheduledAt(), status: f.booking.status });
        return { status: 'sent' as const };
      },
      async completeBookingOnSchedule(input: { end: string }): Promise<CompleteOnScheduleResult> {
        if (f.booking.status !== 'confirmed') return { kind: 'ended', status: f.booking.status };
        if (f.booking.end !== input.end) return { kind: 'moved' };
        f.booking.status = 'completed';
        f.completedAt = scheduledAt();
        return { kind: 'completed' };
      },
    };
  }
}
