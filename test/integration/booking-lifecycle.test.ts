/**
 * The booking lifecycle on the real stack (HTTP API, in-process worker, Temporal dev server,
 * PostgreSQL, SMTP and SMS sinks read over HTTP) with minute-scale settings: a branch open around
 * the clock in UTC, a one-minute reminder by email and SMS, a one-minute service and no
 * completion grace. A reminder arrives at start - 1 min (never earlier), on each channel the
 * customer has (a phone-only customer by SMS), exactly one per channel after a reschedule, none
 * after a cancel; completion by the lifecycle's timer and by `POST /complete`; the notification
 * list.
 */
import request from 'supertest';
import { newId } from '../../infra/db/ids';
import { lifecycleWorkflowId } from '../../workflows/booking-lifecycle.contract';
import { getTestEnv } from '../harness/temporal';
import { texts } from '../harness/sms-sink';
import { inbox } from '../harness/smtp-sink';
import { bookingBody, eventually, postBooking, startBookingStack, type BookingStack } from './booking-http.helpers';

jest.setTimeout(480_000);

let stack: BookingStack;
let quickService: string;
const MIN = 60_000;
const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

let phones = 0;
/** A customer with an email address, with a phone too (`withPhone`), or with a phone only (`phoneOnly`). */
async function customer(label: string, contact: 'email' | 'withPhone' | 'phoneOnly' = 'email'): Promise<{ id: string; email: string; phone: string }> {
  const id = newId('cus');
  const email = `${label}-${id.toLowerCase()}@example.test`;
  const phone = `+4930${String(Date.now() % 1e6).padStart(6, '0')}${(phones += 1)}`;
  await stack.workerDb.customer.create({
    data: { id, companyId: stack.company.id, name: `Cust ${label}`, email: contact === 'phoneOnly' ? null : email, phone: contact === 'email' ? null : phone, language: 'en' },
  });
  return { id, email, phone };
}

async function bookAt(start: Date, who: { id: string }, staff: 'anna' | 'ben') {
  const res = await postBooking(stack, bookingBody(stack.catalog, start.toISOString(), { serviceId: quickService, customerId: who.id, staffId: stack.catalog.staff[staff] }));
  expect(res.status).toBe(201);
  return res.body as { id: string; start: string };
}

const reminders = async (email: string) => (await inbox(email)).filter((m) => m.subject.startsWith('Reminder:'));
const smsReminders = async (phone: string) => (await texts(phone)).filter((m) => m.body.includes(': reminder of your appointment'));

