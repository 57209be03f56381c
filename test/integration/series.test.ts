/**
 * Recurring series through HTTP on the real stack (series-waitlist.harness.ts): a weekly series of
 * four is booked in full (201, bookings confirmed in the database and on the emulated calendar),
 * an occurrence taken beforehand is skipped with alternatives, a cancel from an instant cancels
 * the booked occurrences from there on, and bad input is one 400 listing every field.
 */
import { dropCompany, insertBooking } from './availability.fixtures';
import { http, seedTenant, startStack, type Stack, type Tenant } from './series-waitlist.harness';

let stack: Stack;
let t: Tenant;

describe('recurring series over HTTP', () => {
  beforeAll(async () => {
    stack = await startStack('series');
    t = await seedTenant(stack.db, stack.emulator.url);
  });
  afterAll(async () => {
    if (t) await dropCompany(stack.db, t.companyId);
    await stack?.close();
  });

  const body = (start: string, extra: object = {}) => ({
    branchId: t.branchId, serviceId: t.serviceId, customerId: t.customerId, staffId: t.staff.anna,
    start, recurrence: { frequency: 'weekly', count: 4 }, ...extra,
  });

  it('books a weekly series of 4 and cancels it from the third occurrence on', async () => {
    const res = await http(stack).post('/v1/series').set(t.auth).send(body('2027-01-04T10:00:00+01:00'));
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('completed');
    expect(res.body.occurrences.map((o: { index: number; start: string; status: string }) => [o.index, o.start, o.status])).toEqual([
      [0, '2027-01-04T10:00:00+01:00', 'booked'],
      [1, '2027-01-11T10:00:00+01:00', 'booked'],
      [2, '2027-01-18T10:00:00+01:00', 'booked'],
      [3, '2027-01-25T10:00:00+01:00', 'booked'],
    ]);
    const ids: string[] = res.body.occurrences.map((o: { bookingId: string }) => o.bookingId);
    const rows = await stack.db.booking.findMany({ where: { id: { in: ids } } });
    expect(rows.map((r) => [r.status, r.staffId, r.seriesId])).toEqual(ids.map(() => ['confirmed', t.staff.anna, res.body.id]));
    const calendar = stack.emulator.state.allBookings().map((b) => b.uid);
    for (const r of rows) expect(calendar).toContain(r.calendarExternalId);

    const got = await http(stack).get(`/v1/series/${res.body.id}`).set(t.auth);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id: res.body.id, status: 'completed', progress: { total: 4, processed: 4 } });

    const cancel = await http(stack).post(`/v1/series/${res.body.id}/cancel`).set(t.auth).send({ from: '2027-01-18T10:00:00+01:00' });
    expect(cancel.status).toBe(200);
    expect(cancel.body.status).toBe('cancelled');
    expect(cancel.body.occurrences.map((o: { status: string }) => o.status)).toEqual(['booked', 'booked', 'cancelled', 'cancelled']);
    const after = await stack.db.booking.findMany({ where: { id: { in: ids } }, orderBy: { startAt: 'asc' } });
    expect(after.map((r) => r.status)).toEqual(['confirmed', 'confirmed', 'cancelled', 'cancelled']);
  });

  it('skips an occurrence whose slot was taken before, with alternatives', async () => {
    await insertBooking(stack.db, t, { staffId: t.staff.anna, start: new Date('2027-02-08T14:00:00+01:00') });
    const res = await http(stack).post('/v1/series').set(t.auth).send(body('2027-02-01T14:00:00+01:00'));
    expect(res.status).toBe(201);
    expect(res.body.occurrences.map((o: { status: string }) => o.status)).toEqual(['booked', 'skipped', 'booked', 'booked']);
    const skipped = res.body.occurrences[1];
    expect(skipped).toMatchObject({ index: 1, start: '2027-02-08T14:00:00+01:00', reason: 'slot_unavailable' });
    expect(skipped.bookingId).toBeUndefined();
    expect(skipped.alternatives.length).toBeGreaterThan(0);
    expect(skipped.alternatives[0].start.slice(0, 10)).toBe('2027-02-08');
  });

  it('answers one 400 listing every bad field and writes nothing', async () => {
    const before = await stack.db.series.count({ where: { companyId: t.companyId } });
    const noEnd = await http(stack).post('/v1/series').set(t.auth).send({ ...body('2027-03-01T10:00'), recurrence: { frequency: 'weekly' }, onConflict: 'maybe' });
    expect(noEnd.status).toBe(400);
    expect(noEnd.body.code).toBe('validation_error');
    expect(noEnd.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['onConflict', 'recurrence', 'start']);
    const tooMany = await http(stack).post('/v1/series').set(t.auth).send({ ...body('2027-03-01T10:00:00+01:00'), recurrence: { frequency: 'daily', count: 367 } });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors.map((e: { path: string }) => e.path)).toContain('recurrence.count');
    const badRule = await http(stack).post('/v1/series').set(t.auth).send({ ...body('2027-03-01T10:00:00+01:00'), recurrence: { rrule: 'FREQ=SOMETIMES;COUNT=3' } });
    expect(badRule.status).toBe(400);
    expect(badRule.body.errors.length).toBeGreaterThan(0);
    expect(await stack.db.series.count({ where: { companyId: t.companyId } })).toBe(before);
  });
});
