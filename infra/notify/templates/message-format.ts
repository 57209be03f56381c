/**
 * Dates and prices as a customer reads them: luxon in the branch's zone, written for the
 * message's language (`de` → de-DE, `en` → en-GB). Pure functions of their arguments, so a retried
 * send renders the identical message.
 */
import { DateTime } from 'luxon';
import type { MessageLanguage } from '../../../domain/notifications/message-language';

export const LOCALES: Record<MessageLanguage, string> = { de: 'de-DE', en: 'en-GB' };

const LONG: Record<MessageLanguage, string> = {
  en: "cccc, d LLLL yyyy 'at' HH:mm",
  de: "cccc, d. LLLL yyyy 'um' HH:mm 'Uhr'",
};
const SHORT: Record<MessageLanguage, string> = {
  en: 'ccc d LLL yyyy, HH:mm',
  de: 'ccc, d. LLL yyyy, HH:mm',
};

/**
 * Luxon's `ZZZZ` builds a new Intl.DateTimeFormat per call (~0.4 ms, on every mail of a busy
 * worker); the short zone name ("CEST", "MESZ", "GMT+5:30") comes from one cached per zone and locale.
 */
const zoneNameFormats = new Map<string, Intl.DateTimeFormat>();

function shortZoneName(dt: DateTime, locale: string): string {
  if (dt.zone.type !== 'iana') return String(dt.zone.offsetName(dt.toMillis(), { format: 'short', locale }));
  const key = `${dt.zone.name}\u0000${locale}`;
  let format = zoneNameFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { timeZoneName: 'short', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', timeZone: dt.zone.name });
    zoneNameFormats.set(key, format);
  }
  return format.formatToParts(dt.toJSDate()).find((p) => p.type === 'timeZoneName')?.value ?? dt.offsetNameShort ?? dt.toFormat('ZZ');
}

/** E.g. "Monday, 29 March 2027 at 09:00 (CEST)", "Montag, 29. März 2027 um 09:00 Uhr (MESZ)". */
export function formatWhen(iso: string, zone: string, lang: MessageLanguage): string {
  const dt = DateTime.fromISO(iso, { zone, locale: LOCALES[lang] });
  if (!dt.isValid) return iso;
  return `${dt.toFormat(LONG[lang])} (${shortZoneName(dt, LOCALES[lang])})`;
}

/** For SMS: "Mon 29 Mar 2027, 09:00", "Mo., 29. März 2027, 09:00" (the branch's local time). */
export function formatWhenShort(iso: string, zone: string, lang: MessageLanguage): string {
  const dt = DateTime.fromISO(iso, { zone, locale: LOCALES[lang] });
  return dt.isValid ? dt.toFormat(SHORT[lang]) : iso;
}

const priceFormats = new Map<string, Intl.NumberFormat>();

/** "45,00 €" (de), "€45.00" (en); an unknown currency code is written after the amount. */
export function formatPrice(amount: string | number, currency: string, lang: MessageLanguage): string {
  const value = Number(amount);
  const key = `${lang}\u0000${currency}`;
  let format = priceFormats.get(key);
  if (!format) {
    try {
      format = new Intl.NumberFormat(LOCALES[lang], { style: 'currency', currency });
    } catch {
      return `${new Intl.NumberFormat(LOCALES[lang], { minimumFractionDigits: 2 }).format(value)} ${currency}`;
    }
    priceFormats.set(key, format);
  }
  return format.format(value);
}