describe('booking lifecycle on the real stack', () => {
  beforeAll(async () => {
    stack = await startBookingStack('lifecycle');
    const allDay = Object.fromEntries(DAYS.map((d) => [d, { open: true, start: '00:00', end: '23:59' }]));
    await stack.workerDb.branch.update({
      where: { id: stack.catalog.branchId },
      data: { timezone: 'UTC', operatingHours: allDay },
    });
    // Settings through the API, as a manager would.
    const patched = await request(stack.app).patch(`/v1/branches/${stack.catalog.branchId}`).set(stack.company.auth).send({
      rules: { slotIntervalMinutes: 1, minimumNoticeMinutes: 0, completionGraceMinutes: 0 },
      notifications: { reminders: [{ minutesBefore: 1, channels: ['email', 'sms'] }] },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.rules).toMatchObject({ completionGraceMinutes: 0, cancellationCutoffHours: 24, maxReschedules: 3 });
    expect(patched.body.notifications).toEqual({ reminders: [{ minutesBefore: 1, channels: ['email', 'sms'] }], defaultLanguage: 'de' });
    const hours = Object.fromEntries(DAYS.map((d) => [d, [{ start: '00:00', end: '23:59' }]]));
    await stack.workerDb.staff.updateMany({ where: { companyId: stack.company.id }, data: { workingHours: hours } });
    quickService = newId('svc');
    // Linked to the company's Cal.com account like the stack's own service.
    const { calcomEventTypeId } = await stack.workerDb.service.findUniqueOrThrow({ where: { id: stack.catalog.serviceId } });
    await stack.workerDb.service.create({
      data: { id: quickService, companyId: stack.company.id, branchId: stack.catalog.branchId, name: 'Quick check', durationMinutes: 1, requiredSkills: ['cut'], calcomEventTypeId },
    });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('reminds at start - 1 min on the customer\'s channels, once after a reschedule, never after a cancel, and completes at the end', async () => {
    const [plain, moved, cancelled, texted] = await Promise.all([customer('plain'), customer('moved', 'withPhone'), customer('cancelled'), customer('texted', 'phoneOnly')]);
    // A minute boundary 1.5-2.5 min ahead: every reminder moment below (base - 1 min and later)
    // is at least 30 s after the bookings and the move are made.
    const base = Math.ceil((Date.now() + 90_000) / MIN) * MIN;
    const start = new Date(base);
    const movedTo = new Date(base + MIN); // its old reminder's moment (base - 1 min) comes first
    const a = await bookAt(start, plain, 'anna');
    const b = await bookAt(start, moved, 'ben');
    const res = await request(stack.app).post(`/v1/bookings/${b.id}/reschedule`).set(stack.company.auth).send({ start: movedTo.toISOString() });
    expect(res.status).toBe(200);
    const c = await bookAt(start, cancelled, 'ben'); // the time the move freed
    expect((await request(stack.app).post(`/v1/bookings/${c.id}/cancel`).set(stack.company.auth).send({})).status).toBe(200);
    const d = await bookAt(movedTo, texted, 'anna');

    // Not early: nothing just before the reminder's moment.
    await new Promise((r) => setTimeout(r, Math.max(0, base - MIN - Date.now() - 3_000)));
    expect(await reminders(plain.email)).toEqual([]);
    const first = await eventually(async () => ((await reminders(plain.email)).length > 0 ? reminders(plain.email) : undefined), 60_000);
    expect(first).toHaveLength(1);
    expect(first[0].text).toContain('Quick check');
    // The moved booking's old reminder moment has passed: nothing for it on either channel.
    expect(await reminders(moved.email)).toEqual([]);
    expect(await smsReminders(moved.phone)).toEqual([]);

    const notes = await request(stack.app).get(`/v1/bookings/${a.id}/notifications`).set(stack.company.auth);
    expect(notes.status).toBe(200);
    expect(notes.body.data).toEqual([
      { kind: 'confirmation', channel: 'email', to: plain.email, status: 'sent', sentAt: expect.any(String) },
      { kind: 'reminder', channel: 'email', to: plain.email, status: 'sent', sentAt: expect.any(String) },
    ]);
    expect(Date.parse(notes.body.data[1].sentAt)).toBeGreaterThanOrEqual(base - MIN);

    // The phone-only customer: the confirmation and then the reminder by SMS, at movedTo - 1 min.
    const texted1 = await eventually(async () => ((await smsReminders(texted.phone)).length > 0 ? smsReminders(texted.phone) : undefined), 90_000);
    expect(texted1).toHaveLength(1);
    expect(texted1[0].body).toContain('Quick check');
    expect(Date.parse(texted1[0].sentAt)).toBeGreaterThanOrEqual(movedTo.getTime() - MIN);
    const dNotes = await request(stack.app).get(`/v1/bookings/${d.id}/notifications`).set(stack.company.auth);
    expect(dNotes.body.data).toEqual([
      { kind: 'confirmation', channel: 'sms', to: texted.phone, status: 'sent', sentAt: expect.any(String) },
      { kind: 'reminder', channel: 'sms', to: texted.phone, status: 'sent', sentAt: expect.any(String) },
    ]);

    // The moved booking: one reminder per channel, for its new time (at movedTo - 1 min), none for the old one.
    const movedReminders = await eventually(async () => ((await reminders(moved.email)).length > 0 ? reminders(moved.email) : undefined), 60_000);
    expect(Date.now()).toBeGreaterThanOrEqual(movedTo.getTime() - MIN);
    expect(movedReminders).toHaveLength(1);

    // Completed by the lifecycle at end (+ 0 grace).
    const done = await eventually(async () => {
      const got = await request(stack.app).get(`/v1/bookings/${a.id}`).set(stack.company.auth);
      return got.body.status === 'completed' ? got.body : undefined;
    }, 120_000);
    expect(Date.now()).toBeGreaterThanOrEqual(base + MIN);
    expect(done.history.map((h: { event: string }) => h.event)).toContain('completed');

    await new Promise((r) => setTimeout(r, Math.max(0, movedTo.getTime() + 2_000 - Date.now()))); // its start: no reminder after it
    expect(await reminders(moved.email)).toHaveLength(1);
    expect(await smsReminders(moved.phone)).toHaveLength(1);
    const bNotes = await request(stack.app).get(`/v1/bookings/${b.id}/notifications`).set(stack.company.auth);
    expect(bNotes.body.data.map((n: { kind: string; channel: string }) => `${n.kind}/${n.channel}`)).toEqual([
      'confirmation/email', 'rescheduled/email', 'reminder/email', 'reminder/sms',
    ]);

    // The cancelled one: its lifecycle ended at the cancel; no reminder ever.
    const temporal = await getTestEnv();
    const cancelledLife = await temporal.client.workflow.getHandle(lifecycleWorkflowId(c.id)).result();
    expect(cancelledLife).toMatchObject({ status: 'cancelled', reminders: [] });
    expect(await reminders(cancelled.email)).toEqual([]);
    const cNotes = await request(stack.app).get(`/v1/bookings/${c.id}/notifications`).set(stack.company.auth);
    expect(cNotes.body.data.map((n: { kind: string }) => n.kind)).toEqual(['confirmation', 'cancelled']);
  });

  it('completes by the endpoint only after the start; the lifecycle stops then', async () => {
    const who = await customer('desk');
    const booking = await bookAt(new Date(Math.ceil((Date.now() + 10 * MIN) / MIN) * MIN), who, 'anna');
    const temporal = await getTestEnv();
    // The saga starts the lifecycle after its answer (and the mail): wait for it, so the signal has a receiver.
    await temporal.client.workflow.getHandle(`booking-${booking.id}`).result();
    const early = await request(stack.app).post(`/v1/bookings/${booking.id}/complete`).set(stack.company.auth);
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('invalid_state');
    const later = await stack.extraApp({ clock: () => new Date(Date.parse(booking.start) + 30_000) });
    const completed = await request(later.app).post(`/v1/bookings/${booking.id}/complete`).set(stack.company.auth);
    expect(completed.status).toBe(200);
    expect(completed.body.status).toBe('completed');
    const again = await request(later.app).post(`/v1/bookings/${booking.id}/complete`).set(stack.company.auth);
    expect(again.status).toBe(200);
    const life = await temporal.client.workflow.getHandle(lifecycleWorkflowId(booking.id)).result();
    expect(life).toMatchObject({ status: 'completed', reminders: [] });
    const cancelled = await request(stack.app).post(`/v1/bookings/${booking.id}/no-show`).set(stack.company.auth);
    expect(cancelled.status).toBe(409);
    const unknown = await request(stack.app).get(`/v1/bookings/bkg_nope/notifications`).set(stack.company.auth);
    expect(unknown.status).toBe(404);
  });
});
