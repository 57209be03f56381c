/**
 * The worker PROCESS, as `npm run worker` starts it (`tsx worker/main.ts`), proves its wiring end
 * to end: config from env, the workflow bundle, activities built by createActivities over the real
 * database, Cal.com emulator and SMTP sink, on a task queue of its own. One booking saga runs
 * through it to `confirmed` (database row confirmed and synced, the booking present in the
 * emulator), then SIGTERM to the process group must drain and exit 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { DateTime } from 'luxon';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createCalcomClient } from '../../infra/calcom/calcom.client';
import { newId } from '../../infra/db/ids';
import { createPrisma, type Db } from '../../infra/db/prisma';
import { bookingWorkflowId, type BookAppointmentInput } from '../../workflows/book-appointment.contract';
import type { bookAppointmentWorkflow } from '../../workflows/book-appointment.workflow';
import { testEnv } from '../harness/env';
import { getTestEnv } from '../harness/temporal';
import { seedAvailabilityFixture, uniqueCalcomUserId, type AvailabilityFixture } from '../integration/availability.fixtures';

const ROOT = path.resolve(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const env = testEnv();
const taskQueue = `worker-process-${randomUUID()}`;

interface WorkerProcess {
  child: ChildProcess;
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

let temporal: TestWorkflowEnvironment;
let db: Db;
let fx: AvailabilityFixture;
let worker: WorkerProcess | undefined;

/** Own process group (detached) so the signal reaches tsx and its node child, as in `npm run dev`. */
function startWorkerProcess(): WorkerProcess {
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'development', // info logs on (the test level silences them)
    LOG_LEVEL: 'info',
    DATABASE_URL: env.databaseUrl,
    REDIS_URL: env.redisUrl,
    TEMPORAL_ADDRESS: env.temporalAddress,
    TEMPORAL_NAMESPACE: env.temporalNamespace,
    TEMPORAL_TASK_QUEUE: taskQueue,
    CALCOM_BASE_URL: env.calcomBaseUrl,
    SMTP_URL: env.smtpUrl,
  };
  delete childEnv.CALCOM_API_KEY;
  const child = spawn(TSX, ['worker/main.ts'], { cwd: ROOT, env: childEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString('utf8'));
    if (output.length > 300) output.splice(0, output.length - 300);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output, exited };
}

function signalGroup(proc: WorkerProcess, signal: NodeJS.Signals): void {
  if (proc.child.pid === undefined || proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  try {
    process.kill(-proc.child.pid, signal);
  } catch {
    // already gone
  }
}

/** Rejects with the worker's recent output when `promise` has not settled within `ms`. */
async function within<T>(what: string, promise: Promise<T>, ms: number, proc: WorkerProcess): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms; worker output:\n${proc.output.join('').slice(-4000)}`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** 10:00 Berlin on a Monday about five weeks ahead: inside the fixture's hours and rules. */
function mondayTenBerlin(): string {
  return DateTime.now().setZone('Europe/Berlin').startOf('week').plus({ weeks: 5 }).set({ hour: 10 }).toUTC().toISO()!;
}

beforeAll(async () => {
  temporal = await getTestEnv();
  db = createPrisma(env.databaseUrl, { max: 2 });
  fx = await seedAvailabilityFixture(db, { calcomUserId: uniqueCalcomUserId() });
});

afterAll(async () => {
  if (worker) {
    signalGroup(worker, 'SIGKILL');
    await worker.exited;
  }
  await db?.$disconnect();
});

test('a booking saga runs to confirmed through `tsx worker/main.ts`, and SIGTERM drains and exits 0', async () => {
  worker = startWorkerProcess();
  const proc = worker;
  const bookingId = newId('bkg');
  const input: BookAppointmentInput = {
    bookingId,
    companyId: fx.companyId,
    branchId: fx.branchId,
    serviceId: fx.serviceId,
    customerId: fx.customerId,
    staffId: fx.staff.anna,
    start: mondayTenBerlin(),
    source: 'api',
  };
  // Started before the worker polls: Temporal keeps the task until the process is up.
  const handle = await temporal.client.workflow.start<typeof bookAppointmentWorkflow>('bookAppointmentWorkflow', {
    taskQueue,
    workflowId: bookingWorkflowId(bookingId),
    args: [input],
  });
  const result = await within('the booking saga to finish', handle.result(), 90_000, proc);

  expect(result).toMatchObject({ kind: 'confirmed', bookingId, staffId: fx.staff.anna, start: input.start });
  const externalId = (result as { externalId: string | null }).externalId;
  expect(typeof externalId).toBe('string');

  const row = await db.booking.findUniqueOrThrow({ where: { id: bookingId } });
  expect(row).toMatchObject({ status: 'confirmed', calendarStatus: 'synced', calendarExternalId: externalId, workflowId: bookingWorkflowId(bookingId) });

  const calcom = createCalcomClient({ baseUrl: env.calcomBaseUrl, apiKey: env.calcomApiKey });
  const remote = await calcom.getBooking(externalId!);
  expect(remote.status).toBe('accepted');
  expect(new Date(remote.start).toISOString()).toBe(new Date(input.start).toISOString());

  // The process logged with the configured task queue, then drains on SIGTERM and exits cleanly.
  expect(proc.output.join('')).toContain(taskQueue);
  signalGroup(proc, 'SIGTERM');
  const exit = await within('the worker to exit after SIGTERM', proc.exited, 30_000, proc);
  expect(exit).toEqual({ code: 0, signal: null });
  expect(proc.output.join('')).toMatch(/"msg":"worker stopped"/);
  worker = undefined;
}, 150_000);
