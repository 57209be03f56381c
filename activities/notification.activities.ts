/**
 * Customer notifications about bookings and waiting-list offers, by email (text and HTML parts,
 * .ics invite) or SMS, in the customer's language (API.md "The booking after confirmation").
 * Every message goes through the outbox (notification-outbox.ts: one row per step, claim/lease,
 * retried by the relay). Channel: email when the customer has an address, SMS when only a phone
 * (domain/notifications/message-channels.ts); reminders on the branch's channels.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { notificationSettingsOf, type Channel } from '../domain/notifications/lifecycle-schedule';
import { messageDelivery, reminderDeliveries, type Delivery } from '../domain/notifications/message-channels';
import { messageLanguage } from '../domain/notifications/message-language';
import type { Db } from '../infra/db/prisma';
import { manageLinkFor, reviewLinkFor, type SelfServiceLinkConfig } from '../infra/self-service/links';
import { buildIcs } from '../infra/notify/ics';
import {
  calendarSummary,
  renderBookingMessage,
  renderWaitlistOfferMessage,
  type BookingMessageKind,
  type RenderedMessage,
} from '../infra/notify/templates/booking-messages';
import { createOutbox, type NotificationOutcome, type OutboxMessage, type Senders } from './notification-outbox';

export { SEND_LEASE_MS, type NotificationOutcome } from './notification-outbox';

export type BookingNotificationKind = BookingMessageKind;

export interface NotificationDeps extends Senders {
  db: Db;
  /**
   * Secret and public origin of the self-service links (`PUBLIC_BASE_URL/b/<token>`) in
   * confirmations, reminders (valid until the booking ends) and review requests (valid
   * REVIEW_LINK_DAYS longer); without it messages carry no link.
   */
  selfService?: SelfServiceLinkConfig;
}

export interface BookingNotificationInput {
  bookingId: string;
  kind: BookingNotificationKind;
  dedupeKey: string;
  /** For reschedule messages: the start before the move (UTC ISO). */
  previousStart?: string;
  reason?: string;
}

export interface WaitlistOfferInput {
  entryId: string;
  offers: Array<{ start: string; end: string; staffId: string }>;
  dedupeKey: string;
}

export interface BookingReminderInput {
  bookingId: string;
  minutesBefore: number;
  channels: Channel[];
  /** The start the reminder was planned for (UTC ISO): nothing is sent if the booking moved or ended. */
  start: string;
  dedupeKey: string;
}

export type ReminderOutcome = { status: 'sent' | 'skipped' | 'already_sent' | 'stale' };

const NO_INVITE: ReadonlySet<BookingNotificationKind> = new Set(['booking_failed', 'booking_awaiting_approval', 'booking_declined', 'review_request']);

/** The message as the outbox stores it for one channel (an SMS keeps its text as body). */
function forChannel(channel: Channel, rendered: RenderedMessage, ics?: OutboxMessage['ics']): OutboxMessage {
  if (channel === 'sms') return { channel, subject: rendered.subject, body: rendered.sms };
  return { channel, subject: rendered.subject, body: rendered.text, html: rendered.html, ics };
}

