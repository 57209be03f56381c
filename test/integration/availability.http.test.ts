/**
 * GET /v1/availability and /v1/availability/explain through HTTP over real PostgreSQL, Redis and
 * the Cal.com emulator (API.md "Availability"): every day of the range with empty closed days,
 * X-Cache MISS then HIT, ETag/304, stored br/gzip copies, no stale slot after each kind of change (booking inserted, cancelled,
 * rescheduled, time off, branch, staff and service edits), explain reason codes, and bad input
 * (400 validation_error / 404, never 5xx).
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import request from 'supertest';
import { rawGet } from '../harness/raw-get';
import { seedAvailabilityFixture, createManagerKey, insertBooking, type AvailabilityFixture } from './availability.fixtures';
import { search, startAvailabilityApp, startsOf, type AvailabilityApp } from './availability.harness';

const SAT = '2030-06-01';
const SUN = '2030-06-02';
const MON = '2030-06-03';
const TUE = '2030-06-04';
/** Local Berlin time (CEST, +02:00 in June) → Date. */
const at = (date: string, hm: string) => new Date(`${date}T${hm}:00+02:00`);
const MORNING = ['09:00', '09:30', '10:00', '10:30', '11:00', '11:30', '12:00'];
const AFTERNOON = ['14:00', '14:30', '15:00', '15:30', '16:00', '16:30', '17:00'];

let ctx: AvailabilityApp;

beforeAll(async () => {
  ctx = await startAvailabilityApp();
});

afterAll(async () => {
  await ctx.close();
});

async function fixture(): Promise<{ fx: AvailabilityFixture; auth: { Authorization: string } }> {
  const fx = await seedAvailabilityFixture(ctx.harness.db);
  return { fx, auth: await createManagerKey(ctx.harness.db, fx.companyId) };
}

