/**
 * Mail is never lost (issue 12): a booking confirmation whose sends fail during a 2-minute SMTP
 * outage (a real SMTP sink, stopped, then started again on the same port) is sent by the
 * notification relay once the server is back: the real relay workflow, started every 10 s by a
 * real Temporal Schedule on the suite's dev server (the production schedule runs every minute;
 * the relay's backoff is shortened here), exactly one mail. A notification still pending after
 * 72 hours is marked `failed` with its last error.
 */
import { MockActivityEnvironment } from '@temporalio/testing';

import { createNotificationActivities } from '../../activities/notification.activities';
import { createNotificationRelayActivities } from '../../activities/notification-relay.activities';
import { loadConfig } from '../../infra/config';
import { createPrisma, type Db } from '../../infra/db/prisma';
import { newId } from '../../infra/db/ids';
import { createMailer } from '../../infra/notify/mailer';
import { startSmtpSink, type SmtpSink } from '../../infra/notify/smtp-sink';
import { ensureSchedule } from '../../infra/temporal/schedules';
import { notificationRelaySchedule } from '../../worker/notification-relay-schedule';
import { bundleOnce, createTestWorker, getTestEnv, testDataConverter } from '../harness/temporal';
import { dropCompany, insertBooking, seedAvailabilityFixture, type AvailabilityFixture } from './availability.fixtures';

jest.setTimeout(300_000);

let db: Db;
let fx: AvailabilityFixture;

beforeAll(async () => {
  db = createPrisma(loadConfig().databaseUrl, { max: 4 });
  fx = await seedAvailabilityFixture(db);
});
afterAll(async () => {
  if (fx) await dropCompany(db, fx.companyId);
  await db.$disconnect();
});

test('a confirmation that failed during a 2-minute SMTP outage is sent once the server is back, exactly once', async () => {
  const email = `relay-${newId('x')}@example.test`;
  await db.customer.update({ where: { id: fx.customerId }, data: { email } });
  const bookingId = await insertBooking(db, fx, { staffId: fx.staff.anna, start: new Date('2027-01-12T09:00:00Z') });

  // Reserve a port for the sink, then take the server down: the outage starts now.
  let sink: SmtpSink | undefined = await startSmtpSink();
  const port = Number(new URL(sink.smtpUrl).port);
  await sink.close();
  const outageStarted = Date.now();
  const mailer = createMailer({ smtpUrl: `smtp://127.0.0.1:${port}`, from: 'Bookings <bookings@example.test>' });

  const notifications = createNotificationActivities({ db, mailer });
  const dedupeKey = `relay-test:${bookingId}:notify-confirmed`;
  await expect(new MockActivityEnvironment().run(notifications.sendBookingNotification, { bookingId, kind: 'booking_confirmed' as const, dedupeKey }))
    .rejects.toThrow(/email to customer failed/);
  expect(await db.notification.findUniqueOrThrow({ where: { dedupeKey } })).toMatchObject({ status: 'pending', attempts: 1, claimedUntil: null });

  const { client } = await getTestEnv();
  const taskQueue = `notification-relay-${newId('q')}`;
  const scheduleId = `notification-relay-${taskQueue}`;
  const relay = createNotificationRelayActivities({ db, mailer, timing: { minAgeMs: 0, baseBackoffMs: 10_000 }, companyIds: [fx.companyId] });
  const worker = await createTestWorker({ connection: (await getTestEnv()).nativeConnection, taskQueue, workflowBundle: await bundleOnce(), dataConverter: testDataConverter(), activities: relay });
  await ensureSchedule(client, notificationRelaySchedule(taskQueue, scheduleId, '10 seconds'));
  try {
    await worker.runUntil(async () => {
      // During the outage the relay keeps trying (attempts grow) and the row stays pending.
      while (Date.now() - outageStarted < 120_000) await new Promise((r) => setTimeout(r, 5_000));
      const during = await db.notification.findUniqueOrThrow({ where: { dedupeKey } });
      expect(during.status).toBe('pending');
      expect(during.attempts).toBeGreaterThanOrEqual(3);
      expect(during.error).toMatch(/ECONNREFUSED|connect/i);

      sink = await startSmtpSink({ port });
      const deadline = Date.now() + 90_000;
      while ((await db.notification.findUniqueOrThrow({ where: { dedupeKey } })).status !== 'sent') {
        if (Date.now() > deadline) throw new Error('the relay did not send the mail after the outage');
        await new Promise((r) => setTimeout(r, 1_000));
      }
      // A few more relay passes: nothing is sent twice.
      await new Promise((r) => setTimeout(r, 21_000));
    });
  } finally {
    await client.schedule.getHandle(scheduleId).delete().catch(() => undefined);
    mailer.close();
  }
  const received = (await sink!.messages()).filter((m) => m.to.includes(email));
  await sink!.close();
  expect(received).toHaveLength(1);
  expect(received[0].subject).toBe((await db.notification.findUniqueOrThrow({ where: { dedupeKey } })).subject);
});

test('a notification still pending after 72 hours is marked failed with its last error, and not sent', async () => {
  const id = newId('ntf');
  await db.notification.create({
    data: {
      id, companyId: fx.companyId, customerId: fx.customerId, kind: 'booking_confirmed', recipient: 'late@example.test', subject: 's', body: 'b',
      dedupeKey: `relay-old-${id}`, attempts: 40, error: 'connect ECONNREFUSED', createdAt: new Date(Date.now() - 73 * 3_600_000),
    },
  });
  const sent: string[] = [];
  const relay = createNotificationRelayActivities({ db, mailer: { send: async (m) => (sent.push(m.to), { messageId: 'x' }), close: () => undefined }, companyIds: [fx.companyId] });
  const result = await relay.relayPendingNotifications({});
  expect(result.failed).toBeGreaterThanOrEqual(1);
  expect(await db.notification.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'failed', error: 'not sent within 72 hours: connect ECONNREFUSED' });
  expect(sent).not.toContain('late@example.test');
});