export function createNotificationActivities({ db, selfService, ...senders }: NotificationDeps) {
  const outbox = createOutbox({ db, ...senders });

  /** Renders the booking's message and sends it on each delivery (dedupe key per channel when several). */
  async function sendAboutBooking(
    input: BookingNotificationInput,
    booking: BookingView,
    deliveries: Delivery[],
    keyOf: (d: Delivery) => string,
  ): Promise<NotificationOutcome[]> {
    const lang = messageLanguage(booking.customerLanguage, notificationSettingsOf(booking.notifications).defaultLanguage);
    const view = {
      bookingId: booking.id,
      customerName: booking.customerName,
      serviceName: booking.serviceName,
      staffName: booking.staffName,
      branchName: booking.branchName,
      branchAddress: booking.branchAddress,
      timezone: booking.timezone,
      start: booking.startAt.toISOString(),
      end: booking.endAt.toISOString(),
      previousStart: input.previousStart,
      reason: input.reason,
      price: booking.price === null ? null : { amount: booking.price, currency: booking.currency },
      link: selfService ? (input.kind === 'review_request' ? reviewLinkFor : manageLinkFor)(selfService, { id: booking.id, end: booking.endAt }) : undefined,
    };
    const rendered = renderBookingMessage(input.kind, view, lang);
    // Only messages about an appointment that stands (or is cancelled) carry an .ics: not a request, a refusal or a review request.
    const concernsAppointment = !NO_INVITE.has(input.kind);
    const ics = concernsAppointment
      ? buildIcs({
          uid: `${booking.id}@booking-backend`,
          sequence: booking.rescheduledCount + (input.kind === 'booking_cancelled' ? 1 : 0),
          start: view.start,
          end: view.end,
          summary: calendarSummary(view, lang),
          description: rendered.text,
          location: [view.branchName, view.branchAddress].filter(Boolean).join(', '),
          cancelled: input.kind === 'booking_cancelled',
        })
      : undefined;
    const outcomes: NotificationOutcome[] = [];
    for (const d of deliveries) {
      outcomes.push(
        await outbox.deliver(
          { companyId: booking.companyId, bookingId: booking.id, customerId: booking.customerId, kind: input.kind, dedupeKey: keyOf(d) },
          d.to,
          forChannel(d.channel, rendered, ics),
        ),
      );
    }
    return outcomes;
  }

  async function loadOrFail(bookingId: string): Promise<BookingView> {
    const booking = await loadBookingView(db, bookingId);
    if (!booking) throw ApplicationFailure.nonRetryable(`booking ${bookingId} not found`, 'NotFound');
    return booking;
  }

  return {
    /** One message about the booking, by email, or by SMS to a phone-only customer. */
    async sendBookingNotification(input: BookingNotificationInput): Promise<NotificationOutcome> {
      const booking = await loadOrFail(input.bookingId);
      const [outcome] = await sendAboutBooking(input, booking, [messageDelivery(booking)], () => input.dedupeKey);
      return outcome;
    },

    /**
     * A lifecycle reminder on the branch's channels, only while the booking is still confirmed at
     * the planned start (a reschedule or cancel racing the lifecycle's timer makes it `stale`:
     * nothing is sent). One outbox row per channel (`<dedupeKey>:email`, `<dedupeKey>:sms`).
     */
    async sendBookingReminder(input: BookingReminderInput): Promise<ReminderOutcome> {
      const booking = await loadBookingView(db, input.bookingId);
      if (!booking || booking.status !== 'confirmed' || booking.startAt.getTime() !== Date.parse(input.start)) return { status: 'stale' };
      const deliveries = reminderDeliveries(input.channels, booking);
      const outcomes = await sendAboutBooking(
        { bookingId: input.bookingId, kind: 'booking_reminder', dedupeKey: input.dedupeKey },
        booking,
        deliveries,
        (d) => `${input.dedupeKey}:${d.channel}`,
      );
      const statuses = new Set(outcomes.map((o) => o.status));
      if (statuses.has('sent')) return { status: 'sent' };
      if (statuses.has('already_sent')) return { status: 'already_sent' };
      return { status: 'skipped' };
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
      const lang = messageLanguage(customer.language, notificationSettingsOf(branch.notifications).defaultLanguage);
      const rendered = renderWaitlistOfferMessage(
        {
          customerName: customer.name,
          serviceName: service.name,
          branchName: branch.name,
          timezone: branch.timezone,
          offers: input.offers.map((o) => ({ ...o, staffName: names.get(o.staffId) })),
        },
        lang,
      );
      const delivery = messageDelivery(customer);
      return outbox.deliver(
        { companyId: entry.companyId, customerId: customer.id, kind: 'waitlist_offer', dedupeKey: input.dedupeKey },
        delivery.to,
        forChannel(delivery.channel, rendered),
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
  email: string | null;
  phone: string | null;
  customerLanguage: string | null;
  /** The branch's stored notification settings ({} = the defaults). */
  notifications: unknown;
  serviceName: string;
  /** Decimal as text (no float rounding); null: the service has no price. */
  price: string | null;
  currency: string;
  staffName: string;
  branchName: string;
  branchAddress: string | null;
  timezone: string;
}

/** The booking with what the message shows, in one joined query (Prisma's include would take six). */
async function loadBookingView(db: Db, bookingId: string): Promise<BookingView | undefined> {
  const rows = await db.$queryRaw<BookingView[]>`
    SELECT b.id, b.company_id AS "companyId", b.customer_id AS "customerId", b.status, b.start_at AS "startAt", b.end_at AS "endAt",
           b.rescheduled_count AS "rescheduledCount", c.name AS "customerName", c.email, c.phone, c.language AS "customerLanguage",
           br.notifications,
           sv.name AS "serviceName", sv.price::text AS price, co.currency, st.name AS "staffName",
           br.name AS "branchName", br.address AS "branchAddress", br.timezone
    FROM bookings b
    JOIN customers c ON c.id = b.customer_id
    JOIN services sv ON sv.id = b.service_id
    JOIN staff st ON st.id = b.staff_id
    JOIN branches br ON br.id = b.branch_id
    JOIN companies co ON co.id = b.company_id
    WHERE b.id = ${bookingId}`;
  return rows[0];
}

export type NotificationActivities = ReturnType<typeof createNotificationActivities>;
