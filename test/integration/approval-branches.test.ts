/**
 * Issue 16 over HTTP on the real stack (API, Temporal dev server, in-process worker, PostgreSQL,
 * Redis, Cal.com emulator):
 * - Approval: a booking of a requiresApproval service answers 201 awaiting_approval with the slot
 *   held and nothing in Cal.com; approve → 200 confirmed and synced in the emulator, lifecycle
 *   started; decline → 200 declined and the slot free again; undecided → declined by the saga's
 *   durable timer (an API clock one hour behind with approvalTimeoutHours 1 puts the deadline a
 *   few real seconds ahead); a decision in the wrong state is 409; a booking awaiting approval
 *   cancels (company key and self-service link): 200 cancelled, slot free at once, the saga's
 *   approval wait ended (no decision, no timer decline), notified, `booking.cancelled` emitted,
 *   nothing written to Cal.com.
 * - Staff across branches: Anna (branch A) assigned to branch B is listed there, another
 *   company's branch is a 404, B's availability hides the time she is booked in A (also right
 *   after a cached answer), and booking her in B at an overlapping time is refused.
 */
import request from 'supertest';
import { loadConfig } from '../../infra/config';
import { signBookingToken } from '../../infra/self-service/tokens';
import { lifecycleWorkflowId } from '../../workflows/booking-lifecycle.contract';
import { cancelWorkflowId } from '../../workflows/cancel-booking.contract';
import { createCompany } from '../api/api-harness';
import { getTestEnv } from '../harness/temporal';
import { bookingBody, calendarBookings, eventually, postBooking, startBookingStack, type BookingStack } from './booking-http.helpers';

jest.setTimeout(120_000);

let stack: BookingStack;
let approvalServiceId: string;

beforeAll(async () => {
  stack = await startBookingStack('approval-branches');
  const created = await request(stack.app).post('/v1/services').set(stack.company.auth).send({
    branchId: stack.catalog.branchId, name: 'Consultation', durationMinutes: 60, requiredSkills: ['cut'], requiresApproval: true,
  });
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ requiresApproval: true, approvalTimeoutHours: 24 });
  approvalServiceId = created.body.id;
  // Linked to the company's Cal.com account like the stack's own service.
  const linked = await stack.workerDb.service.findUniqueOrThrow({ where: { id: stack.catalog.serviceId } });
  await stack.workerDb.service.update({ where: { id: approvalServiceId }, data: { calcomEventTypeId: linked.calcomEventTypeId } });
});
afterAll(async () => {
  await stack?.close();
});

const manager = () => stack.company.auth;
const freeStarts = async (app: BookingStack['app'], branchId: string, serviceId: string, date: string, staffId = stack.catalog.staff.anna) => {
  const res = await request(app).get('/v1/availability').set(manager()).query({ branchId, serviceId, staffId, from: date, to: date });
  expect(res.status).toBe(200);
  return (res.body.days[0].slots as Array<{ start: string }>).map((s) => s.start);
};
/** The saga's result within `ms` (an approval wait that did not end would run to its deadline). */
const resultWithin = async (workflowId: string, ms = 15_000) => {
  const env = await getTestEnv();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise((resolve) => (timer = setTimeout(() => resolve('still running'), ms)));
  try {
    return await Promise.race([env.client.workflow.getHandle(workflowId).result(), late]);
  } finally {
    clearTimeout(timer);
  }
};
const remoteOf = async (bookingId: string) => (await calendarBookings(stack.emulator)).filter((b) => b.metadata?.bookingId === bookingId && b.status !== 'cancelled');

