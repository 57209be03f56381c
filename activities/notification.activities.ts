/**
 * Customer notifications. Every message is written to the `notifications` outbox before it is
 * sent; the row's unique dedupeKey (derived by the caller from workflow id and step) makes a
 * retried activity a no-op once the message went out, so a customer never gets the same mail
 * twice from one step. A customer without an email address gets an outbox row marked `skipped`.
 *
 * Overlapping attempts: the attempt that sends holds the row for SEND_LEASE_MS (`claimed_until`).
 * A retry that starts while an earlier attempt may still be talking to SMTP (Temporal timed it
 * out, the process goes on) finds the claim and is retried when the lease ends, by then finding
 * the row `sent` or free. The lease outlasts the mailer's own timeouts (infra/notify/mailer.ts),
 * so only a mail whose SMTP transaction ended in doubt (accepted but never recorded) can go twice.
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
import { MAILER_WORST_CASE_MS, type Mailer, type OutgoingMail } from '../infra/notify/mailer';

/** How long a send attempt holds its outbox row: longer than the mailer can take for one message. */
export const SEND_LEASE_MS = MAILER_WORST_CASE_MS + 30_000;

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
  /** review_request: the review link (activities/review-request.activities.ts). */
  link?: string;
}

export interface WaitlistOfferInput {
  entryId: string;
  offers: Array<{ start: string; end: string; staffId: string }>;
  dedupeKey: string;
}

export type NotificationOutcome = { status: 'sent' | 'skipped' | 'already_sent'; notificationId: string };

export interface BookingReminderInput {
  bookingId: string;
  minutesBefore: number;
  channels: Array<'email' | 'sms'>;
  /** The start the reminder was planned for (UTC ISO): nothing is sent if the booking moved or ended. */
  start: string;
  dedupeKey: string;
}

export type ReminderOutcome = { status: 'sent' | 'skipped' | 'already_sent' | 'stale' };

