/**
 * Scale-out on one machine (`npm run scaleout`, part of `npm test`): 2 API processes and 2 worker
 * processes of the compiled build, against one Temporal dev server, one PostgreSQL and one Redis,
 * workers as Worker Deployment versions. In order:
 *  1. a same-slot storm split across both APIs: one 201, the rest 409;
 *  2. one Idempotency-Key sent to both APIs at once: one booking, the same answer;
 *  3. a booking made through API 1 is gone from API 2's next availability answer (warm cache);
 *  4. SIGKILL of one worker while calendar creates hang: every saga still ends, on the survivor;
 *  5. a rolling restart onto a changed build (B): build B made current while A's sagas are in
 *     flight; A's sagas finish on A (PINNED), new ones run on B; the last A worker drains on
 *     SIGTERM and exits 0.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startCalcomEmulator, type CalcomEmulator } from '../../infra/calcom/emulator/emulator.server';
import { generateApiKey } from '../../infra/db/api-keys';
import { linkCalendar } from '../harness/calendar-link';
import { newId } from '../../infra/db/ids';
import { createPrisma, type Db } from '../../infra/db/prisma';
import { bookingWorkflowId } from '../../workflows/book-appointment.contract';
import { testEnv } from '../harness/env';
import { getTestEnv } from '../harness/temporal';
import { recentOutput, signalGroup, within, type WorkerProcess } from '../harness/worker-process';
import { dropCompany, seedAvailabilityFixture, type AvailabilityFixture } from '../integration/availability.fixtures';
import { buildTwo, Cluster, type ApiProcess, type Build } from './cluster';

const ROOT = path.resolve(__dirname, '..', '..');
const BASE = path.join(ROOT, '.data', `scaleout-${process.pid}`);
const env = testEnv();
const taskQueue = `scaleout-${randomUUID()}`;
const deploymentName = `scaleout-${randomUUID().slice(0, 8)}`;
const CREATE_LATENCY_MS = 2_500;

let temporal: TestWorkflowEnvironment;
let db: Db;
let emulator: CalcomEmulator;
let fx: AvailabilityFixture;
let auth: { Authorization: string };
let cluster: Cluster;
let builds: { a: Build; b: Build };
let api1: ApiProcess;
let api2: ApiProcess;
let workerA1: WorkerProcess;
let workerA2: WorkerProcess;

interface Answer {
  status: number;
  body: { id?: string; status?: string; code?: string; workflowId?: string };
}

async function post(api: ApiProcess, body: object, key?: string): Promise<Answer> {
  const res = await fetch(`${api.url}/v1/bookings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth, ...(key ? { 'idempotency-key': key } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Answer['body'] };
}

const booking = (start: string, staffId = fx.staff.anna) => ({ branchId: fx.branchId, serviceId: fx.serviceId, customerId: fx.customerId, staffId, start });

/** Distinct slots on one day (UTC instants; Berlin is UTC+1 in March), Anna and Ben. */
function slotsOn(day: string, count: number): Array<{ staffId: string; start: string }> {
  const hours = ['08', '09', '10', '11', '13', '14', '15', '16'];
  return hours.flatMap((h) => [fx.staff.anna, fx.staff.ben].map((staffId) => ({ staffId, start: `${day}T${h}:00:00.000Z` }))).slice(0, count);
}

async function waitFor(what: string, check: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) {
      const logs = cluster.workers.map((w, i) => `--- worker ${i}:\n${recentOutput(w).slice(-1500)}`).join('\n');
      throw new Error(`timed out waiting for ${what}\n${logs}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function versionOf(workflowId: string): Promise<{ buildId?: string; behavior?: number; status?: number }> {
  const described = await temporal.client.workflowService.describeWorkflowExecution({ namespace: env.temporalNamespace, execution: { workflowId } });
  const info = described.workflowExecutionInfo;
  return { buildId: info?.versioningInfo?.deploymentVersion?.buildId ?? undefined, behavior: info?.versioningInfo?.behavior ?? undefined, status: info?.status ?? undefined };
}

async function pollersOf(buildId: string): Promise<boolean> {
  try {
    const answer = await temporal.client.workflowService.describeWorkerDeploymentVersion({ namespace: env.temporalNamespace, deploymentVersion: { deploymentName, buildId } });
    return (answer.workerDeploymentVersionInfo?.taskQueueInfos ?? []).length > 0;
  } catch {
    return false;
  }
}

async function currentBuild(): Promise<string | undefined> {
  try {
    const answer = await temporal.client.workflowService.describeWorkerDeployment({ namespace: env.temporalNamespace, deploymentName });
    return answer.workerDeploymentInfo?.routingConfig?.currentDeploymentVersion?.buildId ?? undefined;
  } catch {
    return undefined;
  }
}

async function setSlowCreates(latencyMs: number): Promise<void> {
  const res = await fetch(`${emulator.url}/__control/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ mode: 'none', latencyMs, operations: ['create'] }),
  });
  expect(res.status).toBe(200);
}

