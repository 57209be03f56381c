/**
 * The outbox guarantees for SMS and for whole mails (issue 15): an SMS confirmation to a
 * phone-only customer whose sends fail while the SMS provider is down stays `pending` (channel
 * `sms`), and the notification relay (the real relay workflow on the suite's Temporal dev server)
 * sends it once the provider (the SMS sink on the same port) is back, exactly once; a provider's
 * permanent refusal (400, invalid number) marks the row `failed` at once and the relay leaves it;
 * a mail the relay resends keeps its HTML part and calendar invite.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MockActivityEnvironment } from '@temporalio/testing';

import { createNotificationActivities } from '../../activities/notification.activities';
import { createNotificationRelayActivities } from '../../activities/notification-relay.activities';
import { createPrisma, type Db } from '../../infra/db/prisma';
import { newId } from '../../infra/db/ids';
import { createMailer } from '../../infra/notify/mailer';
import { createSmsSender } from '../../infra/notify/sms';
import { startSmsSink, type SmsSink } from '../../infra/notify/sms-sink';
import { NO_TRACING_SINKS } from '../../worker/booking-worker';
import { NOTIFICATION_RELAY_WORKFLOW, type NotificationRelayResult } from '../../workflows/notification-relay.contract';
import { testEnv } from '../harness/env';
import { inbox, parseInvite } from '../harness/smtp-sink';
import { bundleOnce, createTestWorker, getTestEnv, testDataConverter } from '../harness/temporal';
import { dropCompany, insertBooking, seedAvailabilityFixture, type AvailabilityFixture } from './availability.fixtures';

jest.setTimeout(120_000);

const env = testEnv();
let db: Db;
let fx: AvailabilityFixture;
const mailer = createMailer({ smtpUrl: env.smtpUrl, from: env.mailFrom });
const sender = (url: string) => createSmsSender({ url, accountSid: env.smsAccountSid, authToken: env.smsAuthToken, from: env.smsFrom });
const quick = { minAgeMs: 0, baseBackoffMs: 0, maxBackoffMs: 200 };

beforeAll(async () => {
  db = createPrisma(env.databaseUrl, { max: 4 });
  fx = await seedAvailabilityFixture(db);
});
afterAll(async () => {
  mailer.close();
  if (fx) await dropCompany(db, fx.companyId);
  await db.$disconnect();
});

/** One pass of the real relay workflow on a worker with these relay activities. */
async function relayPass(activities: ReturnType<typeof createNotificationRelayActivities>): Promise<NotificationRelayResult> {
  const { client, nativeConnection } = await getTestEnv();
  const taskQueue = `relay-sms-${newId('q')}`;
  const worker = await createTestWorker({ connection: nativeConnection, taskQueue, workflowBundle: await bundleOnce(), dataConverter: testDataConverter(), sinks: NO_TRACING_SINKS, activities });
  return worker.runUntil(client.workflow.execute(NOTIFICATION_RELAY_WORKFLOW, { taskQueue, workflowId: `relay-sms-${newId('wf')}`, args: [{}] }));
}

async function phoneOnlyBooking(phone: string, start: string): Promise<string> {
  const customerId = newId('cus');
  await db.customer.create({ data: { id: customerId, companyId: fx.companyId, name: 'Paula', phone, language: 'en' } });
  const bookingId = await insertBooking(db, fx, { staffId: fx.staff.anna, start: new Date(start) });
  await db.booking.update({ where: { id: bookingId }, data: { customerId } });
  return bookingId;
}

test('an SMS that failed while the provider was down is sent by the relay once it is back, exactly once', async () => {
  const phone = `+4930${String(Date.now()).slice(-7)}`;
  const bookingId = await phoneOnlyBooking(phone, '2027-01-13T09:00:00Z');
  // Reserve a port for the SMS sink, then take it down: the outage starts now.
  let sink: SmsSink = await startSmsSink();
  const url = sink.url;
  await sink.close();

  const dedupeKey = `relay-sms:${bookingId}:notify-confirmed`;
  const notifications = createNotificationActivities({ db, mailer, sms: sender(url) });
  await expect(new MockActivityEnvironment().run(notifications.sendBookingNotification, { bookingId, kind: 'booking_confirmed' as const, dedupeKey }))
    .rejects.toThrow(/SMS to customer failed/);
  expect(await db.notification.findUniqueOrThrow({ where: { dedupeKey } })).toMatchObject({ channel: 'sms', recipient: phone, status: 'pending', attempts: 1, claimedUntil: null });

  const relay = createNotificationRelayActivities({ db, mailer, sms: sender(url), timing: quick, companyIds: [fx.companyId] });
  await relayPass(relay);
  const during = await db.notification.findUniqueOrThrow({ where: { dedupeKey } });
  expect(during).toMatchObject({ status: 'pending', attempts: 2 });
  expect(during.error).toMatch(/ECONNREFUSED|connect/i);

  sink = await startSmsSink({ port: Number(new URL(url).port) });
  try {
    await new Promise((r) => setTimeout(r, 300)); // past the (shortened) backoff
    await relayPass(relay);
    const row = await db.notification.findUniqueOrThrow({ where: { dedupeKey } });
    expect(row).toMatchObject({ status: 'sent', attempts: 3, error: null });
    await relayPass(relay); // another pass sends nothing again
    const received = sink.messages().filter((m) => m.to === phone);
    expect(received).toHaveLength(1);
    expect(received[0].body).toBe(row.body);
    expect(received[0].body).toMatch(/^Mitte: your appointment Haircut on Wed 13 Jan 2027, 10:00 is confirmed\./);
    // A retry of the saga's step finds the row sent: no second SMS.
    expect(await notifications.sendBookingNotification({ bookingId, kind: 'booking_confirmed', dedupeKey })).toMatchObject({ status: 'already_sent' });
    expect(sink.messages().filter((m) => m.to === phone)).toHaveLength(1);
  } finally {
    await sink.close();
  }
});

