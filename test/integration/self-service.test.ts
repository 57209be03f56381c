/**
 * The customer's side over HTTP on the real stack (API, Temporal dev server, in-process worker,
 * PostgreSQL, Cal.com emulator): self-service by signed token (no key) — read, availability,
 * cancel, reschedule, the cut-off and max-reschedules rules (422, binding self-service only),
 * forged and expired tokens (404); public booking end to end with a publishable key; reviews
 * (once, after completion, the staff rating, the manager's hide).
 */
import request from 'supertest';
import { loadConfig } from '../../infra/config';
import { signBookingToken } from '../../infra/self-service/tokens';
import { bookingWorkflowId } from '../../workflows/book-appointment.contract';
import { lifecycleWorkflowId } from '../../workflows/booking-lifecycle.contract';
import { createKey } from '../api/api-harness';
import { inbox } from '../harness/smtp-sink';
import { getTestEnv } from '../harness/temporal';
import { bookingBody, calendarBookings, eventually, postBooking, startBookingStack, type BookingStack } from './booking-http.helpers';

jest.setTimeout(240_000);

let stack: BookingStack;
const SECRET = loadConfig().selfServiceSecret;
const tokenFor = (b: { id: string; end: string }) => signBookingToken({ bookingId: b.id, expiresAt: new Date(b.end) }, SECRET);
const pub = (path: string) => `/v1/public/bookings/${path}`;

async function book(start: string, staff: 'anna' | 'ben' = 'anna'): Promise<{ id: string; start: string; end: string; staffId: string }> {
  const res = await postBooking(stack, bookingBody(stack.catalog, start, { staffId: stack.catalog.staff[staff] }));
  expect(res.status).toBe(201);
  return res.body;
}

