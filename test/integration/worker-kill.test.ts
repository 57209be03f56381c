/**
 * Crash safety of the booking saga with a REAL worker process: `node --import tsx worker/main.ts` on a task
 * queue of its own, against the test database, the shared Temporal dev server and a private
 * Cal.com emulator (so its slow-down does not disturb other suites). Ten sagas start while the
 * emulator answers creates slowly; once holds exist and calendar creates are in flight, the
 * worker's process group gets SIGKILL. A second worker process then takes over. Every saga must
 * end `confirmed` or `calendar_failed`, no booking row may stay `pending`, and every live Cal.com
 * booking must belong to a confirmed booking (creates that completed remotely after the kill are
 * adopted, never duplicated or orphaned).
 */
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import { startCalcomEmulator, type CalcomEmulator } from '../../infra/calcom/emulator/emulator.server';
import type { CalcomBooking } from '../../infra/calcom/calcom.types';
import { newId } from '../../infra/db/ids';
import { createPrisma, type Db } from '../../infra/db/prisma';
import { bookingWorkflowId, type BookAppointmentInput } from '../../workflows/book-appointment.contract';
import type { bookAppointmentWorkflow } from '../../workflows/book-appointment.workflow';
import { linkCalendar } from '../harness/calendar-link';
import { testEnv } from '../harness/env';
import { getTestEnv } from '../harness/temporal';
import { recentOutput, signalGroup, startWorkerProcess, within, type WorkerProcess } from '../harness/worker-process';
import { createLogger } from '../../infra/logger';
import { loadWorkflowBundle } from '../../worker/workflow-bundle';
import { dropCompany, seedAvailabilityFixture, type AvailabilityFixture } from './availability.fixtures';

const env = testEnv();
const taskQueue = `worker-kill-${randomUUID()}`;
const SAGAS = 10;
/** Long enough that creates are still hanging in the emulator when the worker dies. */
const CREATE_LATENCY_MS = 2_500;

let temporal: TestWorkflowEnvironment;
let db: Db;
let emulator: CalcomEmulator;
let fx: AvailabilityFixture;
const workers: WorkerProcess[] = [];

/** A worker process on this suite's task queue and private emulator, stopped in afterAll. */
function startWorker(): WorkerProcess {
  const proc = startWorkerProcess({ taskQueue, calcomBaseUrl: emulator.url });
  workers.push(proc);
  return proc;
}

