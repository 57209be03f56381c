/**
 * Fault injection end to end: each emulator fault mode as the real client sees it. The cases that
 * expect a timeout use a client with a short deadline so the suite stays fast; every other call
 * uses one with a deadline a loaded machine cannot reach (the emulator shares the test's event
 * loop, and a 150 ms deadline once turned a 500 into a timeout). Flaky uses the emulator's seeded
 * PRNG, so outcomes are reproducible.
 */
import { createCalcomClient, type CalcomClient } from './calcom.client';
import { CalcomError } from './calcom.errors';
import { bookingInput, control, controlBookings } from './calcom.test-helpers';
import { startCalcomEmulator, type CalcomEmulator } from './emulator/emulator.server';

/** The short deadline of `impatient`, the client of the cases that expect a timeout. */
const TIMEOUT_MS = 150;
let emulator: CalcomEmulator;
let client: CalcomClient;
let impatient: CalcomClient;

beforeAll(async () => {
  emulator = await startCalcomEmulator({ port: 0 });
  client = createCalcomClient({ baseUrl: emulator.url, apiKey: 'cal_test_emulator_key', timeoutMs: 5_000 });
  impatient = createCalcomClient({ baseUrl: emulator.url, apiKey: 'cal_test_emulator_key', timeoutMs: TIMEOUT_MS });
});
afterAll(() => emulator.close());
beforeEach(() => control(emulator.url, 'POST', 'reset'));

const setFaults = async (body: unknown) => {
  const answer = await control(emulator.url, 'POST', 'faults', body);
  expect(answer.status).toBe(200);
};

async function failure(promise: Promise<unknown>): Promise<CalcomError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(CalcomError);
    return error as CalcomError;
  }
  throw new Error('expected the call to fail');
}

const hourly = (i: number) => new Date(Date.UTC(2050, 8, 5, 0, 0) + i * 3_600_000).toISOString();

