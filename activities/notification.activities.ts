/**
 * Customer notifications. Every message is written to the `notifications` outbox before it is
 * sent; the row's unique dedupeKey (derived by the caller from workflow id and step) makes a
 * retried activity a no-op once the message went out, so a customer never gets the same mail
 * twice from one step. A customer without an email address gets an outbox row marked `skipped`.
 */
import { ApplicationFailure } from '@temporalio/activity';
import {
  renderBookingMail,
  renderWaitlistOfferMail,
  type BookingNotificationKind,
} from '../domain/notifications/notification-templates';
import type { Db } from '../infra/db/prisma';
import { newId } from '../infra/db/ids';
import { buildIcs } from '../infra/notify/ics';
import type { Mailer, OutgoingMail } from '../infra/notify/mailer';

export interface NotificationDeps {
  db: Db;
  mailer: Mailer;
}

export interface BookingNotificationInput {
  bookingId: string;
  kind: BookingNotificationKind;
  dedupeKey: string;
  /** For reschedule mails: the start before the move (UTC ISO). */
  previousStart?: string;
  reason?: string;
}

export interface WaitlistOfferInput {
  entryId: string;
  offers: Array<{ start: string; end: string; staffId: string }>;
  dedupeKey: string;
}

export type NotificationOutcome = { status: 'sent' | 'skipped' | 'already_sent'; notificationId: string };

export function createNotificationActivities({ db, mailer }: NotificationDeps) {
  async function deliver(
    row: { companyId: string; bookingId?: string; customerId: string; kind: string; dedupeKey: string },
    recipient: string | null,
    mail: Omit<OutgoingMail, 'to'>,
  ): Promise<NotificationOutcome> {
    const existing = await db.notification.findUnique({ where: { dedupeKey: row.dedupeKey } });
    if (existing && (existing.status === 'sent' || existing.status === 'skipped')) {
      return { status: 'already_sent', notificationId: existing.id };
    }
    const outbox =
      existing ??
      (await db.notification
        .create({
          data: {
            id: newId('ntf'),
            companyId: row.companyId,
            bookingId: row.bookingId ?? null,
            customerId: row.customerId,
            kind: row.kind,
            recipient,
            subject: mail.subject,
            body: mail.text,
            dedupeKey: row.dedupeKey,
            status: recipient ? 'pending' : 'skipped',
          },
        })
        .catch(async (err: unknown) => {
          // A concurrent attempt created it first: use that row.
          const again = await db.notification.findUnique({ where: { dedupeKey: row.dedupeKey } });
          if (!again) throw err;
          return again;
        }));
    if (!recipient) return { status: 'skipped', notificationId: outbox.id };
    try {
      await mailer.send({ ...mail, to: recipient });
    } catch (err) {
      await db.notification.update({
        where: { id: outbox.id },
        data: { attempts: { increment: 1 }, error: String((err as Error).message ?? err) },
      });
      throw ApplicationFailure.retryable(`email to customer failed: ${(err as Error).message}`, 'NotificationSendFailed');
    }
    await db.notification.update({
      where: { id: outbox.id },
      data: { status: 'sent', sentAt: new Date(), attempts: { increment: 1 }, error: null },
    });
    return { status: 'sent', notificationId: outbox.id };
  }

  return {
    async sendBookingNotification(input: BookingNotificationInput): Promise<NotificationOutcome> {
      const booking = await db.booking.findUnique({
        where: { id: input.bookingId },
        include: { customer: true, service: true, staff: true, branch: true },
      });
      if (!booking) throw ApplicationFailure.nonRetryable(`booking ${input.bookingId} not found`, 'NotFound');
      const view = {
        bookingId: booking.id,
        customerName: booking.customer.name,
        serviceName: booking.service.name,
        staffName: booking.staff.name,
        branchName: booking.branch.name,
        timezone: booking.branch.timezone,
        start: booking.startAt.toISOString(),
        end: booking.endAt.toISOString(),
        previousStart: input.previousStart,
        reason: input.reason,
      };
      const rendered = renderBookingMail(input.kind, view);
      const concernsAppointment = input.kind !== 'booking_failed';
      const ics = concernsAppointment
        ? buildIcs({
            uid: `${booking.id}@booking-backend`,
            sequence: booking.rescheduledCount + (input.kind === 'booking_cancelled' ? 1 : 0),
            start: view.start,
            end: view.end,
            summary: `${view.serviceName} with ${view.staffName}`,
            description: rendered.text,
            location: view.branchName,
            cancelled: input.kind === 'booking_cancelled',
          })
        : undefined;
      return deliver(
        { companyId: booking.companyId, bookingId: booking.id, customerId: booking.customerId, kind: input.kind, dedupeKey: input.dedupeKey },
        booking.customer.email,
        { ...rendered, ics },
      );
    },

    async sendWaitlistOffer(input: WaitlistOfferInput): Promise<NotificationOutcome> {
      const entry = await db.waitingListEntry.findUnique({ where: { id: input.entryId } });
      if (!entry) throw ApplicationFailure.nonRetryable(`waiting-list entry ${input.entryId} not found`, 'NotFound');
      const [customer, service, branch, staff] = await Promise.all([
        db.customer.findUnique({ where: { id: entry.customerId } }),
        db.service.findUnique({ where: { id: entry.serviceId } }),
        db.branch.findUnique({ where: { id: entry.branchId } }),
        db.staff.findMany({ where: { id: { in: input.offers.map((o) => o.staffId) } } }),
      ]);
      if (!customer || !service || !branch) {
        throw ApplicationFailure.nonRetryable(`catalog of waiting-list entry ${entry.id} is gone`, 'NotFound');
      }
      const names = new Map(staff.map((s) => [s.id, s.name]));
      const rendered = renderWaitlistOfferMail({
        customerName: customer.name,
        serviceName: service.name,
        branchName: branch.name,
        timezone: branch.timezone,
        offers: input.offers.map((o) => ({ ...o, staffName: names.get(o.staffId) })),
      });
      return deliver(
        { companyId: entry.companyId, customerId: customer.id, kind: 'waitlist_offer', dedupeKey: input.dedupeKey },
        customer.email,
        rendered,
      );
    },
  };
}

export type NotificationActivities = ReturnType<typeof createNotificationActivities>;
