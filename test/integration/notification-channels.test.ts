/**
 * Customer messages on the real stack (HTTP API, in-process worker, Temporal dev server,
 * PostgreSQL, SMTP sink and SMS sink read over HTTP): a confirmation in German and one in English
 * (subject, text and HTML parts, date written for the language in the branch zone, price, the
 * branch address escaped in HTML, the .ics invite, a self-service link whose token verifies), and
 * a phone-only customer confirmed and cancelled by SMS, listed with channel `sms`.
 */
import request from 'supertest';
import { newId } from '../../infra/db/ids';
import { verifyBookingToken } from '../../infra/self-service/tokens';
import { testEnv } from '../harness/env';
import { texts } from '../harness/sms-sink';
import { inbox, parseInvite, type SinkMessage } from '../harness/smtp-sink';
import { bookingBody, eventually, postBooking, startBookingStack, type BookingStack } from './booking-http.helpers';

jest.setTimeout(180_000);

const env = testEnv();
let stack: BookingStack;
const ADDRESS = 'Torstraße 1 & 2, 10119 Berlin';

async function customer(data: { language?: string; email?: string; phone?: string; name: string }): Promise<string> {
  const id = newId('cus');
  await stack.workerDb.customer.create({ data: { id, companyId: stack.company.id, ...data } });
  return id;
}

async function book(customerId: string, start: string, staff: 'anna' | 'ben'): Promise<{ id: string; end: string }> {
  const res = await postBooking(stack, bookingBody(stack.catalog, start, { customerId, staffId: stack.catalog.staff[staff] }));
  expect(res.status).toBe(201);
  expect(res.body.status).toBe('confirmed');
  return res.body as { id: string; end: string };
}

async function onlyMail(email: string): Promise<SinkMessage> {
  const mails = await eventually(async () => {
    const got = await inbox(email);
    return got.length > 0 ? got : undefined;
  });
  expect(mails).toHaveLength(1);
  return mails[0];
}

/** The token of the `PUBLIC_BASE_URL/b/<token>` link in `text`, which must verify for `bookingId` until the booking's end. */
function expectSelfServiceLink(text: string, bookingId: string, end: string): string {
  const link = new RegExp(`${env.publicBaseUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/b/([A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+)`).exec(text);
  expect(link).not.toBeNull();
  const claims = verifyBookingToken(link![1], env.selfServiceSecret, new Date());
  expect(claims).toEqual({ bookingId, expiresAt: new Date(end) });
  expect(verifyBookingToken(link![1], 'another-secret', new Date())).toBeUndefined();
  return link![0];
}

