import { DateTime } from 'luxon';
import { formatMailTime, renderBookingMail, renderWaitlistOfferMail } from './notification-templates';

const view = {
  bookingId: 'bkg_1', customerName: 'Ada', serviceName: 'Haircut', staffName: 'Anna', branchName: 'Mitte',
  timezone: 'Europe/Berlin', start: '2027-03-29T07:00:00.000Z', end: '2027-03-29T07:45:00.000Z',
};

describe('booking mail texts', () => {
  it.each([
    ['booking_confirmed', /^Confirmed: Haircut on Monday, 29 March 2027 at 09:00/],
    ['booking_rescheduled', /^Rescheduled: Haircut on Monday, 29 March 2027 at 09:00/],
    ['booking_cancelled', /^Cancelled: Haircut/],
    ['booking_failed', /^We could not book Haircut/],
  ] as const)('%s renders local time in the branch zone after the DST change', (kind, subject) => {
    const mail = renderBookingMail(kind, view);
    expect(mail.subject).toMatch(subject);
    expect(mail.text).toContain('bkg_1');
  });

  it('names the previous time of a rescheduled booking', () => {
    const mail = renderBookingMail('booking_rescheduled', { ...view, previousStart: '2027-03-26T08:00:00.000Z' });
    expect(mail.text).toContain('was Friday, 26 March 2027 at 09:00');
  });

  it('lists every offer of a waiting-list mail in order', () => {
    const mail = renderWaitlistOfferMail({
      customerName: 'Ada', serviceName: 'Haircut', branchName: 'Mitte', timezone: 'America/New_York',
      offers: [
        { start: '2027-11-07T14:00:00Z', end: '2027-11-07T14:45:00Z', staffName: 'Bo' },
        { start: '2027-11-08T14:00:00Z', end: '2027-11-08T14:45:00Z' },
      ],
    });
    expect(mail.text).toMatch(/1\. Sunday, 7 November 2027 at 09:00.* with Bo\n2\. Monday, 8 November 2027 at 09:00/);
  });
});

describe('mail time', () => {
  const luxon = (iso: string, zone: string) => DateTime.fromISO(iso, { zone }).toFormat("cccc, d LLLL yyyy 'at' HH:mm (ZZZZ)");

  it.each([
    ['2027-03-28T00:30:00Z', 'Europe/Berlin'], ['2027-03-28T01:30:00Z', 'Europe/Berlin'], ['2027-10-31T00:30:00Z', 'Europe/Berlin'],
    ['2027-11-07T05:30:00Z', 'America/New_York'], ['2027-11-07T06:30:00Z', 'America/New_York'], ['2027-07-01T12:00:00Z', 'Asia/Kolkata'],
    ['2027-01-15T09:00:00Z', 'Australia/Lord_Howe'], ['2027-01-15T09:00:00Z', 'UTC'], ['2027-01-15T09:00:00Z', 'Etc/GMT-3'],
    ['2027-01-15T09:00:00Z', 'UTC+5'], ['2027-01-15T09:00:00Z', 'Not/AZone'], ['not a date', 'Europe/Berlin'],
  ])('renders %s in %s exactly as luxon ZZZZ does', (iso, zone) => {
    expect(formatMailTime(iso, zone)).toBe(luxon(iso, zone));
    expect(formatMailTime(iso, zone)).toBe(luxon(iso, zone)); // the cached zone-name format answers the same
  });

  it('names the zone by the instant, not by the first instant cached', () => {
    expect(formatMailTime('2027-07-01T12:00:00Z', 'America/New_York')).toMatch(/\(EDT\)$/);
    expect(formatMailTime('2027-01-01T12:00:00Z', 'America/New_York')).toMatch(/\(EST\)$/);
  });
});