describe('GET /v1/availability', () => {
  it('lists every day of the range, empty for closed days, then answers from the cache', async () => {
    const { fx, auth } = await fixture();
    const q = { branchId: fx.branchId, serviceId: fx.serviceId, from: SAT, to: TUE };
    const first = await search(ctx.app, auth, q);
    expect(first.status).toBe(200);
    expect(first.cache).toBe('MISS');
    expect(first.calendar).toBe('not_linked');
    expect(first.body).toMatchObject({ branchId: fx.branchId, serviceId: fx.serviceId, timezone: 'Europe/Berlin' });
    expect(first.body.days.map((d) => [d.date, d.slots.length])).toEqual([
      [SAT, 0], // branch open 10–14 but nobody works Saturdays
      [SUN, 0], // branch closed
      [MON, 14],
      [TUE, 14],
    ]);
    expect(first.body.days[2].slots[0]).toEqual({
      start: '2030-06-03T09:00:00+02:00', end: '2030-06-03T10:00:00+02:00', staffIds: [fx.staff.anna, fx.staff.ben],
      staff: [{ id: fx.staff.anna, name: 'Anna' }, { id: fx.staff.ben, name: 'Ben' }],
    });
    expect(startsOf(first, MON, fx.staff.anna)).toEqual([...MORNING, ...AFTERNOON]);

    const second = await search(ctx.app, auth, q);
    expect(second.cache).toBe('HIT');
    expect(ctx.availability.deps.availabilityCache.status().mode).toBe('redis'); // the real two-tier cache
    expect(second.body).toEqual(first.body);
    // Another query (staff filter) is another cache entry.
    const narrowed = await search(ctx.app, auth, { ...q, staffId: fx.staff.ben });
    expect(narrowed.cache).toBe('MISS');
    expect(narrowed.body.days[2].slots.every((s) => s.staffIds.join() === fx.staff.ben)).toBe(true);
  });

  it('tags answers with an ETag of the body: If-None-Match answers 304 without a body while the answer is unchanged, 200 after a change', async () => {
    const { fx, auth } = await fixture();
    const q = { branchId: fx.branchId, serviceId: fx.serviceId, from: MON, to: MON };
    // identity: this test is about the body's own tag (compressed copies have theirs, see below).
    const get = (headers: Record<string, string> = {}) => request(ctx.app).get('/v1/availability').set(auth).set({ 'Accept-Encoding': 'identity', ...headers }).query(q);
    const first = await get();
    expect(first.status).toBe(200);
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[0-9a-f]+-[A-Za-z0-9_-]{27}"$/);
    expect(Number.parseInt(etag.slice(1, etag.indexOf('-')), 16)).toBe(Buffer.byteLength(first.text));
    // The tag is the body's: the cached answer (HIT) carries the computed one's (MISS).
    const hit = await get();
    expect(hit.headers['x-cache']).toBe('HIT');
    expect(hit.headers.etag).toBe(etag);

    const notModified = await get({ 'If-None-Match': etag });
    expect(notModified.status).toBe(304);
    expect(notModified.text ?? '').toBe('');
    expect(notModified.headers.etag).toBe(etag);
    expect(notModified.headers['x-cache']).toBe('HIT');
    // A list holding the tag, or a weak form of it, matches too; another tag does not.
    expect((await get({ 'If-None-Match': `"other", W/${etag}` })).status).toBe(304);
    const other = await get({ 'If-None-Match': '"0-other"' });
    expect(other.status).toBe(200);
    expect(other.body).toEqual(first.body);

    // A booking changes the answer: the old tag no longer matches, the new body has a new tag.
    await insertBooking(ctx.harness.db, fx, { staffId: fx.staff.anna, start: at(MON, '10:00') });
    await ctx.bookingChanged(fx.branchId);
    const changed = await get({ 'If-None-Match': etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
    expect(changed.body).not.toEqual(first.body);
  });

  it('sends the cached answer as a stored br or gzip copy to clients that take one, with a tag of its own', async () => {
    const { fx, auth } = await fixture();
    const path = `/v1/availability?${new URLSearchParams({ branchId: fx.branchId, serviceId: fx.serviceId, from: MON, to: TUE })}`;
    const server = ctx.app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    // rawGet, not supertest: supertest inflates bodies, and these checks are about the bytes sent.
    const base = `http://127.0.0.1:${port}`;
    const get = (headers: Record<string, string>, at = path) => rawGet(base + at, { ...auth, ...headers });
    /** Asks until the entry's copy in `encoding` is ready (made off the event loop after the first ask). */
    const encodedAnswer = async (acceptEncoding: string, encoding: string) => {
      for (let i = 0; i < 100; i++) {
        const answer = await get({ 'Accept-Encoding': acceptEncoding });
        if (answer.headers['content-encoding'] === encoding) return answer;
        expect(answer.headers['content-encoding']).toBeUndefined(); // identity until then, never another encoding
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`no ${encoding} copy after 100 asks`);
    };
    try {
      const identity = await get({ 'Accept-Encoding': 'identity' });
      expect(identity.status).toBe(200);
      expect(identity.headers['content-encoding']).toBeUndefined();
      expect(identity.headers.vary).toMatch(/Accept-Encoding/);
      expect(identity.body.length).toBeGreaterThan(1024);
      const tag = identity.headers.etag as string;

      const br = await encodedAnswer('gzip, deflate, br', 'br'); // ties go to Brotli
      expect(br.headers['x-cache']).toBe('HIT');
      expect(br.headers.vary).toMatch(/Accept-Encoding/);
      expect(Number(br.headers['content-length'])).toBe(br.body.length);
      expect(br.body.length).toBeLessThan(identity.body.length / 4);
      expect(brotliDecompressSync(br.body).equals(identity.body)).toBe(true);
      expect(br.headers.etag).toBe(`${tag.slice(0, -1)}-br"`);

      const gz = await encodedAnswer('gzip, deflate', 'gzip');
      expect(gunzipSync(gz.body).equals(identity.body)).toBe(true);
      expect(gz.headers.etag).toBe(`${tag.slice(0, -1)}-gzip"`);
      // The client's q-values win over the server's order.
      expect((await get({ 'Accept-Encoding': 'br;q=0.5, gzip' })).headers['content-encoding']).toBe('gzip');

      // Each representation revalidates against its own tag.
      expect((await get({ 'Accept-Encoding': 'br', 'If-None-Match': br.headers.etag as string })).status).toBe(304);
      const crossed = await get({ 'Accept-Encoding': 'identity', 'If-None-Match': br.headers.etag as string });
      expect(crossed.status).toBe(200);
      expect(crossed.body.equals(identity.body)).toBe(true);

      // No Accept-Encoding, or a refusal of both: the identity body.
      for (const headers of [{}, { 'Accept-Encoding': 'br;q=0, gzip;q=0' }] as Array<Record<string, string>>) {
        const plain = await get(headers);
        expect(plain.headers['content-encoding']).toBeUndefined();
        expect(plain.body.equals(identity.body)).toBe(true);
      }
      // An answer under 1 KB is not worth compressing (Sunday: closed).
      const small = path.replace(`from=${MON}&to=${TUE}`, `from=${SUN}&to=${SUN}`);
      expect(small).not.toBe(path);
      for (let i = 0; i < 3; i++) {
        const res = await get({ 'Accept-Encoding': 'br' }, small);
        expect(res.status).toBe(200);
        expect(res.headers['content-encoding']).toBeUndefined();
      }
    } finally {
      server.close();
    }
  });

  it('applies preferences and flexible durations', async () => {
    const { fx, auth } = await fixture();
    const male = await search(ctx.app, auth, { branchId: fx.branchId, serviceId: fx.serviceId, from: MON, to: MON, gender: 'male' });
    expect(male.body.days[0].slots.every((s) => s.staffIds.join() === fx.staff.ben)).toBe(true);
    const english = await search(ctx.app, auth, { branchId: fx.branchId, serviceId: fx.serviceId, from: MON, to: MON, language: 'en' });
    expect(english.body.days[0].slots.every((s) => s.staffIds.join() === fx.staff.anna)).toBe(true);
    const long = await search(ctx.app, auth, { branchId: fx.branchId, serviceId: fx.flexibleServiceId, from: MON, to: MON, durationMinutes: 90 });
    expect(long.status).toBe(200);
    expect(startsOf(long, MON, fx.staff.anna)).toEqual(['09:00', '09:30', '10:00', '10:30', '11:00', '11:30', '14:00', '14:30', '15:00', '15:30', '16:00', '16:30']);
    for (const s of long.body.days[0].slots) expect(Date.parse(s.end) - Date.parse(s.start)).toBe(90 * 60_000);
  });

  it('never serves a stale slot after a booking, cancellation, reschedule, time off or catalog edit', async () => {
    const { fx, auth } = await fixture();
    const q = { branchId: fx.branchId, serviceId: fx.serviceId, from: MON, to: MON };
    const { anna, ben } = fx.staff;
    /** The first answer after a change: computed afresh (MISS); the one after it is cached (HIT). */
    const afterChange = async () => {
      const fresh = await search(ctx.app, auth, q);
      expect(fresh.cache).toBe('MISS');
      const again = await search(ctx.app, auth, q);
      expect(again.cache).toBe('HIT');
      expect(again.body).toEqual(fresh.body);
      return fresh;
    };

    expect((await search(ctx.app, auth, q)).cache).toBe('MISS');
    expect(startsOf(await search(ctx.app, auth, q), MON, anna)).toContain('10:00');

    // Booking inserted (as the saga's hold does), then the saga's invalidation.
    const booked = await insertBooking(ctx.harness.db, fx, { staffId: anna, start: at(MON, '10:00') });
    await ctx.bookingChanged(fx.branchId);
    let answer = await afterChange();
    expect(startsOf(answer, MON, anna)).toEqual(['09:00', '11:00', '11:30', '12:00', ...AFTERNOON]);
    expect(startsOf(answer, MON, ben)).toEqual([...MORNING, ...AFTERNOON]);

    // Cancelled: the slot is free again at once.
    await ctx.harness.db.booking.update({ where: { id: booked }, data: { status: 'cancelled' } });
    await ctx.bookingChanged(fx.branchId);
    answer = await afterChange();
    expect(startsOf(answer, MON, anna)).toEqual([...MORNING, ...AFTERNOON]);

    // Rescheduled from 11:00 to 15:00.
    const moved = await insertBooking(ctx.harness.db, fx, { staffId: anna, start: at(MON, '11:00') });
    await ctx.bookingChanged(fx.branchId);
    expect(startsOf(await afterChange(), MON, anna)).not.toContain('11:00');
    await ctx.harness.db.booking.update({
      where: { id: moved },
      data: { startAt: at(MON, '15:00'), endAt: at(MON, '16:00'), blockedStart: at(MON, '15:00'), blockedEnd: at(MON, '16:00'), rescheduledCount: 1 },
    });
    await ctx.bookingChanged(fx.branchId);
    answer = await afterChange();
    expect(startsOf(answer, MON, anna)).toEqual([...MORNING, '14:00', '16:00', '16:30', '17:00']);

    // Time off through the catalog API.
    const off = await request(ctx.app).post(`/v1/staff/${ben}/time-off`).set(auth).send({ start: at(MON, '00:00').toISOString(), end: at(MON, '13:00').toISOString() });
    expect(off.status).toBe(201);
    expect(startsOf(await afterChange(), MON, ben)).toEqual(AFTERNOON);

    // Staff edit: Anna now works 09:00–11:00 on Mondays.
    const staffEdit = await request(ctx.app).patch(`/v1/staff/${anna}`).set(auth).send({ workingHours: { monday: [{ start: '09:00', end: '11:00' }] } });
    expect(staffEdit.status).toBe(200);
    expect(startsOf(await afterChange(), MON, anna)).toEqual(['09:00', '09:30', '10:00']);

    // Service edit: 30 minutes instead of 60.
    const serviceEdit = await request(ctx.app).patch(`/v1/services/${fx.serviceId}`).set(auth).send({ durationMinutes: 30 });
    expect(serviceEdit.status).toBe(200);
    expect(startsOf(await afterChange(), MON, anna)).toEqual(['09:00', '09:30', '10:00', '10:30']);

    // Branch edit: Monday closed.
    const branchEdit = await request(ctx.app).patch(`/v1/branches/${fx.branchId}`).set(auth).send({ closures: [{ date: MON, reason: 'Inventory' }] });
    expect(branchEdit.status).toBe(200);
    answer = await afterChange();
    expect(answer.body.days).toEqual([{ date: MON, slots: [] }]);
  });

  it('records each search for analytics (hits included)', async () => {
    const { fx, auth } = await fixture();
    const q = { branchId: fx.branchId, serviceId: fx.serviceId, from: MON, to: MON };
    await search(ctx.app, auth, q);
    await search(ctx.app, auth, q);
    await ctx.availability.deps.searchRecorder.flush();
    expect(await ctx.harness.db.availabilitySearch.count({ where: { branchId: fx.branchId } })).toBe(2);
  });
});

describe('GET /v1/availability/explain', () => {
  it.each<[string, string, (fx: AvailabilityFixture) => Promise<unknown> | void, Record<string, string>, string[]]>([
    ['branch_closed', `${SUN}T10:00`, () => undefined, {}, ['branch_closed']],
    ['outside_business_hours', `${MON}T18:30`, () => undefined, {}, ['outside_business_hours']],
    ['staff_not_working (lunch gap)', `${MON}T12:30`, () => undefined, { staff: 'anna' }, ['staff_not_working']],
    ['staff_busy', `${MON}T10:00`, (fx) => insertBooking(ctx.harness.db, fx, { staffId: fx.staff.anna, start: at(MON, '10:30') }), { staff: 'anna' }, ['staff_busy']],
    [
      'staff_time_off',
      `${MON}T10:00`,
      (fx) => ctx.harness.db.staffTimeOff.create({ data: { id: `off_${fx.staff.anna.slice(4)}`, companyId: fx.companyId, staffId: fx.staff.anna, startAt: at(SUN, '20:00'), endAt: at(MON, '10:30') } }),
      { staff: 'anna' },
      ['staff_time_off'],
    ],
    [
      'staff_on_break',
      `${MON}T10:00`,
      (fx) => ctx.harness.db.staff.update({ where: { id: fx.staff.anna }, data: { breaks: { monday: [{ start: '10:15', end: '10:30' }] } } }),
      { staff: 'anna' },
      ['staff_on_break'],
    ],
    [
      'max_daily_bookings',
      `${MON}T10:00`,
      async (fx) => {
        await ctx.harness.db.staff.update({ where: { id: fx.staff.anna }, data: { maxDailyBookings: 1 } });
        await insertBooking(ctx.harness.db, fx, { staffId: fx.staff.anna, start: at(MON, '16:00') });
      },
      { staff: 'anna' },
      ['max_daily_bookings'],
    ],
    [
      'skill_mismatch',
      `${MON}T10:00`,
      (fx) => ctx.harness.db.service.update({ where: { id: fx.serviceId }, data: { requiredSkills: ['color'] } }),
      { staff: 'anna' },
      ['skill_mismatch'],
    ],
    [
      'resource_unavailable',
      `${MON}T10:00`,
      async (fx) => {
        await ctx.harness.db.service.update({ where: { id: fx.serviceId }, data: { resourceRequirements: [fx.resourceId] } });
        await insertBooking(ctx.harness.db, fx, { staffId: fx.staff.ben, start: at(MON, '10:00'), resourceId: fx.resourceId });
      },
      { staff: 'anna' },
      ['resource_unavailable'],
    ],
    ['preference_mismatch', `${MON}T10:00`, () => undefined, { staff: 'anna', gender: 'male' }, ['preference_mismatch']],
    ['minimum_notice', '2030-05-31T10:00', () => undefined, {}, ['minimum_notice']],
    ['max_advance', '2031-06-02T10:00', () => undefined, {}, ['max_advance']],
  ])('reports %s', async (_, local, arrange, extra, codes) => {
    const { fx, auth } = await fixture();
    await arrange(fx);
    const query: Record<string, string> = { branchId: fx.branchId, serviceId: fx.serviceId, start: `${local}:00+02:00` };
    if (extra.staff) query.staffId = fx.staff[extra.staff as 'anna'];
    if (extra.gender) query.gender = extra.gender;
    const res = await request(ctx.app).get('/v1/availability/explain').set(auth).query(query);
    expect(res.status).toBe(200);
    expect(res.body.available).toBe(false);
    const got = (res.body.reasons as { code: string; message: string }[]).map((r) => r.code);
    for (const code of codes) expect(got).toContain(code);
    for (const reason of res.body.reasons) expect(reason.message.length).toBeGreaterThan(0);
  });

  it('says available with the free staff, and names the staff member behind a staff reason', async () => {
    const { fx, auth } = await fixture();
    await insertBooking(ctx.harness.db, fx, { staffId: fx.staff.anna, start: at(MON, '10:00') });
    const base = { branchId: fx.branchId, serviceId: fx.serviceId, start: `${MON}T10:00:00+02:00` };
    const any = await request(ctx.app).get('/v1/availability/explain').set(auth).query(base);
    expect(any.status).toBe(200);
    expect(any.body).toMatchObject({ available: true, start: '2030-06-03T10:00:00+02:00', end: '2030-06-03T11:00:00+02:00', staffIds: [fx.staff.ben], reasons: [] });
    const anna = await request(ctx.app).get('/v1/availability/explain').set(auth).query({ ...base, staffId: fx.staff.anna });
    expect(anna.body.available).toBe(false);
    expect(anna.body.reasons).toEqual([expect.objectContaining({ code: 'staff_busy', staffId: fx.staff.anna })]);
  });
});

describe('bad input', () => {
  let fx: AvailabilityFixture;
  let auth: { Authorization: string };
  beforeAll(async () => {
    ({ fx, auth } = await fixture());
  });
  const base = () => ({ branchId: fx.branchId, serviceId: fx.serviceId, from: MON, to: MON });

  it.each<[string, (b: Record<string, string | number>) => Record<string, string | number>, string[]]>([
    ['from after to', (b) => ({ ...b, from: TUE, to: MON }), ['to']],
    ['more than 62 days', (b) => ({ ...b, to: '2030-08-04' }), ['to']],
    ['a malformed date', (b) => ({ ...b, from: '03/06/2030' }), ['from']],
    ['an impossible date', (b) => ({ ...b, to: '2030-02-30' }), ['to']],
    ['an unknown gender', (b) => ({ ...b, gender: 'robot' }), ['gender']],
    ['a malformed language', (b) => ({ ...b, language: 'german!' }), ['language']],
    ['a non-numeric duration', (b) => ({ ...b, durationMinutes: 'long' }), ['durationMinutes']],
    ['a missing branchId', ({ branchId: _b, ...rest }) => rest, ['branchId']],
    ['zero participants', (b) => ({ ...b, participants: 0 }), ['participants']],
  ])('%s → 400 validation_error', async (_, mutate, paths) => {
    const res = await request(ctx.app).get('/v1/availability').set(auth).query(mutate(base()));
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_error');
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect((res.body.errors as { path: string }[]).map((e) => e.path)).toEqual(expect.arrayContaining(paths));
  });

  it('accepts exactly 62 days', async () => {
    const res = await search(ctx.app, auth, { ...base(), to: '2030-08-03' });
    expect(res.status).toBe(200);
    expect(res.body.days).toHaveLength(62);
  });

  it.each([
    ['below the minimum', 15],
    ['above the maximum', 120],
    ['off the step', 40],
  ])('a flexible duration %s → 400 validation_error', async (_, minutes) => {
    const res = await request(ctx.app).get('/v1/availability').set(auth).query({ ...base(), serviceId: fx.flexibleServiceId, durationMinutes: minutes });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_error');
    const explain = await request(ctx.app)
      .get('/v1/availability/explain')
      .set(auth)
      .query({ branchId: fx.branchId, serviceId: fx.flexibleServiceId, start: `${MON}T10:00:00+02:00`, durationMinutes: minutes });
    expect(explain.status).toBe(400);
    expect(explain.body.code).toBe('validation_error');
  });

  it('a duration other than a fixed service\'s → 400 validation_error', async () => {
    const res = await request(ctx.app).get('/v1/availability').set(auth).query({ ...base(), durationMinutes: 45 });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_error');
  });

  it.each([
    ['branch', (b: Record<string, string>): Record<string, string> => ({ ...b, branchId: 'br_aaaaaaaaaaaaaaaa' })],
    ['service', (b: Record<string, string>): Record<string, string> => ({ ...b, serviceId: 'svc_aaaaaaaaaaaaaaaa' })],
    ['staff', (b: Record<string, string>): Record<string, string> => ({ ...b, staffId: 'stf_aaaaaaaaaaaaaaaa' })],
  ])('an unknown %s → 404 not_found', async (_, mutate) => {
    const res = await request(ctx.app).get('/v1/availability').set(auth).query(mutate(base()));
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('not_found');
    const { from: _f, to: _t, ...rest } = mutate(base());
    const explain = await request(ctx.app).get('/v1/availability/explain').set(auth).query({ ...rest, start: `${MON}T10:00:00+02:00` });
    expect(explain.status).toBe(404);
  });

  it('another company\'s branch is unknown (404), and the service must belong to the branch', async () => {
    const other = await fixture();
    expect((await request(ctx.app).get('/v1/availability').set(other.auth).query(base())).status).toBe(404);
    const mixed = await request(ctx.app).get('/v1/availability').set(auth).query({ ...base(), serviceId: other.fx.serviceId });
    expect(mixed.status).toBe(404);
  });

  it.each([
    ['a start without an offset', `${MON}T10:00:00`],
    ['a date instead of an instant', MON],
    ['garbage', 'soon'],
  ])('explain with %s → 400 validation_error', async (_, start) => {
    const res = await request(ctx.app).get('/v1/availability/explain').set(auth).query({ branchId: fx.branchId, serviceId: fx.serviceId, start });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_error');
    expect((res.body.errors as { path: string }[]).map((e) => e.path)).toContain('start');
  });

  it('needs an API key', async () => {
    expect((await request(ctx.app).get('/v1/availability').query(base())).status).toBe(401);
  });
});