describe('self-service and public booking', () => {
  beforeAll(async () => {
    stack = await startBookingStack('self-service');
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('reads the booking by its token without a key: customer-safe fields only', async () => {
    const b = await book('2027-03-08T10:00:00+01:00');
    const res = await request(stack.app).get(pub(tokenFor(b)));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: b.id, status: 'confirmed', start: '2027-03-08T10:00:00+01:00', end: '2027-03-08T11:00:00+01:00', timezone: 'Europe/Berlin',
      branch: { id: stack.catalog.branchId, name: 'Mitte' }, service: { name: 'Haircut', durationMinutes: 60 }, staff: { name: 'Anna' },
      customer: { name: 'Carla' }, rescheduledCount: 0, canReview: false, review: null,
      selfService: { canCancel: true, canReschedule: true, cancellationCutoffHours: 24, maxReschedules: 3, reschedulesLeft: 3, changeableUntil: '2027-03-07T10:00:00+01:00' },
    });
    expect(res.body.manageUrl).toMatch(new RegExp(`^${loadConfig().publicBaseUrl}/b/[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$`));
    const text = JSON.stringify(res.body);
    for (const hidden of ['customerId', 'workflowId', 'calendar', '@example.test', stack.catalog.customerId, 'participants', 'notes']) expect(text).not.toContain(hidden);
  });

  it('refuses forged, tampered, foreign-secret and expired tokens with 404 (and changes nothing)', async () => {
    const b = await book('2027-03-08T12:00:00+01:00');
    const good = tokenFor(b);
    const [payload, sig] = good.split('.');
    const flipped = `${payload}.${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`;
    const otherBooking = `${Buffer.from(`${stack.catalog.customerId}.${Date.parse(b.end).toString(36)}`).toString('base64url')}.${sig}`;
    const foreign = signBookingToken({ bookingId: b.id, expiresAt: new Date(b.end) }, 'another-secret');
    const expired = signBookingToken({ bookingId: b.id, expiresAt: new Date(Date.now() - 1_000) }, SECRET);
    for (const token of [flipped, otherBooking, foreign, expired, 'nonsense', `${payload}.`]) {
      for (const [method, path, body] of [['get', pub(token)], ['get', `${pub(token)}/availability?from=2027-03-08&to=2027-03-08`], ['post', `${pub(token)}/cancel`, {}], ['post', `${pub(token)}/reschedule`, { start: '2027-03-08T15:00:00+01:00' }], ['post', `${pub(token)}/review`, { rating: 5 }]] as const) {
        const req = request(stack.app)[method](path);
        const res = await (body ? req.send(body) : req);
        expect({ token, path: path.split('/').pop()?.split('?')[0], status: res.status }).toMatchObject({ status: 404 });
        expect(res.body.code).toBe('not_found');
      }
    }
    const still = await request(stack.app).get(`/v1/bookings/${b.id}`).set(stack.company.auth);
    expect(still.body).toMatchObject({ status: 'confirmed', start: '2027-03-08T12:00:00+01:00', rescheduledCount: 0 });
  });

  it('lists the staff member\'s free slots, moves the booking, refuses the move past maxReschedules, then cancels', async () => {
    const b = await book('2027-03-09T10:00:00+01:00', 'ben');
    const token = tokenFor(b);
    const slots = await request(stack.app).get(`${pub(token)}/availability`).query({ from: '2027-03-09', to: '2027-03-09' });
    expect(slots.status).toBe(200);
    const starts = slots.body.days[0].slots.map((s: { start: string; staffIds: string[] }) => { expect(s.staffIds).toEqual([stack.catalog.staff.ben]); return s.start; });
    expect(starts).toContain('2027-03-09T14:00:00+01:00');
    expect(starts).not.toContain('2027-03-09T10:00:00+01:00'); // its own time is taken
    expect((await request(stack.app).get(`${pub(token)}/availability`).query({ from: '2027-03-09', to: '2027-06-09' })).status).toBe(400);

    const moved = await request(stack.app).post(`${pub(token)}/reschedule`).send({ start: '2027-03-09T14:00:00+01:00' });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ id: b.id, status: 'confirmed', start: '2027-03-09T14:00:00+01:00', rescheduledCount: 1, staff: { id: stack.catalog.staff.ben } });
    const company = await request(stack.app).get(`/v1/bookings/${b.id}`).set(stack.company.auth);
    expect(company.body).toMatchObject({ start: '2027-03-09T14:00:00+01:00', rescheduledCount: 1, calendar: { status: 'synced' } });
    expect(company.body.history.map((h: { event: string }) => h.event)).toContain('rescheduled');
    // The calendar followed (same path as the company endpoint).
    expect((await calendarBookings(stack.emulator)).find((c) => c.uid === company.body.calendar.externalId)).toMatchObject({ start: '2027-03-09T13:00:00.000Z' });

    // The branch allows one move online: the second is refused, and a company key may still move it.
    const patched = await request(stack.app).patch(`/v1/branches/${stack.catalog.branchId}`).set(stack.company.auth).send({ rules: { maxReschedules: 1 } });
    expect(patched.body.rules).toMatchObject({ maxReschedules: 1, cancellationCutoffHours: 24 });
    const refused = await request(stack.app).post(`${pub(token)}/reschedule`).send({ start: '2027-03-09T16:00:00+01:00' });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'booking_rule_violation', violations: [{ rule: 'max_reschedules', message: expect.any(String) }] });
    expect((await request(stack.app).get(pub(token))).body).toMatchObject({ start: '2027-03-09T14:00:00+01:00', selfService: { canReschedule: false, canCancel: true, reschedulesLeft: 0 } });
    const byCompany = await request(stack.app).post(`/v1/bookings/${b.id}/reschedule`).set(stack.company.auth).send({ start: '2027-03-09T16:00:00+01:00' });
    expect(byCompany.status).toBe(200);
    expect(byCompany.body.rescheduledCount).toBe(2);
    await request(stack.app).patch(`/v1/branches/${stack.catalog.branchId}`).set(stack.company.auth).send({ rules: { maxReschedules: 3 } });

    const cancelled = await request(stack.app).post(`${pub(token)}/cancel`).send({});
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ id: b.id, status: 'cancelled', selfService: { canCancel: false, canReschedule: false } });
    const after = await request(stack.app).get(`${pub(token)}/availability`).query({ from: '2027-03-09', to: '2027-03-09' });
    expect(after.body.days[0].slots.map((s: { start: string }) => s.start)).toContain('2027-03-09T16:00:00+01:00'); // free at once
    expect((await request(stack.app).post(`${pub(token)}/reschedule`).send({ start: '2027-03-09T15:00:00+01:00' })).status).toBe(409);
  });

  it('concurrent moves of one booking at maxReschedules 1: exactly one moves, the others are refused, the count never passes the limit', async () => {
    const b = await book('2027-03-16T10:00:00+01:00', 'ben');
    const token = tokenFor(b);
    expect((await request(stack.app).patch(`/v1/branches/${stack.catalog.branchId}`).set(stack.company.auth).send({ rules: { maxReschedules: 1 } })).status).toBe(200);
    try {
      // The count as the database has it, sampled while the moves run.
      const seen: number[] = [];
      let racing = true;
      const sampler = (async () => {
        while (racing) {
          seen.push((await stack.workerDb.booking.findUniqueOrThrow({ where: { id: b.id }, select: { rescheduledCount: true } })).rescheduledCount);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      })();
      // Six moves at once: five to different free times, one of them twice (that pair may also meet on the slot).
      const targets = ['12:00', '13:00', '14:00', '15:00', '16:00', '16:00'].map((hm) => `2027-03-16T${hm}:00+01:00`);
      const answers = await Promise.all(targets.map((start) => request(stack.app).post(`${pub(token)}/reschedule`).send({ start })));
      racing = false;
      await sampler;

      const moved = answers.filter((a) => a.status === 200);
      expect(moved).toHaveLength(1);
      expect(moved[0].body).toMatchObject({ id: b.id, status: 'confirmed', rescheduledCount: 1 });
      for (const refused of answers.filter((a) => a.status !== 200)) {
        if (refused.status === 409) {
          expect(refused.body.code).toBe('slot_unavailable');
          continue;
        }
        expect(refused.status).toBe(422);
        expect(refused.body).toMatchObject({ code: 'booking_rule_violation', violations: [{ rule: 'max_reschedules', message: expect.stringContaining('at most 1 online') }] });
      }
      expect(answers.filter((a) => a.status === 422).length).toBeGreaterThanOrEqual(4);
      expect(Math.max(...seen)).toBeLessThanOrEqual(1);

      // The booking is where the one success put it, counted once, with one move in its history and in the calendar.
      const company = await request(stack.app).get(`/v1/bookings/${b.id}`).set(stack.company.auth);
      expect(company.body).toMatchObject({ status: 'confirmed', start: moved[0].body.start, rescheduledCount: 1, calendar: { status: 'synced' } });
      expect(company.body.history.filter((h: { event: string }) => h.event === 'rescheduled')).toHaveLength(1);
      expect(await stack.workerDb.rescheduleClaim.count({ where: { bookingId: b.id } })).toBe(0);
      expect(await stack.workerDb.booking.count({ where: { source: 'hold', notes: `reschedule hold for ${b.id}` } })).toBe(0);
      // Only the time it moved to is taken: every refused move's time is free again.
      const slots = await request(stack.app).get(`${pub(token)}/availability`).query({ from: '2027-03-16', to: '2027-03-16' });
      const free = slots.body.days[0].slots.map((x: { start: string }) => x.start);
      for (const start of targets.filter((t) => t !== moved[0].body.start)) expect(free).toContain(start);
      expect(free).not.toContain(moved[0].body.start);
    } finally {
      await request(stack.app).patch(`/v1/branches/${stack.catalog.branchId}`).set(stack.company.auth).send({ rules: { maxReschedules: 3 } });
    }
  });

  it('refuses a cancel or move inside the cut-off (422 cancellation_cutoff); company keys are not bound', async () => {
    const b = await book('2027-03-10T10:00:00+01:00');
    const token = tokenFor(b);
    // 23 hours before the start, for an API process whose clock says so.
    const late = await stack.extraApp({ clock: () => new Date(Date.parse(b.start) - 23 * 3_600_000) });
    const cancel = await request(late.app).post(`${pub(token)}/cancel`).send({});
    expect(cancel.status).toBe(422);
    expect(cancel.body).toMatchObject({ code: 'booking_rule_violation', violations: [{ rule: 'cancellation_cutoff', message: expect.stringContaining('24 hours') }] });
    const move = await request(late.app).post(`${pub(token)}/reschedule`).send({ start: '2027-03-10T15:00:00+01:00' });
    expect(move.status).toBe(422);
    expect(move.body.violations.map((v: { rule: string }) => v.rule)).toEqual(['cancellation_cutoff']);
    expect((await request(late.app).get(pub(token))).body.selfService).toMatchObject({ canCancel: false, canReschedule: false });
    expect((await request(stack.app).get(`/v1/bookings/${b.id}`).set(stack.company.auth)).body.status).toBe('confirmed');
    // Exactly 25 hours before, the same link may cancel.
    const early = await stack.extraApp({ clock: () => new Date(Date.parse(b.start) - 25 * 3_600_000) });
    expect((await request(early.app).get(pub(token))).body.selfService).toMatchObject({ canCancel: true });
    // The company key cancels inside the cut-off.
    const byCompany = await request(late.app).post(`/v1/bookings/${b.id}/cancel`).set(stack.company.auth).send({});
    expect(byCompany.status).toBe(200);
    expect(byCompany.body.status).toBe('cancelled');
  });

  it('public booking end to end: a pk_live_ key reserves, books for a phone-only customer (source web), and the manageUrl works', async () => {
    const publicKey = await createKey(stack.app, stack.company, 'public');
    expect(publicKey.Authorization).toMatch(/^Bearer pk_live_/);
    const reservation = await request(stack.app).post('/v1/reservations').set(publicKey).send({
      branchId: stack.catalog.branchId, serviceId: stack.catalog.serviceId, staffId: stack.catalog.staff.anna, start: '2027-03-11T10:00:00+01:00',
    });
    expect(reservation.status).toBe(201);
    const phone = `030 ${Math.floor(1_000_000 + Math.random() * 8_999_999)}`;
    const created = await request(stack.app).post('/v1/public/bookings').set(publicKey).send({
      reservationId: reservation.body.id, customer: { name: 'Paula Web', phone, language: 'de' }, notes: 'first visit',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'confirmed', source: 'web', start: '2027-03-11T10:00:00+01:00', staffId: stack.catalog.staff.anna, notes: 'first visit' });
    const customer = await request(stack.app).get(`/v1/customers/${created.body.customerId}`).set(stack.company.auth);
    expect(customer.body).toMatchObject({ name: 'Paula Web', phone: `+4930${phone.slice(4)}`, email: null, language: 'de' });
    // The link in the answer opens the booking, without a key.
    const url = new URL(created.body.manageUrl);
    expect(`${url.origin}`).toBe(new URL(loadConfig().publicBaseUrl).origin);
    const token = url.pathname.replace(/^\/b\//, '');
    const viewed = await request(stack.app).get(pub(token));
    expect(viewed.status).toBe(200);
    expect(viewed.body).toMatchObject({ id: created.body.id, customer: { name: 'Paula Web' }, status: 'confirmed' });

    // The same number in another spelling finds the same customer; the reservation is spent.
    const again = await request(stack.app).post('/v1/public/bookings').set(publicKey).send({ reservationId: reservation.body.id, customer: { name: 'P.', phone: `+49 30 ${phone.slice(4)}` } });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('reservation_expired');
    const second = await request(stack.app).post('/v1/reservations').set(publicKey).send({
      branchId: stack.catalog.branchId, serviceId: stack.catalog.serviceId, staffId: stack.catalog.staff.ben, start: '2027-03-11T12:00:00+01:00',
    });
    const rebooked = await request(stack.app).post('/v1/public/bookings').set(publicKey).send({ reservationId: second.body.id, customer: { name: 'P.', phone: `+49 30 ${phone.slice(4)}` } });
    expect(rebooked.status).toBe(201);
    expect(rebooked.body.customerId).toBe(created.body.customerId);

    // Bad input: 400 with every field; the public key may not use the company endpoints around it.
    const bad = await request(stack.app).post('/v1/public/bookings').set(publicKey).send({ reservationId: second.body.id, customer: { name: '' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['customer.name', 'customer.phone']);
    expect((await request(stack.app).get(`/v1/bookings/${created.body.id}`).set(publicKey)).status).toBe(403);
    expect((await request(stack.app).post(`/v1/bookings/${created.body.id}/cancel`).set(publicKey).send({})).status).toBe(403);
  });

  it('reviews: a review request after the front desk completes; not before completion, once after it; the staff rating counts visible reviews; a manager hides one', async () => {
    const b = await book('2027-03-12T10:00:00+01:00', 'ben');
    const early = await request(stack.app).post(`${pub(tokenFor(b))}/review`).send({ rating: 5 });
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('invalid_state');
    expect((await request(stack.app).post(`${pub(tokenFor(b))}/review`).send({ rating: 6 })).status).toBe(400);

    // The saga starts the lifecycle after answering: wait for it, so the completion's signal has a receiver.
    const temporal = await getTestEnv();
    await temporal.client.workflow.getHandle(bookingWorkflowId(b.id)).result();
    const desk = await stack.extraApp({ clock: () => new Date(Date.parse(b.start) + 30 * 60_000) });
    expect((await request(desk.app).post(`/v1/bookings/${b.id}/complete`).set(stack.company.auth)).status).toBe(200);
    // The lifecycle ends and sends the review request (outbox kind review_request), with the review link.
    expect(await temporal.client.workflow.getHandle(lifecycleWorkflowId(b.id)).result()).toMatchObject({ status: 'completed' });
    const notes = await request(stack.app).get(`/v1/bookings/${b.id}/notifications`).set(stack.company.auth);
    expect(notes.body.data.map((n: { kind: string; status: string }) => [n.kind, n.status])).toEqual([['confirmation', 'sent'], ['review_request', 'sent']]);
    const email = `carla-${stack.catalog.customerId}@example.test`;
    const mail = await eventually(async () => (await inbox(email)).find((m) => /(How was your|Wie war Ihr Termin) Haircut\?/.test(m.subject)), 20_000);
    const link = /(https?:\/\/\S+\/b\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+))/.exec(mail.text);
    expect(link?.[1].startsWith(`${loadConfig().publicBaseUrl}/b/`)).toBe(true);
    const token = link![2];
    expect((await request(stack.app).get(pub(token))).body).toMatchObject({ id: b.id, status: 'completed', canReview: true });

    const first = await request(stack.app).post(`${pub(token)}/review`).send({ rating: 4, comment: 'Sehr gut' });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ rating: 4, comment: 'Sehr gut' });
    const twice = await request(stack.app).post(`${pub(token)}/review`).send({ rating: 1 });
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('already_reviewed');
    expect((await request(stack.app).get(pub(token))).body).toMatchObject({ canReview: false, review: { rating: 4, comment: 'Sehr gut' } });

    const ben = stack.catalog.staff.ben;
    const publicKey = await createKey(stack.app, stack.company, 'public');
    expect((await request(stack.app).get(`/v1/staff/${ben}`).set(publicKey)).body.rating).toEqual({ average: 4, count: 1 });
    const listed = await request(stack.app).get('/v1/staff').query({ branchId: stack.catalog.branchId }).set(stack.company.auth);
    const byId = Object.fromEntries(listed.body.data.map((s: { id: string; rating: unknown }) => [s.id, s.rating]));
    expect(byId).toEqual({ [ben]: { average: 4, count: 1 }, [stack.catalog.staff.anna]: { average: null, count: 0 } });

    const reviews = await request(stack.app).get(`/v1/staff/${ben}/reviews`).set(stack.company.auth);
    expect(reviews.status).toBe(200);
    expect(reviews.body.data).toEqual([expect.objectContaining({ bookingId: b.id, staffId: ben, rating: 4, comment: 'Sehr gut', hidden: false })]);
    const reviewId = reviews.body.data[0].id;
    const support = await createKey(stack.app, stack.company, 'support');
    expect((await request(stack.app).post(`/v1/reviews/${reviewId}/hide`).set(support)).status).toBe(403);
    expect((await request(stack.app).get(`/v1/staff/${ben}/reviews`).set(publicKey)).status).toBe(403);
    const hidden = await request(stack.app).post(`/v1/reviews/${reviewId}/hide`).set(stack.company.auth);
    expect(hidden.status).toBe(200);
    expect(hidden.body).toMatchObject({ id: reviewId, hidden: true, hiddenAt: expect.any(String) });
    expect((await request(stack.app).get(`/v1/staff/${ben}`).set(stack.company.auth)).body.rating).toEqual({ average: null, count: 0 });
    expect((await request(stack.app).get(`/v1/staff/${ben}/reviews`).set(stack.company.auth)).body.data).toEqual([]);
    expect((await request(stack.app).get(`/v1/staff/${ben}/reviews?includeHidden=true`).set(stack.company.auth)).body.data).toHaveLength(1);

    // Another company's manager sees none of it.
    const { createCompany } = await import('../api/api-harness');
    const other = await createCompany(stack.app, 'Other reviews');
    expect((await request(stack.app).post(`/v1/reviews/${reviewId}/hide`).set(other.auth)).status).toBe(404);
    expect((await request(stack.app).get(`/v1/staff/${ben}/reviews`).set(other.auth)).status).toBe(404);
  });
});
