/**
 * The webhook outbox triggers on the real database, written to the way any code path would
 * (plain row writes, no call into webhook code): booking history events mapped to booking.*
 * events, waiting-list offers and bookings, sync failures opened and resolved; one row per
 * subscribed endpoint of that company only; a per-subject sequence in commit order; the snapshot
 * taken at commit (history written before the status change still sees the new status); nothing
 * from a rolled-back transaction. The rendered `data` equals the API's own views.
 */
import { renderWebhookData, type WebhookSnapshot } from '../../activities/webhook-render';
import { renderBooking } from '../../api/bookings/booking.view';
import { renderEntry } from '../../api/waiting-list/waiting-list.service';
import { loadConfig } from '../../infra/config';
import { newId } from '../../infra/db/ids';
import { createPrisma, type Db } from '../../infra/db/prisma';
import { WEBHOOK_EVENTS } from '../../domain/webhooks/webhook-events';
import { dropCompany, insertBooking, seedAvailabilityFixture, type AvailabilityFixture } from './availability.fixtures';

let db: Db;
let fx: AvailabilityFixture;
let other: AvailabilityFixture;
let all: string;
let cancelsOnly: string;

const endpoint = (companyId: string, events: readonly string[]) =>
  db.webhookEndpoint.create({ data: { id: newId('whe'), companyId, url: 'http://127.0.0.1:9/x', events: [...events], secretEnc: 'v1:k:iv:tag:s' } }).then((e) => e.id);
const history = (bookingId: string, event: string) => db.bookingHistory.create({ data: { id: newId('his'), bookingId, event } });
const deliveriesOf = (endpointId: string, subjectId: string) =>
  db.webhookDelivery.findMany({ where: { endpointId, subjectId }, orderBy: { seq: 'asc' } });

beforeAll(async () => {
  db = createPrisma(loadConfig().databaseUrl, { max: 3 });
  fx = await seedAvailabilityFixture(db);
  other = await seedAvailabilityFixture(db);
  all = await endpoint(fx.companyId, WEBHOOK_EVENTS);
  cancelsOnly = await endpoint(fx.companyId, ['booking.cancelled']);
  await endpoint(other.companyId, WEBHOOK_EVENTS);
});
afterAll(async () => {
  for (const f of [fx, other]) {
    if (!f) continue;
    await db.webhookEndpoint.deleteMany({ where: { companyId: f.companyId } });
    await dropCompany(db, f.companyId);
  }
  await db.$disconnect();
});

test('booking history events become booking.* events in order, for subscribed endpoints of that company only', async () => {
  const bookingId = await insertBooking(db, fx, { staffId: fx.staff.anna, start: new Date('2027-04-05T08:00:00Z'), status: 'awaiting_approval' });
  await history(bookingId, 'held');
  await history(bookingId, 'awaiting_approval');
  await db.booking.update({ where: { id: bookingId }, data: { status: 'confirmed' } });
  await history(bookingId, 'approved');
  await history(bookingId, 'confirmed');
  await history(bookingId, 'failed'); // the booking is not failed: no booking.failed
  await db.booking.update({ where: { id: bookingId }, data: { rescheduledCount: 1 } });
  await history(bookingId, 'rescheduled_in_calendar');
  await db.booking.update({ where: { id: bookingId }, data: { status: 'cancelled' } });
  await history(bookingId, 'cancelled_in_calendar');

  const rows = await deliveriesOf(all, bookingId);
  expect(rows.map((r) => [r.event, Number(r.seq), r.status])).toEqual([
    ['booking.awaiting_approval', 1, 'pending'],
    ['booking.confirmed', 2, 'pending'],
    ['booking.rescheduled', 3, 'pending'],
    ['booking.cancelled', 4, 'pending'],
  ]);
  expect(rows.map((r) => (r.snapshot as unknown as WebhookSnapshot).row.status)).toEqual(['awaiting_approval', 'confirmed', 'confirmed', 'cancelled']);
  expect((await deliveriesOf(cancelsOnly, bookingId)).map((r) => [r.event, Number(r.seq)])).toEqual([['booking.cancelled', 4]]);
  expect(await db.webhookDelivery.count({ where: { subjectId: bookingId, companyId: other.companyId } })).toBe(0);
  expect(rows.every((r) => r.retryUntil.getTime() - r.createdAt.getTime() > 71.9 * 3_600_000)).toBe(true);

  // Rendered exactly as GET /v1/bookings/:id renders the booking (without history).
  const last = rows[rows.length - 1]!;
  const row = await db.booking.findUniqueOrThrow({ where: { id: bookingId }, include: { branch: { select: { timezone: true } } } });
  expect(renderWebhookData(last.snapshot as unknown as WebhookSnapshot)).toEqual(renderBooking(row));
});

