/**
 * Time in the branch's zone, with luxon (the same library as the API's domain): API instants
 * carry the branch offset, dates and times of day are the branch zone's.
 */
import { DateTime } from 'luxon';

/** The instant in the zone; without a zone, at the offset it was written with (the branch's). */
export function zoned(instant: string, zone?: string): DateTime {
  const t = DateTime.fromISO(instant, { setZone: true });
  return zone ? t.setZone(zone) : t;
}
/** Minutes since the start of the instant's day in the zone. */
export function minuteOfDay(instant: string, zone: string): number {
  const t = zoned(instant, zone);
  return t.hour * 60 + t.minute;
}
export function hm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}
export function parseHm(text: string): number {
  const [h, m] = text.split(':').map(Number);
  return h * 60 + m;
}
export function todayIn(zone: string): string {
  return DateTime.now().setZone(zone).toISODate() as string;
}
export function addDays(date: string, days: number): string {
  return DateTime.fromISO(date).plus({ days }).toISODate() as string;
}
/** monday..sunday of a date. */
export function weekdayOf(date: string): 'monday' | 'tuesday' | 'wednesday' | 'thursday' | 'friday' | 'saturday' | 'sunday' {
  const names = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
  return names[DateTime.fromISO(date).weekday - 1];
}
/** A local date and time in the zone as an instant with its offset (what the API takes). */
export function toInstant(date: string, time: string, zone: string): string {
  return DateTime.fromISO(`${date}T${time}`, { zone }).toISO({ suppressMilliseconds: true }) as string;
}
export function formatTime(instant: string, zone: string | undefined, locale: string): string {
  return zoned(instant, zone).setLocale(locale).toLocaleString(DateTime.TIME_SIMPLE);
}
export function formatDateTime(instant: string, zone: string | undefined, locale: string): string {
  return zoned(instant, zone).setLocale(locale).toLocaleString({ weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
}
export function formatDate(date: string, locale: string): string {
  return DateTime.fromISO(date).setLocale(locale).toLocaleString({ weekday: 'long', day: 'numeric', month: 'long' });
}
/** A day on a button: "Mo., 7. Dez." / "Mon 7 Dec". */
export function formatDayShort(date: string, locale: string): string {
  return DateTime.fromISO(date).setLocale(locale).toLocaleString({ weekday: 'short', day: 'numeric', month: 'short' });
}
