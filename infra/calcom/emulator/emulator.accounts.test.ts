/**
 * Emulator accounts over HTTP with the real client: `POST /__control/accounts`, `/v2/me`, event
 * types with hosts, per-account isolation as in Cal.com (another account's bookings and event
 * types are unknown), hosts pinned by `routing.teamMemberIds` only among the account's users, and
 * `/v2/webhooks`, signed deliveries in Cal.com's shape for attendee/host actions (control API) and
 * the drop mode. Also the per-connection client pool (infra/calcom/calcom.connections.ts).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCalcomClient, type CalcomClient } from '../calcom.client';
import { createCalcomConnections } from '../calcom.connections';
import { CalcomError } from '../calcom.errors';
import { bookingInput, control } from '../calcom.test-helpers';
import { createSecretBox } from '../../secrets/secret-box';
import { startCalcomEmulator, type CalcomEmulator } from './emulator.server';

let emulator: CalcomEmulator;
interface Account { apiKey: string; userIds: number[]; eventTypeIds: number[] }

beforeAll(async () => {
  emulator = await startCalcomEmulator();
});
afterAll(() => emulator.close());

async function account(): Promise<{ info: Account; client: CalcomClient }> {
  const res = await control<Account>(emulator.url, 'POST', 'accounts', {});
  expect(res.status).toBe(201);
  return { info: res.body, client: createCalcomClient({ baseUrl: emulator.url, apiKey: res.body.apiKey }) };
}

describe('emulator accounts', () => {
  it('creates accounts with three users and three event types each, ids unique across accounts, not wrapped', async () => {
    const a = await account();
    const b = await account();
    for (const { info } of [a, b]) {
      expect(info).toEqual({ apiKey: expect.stringMatching(/^cal_/), userIds: [expect.any(Number), expect.any(Number), expect.any(Number)], eventTypeIds: [expect.any(Number), expect.any(Number), expect.any(Number)] });
    }
    const ids = [...a.info.userIds, ...b.info.userIds];
    expect(new Set(ids).size).toBe(6);
    expect(new Set([...a.info.eventTypeIds, ...b.info.eventTypeIds]).size).toBe(6);
    expect(a.info.apiKey).not.toBe(b.info.apiKey);
  });

  it('/v2/me answers the account; event types are team events hosted by its three users; a wrong key is 401', async () => {
    const { info, client } = await account();
    expect(await client.me()).toMatchObject({ id: info.userIds[0], email: expect.any(String) });
    const types = await client.listEventTypes();
    expect(types.map((t) => t.id)).toEqual(info.eventTypeIds);
    for (const t of types) expect(t.hosts!.map((h) => h.userId)).toEqual(info.userIds);
    const wrong = createCalcomClient({ baseUrl: emulator.url, apiKey: 'cal_nope' });
    await expect(wrong.me()).rejects.toMatchObject({ status: 401 });
  });

  it('each account sees and changes only its own bookings; other accounts\' event types and hosts are refused', async () => {
    const a = await account();
    const b = await account();
    const mine = await a.client.createBooking(bookingInput({ eventTypeId: a.info.eventTypeIds[0], routing: { teamMemberIds: [a.info.userIds[1]!] }, start: '2050-09-06T09:00:00Z' }));
    expect(mine.hosts.map((h) => h.id)).toEqual([a.info.userIds[1]]);
    // Same instant and host shape in the other account: no clash (different users).
    const theirs = await b.client.createBooking(bookingInput({ eventTypeId: b.info.eventTypeIds[0], routing: { teamMemberIds: [b.info.userIds[1]!] }, start: '2050-09-06T09:00:00Z' }));
    expect((await a.client.listAllBookings()).map((x) => x.uid)).toEqual([mine.uid]);
    expect((await b.client.listAllBookings()).map((x) => x.uid)).toEqual([theirs.uid]);
    await expect(b.client.getBooking(mine.uid)).rejects.toMatchObject({ status: 404 });
    await expect(b.client.cancelBooking(mine.uid)).rejects.toMatchObject({ status: 404 });
    await expect(b.client.rescheduleBooking(mine.uid, { start: '2050-09-06T11:00:00Z' })).rejects.toMatchObject({ status: 404 });
    expect((await a.client.getBooking(mine.uid)).status).toBe('accepted');
    // Booking into another account's event type, or pinning another account's user.
    await expect(b.client.createBooking(bookingInput({ eventTypeId: a.info.eventTypeIds[1], routing: { teamMemberIds: [a.info.userIds[0]!] } }))).rejects.toMatchObject({ status: 404 });
    const err = await a.client.createBooking(bookingInput({ eventTypeId: a.info.eventTypeIds[1], routing: { teamMemberIds: [b.info.userIds[0]!] } })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CalcomError);
    expect((err as CalcomError).status).toBe(400);
    // Without a team member the first free host of the team is chosen.
    const auto = await a.client.createBooking(bookingInput({ eventTypeId: a.info.eventTypeIds[2], routing: undefined, start: '2050-09-06T09:00:00Z' }));
    expect(a.info.userIds).toContain(auto.hosts[0]!.id);
  });

  it('registers, lists and deletes webhooks per account without echoing the secret', async () => {
    const a = await account();
    const b = await account();
    const hook = await a.client.createWebhook({ subscriberUrl: 'http://127.0.0.1:9/hook', triggers: ['BOOKING_CANCELLED'], active: true, secret: 's3cret' });
    expect(hook).toMatchObject({ id: expect.any(String), subscriberUrl: 'http://127.0.0.1:9/hook', triggers: ['BOOKING_CANCELLED'], active: true });
    expect(JSON.stringify(hook)).not.toContain('s3cret');
    expect((await a.client.listWebhooks()).map((w) => w.id)).toEqual([hook.id]);
    expect(await b.client.listWebhooks()).toEqual([]);
    await a.client.deleteWebhook(hook.id);
    expect(await a.client.listWebhooks()).toEqual([]);
  });
});

describe('client pool per connection', () => {
  it('reuses a client per connection and key version, builds a new one after a key change, and decrypts only there', async () => {
    const { info } = await account();
    const secrets = createSecretBox(randomBytes(32).toString('hex'));
    const pool = createCalcomConnections({ secrets });
    const ref = { id: 'cal_1', baseUrl: emulator.url, apiKeyEnc: secrets.encrypt(info.apiKey), keyVersion: 1 };
    const first = pool.clientFor(ref);
    expect(pool.clientFor({ ...ref })).toBe(first);
    expect((await first.me()).id).toBe(info.userIds[0]);
    const other = await account();
    const rotated = pool.clientFor({ ...ref, apiKeyEnc: secrets.encrypt(other.info.apiKey), keyVersion: 2 });
    expect(rotated).not.toBe(first);
    expect((await rotated.me()).id).toBe(other.info.userIds[0]);
    expect(pool.clientFor({ ...ref, id: 'cal_2' })).not.toBe(first);
  });
});

describe('signed webhook deliveries (attendee and host actions through the control API)', () => {
  it('cancel, reschedule and outside bookings reach the account subscribers, signed; drop mode loses them', async () => {
    const received: Array<{ body: string; signature: string | undefined }> = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ body: Buffer.concat(chunks).toString('utf8'), signature: req.headers['x-cal-signature-256'] as string | undefined });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      const a = await account();
      const other = await account();
      await a.client.createWebhook({ subscriberUrl: url, triggers: ['BOOKING_CREATED', 'BOOKING_RESCHEDULED', 'BOOKING_CANCELLED'], active: true, secret: 'whsec' });
      const wait = async (n: number) => {
        for (let i = 0; i < 100 && received.length < n; i += 1) await new Promise((r) => setTimeout(r, 20));
        expect(received).toHaveLength(n);
      };
      const booking = await a.client.createBooking(bookingInput({ eventTypeId: a.info.eventTypeIds[0], routing: { teamMemberIds: [a.info.userIds[0]!] }, start: '2050-10-03T09:00:00Z', metadata: { bookingId: 'bkg_x', companyId: 'cmp_x' } }));
      expect(received).toHaveLength(0); // our own API calls are not echoed

      const moved = await control<{ data: { uid: string } }>(emulator.url, 'POST', `bookings/${booking.uid}/reschedule`, { start: '2050-10-03T11:00:00Z' });
      expect(moved.status).toBe(200);
      await wait(1);
      const rescheduled = JSON.parse(received[0]!.body);
      expect(received[0]!.signature).toBe(createHmac('sha256', 'whsec').update(received[0]!.body).digest('hex'));
      expect(rescheduled).toMatchObject({
        triggerEvent: 'BOOKING_RESCHEDULED', createdAt: expect.any(String),
        payload: { uid: moved.body.data.uid, rescheduleUid: booking.uid, startTime: '2050-10-03T11:00:00.000Z', endTime: expect.any(String), metadata: { bookingId: 'bkg_x', companyId: 'cmp_x' } },
      });

      const cancelled = await control(emulator.url, 'POST', `bookings/${moved.body.data.uid}/cancel`, { cancellationReason: 'ill' });
      expect(cancelled.status).toBe(200);
      await wait(2);
      expect(JSON.parse(received[1]!.body)).toMatchObject({ triggerEvent: 'BOOKING_CANCELLED', payload: { uid: moved.body.data.uid, status: 'CANCELLED', cancellationReason: 'ill' } });

      await control(emulator.url, 'POST', 'bookings', { userId: a.info.userIds[2], start: '2050-10-04T09:00:00Z', end: '2050-10-04T10:00:00Z' });
      await wait(3);
      expect(JSON.parse(received[2]!.body)).toMatchObject({ triggerEvent: 'BOOKING_CREATED', payload: { organizer: { id: a.info.userIds[2] } } });
      // Another account's outside booking is not theirs to hear.
      await control(emulator.url, 'POST', 'bookings', { userId: other.info.userIds[0], start: '2050-10-04T09:00:00Z' });

      expect((await control(emulator.url, 'POST', 'webhooks', { mode: 'drop' })).status).toBe(200);
      await control(emulator.url, 'POST', 'bookings', { userId: a.info.userIds[1], start: '2050-10-05T09:00:00Z' });
      await new Promise((r) => setTimeout(r, 200));
      expect(received).toHaveLength(3);
      const log = await control<{ data: { mode: string; deliveries: Array<{ outcome: unknown }> } }>(emulator.url, 'GET', 'webhooks');
      expect(log.body.data.mode).toBe('drop');
      expect(log.body.data.deliveries.map((d) => d.outcome)).toEqual([200, 200, 200, 'dropped']);
      expect((await control(emulator.url, 'POST', 'webhooks', { mode: 'sometimes' })).status).toBe(400);
      await control(emulator.url, 'POST', 'webhooks', { mode: 'deliver' });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