describe('approval', () => {
  it('awaiting_approval holds the slot without a calendar booking; approve confirms and syncs it', async () => {
    const start = '2027-06-14T10:00:00+02:00';
    const made = await postBooking(stack, bookingBody(stack.catalog, start, { serviceId: approvalServiceId }));
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ status: 'awaiting_approval', calendar: { status: 'pending', externalId: null } });
    const id = made.body.id as string;
    expect(await remoteOf(id)).toEqual([]);
    // Held under the exclusion constraint: the time is gone for Anna, whatever the service.
    expect(await freeStarts(stack.app, stack.catalog.branchId, approvalServiceId, '2027-06-14')).not.toContain(start);
    expect((await postBooking(stack, bookingBody(stack.catalog, '2027-06-14T10:30:00+02:00'))).status).toBe(409);
    const listed = await request(stack.app).get('/v1/bookings').set(manager()).query({ status: 'awaiting_approval', branchId: stack.catalog.branchId });
    expect(listed.body.data.map((b: { id: string }) => b.id)).toContain(id);

    const approved = await request(stack.app).post(`/v1/bookings/${id}/approve`).set(manager()).send();
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ id, status: 'confirmed', calendar: { status: 'synced', externalId: expect.any(String) } });
    expect(await remoteOf(id)).toEqual([expect.objectContaining({ uid: approved.body.calendar.externalId, status: 'accepted' })]);

    const again = await request(stack.app).post(`/v1/bookings/${id}/approve`).set(manager()).send();
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('invalid_state');
    const history = await request(stack.app).get(`/v1/bookings/${id}`).set(manager());
    expect(history.body.history.map((h: { event: string }) => h.event)).toEqual(expect.arrayContaining(['held', 'awaiting_approval', 'approved', 'confirmed']));
    const kinds = await eventually(async () => {
      const res = await request(stack.app).get(`/v1/bookings/${id}/notifications`).set(manager());
      const list = (res.body.data as Array<{ kind: string }>).map((n) => n.kind);
      return list.includes('confirmation') ? list : undefined;
    });
    expect(kinds).toEqual(expect.arrayContaining(['awaiting_approval', 'confirmation']));
    const env = await getTestEnv();
    await eventually(async () => (await env.client.workflow.getHandle(lifecycleWorkflowId(id)).describe().catch(() => undefined)) ?? undefined);
  });

  it('decline frees the slot at once and tells the customer; only managers decide', async () => {
    const start = '2027-06-14T14:00:00+02:00';
    const made = await postBooking(stack, bookingBody(stack.catalog, start, { serviceId: approvalServiceId }));
    expect(made.body.status).toBe('awaiting_approval');
    const id = made.body.id as string;
    expect(await freeStarts(stack.app, stack.catalog.branchId, approvalServiceId, '2027-06-14')).not.toContain(start);

    const bookingKey = await request(stack.app).post('/v1/api-keys').set(manager()).send({ name: 'front', role: 'booking' });
    const refused = await request(stack.app).post(`/v1/bookings/${id}/decline`).set({ Authorization: `Bearer ${bookingKey.body.apiKey}` }).send({});
    expect(refused.status).toBe(403);

    const declined = await request(stack.app).post(`/v1/bookings/${id}/decline`).set(manager()).send({ reason: 'fully booked' });
    expect(declined.status).toBe(200);
    expect(declined.body).toMatchObject({ id, status: 'declined', failureReason: 'declined' });
    expect(await freeStarts(stack.app, stack.catalog.branchId, approvalServiceId, '2027-06-14')).toContain(start);
    expect(await remoteOf(id)).toEqual([]);
    expect((await request(stack.app).post(`/v1/bookings/${id}/approve`).set(manager()).send()).status).toBe(409);
    const history = await request(stack.app).get(`/v1/bookings/${id}`).set(manager());
    expect(history.body.history).toEqual(expect.arrayContaining([expect.objectContaining({ event: 'declined', detail: { by: 'manager', reason: 'fully booked' } })]));
    await eventually(async () => {
      const res = await request(stack.app).get(`/v1/bookings/${id}/notifications`).set(manager());
      return (res.body.data as Array<{ kind: string }>).some((n) => n.kind === 'declined') ? true : undefined;
    });
    // The freed time books again.
    expect((await postBooking(stack, bookingBody(stack.catalog, start))).status).toBe(201);
  });

  it('undecided until approvalTimeoutHours: declined by the durable timer, slot free', async () => {
    const quick = await request(stack.app).post('/v1/services').set(manager()).send({
      branchId: stack.catalog.branchId, name: 'Quick approval', durationMinutes: 60, requiredSkills: ['cut'], requiresApproval: true, approvalTimeoutHours: 1,
    });
    expect(quick.status).toBe(201);
    // This API's clock runs one hour (less 8 s) behind: the deadline (its now + 1 h) is 8 real seconds ahead.
    const behind = await stack.extraApp({ clock: () => new Date(Date.now() - 3_600_000 + 8_000) });
    const start = '2027-06-15T09:00:00+02:00';
    const made = await request(behind.app).post('/v1/bookings').set(manager()).send(bookingBody(stack.catalog, start, { serviceId: quick.body.id }));
    expect(made.status).toBe(201);
    expect(made.body.status).toBe('awaiting_approval');
    const id = made.body.id as string;
    const row = await eventually(async () => {
      const res = await request(stack.app).get(`/v1/bookings/${id}`).set(manager());
      return res.body.status === 'declined' ? res.body : undefined;
    }, 40_000);
    expect(row).toMatchObject({ failureReason: 'approval_timeout' });
    expect(row.history).toEqual(expect.arrayContaining([expect.objectContaining({ event: 'declined', detail: { by: 'timeout' } })]));
    expect(await freeStarts(stack.app, stack.catalog.branchId, quick.body.id, '2027-06-15')).toContain(start);
    expect(await remoteOf(id)).toEqual([]);
  });

  it('cancelling a booking awaiting approval frees the slot at once, ends the approval wait and writes nothing to the calendar', async () => {
    const endpoint = await request(stack.app).post('/v1/webhook-endpoints').set(manager())
      .send({ url: 'http://127.0.0.1:9/hooks', events: ['booking.cancelled', 'booking.declined'] });
    expect(endpoint.status).toBe(201);
    const start = '2027-06-17T10:00:00+02:00';
    const made = await postBooking(stack, bookingBody(stack.catalog, start, { serviceId: approvalServiceId }));
    expect(made.body.status).toBe('awaiting_approval');
    const id = made.body.id as string;
    // Cached while held: the cancel must invalidate it.
    expect(await freeStarts(stack.app, stack.catalog.branchId, approvalServiceId, '2027-06-17')).not.toContain(start);

    const cancelled = await request(stack.app).post(`/v1/bookings/${id}/cancel`).set(manager()).send({ reason: 'changed my mind' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ id, status: 'cancelled', calendar: { status: 'not_linked', externalId: null } });
    expect(await freeStarts(stack.app, stack.catalog.branchId, approvalServiceId, '2027-06-17')).toContain(start);

    // The saga's approval wait is over (not at its 24-hour deadline): no decision, no timer decline.
    expect(await resultWithin(made.body.workflowId)).toMatchObject({ kind: 'invalid_state', bookingId: id, status: 'cancelled' });
    // Cancelling again (a new cancellation run) answers the cancelled booking; its repeat signals a saga that has ended: fine.
    expect(await resultWithin(cancelWorkflowId(id))).toMatchObject({ kind: 'cancelled', calendar: 'not_linked' });
    const again = await request(stack.app).post(`/v1/bookings/${id}/cancel`).set(manager()).send({});
    expect([again.status, again.body.status]).toEqual([200, 'cancelled']);
    for (const action of ['approve', 'decline']) {
      const res = await request(stack.app).post(`/v1/bookings/${id}/${action}`).set(manager()).send({});
      expect([action, res.status, res.body.code]).toEqual([action, 409, 'invalid_state']);
    }
    const row = await request(stack.app).get(`/v1/bookings/${id}`).set(manager());
    expect(row.body.status).toBe('cancelled');
    const events = row.body.history.map((h: { event: string }) => h.event);
    expect(events).toEqual(expect.arrayContaining(['awaiting_approval', 'cancelled']));
    expect(events).not.toContain('declined');
    expect(events).not.toContain('approved');

    // Told like any cancellation; the webhook event is emitted; Cal.com never saw the booking.
    await eventually(async () => {
      const res = await request(stack.app).get(`/v1/bookings/${id}/notifications`).set(manager());
      return (res.body.data as Array<{ kind: string }>).some((n) => n.kind === 'cancelled') ? true : undefined;
    });
    const deliveries = await request(stack.app).get(`/v1/webhook-endpoints/${endpoint.body.id}/deliveries`).set(manager());
    expect(deliveries.body.data).toEqual(expect.arrayContaining([expect.objectContaining({ event: 'booking.cancelled', subjectId: id })]));
    expect(deliveries.body.data.filter((d: { subjectId: string }) => d.subjectId === id).map((d: { event: string }) => d.event)).toEqual(['booking.cancelled']);
    expect((await calendarBookings(stack.emulator)).filter((b) => b.metadata?.bookingId === id)).toEqual([]);
    // The freed time books again.
    expect((await postBooking(stack, bookingBody(stack.catalog, start))).status).toBe(201);
    await request(stack.app).delete(`/v1/webhook-endpoints/${endpoint.body.id}`).set(manager());
  });

  it('the customer withdraws a request awaiting approval through the self-service link', async () => {
    const start = '2027-06-18T10:00:00+02:00';
    const made = await postBooking(stack, bookingBody(stack.catalog, start, { serviceId: approvalServiceId }));
    expect(made.body.status).toBe('awaiting_approval');
    const id = made.body.id as string;
    const token = signBookingToken({ bookingId: id, expiresAt: new Date(made.body.end) }, loadConfig().selfServiceSecret);
    const view = await request(stack.app).get(`/v1/public/bookings/${token}`);
    expect(view.body).toMatchObject({ status: 'awaiting_approval', selfService: { canCancel: true, canReschedule: false } });

    const cancelled = await request(stack.app).post(`/v1/public/bookings/${token}/cancel`).send({});
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ id, status: 'cancelled' });
    expect(await freeStarts(stack.app, stack.catalog.branchId, approvalServiceId, '2027-06-18')).toContain(start);
    expect(await resultWithin(made.body.workflowId)).toMatchObject({ kind: 'invalid_state', status: 'cancelled' });
    expect((await request(stack.app).post(`/v1/bookings/${id}/approve`).set(manager()).send()).status).toBe(409);
    expect((await calendarBookings(stack.emulator)).filter((b) => b.metadata?.bookingId === id)).toEqual([]);
  });

  it('a booking that is not awaiting approval cannot be approved or declined (409), another company\'s is 404', async () => {
    const plain = await postBooking(stack, bookingBody(stack.catalog, '2027-06-16T09:00:00+02:00'));
    expect(plain.body.status).toBe('confirmed');
    for (const action of ['approve', 'decline']) {
      const res = await request(stack.app).post(`/v1/bookings/${plain.body.id}/${action}`).set(manager()).send();
      expect([action, res.status, res.body.code]).toEqual([action, 409, 'invalid_state']);
    }
    const other = await createCompany(stack.app, 'Other approvals');
    expect((await request(stack.app).post(`/v1/bookings/${plain.body.id}/approve`).set(other.auth).send()).status).toBe(404);
  });
});

