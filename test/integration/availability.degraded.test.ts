/**
 * Availability when its helpers fail or add information (API.md "Availability", issue 3 items 3
 * and 7): a Redis stopped mid-test (a private redis-server this suite kills) leaves answers correct
 * and uncached, logged once, and the cache comes back with Redis; an external booking created
 * directly in the Cal.com emulator removes the linked staff member's slot while our own mirrored
 * bookings do not count twice; a stopped emulator (a private instance) gives local answers with
 * X-Calendar-Status: unavailable, never an error.
 */
import { startCalcomEmulator, type CalcomEmulator } from '../../infra/calcom/emulator/emulator.server';
import request from 'supertest';
import { testEnv } from '../harness/env';
import { EMULATOR_API_KEY } from '../../infra/config';
import { linkCalendar, type EmulatorAccountInfo } from '../harness/calendar-link';
import { createManagerKey, insertBooking, seedAvailabilityFixture, uniqueCalcomUserId, type AvailabilityFixture } from './availability.fixtures';
import { RedisChild, search, startAvailabilityApp, startsOf, waitUntil, type AvailabilityApp } from './availability.harness';

const MON = '2030-06-03';
const at = (hm: string) => new Date(`${MON}T${hm}:00+02:00`);
const ALL = ['09:00', '09:30', '10:00', '10:30', '11:00', '11:30', '12:00', '14:00', '14:30', '15:00', '15:30', '16:00', '16:30', '17:00'];

async function seeded(ctx: AvailabilityApp) {
  const fx = await seedAvailabilityFixture(ctx.harness.db);
  const auth = await createManagerKey(ctx.harness.db, fx.companyId);
  return { fx, auth, q: { branchId: fx.branchId, serviceId: fx.serviceId, from: MON, to: MON } };
}

/** Anna linked to a user of the company's own Cal.com account (a new one unless `account` is given); Ben stays unlinked. */
async function linkAnna(ctx: AvailabilityApp, fx: AvailabilityFixture, emulatorUrl: string, account?: EmulatorAccountInfo): Promise<number> {
  const linked = await linkCalendar(ctx.harness.db, { companyId: fx.companyId, branchId: fx.branchId, emulatorUrl, staffIds: [fx.staff.anna], account });
  return linked.account.userIds[0]!;
}

