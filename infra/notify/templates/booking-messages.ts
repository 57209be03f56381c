/**
 * Customer messages about a booking or a waiting-list offer, in the customer's language: the
 * subject, a text and an HTML part for email, and the SMS text. Words come from i18next
 * (locales.ts), dates and prices from message-format.ts (branch zone, language's locale), markup
 * from the escaping `html` template (html.ts): every name, reason, address and link is escaped.
 * Pure: the same view renders the same message, so a retried send is identical.
 */
import i18next, { type TFunction } from 'i18next';
import type { MessageLanguage } from '../../../domain/notifications/message-language';
import { html, lines, type SafeHtml } from './html';
import { de, en } from './locales';
import { formatPrice, formatWhen, formatWhenShort } from './message-format';

export type BookingMessageKind =
  | 'booking_confirmed'
  | 'booking_rescheduled'
  | 'booking_cancelled'
  | 'booking_failed'
  | 'booking_reminder'
  | 'booking_awaiting_approval'
  | 'booking_declined'
  | 'review_request';

export interface BookingMessageView {
  bookingId: string;
  customerName: string;
  serviceName: string;
  staffName: string;
  branchName: string;
  branchAddress?: string | null;
  timezone: string;
  start: string;
  end: string;
  previousStart?: string;
  reason?: string;
  /** The service's price (decimal string) in the company's currency; none when the service has no price. */
  price?: { amount: string; currency: string } | null;
  /** Self-service page of the booking (`PUBLIC_BASE_URL/b/<token>`): the manage link, or the review link of a review request. */
  link?: string;
}

export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
  sms: string;
}

const i18n = i18next.createInstance();
// Resources are in memory: initialisation is synchronous (initAsync: false). Values are escaped
// by the HTML template, not by i18next (the text part and SMS must stay unescaped).
void i18n.init({
  resources: { en: { translation: en }, de: { translation: de } },
  lng: 'en',
  fallbackLng: 'en',
  initAsync: false,
  interpolation: { escapeValue: false },
});

const fixed = new Map<MessageLanguage, TFunction>();
function translator(lang: MessageLanguage): TFunction {
  let t = fixed.get(lang);
  if (!t) {
    t = i18n.getFixedT(lang);
    fixed.set(lang, t);
  }
  return t;
}

/** Kinds whose message carries the self-service link (a cancelled or failed booking has nothing left to manage). */
const MANAGE_LINK: ReadonlySet<BookingMessageKind> = new Set(['booking_confirmed', 'booking_rescheduled', 'booking_reminder']);

export function renderBookingMessage(kind: BookingMessageKind, v: BookingMessageView, lang: MessageLanguage): RenderedMessage {
  const t = translator(lang);
  const when = formatWhen(v.start, v.timezone, lang);
  const vars = { service: v.serviceName, staff: v.staffName, branch: v.branchName, when };
  const what = t('what', vars);
  const before = v.previousStart ? t('wasBefore', { previous: formatWhen(v.previousStart, v.timezone, lang) }) : '';
  const subject = t(`${kind}.subject`, vars);
  const lead = t(`${kind}.lead`, { ...vars, what, before });
  const where = [v.branchName, v.branchAddress].filter(Boolean).join(', ');
  const price = v.price ? formatPrice(v.price.amount, v.price.currency, lang) : undefined;
  const details: Array<[string, string]> = [
    [t('label.when'), when],
    [t('label.service'), v.serviceName],
    [t('label.staff'), v.staffName],
    [t('label.where'), where],
    ...(price ? [[t('label.price'), price] as [string, string]] : []),
  ];
  const reason = v.reason && (kind === 'booking_cancelled' || kind === 'booking_declined') ? t('reason', { reason: v.reason }) : undefined;
  const link = v.link && (MANAGE_LINK.has(kind) || kind === 'review_request') ? v.link : undefined;
  const linkLine = link ? t(kind === 'review_request' ? 'review' : 'manage', { url: link }) : undefined;
  const reference = `${t('label.reference')}: ${v.bookingId}`;
  const signoff = t('signoff', { branch: v.branchName });

  const text = [
    t('greeting', { name: v.customerName }),
    '',
    lead,
    ...(reason ? [reason] : []),
    '',
    ...details.map(([label, value]) => `${label}: ${value}`),
    ...(linkLine ? ['', linkLine] : []),
    '',
    reference,
    '',
    signoff,
  ].join('\n');

  const body = html`
<p>${t('greeting', { name: v.customerName })}</p>
<p>${lead}</p>${reason ? html`
<p>${reason}</p>` : ''}
<table role="presentation" cellpadding="4" cellspacing="0" style="border-collapse:collapse">${details.map(
    ([label, value]) => html`
  <tr><th align="left" style="padding-right:16px">${label}</th><td>${value}</td></tr>`,
  )}
</table>${link ? html`
<p><a href="${link}" style="display:inline-block;padding:10px 16px;background:#1f6feb;color:#ffffff;text-decoration:none;border-radius:4px">${t(kind === 'review_request' ? 'reviewButton' : 'manageButton')}</a></p>
<p style="font-size:12px;color:#555555">${linkLine}</p>` : ''}
<p style="font-size:12px;color:#555555">${reference}</p>
<p>${lines(signoff)}</p>`;

  const smsWhen = formatWhenShort(v.start, v.timezone, lang);
  const smsLink = link ? ` ${t(kind === 'review_request' ? 'smsReview' : 'smsManage', { url: link })}` : '';
  const sms = `${t(`${kind}.sms`, { ...vars, when: smsWhen })}${smsLink}`;
  return { subject, text, html: page(lang, subject, body), sms };
}

export interface OfferMessageView {
  customerName: string;
  serviceName: string;
  branchName: string;
  timezone: string;
  offers: Array<{ start: string; end: string; staffName?: string }>;
}

export function renderWaitlistOfferMessage(v: OfferMessageView, lang: MessageLanguage): RenderedMessage {
  const t = translator(lang);
  const vars = { service: v.serviceName, branch: v.branchName };
  const offers = v.offers.map((o) => {
    const when = formatWhen(o.start, v.timezone, lang);
    return o.staffName ? t('waitlist_offer.offer', { when, staff: o.staffName }) : when;
  });
  const subject = t('waitlist_offer.subject', vars);
  const lead = t('waitlist_offer.lead', vars);
  const hint = t('waitlist_offer.hint');
  const signoff = t('signoff', { branch: v.branchName });
  const text = [t('greeting', { name: v.customerName }), '', lead, ...offers.map((o, i) => `${i + 1}. ${o}`), '', hint, '', signoff].join('\n');
  const body = html`
<p>${t('greeting', { name: v.customerName })}</p>
<p>${lead}</p>
<ol>${offers.map((o) => html`<li>${o}</li>`)}</ol>
<p>${hint}</p>
<p>${lines(signoff)}</p>`;
  const first = v.offers[0] ? formatWhenShort(v.offers[0].start, v.timezone, lang) : '';
  return { subject, text, html: page(lang, subject, body), sms: t('waitlist_offer.sms', { ...vars, when: first }) };
}

/** The calendar entry's title, in the message's language. */
export function calendarSummary(v: Pick<BookingMessageView, 'serviceName' | 'staffName'>, lang: MessageLanguage): string {
  return translator(lang)('icsSummary', { service: v.serviceName, staff: v.staffName });
}

function page(lang: MessageLanguage, title: string, body: SafeHtml): string {
  return html`<!DOCTYPE html>
<html lang="${lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title></head>
<body style="font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#1a1a1a">${body}
</body>
</html>
`.value;
}
