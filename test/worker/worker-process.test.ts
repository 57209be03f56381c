/**
 * The worker PROCESS, as `npm run worker` starts it (`tsx worker/main.ts`), proves its wiring end
 * to end: config from env, the workflow bundle, activities built by createActivities over the real
 * database, Cal.com emulator and SMTP sink, on a task queue of its own. One booking saga runs
 * through it to `confirmed` (database row confirmed and synced, the booking present in the
 * emulator), then SIGTERM to the process group must drain and exit 0.
 */
import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createCalcomClient } from '../../infra/calcom/calcom.client';
import { newId } from '../../infra/db/ids';
import { createPrisma, type Db } from '../../infra/db/prisma';
import { bookingWorkflowId, type BookAppointmentInput } from '../../workflows/book-appointment.contract';
import type { bookAppointmentWorkflow } from '../../workflows/book-appointment.workflow';
import { testEnv } from '../harness/env';
import { getTestEnv } from '../harness/temporal';
import { signalGroup, startWorkerProcess, within, type WorkerProcess } from '../harness/worker-process';
import { linkCalendar, type LinkedCalendar } from '../harness/calendar-link';
import { seedAvailabilityFixture, type AvailabilityFixture } from '../integration/availability.fixtures';

const env = testEnv();
const taskQueue = `worker-process-${randomUUID()}`;

let temporal: TestWorkflowEnvironment;
let db: Db;
let fx: AvailabilityFixture;
let linked: LinkedCalendar;
let worker: WorkerProcess | undefined;

/** 10:00 Berlin on a Monday about five weeks ahead: inside the fixture's hours and rules. */
function mondayTenBerlin(): string {
  return DateTime.now().setZone('Europe/Berlin').startOf('week').plus({ weeks: 5 }).set({ hour: 10 }).toUTC().toISO()!;
}

beforeAll(async () => {
  temporal = await getTestEnv();
  db = createPrisma(env.databaseUrl, { max: 2 });
  fx = await seedAvailabilityFixture(db);
  linked = await linkCalendar(db, { companyId: fx.companyId, branchId: fx.branchId, emulatorUrl: env.calcomBaseUrl, staffIds: [fx.staff.anna, fx.staff.ben], serviceIds: [fx.serviceId] });
});

afterAll(async () => {
  if (worker) {
    signalGroup(worker, 'SIGKILL');
    await worker.exited;
  }
  await db?.$disconnect();
});

test('a booking saga runs to confirmed through `tsx worker/main.ts`, and SIGTERM drains and exits 0', async () => {
  worker = startWorkerProcess({ taskQueue });
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

  const calcom = createCalcomClient({ baseUrl: env.calcomBaseUrl, apiKey: linked.account.apiKey });
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
