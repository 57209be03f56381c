/**
 * Texts of the customer emails. Pure: times are rendered in the branch's zone from UTC instants
 * passed in, so the same booking always renders the same text (retries send identical mails).
 */
import { DateTime } from 'luxon';

export type BookingNotificationKind = 'booking_confirmed' | 'booking_rescheduled' | 'booking_cancelled' | 'booking_failed';

export interface BookingMailView {
  bookingId: string;
  customerName: string;
  serviceName: string;
  staffName: string;
  branchName: string;
  timezone: string;
  start: string;
  end: string;
  previousStart?: string;
  reason?: string;
}

export interface RenderedMail {
  subject: string;
  text: string;
}

const when = (iso: string, zone: string): string =>
  DateTime.fromISO(iso, { zone }).toFormat("cccc, d LLLL yyyy 'at' HH:mm (ZZZZ)");

export function renderBookingMail(kind: BookingNotificationKind, v: BookingMailView): RenderedMail {
  const at = when(v.start, v.timezone);
  const what = `${v.serviceName} with ${v.staffName} at ${v.branchName}`;
  const footer = `\n\nBooking reference: ${v.bookingId}`;
  switch (kind) {
    case 'booking_confirmed':
      return { subject: `Confirmed: ${v.serviceName} on ${at}`, text: `Hello ${v.customerName},\n\nyour appointment is confirmed: ${what}, ${at}.${footer}` };
    case 'booking_rescheduled': {
      const before = v.previousStart ? ` (was ${when(v.previousStart, v.timezone)})` : '';
      return { subject: `Rescheduled: ${v.serviceName} on ${at}`, text: `Hello ${v.customerName},\n\nyour appointment has moved to ${at}${before}: ${what}.${footer}` };
    }
    case 'booking_cancelled':
      return { subject: `Cancelled: ${v.serviceName} on ${at}`, text: `Hello ${v.customerName},\n\nyour appointment ${what}, ${at} has been cancelled.${v.reason ? `\nReason: ${v.reason}` : ''}${footer}` };
    case 'booking_failed':
      return { subject: `We could not book ${v.serviceName} on ${at}`, text: `Hello ${v.customerName},\n\nwe could not complete your booking of ${what}, ${at}: the calendar did not accept it. Nothing was reserved; please choose another time or contact us.${footer}` };
  }
}

export interface OfferView {
  customerName: string;
  serviceName: string;
  branchName: string;
  timezone: string;
  offers: Array<{ start: string; end: string; staffName?: string }>;
}

export function renderWaitlistOfferMail(v: OfferView): RenderedMail {
  const lines = v.offers.map((o, i) => `${i + 1}. ${when(o.start, v.timezone)}${o.staffName ? ` with ${o.staffName}` : ''}`);
  return {
    subject: `A time for ${v.serviceName} is free`,
    text: `Hello ${v.customerName},\n\ntimes you were waiting for at ${v.branchName} are free now:\n${lines.join('\n')}\n\nBook soon: offers are not held for you.`,
  };
}
