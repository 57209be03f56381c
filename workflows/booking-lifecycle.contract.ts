/**
 * Public contract of the booking lifecycle (API.md "The booking after confirmation"): one
 * execution per confirmed booking, `lifecycle-<bookingId>`, started by the confirming saga. It
 * sends the branch's reminders and completes the booking at `end + completionGraceMinutes`
 * unless it was cancelled or marked no-show. Whatever changes the booking (reschedule, cancel,
 * no-show, complete) sends `bookingChanged`; the lifecycle then re-reads the booking at once
 * (without the signal it re-reads when its next timer fires, so a lost signal delays, never
 * duplicates). Names are a durable API.
 */
import { defineSignal } from '@temporalio/workflow';
import type { LifecycleSchedule } from '../domain/notifications/lifecycle-schedule';

export { BOOKING_TASK_QUEUE } from './book-appointment.contract';

export const LIFECYCLE_WORKFLOW = 'bookingLifecycleWorkflow';

export const lifecycleWorkflowId = (bookingId: string): string => `lifecycle-${bookingId}`;

export interface LifecycleInput {
  bookingId: string;
}

/** What the lifecycle reads on every wake-up (UTC ISO instants). */
export type LifecyclePlan =
  | {
      kind: 'confirmed';
      start: string;
      end: string;
      /** When the booking got this start (made or last moved): earlier reminder moments are skipped. */
      startSince: string;
      schedule: LifecycleSchedule;
    }
  /** Not confirmed any more (cancelled, no_show, completed, ...) or gone: nothing left to do. */
  | { kind: 'ended'; status: string };

export type CompleteOnScheduleResult =
  | { kind: 'completed' }
  /** The booking ends later now (moved meanwhile): plan again. */
  | { kind: 'moved' }
  | { kind: 'ended'; status: string };

export interface LifecycleResult {
  bookingId: string;
  /** The booking's status when the lifecycle ended. */
  status: string;
  /** Reminder keys (`<minutesBefore>@<start>`) this execution sent, in order. */
  reminders: string[];
}

export interface BookingChangedEvent {
  reason: 'rescheduled' | 'cancelled' | 'no_show' | 'completed' | string;
}

export const bookingChangedSignal = defineSignal<[BookingChangedEvent]>('bookingChanged');
