/**
 * `GET /v1/bookings/:id/notifications` (API.md "The booking after confirmation"): the booking's
 * outbox rows as `{kind, channel, to, status, sentAt}`, oldest first. Stored kinds are the
 * activities' (`booking_confirmed`, ...); the answer uses the contract's names.
 */
import type { Db } from '../../infra/db/prisma';
import { formatInstant } from '../common.schemas';
import { notFound } from '../error-handler';
import { z } from '../zod';
import { findBookingRow } from './booking.view';

const KINDS: Record<string, string> = {
  booking_confirmed: 'confirmation',
  booking_reminder: 'reminder',
  booking_rescheduled: 'rescheduled',
  booking_cancelled: 'cancelled',
  booking_failed: 'failed',
  booking_awaiting_approval: 'awaiting_approval',
  booking_declined: 'declined',
  review_request: 'review_request',
};

export const bookingNotificationsSchema = z
  .object({
    data: z.array(
      z.object({
        kind: z.string().openapi({ description: 'confirmation | reminder | rescheduled | cancelled | failed | awaiting_approval | declined | review_request' }),
        channel: z.enum(['email', 'sms']),
        to: z.string().nullable().openapi({ description: 'Email address or E.164 number; null when the customer had none (status skipped)' }),
        status: z.enum(['pending', 'sent', 'failed', 'skipped']),
        sentAt: z.string().nullable(),
      }),
    ),
  })
  .openapi('BookingNotifications');

export async function listBookingNotifications(db: Db, companyId: string, bookingId: string): Promise<z.infer<typeof bookingNotificationsSchema>> {
  const booking = await findBookingRow(db, companyId, bookingId);
  if (!booking) throw notFound('Booking', bookingId);
  const rows = await db.notification.findMany({ where: { bookingId, companyId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  const zone = booking.branch.timezone;
  return {
    data: rows.map((n) => ({
      kind: KINDS[n.kind] ?? n.kind,
      channel: n.channel as 'email' | 'sms',
      to: n.recipient,
      status: n.status as 'pending' | 'sent' | 'failed' | 'skipped',
      sentAt: n.sentAt ? formatInstant(n.sentAt, zone) : null,
    })),
  };
}