/**
 * Starts sagas for `slots` through both APIs (alternating) without waiting for the answers: they
 * come at the outcome or after BOOKING_WAIT_MS (202). Resolves to the booking ids.
 */
function startSagas(slots: Array<{ staffId: string; start: string }>): Promise<string[]> {
  return Promise.all(slots.map((slot, i) => post(i % 2 === 0 ? api1 : api2, booking(slot.start, slot.staffId)))).then((answers) => {
    for (const a of answers) expect([[201, 202].includes(a.status), a.body.code]).toEqual([true, undefined]);
    return answers.map((a) => a.body.id as string);
  });
}

/** Booking rows of this company on `day` (UTC date) by status. */
async function rowsOn(day: string): Promise<string[]> {
  const from = new Date(`${day}T00:00:00Z`);
  const rows = await db.booking.findMany({ where: { companyId: fx.companyId, startAt: { gte: from, lt: new Date(from.getTime() + 86_400_000) } } });
  return rows.map((r) => r.status);
}

const statusOf = async (ids: string[]) => (await db.booking.findMany({ where: { id: { in: ids } } })).map((r) => r.status);

beforeAll(async () => {
  fs.rmSync(BASE, { recursive: true, force: true });
  builds = buildTwo(BASE);
  temporal = await getTestEnv();
  db = createPrisma(env.databaseUrl, { max: 3 });
  emulator = await startCalcomEmulator();
  fx = await seedAvailabilityFixture(db);
  // The company's own Cal.com account on this file's emulator: Anna and Ben are two of its users.
  await linkCalendar(db, { companyId: fx.companyId, branchId: fx.branchId, emulatorUrl: emulator.url, staffIds: [fx.staff.anna, fx.staff.ben], serviceIds: [fx.serviceId] });
  const key = generateApiKey();
  await db.apiKey.create({ data: { id: newId('key'), companyId: fx.companyId, name: 'scaleout', role: 'manager', keyHash: key.hash, prefix: key.prefix } });
  auth = { Authorization: `Bearer ${key.key}` };

  cluster = new Cluster({ taskQueue, deploymentName, calcomBaseUrl: emulator.url, bookingWaitMs: 8_000 });
  [api1, api2] = await Promise.all([cluster.startApi(builds.a), cluster.startApi(builds.a)]);
  workerA1 = cluster.startWorker(builds.a);
  workerA2 = cluster.startWorker(builds.a);
  // The first version of a fresh deployment becomes current on its own (worker/versioning.ts).
  await waitFor('build A polling and current', async () => (await pollersOf(builds.a.buildId)) && (await currentBuild()) === builds.a.buildId, 60_000);
}, 180_000);

afterAll(async () => {
  await cluster?.close();
  await emulator?.close();
  if (fx) await dropCompany(db, fx.companyId);
  await db?.$disconnect();
  fs.rmSync(BASE, { recursive: true, force: true });
}, 60_000);

