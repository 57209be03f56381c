/**
 * The notification activities over real parts: booking rows in PostgreSQL, nodemailer over SMTP
 * into the test SMTP sink, read back through the sink's HTTP API. Checks what the customer gets
 * (subject, text, the .ics invite parsed by node-ical with UID/SEQUENCE/METHOD/times) and what
 * the outbox keeps (one row per dedupeKey; a repeated key does not send again).
 */
import net from 'node:net';
import { createNotificationActivities, SEND_LEASE_MS, type NotificationActivities } from '../../activities/notification.activities';
import { newId } from '../../infra/db/ids';
import { createPrisma, type Db } from '../../infra/db/prisma';
import { createMailer, type Mailer } from '../../infra/notify/mailer';
import { verifyBookingToken } from '../../infra/self-service/tokens';
import { testEnv } from '../harness/env';
import { inbox, parseInvite, type SinkMessage } from '../harness/smtp-sink';
import { dropCompany, insertBooking, seedAvailabilityFixture, type AvailabilityFixture } from './availability.fixtures';
import { eventually } from './booking-http.helpers';

const env = testEnv();
let db: Db;
let mailer: Mailer;
let activities: NotificationActivities;
let fx: AvailabilityFixture;
let email: string;

const START = new Date('2027-03-01T09:00:00.000Z'); // Monday 10:00 Berlin
const MOVED = new Date('2027-03-02T13:00:00.000Z'); // Tuesday 14:00 Berlin

/** The single message with this subject prefix; the sink has it once the SMTP DATA was accepted. */
async function onlyMessage(prefix: string): Promise<SinkMessage> {
  const matching = (await inbox(email)).filter((m) => m.subject.startsWith(prefix));
  expect(matching).toHaveLength(1);
  return matching[0];
}

const key = (step: string) => `test-notify-${fx.companyId}:${step}`;

beforeAll(async () => {
  db = createPrisma(env.databaseUrl, { max: 3 });
  mailer = createMailer({ smtpUrl: env.smtpUrl, from: env.mailFrom });
  activities = createNotificationActivities({ db, mailer });
  fx = await seedAvailabilityFixture(db);
  email = `notify-${fx.customerId.toLowerCase()}@example.test`;
  // English texts are asserted below (the branch's default language is German).
  await db.customer.update({ where: { id: fx.customerId }, data: { email, language: 'en' } });
});

afterAll(async () => {
  mailer.close();
  if (fx) await dropCompany(db, fx.companyId);
  await db.$disconnect();
});