export function createNotificationActivities({ db, mailer }: NotificationDeps) {
  async function deliver(
    row: { companyId: string; bookingId?: string; customerId: string; kind: string; dedupeKey: string },
    recipient: string | null,
    mail: Omit<OutgoingMail, 'to'>,
  ): Promise<NotificationOutcome> {
    // One statement creates the outbox row or claims a free `pending` one; a row it may not take
    // (sent, skipped, or claimed by an overlapping attempt) is not returned and is read below.
    const lease = `${SEND_LEASE_MS} milliseconds`;
    const [outbox] = await db.$queryRaw<{ id: string; status: string }[]>`
      INSERT INTO notifications (id, company_id, booking_id, customer_id, kind, recipient, subject, body, dedupe_key, status, claimed_until)
      VALUES (${newId('ntf')}, ${row.companyId}, ${row.bookingId ?? null}, ${row.customerId}, ${row.kind}, ${recipient},
        ${mail.subject}, ${mail.text}, ${row.dedupeKey}, ${recipient ? 'pending' : 'skipped'},
        CASE WHEN ${recipient}::text IS NULL THEN NULL ELSE now() + ${lease}::interval END)
      ON CONFLICT (dedupe_key) DO UPDATE SET claimed_until = now() + ${lease}::interval
        WHERE notifications.status = 'pending' AND (notifications.claimed_until IS NULL OR notifications.claimed_until <= now())
      RETURNING id, status`;
    if (!outbox) return notOurs(row.dedupeKey);
    if (outbox.status === 'skipped' || !recipient) return { status: 'skipped', notificationId: outbox.id };
    try {
      await mailer.send({ ...mail, to: recipient });
    } catch (err) {
      // The claim goes with the failure, so the retry may send at once.
      await db.notification.update({
        where: { id: outbox.id },
        data: { attempts: { increment: 1 }, error: String((err as Error).message ?? err), claimedUntil: null },
      });
      throw ApplicationFailure.retryable(`email to customer failed: ${(err as Error).message}`, 'NotificationSendFailed');
    }
    await db.$executeRaw`
      UPDATE notifications SET status = 'sent', sent_at = now(), attempts = attempts + 1, error = NULL, claimed_until = NULL WHERE id = ${outbox.id}`;
    return { status: 'sent', notificationId: outbox.id };
  }

  /** The row exists and is not ours to send: done already, or an overlapping attempt holds it. */
  async function notOurs(dedupeKey: string): Promise<NotificationOutcome> {
    const [existing] = await db.$queryRaw<{ id: string; status: string; waitMs: number }[]>`
      SELECT id, status, GREATEST(0, CEIL(EXTRACT(EPOCH FROM (claimed_until - now())) * 1000))::int AS "waitMs"
      FROM notifications WHERE dedupe_key = ${dedupeKey}`;
    if (existing.status !== 'pending') return { status: 'already_sent', notificationId: existing.id };
    throw ApplicationFailure.create({
      type: 'NotificationInFlight',
      message: `notification ${existing.id} is being sent by an overlapping attempt; retry when its claim ends`,
      nextRetryDelay: existing.waitMs + 1_000,
    });
  }

  async function sendAboutBooking(input: BookingNotificationInput, loaded?: BookingView): Promise<NotificationOutcome> {
    const booking = loaded ?? (await loadBookingView(db, input.bookingId));
    if (!booking) throw ApplicationFailure.nonRetryable(`booking ${input.bookingId} not found`, 'NotFound');
    const view = {
      bookingId: booking.id,
      customerName: booking.customerName,
      serviceName: booking.serviceName,
      staffName: booking.staffName,
      branchName: booking.branchName,
      timezone: booking.timezone,
      start: booking.startAt.toISOString(),
      end: booking.endAt.toISOString(),
      previousStart: input.previousStart,
      reason: input.reason,
      link: input.link,
    };
    const rendered = renderBookingMail(input.kind, view);
    // Only mails about an appointment that stands (or is cancelled) carry an .ics: not a request, a refusal or a review request.
    const concernsAppointment = input.kind !== 'booking_failed' && input.kind !== 'booking_awaiting_approval' && input.kind !== 'booking_declined' && input.kind !== 'review_request';
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
      booking.customerEmail,
      { ...rendered, ics },
    );
  }

  return {
    sendBookingNotification: (input: BookingNotificationInput): Promise<NotificationOutcome> => sendAboutBooking(input),

    /**
     * A lifecycle reminder, only while the booking is still confirmed at the planned start (a
     * reschedule or cancel racing the lifecycle's timer makes it `stale`: nothing is sent).
     */
    async sendBookingReminder(input: BookingReminderInput): Promise<ReminderOutcome> {
      const booking = await loadBookingView(db, input.bookingId);
      if (!booking || booking.status !== 'confirmed' || booking.startAt.getTime() !== Date.parse(input.start)) return { status: 'stale' };
      if (!input.channels.includes('email')) return { status: 'skipped' };
      const { status } = await sendAboutBooking({ bookingId: input.bookingId, kind: 'booking_reminder', dedupeKey: `${input.dedupeKey}:email` }, booking);
      return { status };
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

interface BookingView {
  id: string;
  companyId: string;
  customerId: string;
  status: string;
  startAt: Date;
  endAt: Date;
  rescheduledCount: number;
  customerName: string;
  customerEmail: string | null;
  serviceName: string;
  staffName: string;
  branchName: string;
  timezone: string;
}

/** The booking with the names the mail shows, in one joined query (Prisma's include would take five). */
async function loadBookingView(db: Db, bookingId: string): Promise<BookingView | undefined> {
  const rows = await db.$queryRaw<BookingView[]>`
    SELECT b.id, b.company_id AS "companyId", b.customer_id AS "customerId", b.status, b.start_at AS "startAt", b.end_at AS "endAt",
           b.rescheduled_count AS "rescheduledCount", c.name AS "customerName", c.email AS "customerEmail",
           sv.name AS "serviceName", st.name AS "staffName", br.name AS "branchName", br.timezone
    FROM bookings b
    JOIN customers c ON c.id = b.customer_id
    JOIN services sv ON sv.id = b.service_id
    JOIN staff st ON st.id = b.staff_id
    JOIN branches br ON br.id = b.branch_id
    WHERE b.id = ${bookingId}`;
  return rows[0];
}

export type NotificationActivities = ReturnType<typeof createNotificationActivities>;
