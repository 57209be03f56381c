/**
 * The booking saga end to end on real parts sends the customer's mails: an in-process Worker
 * (test/harness/in-process-worker.ts) running bookAppointmentWorkflow with createActivities over
 * PostgreSQL, Redis (availability cache), a private Cal.com emulator over HTTP and nodemailer into
 * the test SMTP sink, on the shared Temporal dev server. A confirmed booking mails a confirmation with a parseable .ics for
 * the booked time; a booking the calendar refuses mails the failure notice, without an invite.
 */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { CalcomEmulator } from '../../infra/calcom/emulator/emulator.server';
import { newId } from '../../infra/db/ids';
import { createPrisma, type Db } from '../../infra/db/prisma';
import { bookingWorkflowId, type BookAppointmentInput } from '../../workflows/book-appointment.contract';
import type { bookAppointmentWorkflow } from '../../workflows/book-appointment.workflow';
import { testEnv } from '../harness/env';
import { inbox, parseInvite } from '../harness/smtp-sink';
import { startInProcessWorker, type InProcessWorker } from '../harness/in-process-worker';
import { getTestEnv } from '../harness/temporal';
import { linkCalendar } from '../harness/calendar-link';
import { dropCompany, seedAvailabilityFixture, type AvailabilityFixture } from './availability.fixtures';

const env = testEnv();
const taskQueue = `booking-emails-${randomUUID()}`;

let temporal: TestWorkflowEnvironment;
let db: Db;
let emulator: CalcomEmulator;
let worker: InProcessWorker | undefined;
let fx: AvailabilityFixture;
let email: string;

function book(start: string) {
  const bookingId = newId('bkg');
  const input: BookAppointmentInput = {
    bookingId, companyId: fx.companyId, branchId: fx.branchId, serviceId: fx.serviceId, customerId: fx.customerId,
    staffId: fx.staff.anna, start, source: 'api',
  };
  return temporal.client.workflow
    .execute<typeof bookAppointmentWorkflow>('bookAppointmentWorkflow', { taskQueue, workflowId: bookingWorkflowId(bookingId), args: [input] })
    .then((result) => ({ bookingId, result }));
}

// Inside a describe, so this afterAll runs before the harness's top-level one closes the connection.
describe('booking saga notifications', () => {
  beforeAll(async () => {
    temporal = await getTestEnv();
    db = createPrisma(env.databaseUrl, { max: 5 });
    fx = await seedAvailabilityFixture(db);
    email = `saga-${fx.customerId.toLowerCase()}@example.test`;
    await db.customer.update({ where: { id: fx.customerId }, data: { email, name: 'Carla Saga', language: 'en' } });
    worker = await startInProcessWorker(db, taskQueue);
    emulator = worker.emulator;
    await linkCalendar(db, { companyId: fx.companyId, branchId: fx.branchId, emulatorUrl: emulator.url, staffIds: [fx.staff.anna, fx.staff.ben], serviceIds: [fx.serviceId] });
  });

  afterAll(async () => {
    await worker?.close();
    if (fx) await dropCompany(db, fx.companyId);
    await db?.$disconnect();
  });

  it('a confirmed booking mails the customer a confirmation with a parseable .ics for the booked time', async () => {
    const start = '2027-02-01T09:00:00.000Z'; // Monday 10:00 Berlin, Anna works 09-13
    const { bookingId, result } = await book(start);
    expect(result).toMatchObject({ kind: 'confirmed', bookingId, staffId: fx.staff.anna, start, end: '2027-02-01T10:00:00.000Z' });

    const row = await db.booking.findUniqueOrThrow({ where: { id: bookingId } });
    expect(row.status).toBe('confirmed');
    expect(emulator.state.allBookings().map((b) => b.uid)).toContain(row.calendarExternalId);

    const mails = (await inbox(email)).filter((m) => m.text.includes(bookingId));
    expect(mails).toHaveLength(1);
    const [mail] = mails;
    expect(mail.to).toEqual([email]);
    expect(mail.subject).toMatch(/^Confirmed: Haircut on Monday, 1 February 2027 at 10:00/);
    expect(mail.text).toContain('Hello Carla Saga');
    const { event, method } = parseInvite(mail);
    expect(event.uid).toBe(`${bookingId}@booking-backend`);
    expect(Number(event.sequence)).toBe(0);
    expect(new Date(event.start).toISOString()).toBe(start);
    expect(new Date(event.end).toISOString()).toBe('2027-02-01T10:00:00.000Z');
    expect(method).toBe('REQUEST');

    const outbox = await db.notification.findMany({ where: { bookingId } });
    expect(outbox).toEqual([expect.objectContaining({ kind: 'booking_confirmed', status: 'sent', recipient: email, dedupeKey: `${bookingWorkflowId(bookingId)}:notify-confirmed` })]);
  });

  it('a booking the calendar refuses mails the failure notice without an invite', async () => {
    const refuse = await fetch(`${emulator.url}/__control/faults`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ mode: 'error', status: 400, operations: ['create'] }),
    });
    expect(refuse.status).toBe(200);
    try {
      const { bookingId, result } = await book('2027-02-01T11:00:00.000Z');
      expect(result).toMatchObject({ kind: 'calendar_failed', bookingId });
      expect(await db.booking.findUniqueOrThrow({ where: { id: bookingId } })).toMatchObject({ status: 'failed', failureReason: 'calendar_sync_failed' });

      const mails = (await inbox(email)).filter((m) => m.text.includes(bookingId));
      expect(mails).toHaveLength(1);
      expect(mails[0].subject).toMatch(/^We could not book Haircut/);
      expect(mails[0].attachments.filter((a) => /calendar/.test(a.contentType))).toEqual([]);
      expect(await db.notification.findMany({ where: { bookingId } })).toEqual([
        expect.objectContaining({ kind: 'booking_failed', status: 'sent', dedupeKey: `${bookingWorkflowId(bookingId)}:notify-failed` }),
      ]);
    } finally {
      await fetch(`${emulator.url}/__control/reset`, { method: 'POST' });
    }
  });
});
