/**
 * Waiting list through HTTP on the real stack (series-waitlist.harness.ts), with the periodic
 * check left at its 5-minute default so only the `slotFreed` signal can explain a prompt match:
 * an auto-book entry gets a slot within seconds of the booking holding it being cancelled through
 * the real cancellation workflow; a notify entry gets up to 3 offers by email (SMTP sink) and
 * keeps watching until deleted; bad input is one 400 listing every field.
 */
import { DateTime } from 'luxon';
import { cancelWorkflowId } from '../../workflows/cancel-booking.contract';
import { waitlistStateQuery } from '../../workflows/waitlist-monitor.contract';
import { inbox } from '../harness/smtp-sink';
import { dropCompany, insertBooking } from './availability.fixtures';
import { eventually, http, seedTenant, startStack, type Stack, type Tenant } from './series-waitlist.harness';

let stack: Stack;
let t: Tenant;

describe('waiting list over HTTP', () => {
  beforeAll(async () => {
    stack = await startStack('waitlist');
    t = await seedTenant(stack.db, stack.emulator.url);
    expect(stack.api.deps.config.waitlistCheckIntervalMs).toBe(12 * 3_600_000);
  });
  afterAll(async () => {
    if (t) await dropCompany(stack.db, t.companyId);
    await stack?.close();
  });

  it('auto-books the freed slot within seconds of a cancellation (fan-out signal with the allocated slot, not the timer)', async () => {
    const taken = await insertBooking(stack.db, t, { staffId: t.staff.anna, start: new Date('2027-01-11T10:00:00+01:00') });
    const created = await http(stack).post('/v1/waiting-list').set(t.auth).send({
      branchId: t.branchId, serviceId: t.serviceId, customerId: t.customerId, staffId: t.staff.anna,
      from: '2027-01-11', to: '2027-01-11', timeWindows: [{ start: '10:00', end: '11:00' }], autoBook: true,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'waiting', workflowId: `waitlist-${created.body.id}` });
    const monitor = stack.temporal.client.workflow.getHandle(created.body.workflowId);
    await eventually(async () => (await monitor.query(waitlistStateQuery)).checks >= 1, 'first check');
    expect(await monitor.query(waitlistStateQuery)).toMatchObject({ status: 'waiting', checks: 1 });

    const cancelledAt = Date.now();
    await stack.temporal.client.workflow.execute('cancelBookingWorkflow', {
      taskQueue: stack.taskQueue, workflowId: cancelWorkflowId(taken), args: [{ bookingId: taken, reason: 'customer called' }],
    });
    const entry = await eventually(async () => {
      const res = await http(stack).get(`/v1/waiting-list/${created.body.id}`).set(t.auth);
      return res.body.status === 'booked' ? res.body : null;
    }, 'booked');
    const elapsedMs = Date.now() - cancelledAt;
    const state = await monitor.query(waitlistStateQuery);
    // The cancellation's fan-out allocated the slot to this entry and said so in the signal: booked without a second check.
    expect(state).toMatchObject({ status: 'booked', checks: 1, signalWakeups: 1 });
    expect(elapsedMs).toBeLessThan(60_000); // the hours-apart timer cannot have fired; the signal did it
    const booking = await stack.db.booking.findUniqueOrThrow({ where: { id: entry.bookingId } });
    expect(booking).toMatchObject({ status: 'confirmed', customerId: t.customerId, staffId: t.staff.anna });
    expect(booking.startAt.toISOString()).toBe('2027-01-11T09:00:00.000Z');
  });

  it('notifies with up to 3 offers by email, keeps watching, and ends cancelled on DELETE', async () => {
    const email = `wl-${t.customerId}@example.test`;
    const customerId = `${t.customerId}x`;
    await stack.db.customer.create({ data: { id: customerId, companyId: t.companyId, name: 'Wanda Wait', email } });
    const created = await http(stack).post('/v1/waiting-list').set(t.auth).send({
      branchId: t.branchId, serviceId: t.serviceId, customerId, staffId: t.staff.ben,
      from: '2027-01-12', to: '2027-01-12', timeWindows: [{ start: '09:00', end: '12:00' }],
    });
    expect(created.status).toBe(201);
    const entry = await eventually(async () => {
      const res = await http(stack).get(`/v1/waiting-list/${created.body.id}`).set(t.auth);
      return res.body.status === 'notified' ? res.body : null;
    }, 'notified');
    expect(entry.notificationsSent).toBe(1);
    expect(entry.offers).toEqual([
      { start: '2027-01-12T09:00:00+01:00', end: '2027-01-12T10:00:00+01:00', staffId: t.staff.ben },
      { start: '2027-01-12T09:30:00+01:00', end: '2027-01-12T10:30:00+01:00', staffId: t.staff.ben },
      { start: '2027-01-12T10:00:00+01:00', end: '2027-01-12T11:00:00+01:00', staffId: t.staff.ben },
    ]);
    const mails = await eventually(async () => {
      const found = await inbox(email);
      return found.length > 0 ? found : null;
    }, 'offer email');
    expect(mails).toHaveLength(1);
    expect(mails[0].to).toEqual([email]);
    const outbox = await stack.db.notification.findMany({ where: { customerId, kind: 'waitlist_offer' } });
    expect(outbox).toEqual([expect.objectContaining({ status: 'sent', recipient: email })]);

    const monitor = stack.temporal.client.workflow.getHandle(created.body.workflowId);
    expect((await monitor.describe()).status.name).toBe('RUNNING');
    const deleted = await http(stack).delete(`/v1/waiting-list/${created.body.id}`).set(t.auth);
    expect(deleted.status).toBe(200);
    expect(deleted.body.status).toBe('cancelled');
    expect(await monitor.result()).toMatchObject({ status: 'cancelled', notificationsSent: 1 });
  });

  it('answers one 400 listing every bad field and starts nothing', async () => {
    const before = await stack.db.waitingListEntry.count({ where: { companyId: t.companyId } });
    const res = await http(stack).post('/v1/waiting-list').set(t.auth).send({
      branchId: t.branchId, serviceId: t.serviceId, customerId: t.customerId,
      from: '2027-01-12', to: '2027-01-10', timeWindows: [{ start: '12:00', end: '09:00' }], expiresAt: '2020-01-01T00:00:00Z',
    });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['expiresAt', 'timeWindows.0.end', 'to']);
    expect(await stack.db.waitingListEntry.count({ where: { companyId: t.companyId } })).toBe(before);
  });

  describe('bounds (API.md: advance window, 90-day expiry, 10 open entries per customer)', () => {
    const day = (offset: number) => DateTime.now().setZone('Europe/Berlin').plus({ days: offset }).toISODate()!;
    const entry = (customerId: string, extra: Record<string, unknown> = {}) => ({
      branchId: t.branchId, serviceId: t.serviceId, customerId, from: day(10), to: day(12), ...extra,
    });
    let customerId: string;
    beforeAll(async () => {
      customerId = `${t.customerId}b`;
      await stack.db.customer.create({ data: { id: customerId, companyId: t.companyId, name: 'Bounded Bea' } });
    });

    it.each([
      [{ from: '0001-01-01' }, ['from']],
      [{ to: '9999-12-31' }, ['to']],
      [{ from: day(1), to: day(3650) }, ['to']], // ten years: past the branch's 90-day window
      [{ from: day(-5), to: day(2) }, ['from']],
      [{ expiresAt: '9998-12-31T00:00:00Z' }, ['expiresAt']],
      [{ expiresAt: DateTime.now().plus({ days: 91 }).toISO() }, ['expiresAt']],
    ])('%j is a 400 on %j and starts nothing', async (extra, paths) => {
      const before = await stack.db.waitingListEntry.count({ where: { companyId: t.companyId } });
      const res = await http(stack).post('/v1/waiting-list').set(t.auth).send(entry(customerId, extra));
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(paths);
      expect(await stack.db.waitingListEntry.count({ where: { companyId: t.companyId } })).toBe(before);
    });

    it('accepts the edges, then refuses the 11th open entry of a customer with 409 until one closes', async () => {
      const ids: string[] = [];
      const edges = [{ from: day(0), to: day(90) }, { expiresAt: DateTime.now().plus({ days: 89 }).toISO() }];
      for (let i = 0; i < 10; i++) {
        const res = await http(stack).post('/v1/waiting-list').set(t.auth).send(entry(customerId, edges[i] ?? {}));
        expect([i, res.status]).toEqual([i, 201]);
        ids.push(res.body.id);
      }
      const eleventh = await http(stack).post('/v1/waiting-list').set(t.auth).send(entry(customerId));
      expect(eleventh.status).toBe(409);
      expect(eleventh.body.code).toBe('waitlist_limit_reached');
      expect(await stack.db.waitingListEntry.count({ where: { customerId, status: { in: ['waiting', 'notified'] } } })).toBe(10);
      // Another customer is not affected; a closed entry frees a place.
      expect((await http(stack).post('/v1/waiting-list').set(t.auth).send(entry(t.customerId))).status).toBe(201);
      expect((await http(stack).delete(`/v1/waiting-list/${ids[0]}`).set(t.auth)).status).toBe(200);
      expect((await http(stack).post('/v1/waiting-list').set(t.auth).send(entry(customerId))).status).toBe(201);
    });
  });
});