/** Polls `check` every 100 ms until it returns true; fails with `what` and the worker's log after `ms`. */
async function waitFor(what: string, check: () => Promise<boolean>, ms: number, proc?: WorkerProcess): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (proc && proc.child.exitCode !== null) throw new Error(`worker exited (${proc.child.exitCode}) while waiting for ${what}:\n${proc.output.join('')}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${proc ? `; worker output:\n${recentOutput(proc)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function hasWorkflowPoller(): Promise<boolean> {
  const answer = await temporal.client.workflowService.describeTaskQueue({
    namespace: env.temporalNamespace,
    taskQueue: { name: taskQueue },
    taskQueueType: 1, // TASK_QUEUE_TYPE_WORKFLOW
  });
  return (answer.pollers ?? []).length > 0;
}

/** Ten distinct slots on a Monday: Anna and Ben, 09-13 and 14:00 local (Berlin, UTC+1 in early March). */
function slots(): Array<{ staffId: string; start: string }> {
  const hoursUtc = ['08', '09', '10', '11', '13'];
  return hoursUtc.flatMap((h) => [fx.staff.anna, fx.staff.ben].map((staffId) => ({ staffId, start: `2027-03-08T${h}:00:00.000Z` })));
}

describe('worker killed during in-flight booking sagas', () => {
  beforeAll(async () => {
    temporal = await getTestEnv();
    db = createPrisma(env.databaseUrl, { max: 3 });
    emulator = await startCalcomEmulator();
    fx = await seedAvailabilityFixture(db);
    // The company's own account: Anna and Ben are two of its users, so their bookings at one time do not clash.
    await linkCalendar(db, { companyId: fx.companyId, branchId: fx.branchId, emulatorUrl: emulator.url, staffIds: [fx.staff.anna, fx.staff.ben], serviceIds: [fx.serviceId] });
    // Fill the worker's on-disk bundle cache here, once, so both worker processes start in about a
    // second instead of bundling the workflows themselves.
    await loadWorkflowBundle(createLogger({ logLevel: 'silent', nodeEnv: 'test' }));
  }, 120_000);

  afterAll(async () => {
    for (const proc of workers) {
      signalGroup(proc, 'SIGTERM');
      const stopped = await Promise.race([proc.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 15_000).unref())]);
      if (!stopped) signalGroup(proc, 'SIGKILL');
    }
    await emulator?.close();
    if (fx) await dropCompany(db, fx.companyId);
    await db?.$disconnect();
  });

  it('every saga ends confirmed or failed after SIGKILL and restart; no pending hold, no orphan calendar booking', async () => {
    const first = startWorker();
    await waitFor('the first worker to poll', hasWorkflowPoller, 90_000, first);

    const slowCreates = await fetch(`${emulator.url}/__control/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ mode: 'none', latencyMs: CREATE_LATENCY_MS, operations: ['create'] }),
    });
    expect(slowCreates.status).toBe(200);

    const handles: Array<WorkflowHandle<typeof bookAppointmentWorkflow>> = [];
    for (const slot of slots().slice(0, SAGAS)) {
      const bookingId = newId('bkg');
      const input: BookAppointmentInput = {
        bookingId, companyId: fx.companyId, branchId: fx.branchId, serviceId: fx.serviceId, customerId: fx.customerId,
        staffId: slot.staffId, start: slot.start, source: 'api',
      };
      handles.push(
        await temporal.client.workflow.start<typeof bookAppointmentWorkflow>('bookAppointmentWorkflow', {
          taskQueue, workflowId: bookingWorkflowId(bookingId), args: [input],
        }),
      );
    }

    // Mid-flight: holds are in the database and the calendar creates hang in the emulator.
    const pending = () => db.booking.count({ where: { companyId: fx.companyId, status: 'pending' } });
    await waitFor('holds with calendar creates in flight', async () => (await pending()) >= SAGAS / 2, 30_000, first);
    const pendingAtKill = await pending();
    const confirmedAtKill = await db.booking.count({ where: { companyId: fx.companyId, status: 'confirmed' } });
    signalGroup(first, 'SIGKILL');
    await first.exited;
    expect(first.child.signalCode).toBe('SIGKILL');
    expect(pendingAtKill).toBeGreaterThan(0);
    expect(confirmedAtKill).toBeLessThan(SAGAS);

    const second = startWorker();
    const results = await within('every saga to finish after the restart', Promise.all(handles.map((h) => h.result())), 60_000, second);

    for (const result of results) expect(['confirmed', 'calendar_failed']).toContain(result.kind);
    const rows = await db.booking.findMany({ where: { companyId: fx.companyId } });
    expect(rows).toHaveLength(SAGAS);
    expect(rows.filter((r) => r.status === 'pending')).toEqual([]);
    for (const row of rows) expect(['confirmed', 'failed']).toContain(row.status);
    // Nothing refused these slots, so the crash must not turn any of them into a failure.
    expect(rows.filter((r) => r.status === 'confirmed')).toHaveLength(SAGAS);

    const res = await fetch(`${emulator.url}/__control/bookings`);
    const calendar = ((await res.json()) as { data: CalcomBooking[] }).data;
    const live = calendar.filter((b) => b.status !== 'cancelled' && b.status !== 'rejected');
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const remote of live) {
      const owner = byId.get(String(remote.metadata?.bookingId));
      expect(owner?.status).toBe('confirmed');
      expect(owner?.calendarExternalId).toBe(remote.uid);
    }
    // One live calendar booking per confirmed booking: none made twice by a retried create.
    expect(live).toHaveLength(rows.filter((r) => r.status === 'confirmed').length);
    expect(second.child.exitCode).toBeNull();
  }, 100_000);
});
