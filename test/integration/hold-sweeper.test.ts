/**
 * The hold sweeper on real parts: PostgreSQL, a private Cal.com emulator over HTTP, the Temporal
 * dev server and a worker with the real activities.
 * - A booking saga is terminated by an operator after Cal.com made the booking and before the
 *   confirm (the create's answer is lost, then Cal.com fails everything until the terminate):
 *   its row stays `pending` and its Cal.com booking live. Once the hold is stale, a sweep expires
 *   it (failed, `hold_expired`, history), cancels the orphan Cal.com booking, and the slot can be
 *   held again at once.
 * - A stale hold with a Cal.com booking whose saga is still running (started on a task queue no
 *   worker polls) is left exactly as it is.
 * - The Schedule is ensured idempotently: created once, then unchanged; a changed task queue is
 *   converged.
 * The sweep is scoped to this file's company (other suites share the database).
 */
import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { MockActivityEnvironment, type TestWorkflowEnvironment } from '@temporalio/testing';

import { createActivities, type Activities } from '../../activities';
import { createAvailabilityCache, type AvailabilityCache } from '../../infra/cache/availability-cache';
import { createCalcomConnections } from '../../infra/calcom/calcom.connections';
import { NO_FAULT } from '../../infra/calcom/emulator/emulator.faults';
import { startCalcomEmulator, type CalcomEmulator } from '../../infra/calcom/emulator/emulator.server';
import { newId } from '../../infra/db/ids';
import { createPrisma, type Db } from '../../infra/db/prisma';
import { createMailer, type Mailer } from '../../infra/notify/mailer';
import { createSecretBox } from '../../infra/secrets/secret-box';
import { linkCalendar } from '../harness/calendar-link';
import { ensureHoldSweeperSchedule } from '../../worker/hold-sweeper-schedule';
import { bookingWorkflowId, type BookAppointmentInput } from '../../workflows/book-appointment.contract';
import type { HoldSweeperResult } from '../../workflows/hold-sweeper.contract';
import { testEnv } from '../harness/env';
import { bundleOnce, createTestWorker, getTestEnv, testDataConverter } from '../harness/temporal';
import { quietTemporalRuntime } from '../workflows/booking-workflows.harness';
import { seedAvailabilityFixture, type AvailabilityFixture } from './availability.fixtures';
import { NO_TRACING_SINKS } from '../../worker/booking-worker';

jest.setTimeout(90_000);
// The saga's calendar attempts fail on purpose; only errors reach the test output.
quietTemporalRuntime();

const env = testEnv();
const TASK_QUEUE = `hold-sweeper-it-${randomUUID()}`;
let db: Db;
let cache: AvailabilityCache;
let mailer: Mailer;
let emulator: CalcomEmulator;
let acts: Activities;
let fx: AvailabilityFixture;
let temporal: TestWorkflowEnvironment;
let activityDeps: Parameters<typeof createActivities>[0];
const leftRunning: string[] = [];

const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> => new MockActivityEnvironment().run(fn, ...args);

/** 10:00Z on a weekday `weeks` weeks ahead (inside the fixture's opening hours). */
function weekdayAhead(weeks: number, dayOffset = 0): string {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + 7 * weeks + ((8 - d.getUTCDay()) % 7 || 7) + dayOffset);
  d.setUTCHours(10, 0, 0, 0);
  return d.toISOString();
}

function request(start: string): BookAppointmentInput {
  return { bookingId: newId('bkg'), companyId: fx.companyId, branchId: fx.branchId, serviceId: fx.serviceId, customerId: fx.customerId, staffId: fx.staff.anna, start, source: 'api' };
}

