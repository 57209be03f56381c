import { DateTime } from 'luxon';
import { calendarSummary, renderBookingMessage, renderWaitlistOfferMessage, type BookingMessageKind } from './booking-messages';
import { de, en } from './locales';
import { formatPrice, formatWhen } from './message-format';

const view = {
  bookingId: 'bkg_1', customerName: 'Ada', serviceName: 'Haircut', staffName: 'Anna', branchName: 'Mitte',
  branchAddress: 'Torstraße 1, 10119 Berlin', timezone: 'Europe/Berlin', start: '2027-03-29T07:00:00.000Z', end: '2027-03-29T07:45:00.000Z',
  price: { amount: '45.5', currency: 'EUR' }, link: 'https://book.example.test/b/tok_123',
};

const keysOf = (o: object, prefix = ''): string[] =>
  Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' ? keysOf(v as object, `${prefix}${k}.`) : [`${prefix}${k}`])).sort();

describe('booking messages', () => {
  it('has every key in both languages', () => {
    expect(keysOf(de)).toEqual(keysOf(en));
  });

  it.each([
    ['booking_confirmed', /^Confirmed: Haircut on Monday, 29 March 2027 at 09:00 \(CEST\)$/, /^Bestätigt: Haircut am Montag, 29\. März 2027 um 09:00 Uhr \(MESZ\)$/],
    ['booking_rescheduled', /^Rescheduled: Haircut on Monday, 29 March 2027 at 09:00/, /^Verschoben: Haircut am Montag, 29\. März 2027/],
    ['booking_cancelled', /^Cancelled: Haircut/, /^Abgesagt: Haircut/],
    ['booking_failed', /^We could not book Haircut/, /^Buchung nicht möglich: Haircut/],
    ['booking_reminder', /^Reminder: Haircut on Monday/, /^Erinnerung: Haircut am Montag/],
    ['booking_awaiting_approval', /^Request received: Haircut on Monday/, /^Anfrage erhalten: Haircut am Montag/],
    ['booking_declined', /^Not confirmed: Haircut on Monday/, /^Nicht bestätigt: Haircut am Montag/],
    ['review_request', /^How was your Haircut\?$/, /^Wie war Ihr Termin Haircut\?$/],
  ] as const)('%s: subject in English and German, local time in the branch zone after the DST change', (kind, enSubject, deSubject) => {
    expect(renderBookingMessage(kind, view, 'en').subject).toMatch(enSubject);
    expect(renderBookingMessage(kind, view, 'de').subject).toMatch(deSubject);
  });

  it('writes text and HTML parts with time, price, address, reference and the self-service link', () => {
    const m = renderBookingMessage('booking_confirmed', view, 'de');
    for (const part of [m.text, m.html]) {
      expect(part).toContain('Hallo Ada');
      expect(part).toContain('Montag, 29. März 2027 um 09:00 Uhr (MESZ)');
      expect(part).toContain('45,50\u00a0€');
      expect(part).toContain('Torstraße 1, 10119 Berlin');
      expect(part).toContain('bkg_1');
      expect(part).toContain('https://book.example.test/b/tok_123');
    }
    expect(m.text).toContain('Termin ändern oder absagen: https://book.example.test/b/tok_123');
    expect(m.html).toMatch(/^<!DOCTYPE html>\n<html lang="de">/);
    expect(m.html).toContain('<a href="https://book.example.test/b/tok_123"');
    const e = renderBookingMessage('booking_confirmed', view, 'en');
    expect(e.text).toContain('Hello Ada,\n\nyour appointment is confirmed: Haircut with Anna at Mitte, Monday, 29 March 2027 at 09:00 (CEST).');
    expect(e.text).toContain('Price: €45.50');
    expect(e.text).toContain('Change or cancel your appointment: https://book.example.test/b/tok_123');
  });

  it('leaves out the price without one, and the link where there is nothing to manage', () => {
    const m = renderBookingMessage('booking_cancelled', { ...view, price: null, reason: 'Staff member ill' }, 'en');
    expect(m.text).not.toContain('Price');
    expect(m.text).not.toContain('/b/tok_123');
    expect(m.sms).not.toContain('/b/tok_123');
    expect(m.text).toContain('Reason: Staff member ill');
    expect(renderBookingMessage('booking_failed', view, 'en').text).not.toContain('/b/');
    expect(renderBookingMessage('booking_reminder', view, 'en').text).toContain('/b/tok_123');
    expect(renderBookingMessage('review_request', view, 'en').text).toContain('Tell us how it went: https://book.example.test/b/tok_123');
  });

  it('escapes every customer-given value in the HTML part, and only there', () => {
    const evil = { ...view, customerName: '<script>alert(1)</script>', branchAddress: 'A & B "quoted"', reason: "<img src=x onerror='x'>", link: 'https://x.test/b/a"onmouseover="x' };
    for (const kind of ['booking_confirmed', 'booking_cancelled'] as BookingMessageKind[]) {
      const m = renderBookingMessage(kind, evil, 'en');
      expect(m.html).not.toContain('<script>');
      expect(m.html).not.toContain('<img');
      expect(m.html).not.toContain('"onmouseover');
      expect(m.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(m.html).toContain('A &amp; B &quot;quoted&quot;');
      expect(m.text).toContain('<script>alert(1)</script>');
    }
  });

  it('writes short SMS texts with the local time and the link', () => {
    expect(renderBookingMessage('booking_confirmed', view, 'en').sms).toBe(
      'Mitte: your appointment Haircut on Mon 29 Mar 2027, 09:00 is confirmed. Change or cancel: https://book.example.test/b/tok_123',
    );
    expect(renderBookingMessage('booking_reminder', view, 'de').sms).toBe(
      'Mitte: Erinnerung an Ihren Termin Haircut am Mo, 29. Mär 2027, 09:00. Ändern oder absagen: https://book.example.test/b/tok_123',
    );
  });

  it('names the previous time of a rescheduled booking', () => {
    expect(renderBookingMessage('booking_rescheduled', { ...view, previousStart: '2027-03-26T08:00:00.000Z' }, 'en').text).toContain('(was Friday, 26 March 2027 at 09:00 (CET))');
    expect(renderBookingMessage('booking_rescheduled', { ...view, previousStart: '2027-03-26T08:00:00.000Z' }, 'de').text).toContain('(bisher Freitag, 26. März 2027 um 09:00 Uhr (MEZ))');
  });

  it('lists every offer of a waiting-list message in order', () => {
    const m = renderWaitlistOfferMessage({
      customerName: 'Ada', serviceName: 'Haircut', branchName: 'Mitte', timezone: 'America/New_York',
      offers: [
        { start: '2027-11-07T14:00:00Z', end: '2027-11-07T14:45:00Z', staffName: 'Bo' },
        { start: '2027-11-08T14:00:00Z', end: '2027-11-08T14:45:00Z' },
      ],
    }, 'en');
    expect(m.text).toMatch(/1\. Sunday, 7 November 2027 at 09:00 \(GMT-5\) with Bo\n2\. Monday, 8 November 2027 at 09:00/);
    expect(m.html).toContain('<li>Sunday, 7 November 2027 at 09:00 (GMT-5) with Bo</li>');
  });

  it('titles the calendar entry in the language', () => {
    expect(calendarSummary(view, 'en')).toBe('Haircut with Anna');
    expect(calendarSummary(view, 'de')).toBe('Haircut bei Anna');
  });
});

describe('message time and price', () => {
  const luxon = (iso: string, zone: string, locale: string, fmt: string) => DateTime.fromISO(iso, { zone, locale }).toFormat(`${fmt} (ZZZZ)`);

  it.each([
    ['2027-03-28T00:30:00Z', 'Europe/Berlin'], ['2027-03-28T01:30:00Z', 'Europe/Berlin'], ['2027-10-31T00:30:00Z', 'Europe/Berlin'],
    ['2027-11-07T05:30:00Z', 'America/New_York'], ['2027-11-07T06:30:00Z', 'America/New_York'], ['2027-07-01T12:00:00Z', 'Asia/Kolkata'],
    ['2027-01-15T09:00:00Z', 'Australia/Lord_Howe'], ['2027-01-15T09:00:00Z', 'UTC'], ['2027-01-15T09:00:00Z', 'Etc/GMT-3'],
  ])('renders %s in %s as luxon does with ZZZZ, in both languages', (iso, zone) => {
    expect(formatWhen(iso, zone, 'en')).toBe(luxon(iso, zone, 'en-GB', "cccc, d LLLL yyyy 'at' HH:mm"));
    expect(formatWhen(iso, zone, 'de')).toBe(luxon(iso, zone, 'de-DE', "cccc, d. LLLL yyyy 'um' HH:mm 'Uhr'"));
    expect(formatWhen(iso, zone, 'de')).toBe(luxon(iso, zone, 'de-DE', "cccc, d. LLLL yyyy 'um' HH:mm 'Uhr'")); // cached zone-name format
  });

  it('names the zone by the instant, not by the first instant cached', () => {
    expect(formatWhen('2027-07-01T12:00:00Z', 'Europe/Berlin', 'en')).toMatch(/\(CEST\)$/);
    expect(formatWhen('2027-01-01T12:00:00Z', 'Europe/Berlin', 'en')).toMatch(/\(CET\)$/);
    expect(formatWhen('2027-07-01T12:00:00Z', 'Europe/Berlin', 'de')).toMatch(/\(MESZ\)$/);
    expect(formatWhen('2027-01-01T12:00:00Z', 'America/New_York', 'en')).toMatch(/\(GMT-5\)$/);
  });

  it('writes prices for the language', () => {
    expect(formatPrice('45.00', 'EUR', 'de')).toBe('45,00\u00a0€');
    expect(formatPrice('45.00', 'EUR', 'en')).toBe('€45.00');
    expect(formatPrice('1234.5', 'CHF', 'de')).toBe('1.234,50\u00a0CHF');
  });
});
