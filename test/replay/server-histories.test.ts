/**
 * Replay of fresh histories recorded from the dev server (scripts/record-server-histories.ts, the
 * tool a release uses to replay what production has): real runs over HTTP on the real stack of
 * - a booking through update-with-start (POST /v1/bookings),
 * - a weekly series whose second occurrence is refused (a child saga ending `conflict`),
 * - that series' cancellation (seriesCancelWorkflow),
 * - a waiting-list monitor cancelled through DELETE (its cancel path),
 * - one hold-sweeper run,
 * - reservation expiry workflows (reservationExpiryWorkflow) on each path: expired by its timer,
 *   converted into a booking before the timer (not_pending), released by DELETE (signal),
 * are recorded from the server and replayed against the current workflow bundle: no
 * nondeterminism. The committed test/replay/histories/server-*.json were recorded the same way and
 * are replayed by booking-replay.test.ts on every run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { recordServerHistories } from '../../scripts/record-server-histories';
import { dropCompany } from '../integration/availability.fixtures';
import { eventually, http, seedTenant, startStack, type Stack, type Tenant } from '../integration/series-waitlist.harness';
import { bundleOnce, testDataConverter } from '../harness/temporal';

let stack: Stack;
let t: Tenant;
const OUT = fs.mkdtempSync(path.join(os.tmpdir(), 'server-histories-'));

describe('histories recorded from the dev server replay against the current code', () => {
  beforeAll(async () => {
    stack = await startStack('server-histories');
    t = await seedTenant(stack.db);
  });
  afterAll(async () => {
    if (t) await dropCompany(stack.db, t.companyId);
    await stack?.close();
    fs.rmSync(OUT, { recursive: true, force: true });
  });

  it('records series, series cancel, monitor, sweeper and update-with-start histories and replays them all', async () => {
    const client = stack.temporal.client;
    const base = { branchId: t.branchId, serviceId: t.serviceId, customerId: t.customerId, staffId: t.staff.anna };
    const booked = await http(stack).post('/v1/bookings').set(t.auth).send({ ...base, start: '2027-04-12T09:00:00+02:00' });
    expect(booked.status).toBe(201);

    const series = await http(stack).post('/v1/series').set(t.auth).send({ ...base, start: '2027-04-05T09:00:00+02:00', recurrence: { frequency: 'weekly', count: 3 } });
    expect(series.status).toBe(201);
    expect(series.body.occurrences.map((o: { status: string }) => o.status)).toEqual(['booked', 'skipped', 'booked']);
    const cancelled = await http(stack).post(`/v1/series/${series.body.id}/cancel`).set(t.auth).send({ from: '2027-04-10T00:00:00Z' });
    expect(cancelled.status).toBe(200);

    const entry = await http(stack).post('/v1/waiting-list').set(t.auth).send({
      ...base, from: '2027-04-12', to: '2027-04-12', timeWindows: [{ start: '09:00', end: '10:00' }],
    });
    expect(entry.status).toBe(201);
    expect((await http(stack).delete(`/v1/waiting-list/${entry.body.id}`).set(t.auth)).status).toBe(200);

    const sweeperId = `hold-sweeper-replay-${t.companyId}`;
    await client.workflow.execute('holdSweeperWorkflow', { taskQueue: stack.taskQueue, workflowId: sweeperId, args: [{ companyId: t.companyId }] });

    const query = `CustomerId = "${t.customerId}" OR WorkflowId = "${sweeperId}" OR SeriesId = "${series.body.id}"`;
    const want = ['bookAppointmentWorkflow', 'seriesWorkflow', 'seriesCancelWorkflow', 'waitlistMonitorWorkflow', 'holdSweeperWorkflow'];
    // Visibility is eventually consistent and the monitor closes shortly after the DELETE.
    const recorded = await eventually(async () => {
      fs.rmSync(OUT, { recursive: true, force: true });
      const got = await recordServerHistories(client, { query, outDir: OUT, prefix: 'fresh-' });
      return want.every((type) => got.some((r) => r.workflowType === type)) ? got : undefined;
    }, 'closed executions of every kind', 30_000);
    // The series' two booked occurrences, its refused one, and the lone booking.
    expect(recorded.filter((r) => r.workflowType === 'bookAppointmentWorkflow').length).toBeGreaterThanOrEqual(4);

    const workflowBundle = await bundleOnce();
    const histories = recorded.map((r) => ({ workflowId: r.workflowId, history: historyFromJSON(JSON.parse(fs.readFileSync(r.file, 'utf8'))) }));
    const failures: string[] = [];
    let replayed = 0;
    for await (const result of Worker.runReplayHistories({ workflowBundle, replayName: 'server-replay', dataConverter: testDataConverter() }, histories)) {
      replayed += 1;
      if (result.error) failures.push(`${result.workflowId}: ${String(result.error)}`);
    }
    expect(failures).toEqual([]);
    expect(replayed).toBe(recorded.length);
  }, 150_000);

  it('records the reservation expiry paths (expired, converted, released) and replays them', async () => {
    const client = stack.temporal.client;
    const slot = (start: string, ttlSeconds: number) => ({ branchId: t.branchId, serviceId: t.serviceId, staffId: t.staff.anna, start, ttlSeconds });
    const reserve = async (body: object) => {
      const res = await http(stack).post('/v1/reservations').set(t.auth).send(body);
      expect(res.status).toBe(201);
      return res.body as { id: string; expiresAt: string };
    };
    const expiring = await reserve(slot('2027-04-13T10:00:00+02:00', 30));
    const converted = await reserve(slot('2027-04-13T11:00:00+02:00', 30));
    const released = await reserve(slot('2027-04-13T12:00:00+02:00', 300));
    const booked = await http(stack).post('/v1/bookings').set(t.auth).send({ reservationId: converted.id, customerId: t.customerId });
    expect(booked.status).toBe(201);
    expect((await http(stack).delete(`/v1/reservations/${released.id}`).set(t.auth)).status).toBe(200);

    const outcomes = { [expiring.id]: 'expired', [converted.id]: 'not_pending', [released.id]: 'released' };
    for (const [id, outcome] of Object.entries(outcomes)) {
      // The timer fires at expiresAt (30 s); the deadline only ends a hang.
      await expect(client.workflow.getHandle(`reservation-${id}`).result()).resolves.toEqual({ outcome });
    }
    const query = Object.keys(outcomes).map((id) => `WorkflowId = "reservation-${id}"`).join(' OR ');
    const recorded = await eventually(async () => {
      const got = await recordServerHistories(client, { query, outDir: path.join(OUT, 'reservations'), prefix: 'fresh-' });
      return got.length === 3 ? got : undefined;
    }, 'three closed reservation workflows', 30_000);
    expect(recorded.map((r) => r.workflowType)).toEqual(Array(3).fill('reservationExpiryWorkflow'));
    // KEEP_RESERVATION_HISTORIES=1 writes them as the committed server-reservation-<outcome>.json.
    if (process.env.KEEP_RESERVATION_HISTORIES) {
      for (const r of recorded) {
        const outcome = outcomes[r.workflowId.replace(/^reservation-/, '')];
        fs.copyFileSync(r.file, path.join(__dirname, 'histories', `server-reservation-${outcome.replace('_', '-')}.json`));
      }
    }

    const workflowBundle = await bundleOnce();
    const histories = recorded.map((r) => ({ workflowId: r.workflowId, history: historyFromJSON(JSON.parse(fs.readFileSync(r.file, 'utf8'))) }));
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle, replayName: 'reservation-replay', dataConverter: testDataConverter() }, histories)) {
      if (result.error) failures.push(`${result.workflowId}: ${String(result.error)}`);
    }
    expect(failures).toEqual([]);
  }, 150_000);
});