describe('fault modes', () => {
  it('error 500 → retryable server error, nothing created', async () => {
    await setFaults({ mode: 'error', status: 500 });
    const error = await failure(client.createBooking(bookingInput()));
    expect(error).toMatchObject({ kind: 'server', status: 500, retryable: true, code: 'INTERNAL_SERVER_ERROR' });
    expect(await controlBookings(emulator.url)).toEqual([]);
    const { body } = await control<{ data: { mode: string; fired: number } }>(emulator.url, 'GET', 'faults');
    expect(body.data).toMatchObject({ mode: 'error', status: 500, fired: 1 });
  });

  it('error 400 → non-retryable client error', async () => {
    await setFaults({ mode: 'error', status: 400 });
    expect(await failure(client.createBooking(bookingInput()))).toMatchObject({ kind: 'client', status: 400, retryable: false });
  });

  it('error 429 → retryable rate_limited with Retry-After', async () => {
    await setFaults({ mode: 'error', status: 429, retryAfterSec: 2 });
    expect(await failure(client.createBooking(bookingInput()))).toMatchObject({ kind: 'rate_limited', status: 429, retryable: true, retryAfterMs: 2000 });
  });

  it('only the listed operations fail, and count limits how often', async () => {
    const booking = await client.createBooking(bookingInput());
    await setFaults({ mode: 'error', status: 503, operations: ['cancel', 'reschedule'], count: 2 });
    await expect(client.getBooking(booking.uid)).resolves.toMatchObject({ uid: booking.uid });
    expect(await failure(client.cancelBooking(booking.uid))).toMatchObject({ kind: 'server', status: 503, retryable: true, retryAfterMs: 1000 });
    expect((await failure(client.rescheduleBooking(booking.uid, { start: hourly(40) }))).kind).toBe('server');
    await expect(client.cancelBooking(booking.uid)).resolves.toMatchObject({ status: 'cancelled' });
    const { body } = await control<{ data: { mode: string } }>(emulator.url, 'GET', 'faults');
    expect(body.data.mode).toBe('none');
  });

  it('timeout → retryable timeout within the client deadline; the operation did not happen', async () => {
    await setFaults({ mode: 'timeout', hangMs: 2_000, operations: ['create'] });
    const started = Date.now();
    const error = await failure(impatient.createBooking(bookingInput()));
    const elapsed = Date.now() - started;
    expect(error).toMatchObject({ kind: 'timeout', retryable: true });
    expect(error.status).toBeUndefined();
    expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 10);
    expect(elapsed).toBeLessThan(TIMEOUT_MS + 500);
    expect(await controlBookings(emulator.url)).toEqual([]);
  });

  it('timeout answering late → the client timed out but the booking exists', async () => {
    await setFaults({ mode: 'timeout', hangMs: 300, afterHang: 'answer', operations: ['create'], count: 1 });
    expect((await failure(impatient.createBooking(bookingInput()))).kind).toBe('timeout');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await controlBookings(emulator.url)).toHaveLength(1);
  });

  it('flaky 0.3 → some calls fail retryably, most succeed, reproducibly for a seed', async () => {
    const run = async () => {
      await setFaults({ mode: 'flaky', rate: 0.3, status: 500, seed: 7, operations: ['create'] });
      const outcomes: string[] = [];
      for (let i = 0; i < 40; i += 1) {
        try {
          await client.createBooking(bookingInput({ start: hourly(i), metadata: { bookingId: `bk_${i}` } }));
          outcomes.push('ok');
        } catch (error) {
          expect(error).toMatchObject({ kind: 'server', retryable: true });
          outcomes.push('fail');
        }
      }
      return outcomes;
    };
    const first = await run();
    const failures = first.filter((o) => o === 'fail').length;
    // Binomial(40, 0.3): mean 12, sd 2.9; this bound is over 3 sd wide either side.
    expect(failures).toBeGreaterThanOrEqual(3);
    expect(failures).toBeLessThanOrEqual(21);
    expect(await controlBookings(emulator.url)).toHaveLength(40 - failures);
    await control(emulator.url, 'POST', 'reset');
    expect(await run()).toEqual(first);
  });

  it('lose_response → the create happened, the retry is a duplicate, and the booking is adopted by metadata', async () => {
    await setFaults({ mode: 'lose_response', operations: ['create'], count: 1 });
    const lost = await failure(client.createBooking(bookingInput()));
    expect(lost).toMatchObject({ kind: 'network', retryable: true });
    const held = await controlBookings(emulator.url);
    expect(held).toHaveLength(1);

    const retry = await failure(client.createBooking(bookingInput()));
    expect(retry).toMatchObject({ kind: 'duplicate', retryable: false });
    const adopted = await client.findBookingByMetadata({ key: 'bookingId', value: 'bk_1', eventTypeId: 11, attendeeEmail: 'ada@example.test' });
    expect(adopted).toEqual(held[0]);
  });

  it('lose_response with a hang longer than the deadline looks like a timeout', async () => {
    const answer = await control(emulator.url, 'POST', 'lose-response', { hangMs: 1_000 });
    expect(answer.body).toMatchObject({ data: { mode: 'lose_response', operations: ['create'], count: 1 } });
    expect((await failure(impatient.createBooking(bookingInput()))).kind).toBe('timeout');
    expect(await controlBookings(emulator.url)).toHaveLength(1);
    await expect(client.createBooking(bookingInput({ start: hourly(30), metadata: { bookingId: 'bk_2' } }))).resolves.toMatchObject({ status: 'accepted' });
  });

  it('lost cancel response: the retried cancel still succeeds (idempotent)', async () => {
    const booking = await client.createBooking(bookingInput());
    await setFaults({ mode: 'lose_response', operations: ['cancel'], count: 1 });
    expect((await failure(client.cancelBooking(booking.uid, 'undo'))).retryable).toBe(true);
    await expect(client.cancelBooking(booking.uid, 'undo')).resolves.toMatchObject({ uid: booking.uid, status: 'cancelled' });
  });

  it('network failure when nothing listens → retryable network error', async () => {
    const closed = await startCalcomEmulator({ port: 0 });
    await closed.close();
    const offline = createCalcomClient({ baseUrl: closed.url, apiKey: 'cal_test_emulator_key', timeoutMs: 500 });
    expect(await failure(offline.getBooking('x'))).toMatchObject({ kind: 'network', retryable: true });
  });

  it('reset clears faults, bookings and the request log', async () => {
    await setFaults({ mode: 'error', status: 500 });
    await failure(client.listBookings());
    const log = await control<{ data: Array<{ operation: string; outcome: number }> }>(emulator.url, 'GET', 'requests');
    expect(log.body.data).toEqual([expect.objectContaining({ operation: 'list', outcome: 500, fault: 'error 500' })]);
    await control(emulator.url, 'POST', 'reset');
    await expect(client.listBookings()).resolves.toMatchObject({ bookings: [] });
    const { body } = await control<{ data: { mode: string } }>(emulator.url, 'GET', 'faults');
    expect(body.data.mode).toBe('none');
  });

  it('close() does not wait for hanging requests', async () => {
    const own = await startCalcomEmulator({ port: 0 });
    const hanging = createCalcomClient({ baseUrl: own.url, apiKey: 'cal_test_emulator_key', timeoutMs: 5_000 });
    await control(own.url, 'POST', 'faults', { mode: 'timeout', hangMs: 60_000 });
    const pending = hanging.listBookings().catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await own.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await pending).toMatchObject({ kind: 'network' });
  });
});