describe('2 APIs and 2 workers on one dev server, PostgreSQL and Redis', () => {
  it('a same-slot storm split across both APIs has exactly one winner', async () => {
    const body = booking('2027-03-01T09:00:00+01:00');
    const answers = await Promise.all(Array.from({ length: 16 }, (_, i) => post(i % 2 === 0 ? api1 : api2, body, `storm-${i}-${taskQueue}`)));
    // One winner (201, or 202 when its saga outlives the wait on a loaded machine), 15 refused.
    const winners = answers.filter((a) => a.status === 201 || a.status === 202);
    expect(winners).toHaveLength(1);
    expect(answers.filter((a) => a.status === 409).map((a) => a.body.code)).toEqual(Array(15).fill('slot_unavailable'));
    const winner = winners[0];
    await temporal.client.workflow.getHandle(bookingWorkflowId(winner.body.id as string)).result();
    const live = await db.booking.findMany({ where: { companyId: fx.companyId, startAt: new Date('2027-03-01T08:00:00Z'), status: { in: ['pending', 'confirmed'] } } });
    expect(live.map((r) => [r.id, r.status])).toEqual([[winner?.body.id, 'confirmed']]);
  }, 60_000);

  it('one Idempotency-Key sent to both APIs at once makes one booking with one answer', async () => {
    for (const [i, start] of ['2027-03-02T09:00:00+01:00', '2027-03-02T11:00:00+01:00', '2027-03-02T15:00:00+01:00'].entries()) {
      const key = `twice-${i}-${taskQueue}`;
      const [one, two] = await Promise.all([post(api1, booking(start), key), post(api2, booking(start), key)]);
      expect([one.status, two.status]).toEqual([201, 201]);
      expect(two.body).toEqual(one.body);
      const rows = await db.booking.findMany({ where: { companyId: fx.companyId, startAt: new Date(start) } });
      expect(rows.map((r) => [r.id, r.status])).toEqual([[one.body.id, 'confirmed']]);
    }
  }, 60_000);

  it("a booking made through API 1 is gone from API 2's next availability answer", async () => {
    const query = new URLSearchParams({ branchId: fx.branchId, serviceId: fx.serviceId, staffId: fx.staff.anna, from: '2027-03-03', to: '2027-03-03' });
    const read = async () => {
      const res = await fetch(`${api2.url}/v1/availability?${query}`, { headers: auth });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { days: Array<{ slots: Array<{ start: string }> }> };
      return { cache: res.headers.get('x-cache'), starts: body.days.flatMap((d) => d.slots.map((s) => Date.parse(s.start))) };
    };
    const target = Date.parse('2027-03-03T10:00:00+01:00');
    expect((await read()).starts).toContain(target);
    // API 2 answers from its cache now (the cache write is asynchronous to the first answer).
    await waitFor("API 2's cached answer", async () => (await read()).cache === 'HIT', 10_000);
    const made = await post(api1, booking('2027-03-03T10:00:00+01:00'));
    expect(made.status).toBe(201);
    const after = await read();
    expect(after.starts).not.toContain(target);
    expect(after.starts.length).toBeGreaterThan(0);
  }, 60_000);

  it('SIGKILL of one worker mid-saga: every saga still ends, confirmed, on the other', async () => {
    await setSlowCreates(CREATE_LATENCY_MS);
    const started = startSagas(slotsOn('2027-03-04', 8));
    // Holds are in and calendar creates hang in the emulator on both workers.
    await waitFor('sagas mid-flight', async () => (await rowsOn('2027-03-04')).filter((s) => s === 'pending').length >= 4, 30_000);
    expect((await rowsOn('2027-03-04')).filter((s) => s === 'confirmed').length).toBeLessThan(8);
    signalGroup(workerA1, 'SIGKILL');
    await workerA1.exited;
    expect(workerA1.child.signalCode).toBe('SIGKILL');
    const ids = await started;

    const results = await within('every saga to end after the kill', Promise.all(ids.map((id) => temporal.client.workflow.getHandle(bookingWorkflowId(id)).result())), 90_000, workerA2);
    expect(results.map((r) => (r as { kind: string }).kind)).toEqual(ids.map(() => 'confirmed'));
    expect(await statusOf(ids)).toEqual(ids.map(() => 'confirmed'));
    expect(workerA2.child.exitCode).toBeNull();
  }, 150_000);

  it('a rolling restart onto a changed build keeps running sagas on their build and finishes them', async () => {
    expect(builds.b.buildId).not.toBe(builds.a.buildId);
    // Roll: B replaces the killed A1 and polls; a new build never takes over on its own.
    const workerB1 = cluster.startWorker(builds.b);
    await waitFor('build B polling', () => pollersOf(builds.b.buildId), 60_000);
    expect(await currentBuild()).toBe(builds.a.buildId);

    await setSlowCreates(3 * CREATE_LATENCY_MS); // long enough to promote B while they run
    const startedOnA = startSagas(slotsOn('2027-03-05', 6));
    await waitFor('A sagas mid-flight', async () => (await rowsOn('2027-03-05')).filter((s) => s === 'pending').length >= 3, 30_000);
    // The operator's step of a rolling deploy (README): make B current while A's sagas run.
    await temporal.client.workflowService.setWorkerDeploymentCurrentVersion({
      namespace: env.temporalNamespace, deploymentName, buildId: builds.b.buildId, identity: 'scaleout-test',
    });
    expect(await currentBuild()).toBe(builds.b.buildId);
    const stillRunningOnA = (await rowsOn('2027-03-05')).filter((s) => s === 'pending').length;
    expect(stillRunningOnA).toBeGreaterThan(0);

    const [onA, onB] = await Promise.all([startedOnA, startSagas(slotsOn('2027-03-08', 4))]);
    const all = [...onA, ...onB];
    await within('every saga of both builds to end', Promise.all(all.map((id) => temporal.client.workflow.getHandle(bookingWorkflowId(id)).result())), 90_000, workerB1);
    expect(await statusOf(all)).toEqual(all.map(() => 'confirmed'));

    for (const id of onA) expect([id, await versionOf(bookingWorkflowId(id))]).toEqual([id, expect.objectContaining({ buildId: builds.a.buildId, behavior: 1 })]);
    for (const id of onB) expect([id, await versionOf(bookingWorkflowId(id))]).toEqual([id, expect.objectContaining({ buildId: builds.b.buildId, behavior: 1 })]);

    // A is drained of its sagas: its last worker stops gracefully, a second B worker replaces it.
    signalGroup(workerA2, 'SIGTERM');
    expect(await workerA2.exited).toEqual({ code: 0, signal: null });
    cluster.startWorker(builds.b);
    await setSlowCreates(0);
    const last = await post(api2, booking('2027-03-09T09:00:00+01:00'));
    expect(last.status).toBe(201);
    expect(await versionOf(bookingWorkflowId(last.body.id as string))).toEqual(expect.objectContaining({ buildId: builds.b.buildId }));
  }, 180_000);
});
