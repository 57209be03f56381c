/**
 * Emulator accounts over HTTP with the real client: `POST /__control/accounts`, `/v2/me`, event
 * types with hosts, per-account isolation as in Cal.com (another account's bookings and event
 * types are unknown), hosts pinned by `routing.teamMemberIds` only among the account's users, and
 * `/v2/webhooks`. Also the per-connection client pool (infra/calcom/calcom.connections.ts).
 */
import { randomBytes } from 'node:crypto';
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
