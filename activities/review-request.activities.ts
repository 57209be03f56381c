/**
 * The review request after completion (API.md "The booking after confirmation"): one message of
 * kind `review_request` through the notification outbox (same claim/lease, dedupe, channels and
 * relay as every customer message; notification.activities.ts adds the review link, a
 * self-service token valid for REVIEW_LINK_DAYS after the booking's end). Sent only for a booking
 * that is `completed`; the booking lifecycle calls it once per booking (its dedupe key).
 */
import type { Db } from '../infra/db/prisma';
import type { BookingNotificationInput, NotificationOutcome } from './notification.activities';

export interface ReviewRequestDeps {
  db: Db;
  sendBookingNotification(input: BookingNotificationInput): Promise<NotificationOutcome>;
}

export interface ReviewRequestInput {
  bookingId: string;
  dedupeKey: string;
}

export type ReviewRequestOutcome = { status: 'sent' | 'skipped' | 'already_sent' | 'not_completed' };

export function createReviewRequestActivities({ db, sendBookingNotification }: ReviewRequestDeps) {
  return {
    async sendReviewRequest(input: ReviewRequestInput): Promise<ReviewRequestOutcome> {
      const booking = await db.booking.findUnique({ where: { id: input.bookingId }, select: { status: true } });
      if (!booking || booking.status !== 'completed') return { status: 'not_completed' };
      const { status } = await sendBookingNotification({ bookingId: input.bookingId, kind: 'review_request', dedupeKey: input.dedupeKey });
      return { status };
    },
  };
}

export type ReviewRequestActivities = ReturnType<typeof createReviewRequestActivities>;