test('a relay without an SMS provider leaves SMS rows alone (it neither spends their attempts nor records its own error)', async () => {
  const phone = `+4930${String(Date.now() + 1).slice(-7)}`;
  const bookingId = await phoneOnlyBooking(phone, '2027-01-13T10:00:00Z');
  const down = await startSmsSink();
  const url = down.url;
  await down.close();
  const dedupeKey = `relay-sms:${bookingId}:no-provider`;
  const notifications = createNotificationActivities({ db, mailer, sms: sender(url) });
  await expect(new MockActivityEnvironment().run(notifications.sendBookingNotification, { bookingId, kind: 'booking_confirmed' as const, dedupeKey }))
    .rejects.toThrow(/SMS to customer failed/);
  const before = await db.notification.findUniqueOrThrow({ where: { dedupeKey } });
  const result = await createNotificationRelayActivities({ db, mailer, timing: quick, companyIds: [fx.companyId] }).relayPendingNotifications({});
  expect(result.retryLater).toBe(0);
  const after = await db.notification.findUniqueOrThrow({ where: { dedupeKey } });
  expect(after).toMatchObject({ status: 'pending', attempts: before.attempts, error: before.error });
  expect(after.error).not.toMatch(/no SMS provider/);
  await db.notification.delete({ where: { dedupeKey } }); // the next test's relay has a provider
});

test('a permanent refusal by the SMS provider marks the row failed at once; the relay leaves it', async () => {
  const phone = '+4930000000';
  const bookingId = await phoneOnlyBooking(phone, '2027-01-13T11:00:00Z');
  let calls = 0;
  const refusing = http.createServer((req, res) => {
    calls += 1;
    req.resume();
    res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 21211, message: "Invalid 'To' Phone Number", status: 400 }));
  });
  await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(refusing.address() as AddressInfo).port}`;
  try {
    const dedupeKey = `relay-sms:${bookingId}:refused`;
    const notifications = createNotificationActivities({ db, mailer, sms: sender(url) });
    const failure = await new MockActivityEnvironment().run(notifications.sendBookingNotification, { bookingId, kind: 'booking_confirmed' as const, dedupeKey }).catch((e: unknown) => e);
    expect(failure).toMatchObject({ type: 'NotificationRejected', nonRetryable: true });
    expect(await db.notification.findUniqueOrThrow({ where: { dedupeKey } })).toMatchObject({ status: 'failed', attempts: 1, error: expect.stringContaining('400') });
    await relayPass(createNotificationRelayActivities({ db, mailer, sms: sender(url), timing: quick, companyIds: [fx.companyId] }));
    expect(calls).toBe(1);
    expect(await db.notification.findUniqueOrThrow({ where: { dedupeKey } })).toMatchObject({ status: 'failed', attempts: 1 });
  } finally {
    await new Promise<void>((resolve) => refusing.close(() => resolve()));
  }
});

test('a mail the relay resends keeps its HTML part and calendar invite', async () => {
  const email = `relay-html-${newId('x').toLowerCase()}@example.test`;
  const customerId = newId('cus');
  await db.customer.create({ data: { id: customerId, companyId: fx.companyId, name: 'Hanna', email, language: 'de' } });
  const bookingId = await insertBooking(db, fx, { staffId: fx.staff.ben, start: new Date('2027-01-13T13:00:00Z') });
  await db.booking.update({ where: { id: bookingId }, data: { customerId } });
  const down = createMailer({ smtpUrl: 'smtp://127.0.0.1:1', from: env.mailFrom });
  const dedupeKey = `relay-html:${bookingId}:notify-confirmed`;
  try {
    const notifications = createNotificationActivities({ db, mailer: down });
    await expect(new MockActivityEnvironment().run(notifications.sendBookingNotification, { bookingId, kind: 'booking_confirmed' as const, dedupeKey }))
      .rejects.toThrow(/email to customer failed/);
  } finally {
    down.close();
  }
  await relayPass(createNotificationRelayActivities({ db, mailer, timing: quick, companyIds: [fx.companyId] }));
  expect(await db.notification.findUniqueOrThrow({ where: { dedupeKey } })).toMatchObject({ status: 'sent', channel: 'email' });
  const mails = await inbox(email);
  expect(mails).toHaveLength(1);
  expect(mails[0].subject).toBe('Bestätigt: Haircut am Mittwoch, 13. Januar 2027 um 14:00 Uhr (MEZ)');
  expect(mails[0].html).toContain('<html lang="de">');
  expect(parseInvite(mails[0]).method).toBe('REQUEST');
});
