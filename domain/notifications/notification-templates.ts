/**
 * Texts of the customer emails. Pure: times are rendered in the branch's zone from UTC instants
 * passed in, so the same booking always renders the same text (retries send identical mails).
 */
import { DateTime, Settings } from 'luxon';

export type BookingNotificationKind =
  | 'booking_confirmed'
  | 'booking_rescheduled'
  | 'booking_cancelled'
  | 'booking_failed'
  | 'booking_reminder'
  | 'booking_awaiting_approval'
  | 'booking_declined'
  | 'review_request';

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
  /** review_request: the customer's review link (PUBLIC_BASE_URL/b/<token>). */
  link?: string;
}

export interface RenderedMail {
  subject: string;
  text: string;
}

/** Luxon's `(ZZZZ)` builds a new Intl.DateTimeFormat per call (~0.4 ms); the zone name comes from a cached one instead. */
const WHEN_FORMAT = "cccc, d LLLL yyyy 'at' HH:mm";
const zoneNameFormats = new Map<string, Intl.DateTimeFormat>();

/** The short zone name ("CET", "EDT", "GMT+1") exactly as luxon's ZZZZ token renders it. */
function shortZoneName(dt: DateTime): string {
  // toFormat formats in the default locale, or en-US (Locale.redefaultToEN); only IANA zones use Intl.
  const locale = Settings.defaultLocale || 'en-US';
  if (dt.zone.type !== 'iana') return String(dt.zone.offsetName(dt.toMillis(), { format: 'short', locale }));
  const key = `${dt.zone.name}\u0000${locale}`;
  let format = zoneNameFormats.get(key);
  if (!format) {
    // The options luxon's parseZoneInfo passes, so the name is the one it would print.
    format = new Intl.DateTimeFormat(locale, {
      timeZoneName: 'short', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', timeZone: dt.zone.name,
    });
    zoneNameFormats.set(key, format);
  }
  const part = format.formatToParts(dt.toJSDate()).find((p) => p.type.toLowerCase() === 'timezonename');
  return String(part ? part.value : null);
}

/** E.g. "Monday, 29 March 2027 at 09:00 (GMT+2)". */
export function formatMailTime(iso: string, zone: string): string {
  const dt = DateTime.fromISO(iso, { zone });
  if (!dt.isValid) return dt.toFormat(`${WHEN_FORMAT} (ZZZZ)`);
  return `${dt.toFormat(WHEN_FORMAT)} (${shortZoneName(dt)})`;
}

export function renderBookingMail(kind: BookingNotificationKind, v: BookingMailView): RenderedMail {
  const at = formatMailTime(v.start, v.timezone);
  const what = `${v.serviceName} with ${v.staffName} at ${v.branchName}`;
  const footer = `\n\nBooking reference: ${v.bookingId}`;
  switch (kind) {
    case 'booking_confirmed':
      return { subject: `Confirmed: ${v.serviceName} on ${at}`, text: `Hello ${v.customerName},\n\nyour appointment is confirmed: ${what}, ${at}.${footer}` };
    case 'booking_rescheduled': {
      const before = v.previousStart ? ` (was ${formatMailTime(v.previousStart, v.timezone)})` : '';
      return { subject: `Rescheduled: ${v.serviceName} on ${at}`, text: `Hello ${v.customerName},\n\nyour appointment has moved to ${at}${before}: ${what}.${footer}` };
    }
    case 'booking_cancelled':
      return { subject: `Cancelled: ${v.serviceName} on ${at}`, text: `Hello ${v.customerName},\n\nyour appointment ${what}, ${at} has been cancelled.${v.reason ? `\nReason: ${v.reason}` : ''}${footer}` };
    case 'booking_reminder':
      return { subject: `Reminder: ${v.serviceName} on ${at}`, text: `Hello ${v.customerName},\n\na reminder of your appointment: ${what}, ${at}.${footer}` };
    case 'review_request':
      return {
        subject: `How was your ${v.serviceName}?`,
        text: `Hello ${v.customerName},\n\nthank you for your visit: ${what}, ${at}.\nTell us how it went: ${v.link ?? ''}${footer}`,
      };
    case 'booking_awaiting_approval':
      return { subject: `Request received: ${v.serviceName} on ${at}`, text: `Hello ${v.customerName},\n\nwe have received your request for ${what}, ${at}. The time is held for you; we will confirm it once it has been approved.${footer}` };
    case 'booking_declined':
      return { subject: `Not confirmed: ${v.serviceName} on ${at}`, text: `Hello ${v.customerName},\n\nyour request for ${what}, ${at} could not be confirmed.${v.reason ? `\nReason: ${v.reason}` : ''} Please choose another time or contact us.${footer}` };
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
  const lines = v.offers.map((o, i) => `${i + 1}. ${formatMailTime(o.start, v.timezone)}${o.staffName ? ` with ${o.staffName}` : ''}`);
  return {
    subject: `A time for ${v.serviceName} is free`,
    text: `Hello ${v.customerName},\n\ntimes you were waiting for at ${v.branchName} are free now:\n${lines.join('\n')}\n\nBook soon: offers are not held for you.`,
  };
}