describe('booking notifications over SMTP', () => {
  let bookingId: string;
  beforeAll(async () => {
    bookingId = await insertBooking(db, fx, { staffId: fx.staff.anna, start: START, minutes: 60 });
  });

  it('sends the confirmation with a REQUEST invite (UID, SEQUENCE 0, times) and records it in the outbox', async () => {
    const outcome = await activities.sendBookingNotification({ bookingId, kind: 'booking_confirmed', dedupeKey: key('confirm') });
    expect(outcome.status).toBe('sent');

    const message = await onlyMessage('Confirmed:');
    expect(message.to).toEqual([email]);
    expect(message.subject).toContain('Haircut');
    expect(message.text).toContain('Carla');
    expect(message.text).toContain('10:00'); // rendered in the branch zone (Berlin, UTC+1)
    expect(message.text).toContain(bookingId);
    const { event, method } = parseInvite(message);
    expect(method).toBe('REQUEST');
    expect(event.uid).toBe(`${bookingId}@booking-backend`);
    expect(Number(event.sequence)).toBe(0);
    expect(new Date(event.start).toISOString()).toBe(START.toISOString());
    expect(new Date(event.end).toISOString()).toBe('2027-03-01T10:00:00.000Z');
    expect(event.status).toBe('CONFIRMED');
    expect(event.summary).toBe('Haircut with Anna');

    const row = await db.notification.findUnique({ where: { dedupeKey: key('confirm') } });
    expect(row).toMatchObject({
      id: outcome.notificationId,
      companyId: fx.companyId,
      bookingId,
      customerId: fx.customerId,
      kind: 'booking_confirmed',
      recipient: email,
      status: 'sent',
      attempts: 1,
      error: null,
    });
    expect(row!.sentAt).toBeInstanceOf(Date);
    expect(row!.subject).toBe(message.subject);
  });

  it('does not send again for a dedupeKey that was sent already', async () => {
    const again = await activities.sendBookingNotification({ bookingId, kind: 'booking_confirmed', dedupeKey: key('confirm') });
    expect(again.status).toBe('already_sent');
    await onlyMessage('Confirmed:'); // still exactly one
    expect(await db.notification.count({ where: { dedupeKey: key('confirm') } })).toBe(1);
  });

  it('sends the reschedule with the same UID, SEQUENCE raised and the new times', async () => {
    await db.booking.update({
      where: { id: bookingId },
      data: { startAt: MOVED, endAt: new Date(MOVED.getTime() + 3_600_000), blockedStart: MOVED, blockedEnd: new Date(MOVED.getTime() + 3_600_000), rescheduledCount: 1 },
    });
    const outcome = await activities.sendBookingNotification({
      bookingId, kind: 'booking_rescheduled', dedupeKey: key('reschedule-1'), previousStart: START.toISOString(),
    });
    expect(outcome.status).toBe('sent');

    const message = await onlyMessage('Rescheduled:');
    expect(message.text).toContain('14:00');
    expect(message.text).toMatch(/was .*10:00/);
    const { event, method } = parseInvite(message);
    expect(method).toBe('REQUEST');
    expect(event.uid).toBe(`${bookingId}@booking-backend`);
    expect(Number(event.sequence)).toBe(1);
    expect(new Date(event.start).toISOString()).toBe(MOVED.toISOString());
    expect(new Date(event.end).toISOString()).toBe('2027-03-02T14:00:00.000Z');
    expect(await db.notification.findUnique({ where: { dedupeKey: key('reschedule-1') } })).toMatchObject({ kind: 'booking_rescheduled', status: 'sent' });
  });

  it('sends the cancellation as METHOD:CANCEL, STATUS:CANCELLED, with a SEQUENCE above the last update', async () => {
    await db.booking.update({ where: { id: bookingId }, data: { status: 'cancelled', cancelledAt: new Date() } });
    const outcome = await activities.sendBookingNotification({
      bookingId, kind: 'booking_cancelled', dedupeKey: key('cancel'), reason: 'Staff member ill',
    });
    expect(outcome.status).toBe('sent');

    const message = await onlyMessage('Cancelled:');
    expect(message.text).toContain('Reason: Staff member ill');
    const { event, method } = parseInvite(message);
    expect(method).toBe('CANCEL');
    expect(event.uid).toBe(`${bookingId}@booking-backend`);
    expect(Number(event.sequence)).toBe(2);
    expect(event.status).toBe('CANCELLED');
    expect(new Date(event.start).toISOString()).toBe(MOVED.toISOString());
    expect(await db.notification.findUnique({ where: { dedupeKey: key('cancel') } })).toMatchObject({ kind: 'booking_cancelled', status: 'sent' });
  });

  it('sends the failure mail without an invite (nothing was booked)', async () => {
    const failedId = await insertBooking(db, fx, { staffId: fx.staff.ben, start: START, status: 'failed' });
    const outcome = await activities.sendBookingNotification({ bookingId: failedId, kind: 'booking_failed', dedupeKey: key('failed') });
    expect(outcome.status).toBe('sent');

    const message = await onlyMessage('We could not book');
    expect(message.text).toContain('the calendar did not accept it');
    expect(message.text).toContain(failedId);
    expect(message.attachments.filter((a) => a.filename === 'invite.ics' || /calendar/.test(a.contentType))).toEqual([]);
    expect(await db.notification.findUnique({ where: { dedupeKey: key('failed') } })).toMatchObject({
      bookingId: failedId, kind: 'booking_failed', status: 'sent', recipient: email,
    });
  });

  it('keeps one outbox row per dedupeKey: four keys, four rows, four mails', async () => {
    const rows = await db.notification.findMany({ where: { companyId: fx.companyId }, orderBy: { createdAt: 'asc' } });
    expect(rows.map((r) => r.dedupeKey).sort()).toEqual([key('cancel'), key('confirm'), key('failed'), key('reschedule-1')].sort());
    expect(rows.every((r) => r.status === 'sent')).toBe(true);
    expect(await inbox(email)).toHaveLength(4);
  });

  it('records a customer without an email address as skipped and sends nothing', async () => {
    const silentId = newId('cus');
    await db.customer.create({ data: { id: silentId, companyId: fx.companyId, name: 'No Mail' } });
    const silentBooking = newId('bkg');
    const start = new Date('2027-03-03T09:00:00.000Z');
    await db.booking.create({
      data: {
        id: silentBooking, companyId: fx.companyId, branchId: fx.branchId, serviceId: fx.serviceId, customerId: silentId,
        staffId: fx.staff.ben, startAt: start, endAt: new Date(start.getTime() + 3_600_000), blockedStart: start,
        blockedEnd: new Date(start.getTime() + 3_600_000), status: 'confirmed',
      },
    });
    const before = (await (await fetch(`${env.smtpSinkApiUrl}/messages`)).json()) as { data: unknown[] };
    const outcome = await activities.sendBookingNotification({ bookingId: silentBooking, kind: 'booking_confirmed', dedupeKey: key('silent') });
    expect(outcome.status).toBe('skipped');
    expect(await db.notification.findUnique({ where: { dedupeKey: key('silent') } })).toMatchObject({ status: 'skipped', recipient: null });
    const again = await activities.sendBookingNotification({ bookingId: silentBooking, kind: 'booking_confirmed', dedupeKey: key('silent') });
    expect(again.status).toBe('already_sent');
    const after = (await (await fetch(`${env.smtpSinkApiUrl}/messages`)).json()) as { data: Array<{ text: string }> };
    expect(after.data.filter((m) => m.text.includes(silentBooking))).toEqual([]);
    expect(after.data.length).toBeGreaterThanOrEqual(before.data.length);
  });

  it('fails retryably and keeps the outbox row pending when SMTP is unreachable, then sends once on retry', async () => {
    const down = createMailer({ smtpUrl: 'smtp://127.0.0.1:1', from: env.mailFrom });
    const broken = createNotificationActivities({ db, mailer: down });
    const retryId = await insertBooking(db, fx, { staffId: fx.staff.ben, start: new Date('2027-03-04T09:00:00.000Z') });
    const input = { bookingId: retryId, kind: 'booking_confirmed' as const, dedupeKey: key('retry') };
    await expect(broken.sendBookingNotification(input)).rejects.toMatchObject({ type: 'NotificationSendFailed', nonRetryable: false });
    down.close();
    const pending = await db.notification.findUnique({ where: { dedupeKey: key('retry') } });
    expect(pending).toMatchObject({ status: 'pending', attempts: 1 });
    expect(pending!.error).toBeTruthy();

    await expect(activities.sendBookingNotification(input)).resolves.toMatchObject({ status: 'sent', notificationId: pending!.id });
    expect(await db.notification.findUnique({ where: { dedupeKey: key('retry') } })).toMatchObject({ status: 'sent', attempts: 2, error: null });
    const mails = (await inbox(email)).filter((m) => m.text.includes(retryId));
    expect(mails).toHaveLength(1);
  });

  it('lets no overlapping attempt send while another holds the row, and frees the row when that attempt fails', async () => {
    // An SMTP server that accepts the connection and never greets: attempt 1 hangs in the send,
    // as a timed-out attempt Temporal has given up on while its process goes on.
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const stuck = createMailer({ smtpUrl: `smtp://127.0.0.1:${(silent.address() as net.AddressInfo).port}?greetingTimeout=1500`, from: env.mailFrom });
    try {
      const overlapId = await insertBooking(db, fx, { staffId: fx.staff.ben, start: new Date('2027-03-05T09:00:00.000Z') });
      const input = { bookingId: overlapId, kind: 'booking_confirmed' as const, dedupeKey: key('overlap') };
      const first = createNotificationActivities({ db, mailer: stuck }).sendBookingNotification(input);
      const firstOutcome = first.then(() => 'sent', (error: { type?: string }) => error.type);
      await eventually(async () => (sockets.length > 0 ? true : undefined), 5_000);

      const claim = await db.notification.findUniqueOrThrow({ where: { dedupeKey: key('overlap') } });
      expect(claim.status).toBe('pending');
      expect(claim.claimedUntil!.getTime()).toBeGreaterThan(Date.now() + SEND_LEASE_MS - 10_000);
      // The retry finds the claim: no mail, a retryable failure asking to come back after the lease.
      const overlapping = await activities.sendBookingNotification(input).catch((error: unknown) => error);
      expect(overlapping).toMatchObject({ type: 'NotificationInFlight', nonRetryable: false });
      expect((overlapping as { nextRetryDelay: number }).nextRetryDelay).toBeGreaterThan(SEND_LEASE_MS - 10_000);
      expect((await inbox(email)).filter((m) => m.text.includes(overlapId))).toHaveLength(0);

      // Attempt 1 gives up (no greeting): its failure releases the claim, and the next retry sends once.
      expect(await firstOutcome).toBe('NotificationSendFailed');
      expect(await db.notification.findUniqueOrThrow({ where: { dedupeKey: key('overlap') } })).toMatchObject({ status: 'pending', claimedUntil: null, attempts: 1 });
      await expect(activities.sendBookingNotification(input)).resolves.toMatchObject({ status: 'sent', notificationId: claim.id });
      await expect(activities.sendBookingNotification(input)).resolves.toMatchObject({ status: 'already_sent' });
      expect((await inbox(email)).filter((m) => m.text.includes(overlapId))).toHaveLength(1);
    } finally {
      stuck.close();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('takes over a row whose claim ran out (the attempt holding it died) and sends it once', async () => {
    const orphanId = await insertBooking(db, fx, { staffId: fx.staff.ben, start: new Date('2027-03-08T09:00:00.000Z') });
    const input = { bookingId: orphanId, kind: 'booking_confirmed' as const, dedupeKey: key('orphan') };
    await db.notification.create({
      data: {
        id: newId('ntf'), companyId: fx.companyId, bookingId: orphanId, customerId: fx.customerId, kind: 'booking_confirmed',
        recipient: email, subject: 'Confirmed', body: 'b', dedupeKey: key('orphan'), claimedUntil: new Date(Date.now() - 1_000),
      },
    });
    await expect(activities.sendBookingNotification(input)).resolves.toMatchObject({ status: 'sent' });
    expect(await db.notification.findUniqueOrThrow({ where: { dedupeKey: key('orphan') } })).toMatchObject({ status: 'sent', claimedUntil: null });
    expect((await inbox(email)).filter((m) => m.text.includes(orphanId))).toHaveLength(1);
  });
});

describe('links and channels', () => {
  it('links a review request with a token valid 30 days after the end, in a mail without an invite', async () => {
    const withLinks = createNotificationActivities({ db, mailer, selfService: { publicBaseUrl: 'https://book.example.test', selfServiceSecret: 'test-secret' } });
    const reviewedId = await insertBooking(db, fx, { staffId: fx.staff.anna, start: new Date('2027-03-09T09:00:00.000Z'), minutes: 60 });
    await expect(withLinks.sendBookingNotification({ bookingId: reviewedId, kind: 'review_request', dedupeKey: key('review') })).resolves.toMatchObject({ status: 'sent' });
    const [mail] = (await inbox(email)).filter((m) => m.text.includes(reviewedId));
    expect(mail.subject).toBe('How was your Haircut?');
    const token = /https:\/\/book\.example\.test\/b\/([\w-]+\.[\w-]+)/.exec(mail.text)?.[1];
    expect(verifyBookingToken(token!, 'test-secret', new Date())).toEqual({ bookingId: reviewedId, expiresAt: new Date(Date.parse('2027-03-09T10:00:00.000Z') + 30 * 86_400_000) });
    expect(mail.attachments.filter((a) => a.filename === 'invite.ics')).toEqual([]);
    expect(await db.notification.findUniqueOrThrow({ where: { dedupeKey: key('review') } })).toMatchObject({ kind: 'review_request', channel: 'email', ics: null });
  });

  it('records an SMS to a phone-only customer as skipped when no SMS provider is configured', async () => {
    const phoneOnly = newId('cus');
    await db.customer.create({ data: { id: phoneOnly, companyId: fx.companyId, name: 'Phone Only', phone: '+4930999888' } });
    const textedId = await insertBooking(db, fx, { staffId: fx.staff.ben, start: new Date('2027-03-09T12:00:00.000Z') });
    await db.booking.update({ where: { id: textedId }, data: { customerId: phoneOnly } });
    await expect(activities.sendBookingNotification({ bookingId: textedId, kind: 'booking_confirmed', dedupeKey: key('no-sms') })).resolves.toMatchObject({ status: 'skipped' });
    expect(await db.notification.findUniqueOrThrow({ where: { dedupeKey: key('no-sms') } })).toMatchObject({
      channel: 'sms', recipient: '+4930999888', status: 'skipped', error: 'no SMS provider configured', attempts: 0,
    });
  });
});