test('the snapshot is the booking at commit: history written before the status change sees the new status; a rollback emits nothing', async () => {
  const bookingId = await insertBooking(db, fx, { staffId: fx.staff.ben, start: new Date('2027-04-06T08:00:00Z') });
  await db.$transaction(async (tx) => {
    await tx.bookingHistory.create({ data: { id: newId('his'), bookingId, event: 'no_show' } });
    await tx.booking.update({ where: { id: bookingId }, data: { status: 'no_show' } });
  });
  const [noShow] = await deliveriesOf(all, bookingId);
  expect(noShow).toMatchObject({ event: 'booking.no_show' });
  expect((noShow!.snapshot as unknown as WebhookSnapshot).row.status).toBe('no_show');

  await expect(db.$transaction(async (tx) => {
    await tx.booking.update({ where: { id: bookingId }, data: { status: 'completed' } });
    await tx.bookingHistory.create({ data: { id: newId('his'), bookingId, event: 'completed' } });
    throw new Error('rolled back');
  })).rejects.toThrow('rolled back');
  expect((await deliveriesOf(all, bookingId)).map((r) => r.event)).toEqual(['booking.no_show']);
});

test('waiting list: new offers → waitlist.offered, booked → waitlist.booked; rendered as GET /v1/waiting-list/:id', async () => {
  const entryId = newId('wl');
  await db.waitingListEntry.create({
    data: { id: entryId, companyId: fx.companyId, branchId: fx.branchId, serviceId: fx.serviceId, customerId: fx.customerId, fromDate: '2027-04-01', toDate: '2027-04-30', expiresAt: new Date('2027-05-01T00:00:00Z'), workflowId: `waitlist-${entryId}` },
  });
  const offers = [{ start: '2027-04-07T08:00:00.000Z', end: '2027-04-07T09:00:00.000Z', staffId: fx.staff.anna }];
  await db.waitingListEntry.update({ where: { id: entryId }, data: { status: 'notified', offers, notificationsSent: 1 } });
  await db.waitingListEntry.update({ where: { id: entryId }, data: { notificationsSent: 1 } }); // nothing new
  await db.waitingListEntry.update({ where: { id: entryId }, data: { status: 'booked', bookingId: null } });
  const rows = await deliveriesOf(all, entryId);
  expect(rows.map((r) => [r.event, Number(r.seq)])).toEqual([['waitlist.offered', 1], ['waitlist.booked', 2]]);
  const offered = renderWebhookData(rows[0]!.snapshot as unknown as WebhookSnapshot);
  expect(offered).toMatchObject({ id: entryId, status: 'notified', offers: [{ start: '2027-04-07T10:00:00+02:00', end: '2027-04-07T11:00:00+02:00', staffId: fx.staff.anna }] });
  const entry = await db.waitingListEntry.findUniqueOrThrow({ where: { id: entryId } });
  expect(renderWebhookData(rows[1]!.snapshot as unknown as WebhookSnapshot)).toEqual({ ...renderEntry(entry, 'Europe/Berlin') });
});

test('sync failures: opened on insert, resolved once; ordered with their booking', async () => {
  const bookingId = await insertBooking(db, fx, { staffId: fx.staff.anna, start: new Date('2027-04-08T08:00:00Z') });
  await db.booking.update({ where: { id: bookingId }, data: { status: 'failed' } });
  await history(bookingId, 'failed');
  const failureId = newId('syf');
  await db.syncFailure.create({ data: { id: failureId, companyId: fx.companyId, bookingId, operation: 'create', error: 'HTTP 500' } });
  await db.syncFailure.update({ where: { id: failureId }, data: { status: 'retrying' } });
  await db.syncFailure.update({ where: { id: failureId }, data: { status: 'resolved' } });
  await db.syncFailure.update({ where: { id: failureId }, data: { attempts: 2 } });
  const rows = await deliveriesOf(all, bookingId);
  expect(rows.map((r) => [r.event, Number(r.seq)])).toEqual([['booking.failed', 1], ['sync_failure.opened', 2], ['sync_failure.resolved', 3]]);
  expect(renderWebhookData(rows[2]!.snapshot as unknown as WebhookSnapshot)).toEqual({
    id: failureId, bookingId, operation: 'create', error: 'HTTP 500', attempts: 1, status: 'resolved',
    createdAt: expect.stringMatching(/\+0[12]:00$/), updatedAt: expect.stringMatching(/\+0[12]:00$/),
  });
});