const calendarOf = (bookingId: string) => emulator.state.allBookings().filter((b) => b.metadata?.bookingId === bookingId);
const backdate = (bookingId: string, minutes: number) =>
  db.$executeRaw`UPDATE bookings SET updated_at = now() - make_interval(mins => ${minutes}) WHERE id = ${bookingId}`;

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  for (let i = 0; i < 600; i += 1) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** Runs `fn` while a worker with the real activities serves TASK_QUEUE (stopped before the env's teardown). */
async function withWorker<T>(fn: () => Promise<T>): Promise<T> {
  const worker = await createTestWorker({
    connection: temporal.nativeConnection, namespace: temporal.namespace ?? 'default', taskQueue: TASK_QUEUE, workflowBundle: await bundleOnce(), dataConverter: testDataConverter(), sinks: NO_TRACING_SINKS, activities: createActivities(activityDeps),
  });
  return worker.runUntil(fn());
}

function sweep(): Promise<HoldSweeperResult> {
  return temporal.client.workflow.execute('holdSweeperWorkflow', {
    taskQueue: TASK_QUEUE,
    workflowId: `hold-sweeper-it-${randomUUID()}`,
    args: [{ companyId: fx.companyId, orphanMinAgeMinutes: 0 }],
  });
}

beforeAll(async () => {
  db = createPrisma(env.databaseUrl, { max: 4 });
  cache = createAvailabilityCache({ redisUrl: env.redisUrl, logger: { info: () => undefined, warn: () => undefined }, prefix: `test-sweeper-${randomUUID()}` });
  mailer = createMailer({ smtpUrl: env.smtpUrl, from: env.mailFrom });
  emulator = await startCalcomEmulator();
  fx = await seedAvailabilityFixture(db);
  await linkCalendar(db, { companyId: fx.companyId, branchId: fx.branchId, emulatorUrl: emulator.url, staffIds: [fx.staff.anna, fx.staff.ben], serviceIds: [fx.serviceId] });
  activityDeps = { db, cache, mailer, connections: createCalcomConnections({ secrets: createSecretBox(env.calendarSecretKey), timeoutMs: 2_000 }) };
  acts = createActivities(activityDeps);
  temporal = await getTestEnv();
  await bundleOnce();
}, 180_000);

afterAll(async () => {
  for (const id of leftRunning) await temporal?.client.workflow.getHandle(id).terminate('test over').catch(() => undefined);
  await emulator?.close();
  await cache?.close();
  mailer?.close();
  await db?.$disconnect();
});

test('a terminated saga: its stale pending hold is expired, its orphan Cal.com booking cancelled, the slot free again', () => withWorker(async () => {
  const start = weekdayAhead(3);
  const input = request(start);
  const workflowId = bookingWorkflowId(input.bookingId);
  // Cal.com books but the answer is lost; then Cal.com fails everything, so the saga can neither
  // adopt its booking nor undo it before the operator terminates it.
  emulator.state.faults.set({ ...NO_FAULT, mode: 'lose_response', operations: ['create'], count: 1, hangMs: 60_000 });
  const saga = await temporal.client.workflow.start('bookAppointmentWorkflow', { taskQueue: TASK_QUEUE, workflowId, args: [input] });
  const [remote] = await until('the Cal.com booking', () => (calendarOf(input.bookingId).length > 0 ? calendarOf(input.bookingId) : undefined));
  emulator.state.faults.set({ ...NO_FAULT, mode: 'error', status: 503, count: null });
  await saga.terminate('operator: stuck saga');
  emulator.state.faults.set({ ...NO_FAULT });

  expect(await db.booking.findUnique({ where: { id: input.bookingId } })).toMatchObject({ status: 'pending', calendarExternalId: null });
  expect(remote.status).toBe('accepted');

  // Not stale yet: a sweep leaves it alone.
  const early = await sweep();
  expect(early.expired).not.toContain(input.bookingId);
  expect(early.cancelledOrphans).toEqual([]);
  expect((await db.booking.findUnique({ where: { id: input.bookingId } }))?.status).toBe('pending');

  await backdate(input.bookingId, 31);
  const result = await sweep();
  expect(result.expired).toContain(input.bookingId);
  expect(result.cancelledOrphans).toEqual([{ uid: remote.uid, bookingId: input.bookingId }]);

  expect(await db.booking.findUnique({ where: { id: input.bookingId } })).toMatchObject({ status: 'failed', failureReason: 'hold_expired' });
  const history = await db.bookingHistory.findMany({ where: { bookingId: input.bookingId }, select: { event: true } });
  expect(history.map((h) => h.event)).toContain('hold_expired');
  expect(calendarOf(input.bookingId).map((b) => b.status)).toEqual(['cancelled']);

  // The slot can be held again at once.
  const next = request(start);
  const planned = await run(acts.planBooking, next);
  if (planned.kind !== 'ok') throw new Error(`plan failed: ${JSON.stringify(planned)}`);
  expect(await run(acts.holdSlot, { bookingId: next.bookingId, workflowId: bookingWorkflowId(next.bookingId), booking: next, plan: planned.plan })).toEqual({ kind: 'held' });

  // A second sweep finds nothing more to do for it.
  const again = await sweep();
  expect(again.expired).not.toContain(input.bookingId);
  expect(again.cancelledOrphans).toEqual([]);
}));

test('a stale hold whose saga is still running keeps its row and its Cal.com booking', () => withWorker(async () => {
  const input = request(weekdayAhead(4, 1));
  const workflowId = bookingWorkflowId(input.bookingId);
  // Running, but on a task queue nobody polls: it never moves, yet it is alive.
  await temporal.client.workflow.start('bookAppointmentWorkflow', { taskQueue: `${TASK_QUEUE}-idle`, workflowId, args: [input] });
  leftRunning.push(workflowId);
  const planned = await run(acts.planBooking, input);
  if (planned.kind !== 'ok') throw new Error(`plan failed: ${JSON.stringify(planned)}`);
  await run(acts.holdSlot, { bookingId: input.bookingId, workflowId, booking: input, plan: planned.plan });
  await run(acts.createCalendarBooking, { bookingId: input.bookingId });
  await backdate(input.bookingId, 45);

  const result = await sweep();
  expect(result.skippedLive).toContain(input.bookingId);
  expect(result.expired).not.toContain(input.bookingId);
  expect((await db.booking.findUnique({ where: { id: input.bookingId } }))?.status).toBe('pending');
  expect(calendarOf(input.bookingId).map((b) => b.status)).toEqual(['accepted']);
}));

test('the schedule is ensured idempotently and converges to the worker task queue', async () => {
  const client = new Client({ connection: temporal.connection, namespace: temporal.namespace ?? 'default' });
  const scheduleId = `hold-sweeper-it-${randomUUID()}`;
  try {
    expect(await ensureHoldSweeperSchedule(client, { taskQueue: TASK_QUEUE, scheduleId })).toBe('created');
    expect(await ensureHoldSweeperSchedule(client, { taskQueue: TASK_QUEUE, scheduleId })).toBe('unchanged');
    const described = await client.schedule.getHandle(scheduleId).describe();
    expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'holdSweeperWorkflow', taskQueue: TASK_QUEUE });
    expect(described.spec.intervals?.[0]?.every).toBe(5 * 60_000);
    expect(described.policies.overlap).toBe('SKIP');
    expect(await ensureHoldSweeperSchedule(client, { taskQueue: `${TASK_QUEUE}-moved`, scheduleId })).toBe('updated');
    expect((await client.schedule.getHandle(scheduleId).describe()).action).toMatchObject({ taskQueue: `${TASK_QUEUE}-moved` });
  } finally {
    await client.schedule.getHandle(scheduleId).delete().catch(() => undefined);
  }
});