describe('staff across branches', () => {
  const day = '2027-06-21';
  const hours = Object.fromEntries(['monday', 'tuesday', 'wednesday', 'thursday', 'friday'].map((d) => [d, [{ start: '09:00', end: '18:00' }]]));
  const open = Object.fromEntries(['monday', 'tuesday', 'wednesday', 'thursday', 'friday'].map((d) => [d, { open: true, start: '09:00', end: '18:00' }]));
  let branchB: string;
  let serviceB: string;

  beforeAll(async () => {
    const b = await request(stack.app).post('/v1/branches').set(manager()).send({
      name: 'Kreuzberg', timezone: 'Europe/Berlin', operatingHours: open, rules: { minimumNoticeMinutes: 0, maxAdvanceDays: 365, slotIntervalMinutes: 30 },
    });
    expect(b.status).toBe(201);
    branchB = b.body.id;
    const s = await request(stack.app).post('/v1/services').set(manager()).send({ branchId: branchB, name: 'Trim', durationMinutes: 60, requiredSkills: ['cut'] });
    expect(s.status).toBe(201);
    serviceB = s.body.id;
  });

  it('assignments: another company\'s branch is 404, the primary branch 400; assigned staff are listed in the branch', async () => {
    const other = await createCompany(stack.app, 'Other branches');
    const foreign = await request(stack.app).post('/v1/branches').set(other.auth).send({ name: 'Elsewhere', timezone: 'Europe/Berlin', operatingHours: open });
    const anna = stack.catalog.staff.anna;
    const toForeign = await request(stack.app).patch(`/v1/staff/${anna}`).set(manager()).send({ assignments: [{ branchId: foreign.body.id, workingHours: hours }] });
    expect(toForeign.status).toBe(404);
    const toPrimary = await request(stack.app).patch(`/v1/staff/${anna}`).set(manager()).send({ assignments: [{ branchId: stack.catalog.branchId, workingHours: hours }] });
    expect(toPrimary.status).toBe(400);

    const assigned = await request(stack.app).patch(`/v1/staff/${anna}`).set(manager()).send({ assignments: [{ branchId: branchB, workingHours: hours }] });
    expect(assigned.status).toBe(200);
    expect(assigned.body).toMatchObject({ branchId: stack.catalog.branchId, assignments: [{ branchId: branchB, workingHours: hours, breaks: {} }] });
    const listed = await request(stack.app).get('/v1/staff').set(manager()).query({ branchId: branchB });
    expect(listed.body.data.map((s: { id: string }) => s.id)).toEqual([anna]);
  });

  it('branch B hides the time Anna is booked in branch A (after a cached answer too), and refuses an overlap', async () => {
    const at = '2027-06-21T11:00:00+02:00';
    // Warm B's cache first: the booking in A must still be visible in B's next answer.
    expect(await freeStarts(stack.app, branchB, serviceB, day)).toContain(at);
    const inA = await postBooking(stack, bookingBody(stack.catalog, at));
    expect(inA.status).toBe(201);

    const inB = await freeStarts(stack.app, branchB, serviceB, day);
    expect(inB).not.toContain(at);
    expect(inB).not.toContain('2027-06-21T10:30:00+02:00');
    expect(inB).not.toContain('2027-06-21T11:30:00+02:00');
    expect(inB).toContain('2027-06-21T12:00:00+02:00');

    const body = { branchId: branchB, serviceId: serviceB, customerId: stack.catalog.customerId, staffId: stack.catalog.staff.anna };
    const overlap = await postBooking(stack, { ...body, start: '2027-06-21T11:30:00+02:00' });
    expect(overlap.status).toBe(409);
    expect(overlap.body.code).toBe('slot_unavailable');
    const free = await postBooking(stack, { ...body, start: '2027-06-21T14:00:00+02:00' });
    expect(free.status).toBe(201);
    expect(free.body).toMatchObject({ branchId: branchB, staffId: stack.catalog.staff.anna, status: 'confirmed' });
    // And back: branch A no longer offers Anna at 14:00.
    expect(await freeStarts(stack.app, stack.catalog.branchId, stack.catalog.serviceId, day)).not.toContain('2027-06-21T14:00:00+02:00');
  });

  it("time off of Anna (branch A) is seen at once in branch B's cached availability, and its removal too", async () => {
    const at = '2027-06-21T16:00:00+02:00';
    expect(await freeStarts(stack.app, branchB, serviceB, day)).toContain(at); // B's answer cached
    const off = await request(stack.app).post(`/v1/staff/${stack.catalog.staff.anna}/time-off`).set(manager())
      .send({ start: '2027-06-21T15:00:00+02:00', end: '2027-06-21T18:00:00+02:00', reason: 'dentist' });
    expect(off.status).toBe(201);
    expect(await freeStarts(stack.app, branchB, serviceB, day)).not.toContain(at);
    const removed = await request(stack.app).delete(`/v1/staff/${stack.catalog.staff.anna}/time-off/${off.body.id}`).set(manager());
    expect(removed.status).toBe(200);
    expect(await freeStarts(stack.app, branchB, serviceB, day)).toContain(at);
  });
});