async function externalBooking(baseUrl: string, body: object): Promise<void> {
  const res = await fetch(`${baseUrl}/__control/bookings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status !== 201) throw new Error(`emulator refused the external booking: ${res.status} ${await res.text()}`);
}

describe('Redis stopped mid-test', () => {
  let redis: RedisChild;
  let ctx: AvailabilityApp;

  beforeAll(async () => {
    redis = await RedisChild.start();
    ctx = await startAvailabilityApp({ redisUrl: redis.url });
  });

  afterAll(async () => {
    await ctx?.close();
    await redis?.kill();
  });

  /** A fresh tenant whose search is cached in Redis (MISS, then HIT), then Redis killed and noticed. */
  async function cachedThenRedisKilled() {
    const tenant = await seeded(ctx);
    const { auth, q } = tenant;
    const cache = ctx.availability.deps.availabilityCache;
    await waitUntil('the cache to reach Redis', () => cache.status().mode === 'redis');
    expect((await search(ctx.app, auth, q)).cache).toBe('MISS');
    expect((await search(ctx.app, auth, q)).cache).toBe('HIT');
    await redis.kill();
    await waitUntil('the cache to notice', () => cache.status().mode === 'degraded');
    return { ...tenant, cache };
  }

  it('keeps answering correctly (uncached), logs the outage once, and caches again once Redis is back', async () => {
    const { fx, auth, q, cache } = await cachedThenRedisKilled();

    // A change while Redis is down: its invalidation cannot reach Redis.
    await insertBooking(ctx.harness.db, fx, { staffId: fx.staff.anna, start: at('10:00') });
    await ctx.bookingChanged(fx.branchId);
    for (let i = 0; i < 3; i++) {
      const answer = await search(ctx.app, auth, q);
      expect(answer.status).toBe(200);
      expect(answer.cache).toBe('MISS');
      expect(startsOf(answer, MON, fx.staff.anna)).toEqual(['09:00', '11:00', '11:30', '12:00', '14:00', '14:30', '15:00', '15:30', '16:00', '16:30', '17:00']);
      expect(startsOf(answer, MON, fx.staff.ben)).toEqual(ALL);
    }
    await insertBooking(ctx.harness.db, fx, { staffId: fx.staff.ben, start: at('15:00') });
    await ctx.bookingChanged(fx.branchId);
    expect(startsOf(await search(ctx.app, auth, q), MON, fx.staff.ben)).not.toContain('15:00');
    expect(ctx.logs.filter((l) => l.msg === 'cache degraded to in-process')).toHaveLength(1);

    // Redis back (empty, as after a restart): the cache recovers by itself and serves fresh data.
    await redis.up();
    await waitUntil('the cache to recover', () => cache.status().mode === 'redis');
    const fresh = await search(ctx.app, auth, q);
    expect(fresh.cache).toBe('MISS');
    expect(startsOf(fresh, MON, fx.staff.ben)).not.toContain('15:00');
    expect(startsOf(fresh, MON, fx.staff.anna)).not.toContain('10:00');
    expect((await search(ctx.app, auth, q)).cache).toBe('HIT');
    expect(ctx.logs.filter((l) => l.msg === 'cache degraded to in-process')).toHaveLength(1);
    expect(ctx.logs.filter((l) => l.msg.startsWith('cache recovered'))).toHaveLength(1);
  });

  it('a Redis that comes back never serves an entry a lost invalidation should have removed', async () => {
    // The entry sits in Redis' memory until the kill; the invalidation made while it is down is lost.
    const { fx, auth, q, cache } = await cachedThenRedisKilled();
    await insertBooking(ctx.harness.db, fx, { staffId: fx.staff.anna, start: at('09:00') });
    await ctx.bookingChanged(fx.branchId);
    await redis.up();
    await waitUntil('the cache to recover', () => cache.status().mode === 'redis');
    const answer = await search(ctx.app, auth, q);
    expect(answer.cache).toBe('MISS');
    expect(startsOf(answer, MON, fx.staff.anna)).not.toContain('09:00');
  });
});

describe('Cal.com busy times', () => {
  let ctx: AvailabilityApp;

  beforeAll(async () => {
    ctx = await startAvailabilityApp();
  });

  afterAll(async () => {
    await ctx?.close();
  });

  it('an external booking made in the emulator removes the linked staff member\'s slot; our own mirrored ones do not count twice', async () => {
    const { fx, auth, q } = await seeded(ctx);
    const baseUrl = testEnv().calcomBaseUrl;
    const userId = await linkAnna(ctx, fx, baseUrl);
    const before = await search(ctx.app, auth, q);
    expect(before.calendar).toBe('ok');
    expect(startsOf(before, MON, fx.staff.anna)).toEqual(ALL);

    await externalBooking(baseUrl, { userId, start: at('10:00').toISOString(), end: at('11:00').toISOString(), title: 'Dentist' });
    // Our own booking, mirrored into Cal.com with our id in its metadata, is blocked once (by the database).
    const ours = await insertBooking(ctx.harness.db, fx, { staffId: fx.staff.anna, start: at('15:00') });
    await externalBooking(baseUrl, { userId, start: at('15:00').toISOString(), end: at('16:00').toISOString(), metadata: { bookingId: ours } });
    await ctx.bookingChanged(fx.branchId);

    const after = await search(ctx.app, auth, q);
    expect(after.cache).toBe('MISS');
    expect(after.calendar).toBe('ok');
    expect(startsOf(after, MON, fx.staff.anna)).toEqual(['09:00', '11:00', '11:30', '12:00', '14:00', '16:00', '16:30', '17:00']);
    expect(startsOf(after, MON, fx.staff.ben)).toEqual(ALL); // not linked
    expect((await search(ctx.app, auth, q)).cache).toBe('HIT');

    // Cancelling our booking frees 15:00 although its Cal.com mirror is still there.
    await ctx.harness.db.booking.update({ where: { id: ours }, data: { status: 'cancelled' } });
    await ctx.bookingChanged(fx.branchId);
    expect(startsOf(await search(ctx.app, auth, q), MON, fx.staff.anna)).toContain('15:00');

    const explain = await fetchExplain(ctx, auth, { branchId: fx.branchId, serviceId: fx.serviceId, staffId: fx.staff.anna, start: `${MON}T10:00:00+02:00` });
    expect(explain.reasons.map((r: { code: string }) => r.code)).toEqual(['staff_busy']);
  });
});

describe('Cal.com emulator stopped', () => {
  let emulator: CalcomEmulator;
  let ctx: AvailabilityApp;

  beforeAll(async () => {
    emulator = await startCalcomEmulator({ port: 0 });
    ctx = await startAvailabilityApp();
  });

  afterAll(async () => {
    await ctx?.close();
    await emulator?.close().catch(() => undefined);
  });

  it('answers from local data with X-Calendar-Status: unavailable, uncached, and applies Cal.com again when it is back', async () => {
    const { fx, auth, q } = await seeded(ctx);
    // The emulator's default account: a restarted emulator knows its key again.
    const userId = await linkAnna(ctx, fx, emulator.url, { apiKey: EMULATOR_API_KEY, userIds: [uniqueCalcomUserId(), 0, 0], eventTypeIds: [1, 1, 1] });
    await externalBooking(emulator.url, { userId, start: at('10:00').toISOString(), end: at('11:00').toISOString() });
    await insertBooking(ctx.harness.db, fx, { staffId: fx.staff.anna, start: at('14:00') });
    const up = await search(ctx.app, auth, q);
    expect(up.calendar).toBe('ok');
    expect(startsOf(up, MON, fx.staff.anna)).toEqual(['09:00', '11:00', '11:30', '12:00', '15:00', '15:30', '16:00', '16:30', '17:00']);

    const port = emulator.port;
    await emulator.close();
    await ctx.bookingChanged(fx.branchId);
    for (let i = 0; i < 2; i++) {
      const down = await search(ctx.app, auth, q);
      expect(down.status).toBe(200);
      expect(down.calendar).toBe('unavailable');
      expect(down.cache).toBe('MISS'); // an answer without Cal.com is not cached
      // Local data still applies (14:00 booking); the external 10:00 one is unknown now.
      expect(startsOf(down, MON, fx.staff.anna)).toEqual(['09:00', '09:30', '10:00', '10:30', '11:00', '11:30', '12:00', '15:00', '15:30', '16:00', '16:30', '17:00']);
    }
    const explain = await fetchExplain(ctx, auth, { branchId: fx.branchId, serviceId: fx.serviceId, start: `${MON}T09:00:00+02:00` }, true);
    expect(explain.calendarStatus).toBe('unavailable');
    expect(explain.available).toBe(true);
    expect(ctx.logs.filter((l) => l.msg.startsWith('Cal.com unreachable'))).toHaveLength(1);

    // Back on the same port, with the external booking made again.
    emulator = await startCalcomEmulator({ port });
    await externalBooking(emulator.url, { userId, start: at('10:00').toISOString(), end: at('11:00').toISOString() });
    const back = await search(ctx.app, auth, q);
    expect(back.calendar).toBe('ok');
    expect(startsOf(back, MON, fx.staff.anna)).not.toContain('10:00');
  });
});

async function fetchExplain(ctx: AvailabilityApp, auth: Record<string, string>, query: Record<string, string>, withHeader = false) {
  const res = await request(ctx.app).get('/v1/availability/explain').set(auth).query(query);
  if (res.status !== 200) throw new Error(`explain answered ${res.status}: ${JSON.stringify(res.body)}`);
  return withHeader ? { ...res.body, calendarStatus: res.headers['x-calendar-status'] } : res.body;
}