describe('customer messages by language and channel', () => {
  beforeAll(async () => {
    stack = await startBookingStack('channels');
    const patched = await request(stack.app).patch(`/v1/branches/${stack.catalog.branchId}`).set(stack.company.auth).send({ address: ADDRESS });
    expect(patched.status).toBe(200);
    expect(patched.body.address).toBe(ADDRESS);
    await stack.workerDb.service.update({ where: { id: stack.catalog.serviceId }, data: { price: '45.00' } });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('confirms in German and in English: text and HTML parts, local date, price, address, invite and a self-service link that verifies', async () => {
    const deEmail = `de-${newId('x').toLowerCase()}@example.test`;
    const enEmail = `en-${newId('x').toLowerCase()}@example.test`;
    const deCustomer = await customer({ name: 'Jürgen <Admin>', email: deEmail, language: 'de' });
    const enCustomer = await customer({ name: 'Emma', email: enEmail, language: 'en-GB' });
    const [deBooking, enBooking] = await Promise.all([
      book(deCustomer, '2027-02-02T09:00:00.000Z', 'anna'), // Tuesday 10:00 Berlin (CET)
      book(enCustomer, '2027-02-02T10:00:00.000Z', 'ben'), // 11:00 Berlin
    ]);

    const de = await onlyMail(deEmail);
    expect(de.subject).toBe('Bestätigt: Haircut am Dienstag, 2. Februar 2027 um 10:00 Uhr (MEZ)');
    expect(de.text).toContain('Hallo Jürgen <Admin>,');
    expect(de.text).toContain('Ihr Termin ist bestätigt: Haircut bei Anna in Mitte, Dienstag, 2. Februar 2027 um 10:00 Uhr (MEZ).');
    expect(de.text).toContain('Preis: 45,00\u00a0€');
    expect(de.text).toContain(`Wo: Mitte, ${ADDRESS}`);
    expect(de.text).toContain(`Buchungsnummer: ${deBooking.id}`);
    const deLink = expectSelfServiceLink(de.text, deBooking.id, deBooking.end);
    expect(de.text).toContain(`Termin ändern oder absagen: ${deLink}`);
    expect(de.html).toMatch(/<html lang="de">/);
    expect(de.html).toContain('Hallo Jürgen &lt;Admin&gt;,');
    expect(de.html).not.toContain('<Admin>');
    expect(de.html).toContain('Torstraße 1 &amp; 2, 10119 Berlin');
    expect(de.html).toContain('45,00\u00a0€');
    expect(de.html).toContain(`<a href="${deLink}"`);
    const deInvite = parseInvite(de);
    expect(deInvite.method).toBe('REQUEST');
    expect(deInvite.event.summary).toBe('Haircut bei Anna');
    expect(deInvite.event.location).toBe(`Mitte, ${ADDRESS}`);
    expect(new Date(deInvite.event.start).toISOString()).toBe('2027-02-02T09:00:00.000Z');

    const en = await onlyMail(enEmail);
    expect(en.subject).toBe('Confirmed: Haircut on Tuesday, 2 February 2027 at 11:00 (CET)');
    expect(en.text).toContain('Hello Emma,\n\nyour appointment is confirmed: Haircut with Ben at Mitte, Tuesday, 2 February 2027 at 11:00 (CET).');
    expect(en.text).toContain('Price: €45.00');
    expect(en.text).toContain(`Where: Mitte, ${ADDRESS}`);
    const enLink = expectSelfServiceLink(en.text, enBooking.id, enBooking.end);
    expect(en.text).toContain(`Change or cancel your appointment: ${enLink}`);
    expect(en.html).toMatch(/<html lang="en">/);
    expect(en.html).toContain('€45.00');
    expect(en.html).toContain(`<a href="${enLink}"`);
    expect(parseInvite(en).event.summary).toBe('Haircut with Ben');
    expect(deLink).not.toBe(enLink);
  });

  it('confirms and cancels a phone-only customer by SMS in the branch default language, listed with channel sms', async () => {
    const phone = `+4930${String(Date.now()).slice(-7)}`;
    const id = await customer({ name: 'Paul', phone });
    const booking = await book(id, '2027-02-03T12:00:00.000Z', 'anna'); // Wednesday 13:00 Berlin
    const confirmation = await eventually(async () => {
      const got = await texts(phone);
      return got.length > 0 ? got : undefined;
    });
    expect(confirmation).toHaveLength(1);
    expect(confirmation[0].to).toBe(phone);
    expect(confirmation[0].body).toMatch(/^Mitte: Ihr Termin Haircut am Mi, 3\. Feb 2027, 13:00 ist bestätigt\. Ändern oder absagen: /);
    expectSelfServiceLink(confirmation[0].body, booking.id, booking.end);

    const cancelled = await request(stack.app).post(`/v1/bookings/${booking.id}/cancel`).set(stack.company.auth).send({ reason: 'Illness' });
    expect(cancelled.status).toBe(200);
    const both = await eventually(async () => {
      const got = await texts(phone);
      return got.length > 1 ? got : undefined;
    });
    expect(both).toHaveLength(2);
    expect(both[1].body).toBe('Mitte: Ihr Termin Haircut am Mi, 3. Feb 2027, 13:00 wurde abgesagt.');

    const notes = await request(stack.app).get(`/v1/bookings/${booking.id}/notifications`).set(stack.company.auth);
    expect(notes.status).toBe(200);
    expect(notes.body.data).toEqual([
      { kind: 'confirmation', channel: 'sms', to: phone, status: 'sent', sentAt: expect.any(String) },
      { kind: 'cancelled', channel: 'sms', to: phone, status: 'sent', sentAt: expect.any(String) },
    ]);
    const rows = await stack.workerDb.notification.findMany({ where: { bookingId: booking.id } });
    expect(rows.every((r) => r.html === null && r.ics === null)).toBe(true);
  });
});
