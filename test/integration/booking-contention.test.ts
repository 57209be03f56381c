/**
 * Contention on the real stack (issue 12): a 50-request storm for one slot is decided in
 * PostgreSQL by the API (one 201, 49×409 with alternatives, ONE workflow started), and
 * read-your-writes across API processes: two real API processes (`tsx api/server.ts`) share Redis;
 * a booking answered by one is never offered by the other's very next availability answer, with
 * the other's cache warm for that day (20 repetitions).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { ADMIN_KEY, apiTestDatabaseUrl } from '../api/api-harness';
import { testEnv } from '../harness/env';
import { getTestEnv } from '../harness/temporal';
import { bookingBody, eventually, postBooking, startBookingStack, type BookingStack } from './booking-http.helpers';

jest.setTimeout(240_000);

const ROOT = path.resolve(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

let stack: BookingStack;

beforeAll(async () => {
  stack = await startBookingStack('contention');
});
afterAll(async () => {
  await stack?.close();
});

test('a storm of 50 requests for one slot: one 201, 49×409 with alternatives, one workflow, nothing else written', async () => {
  const body = bookingBody(stack.catalog, '2027-03-02T11:00:00+01:00');
  const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => postBooking(stack, body, `storm50-${i}-${stack.taskQueue}`)));
  expect(answers.map((a) => a.status).sort()).toEqual([201, ...Array(49).fill(409)]);
  for (const refused of answers.filter((a) => a.status === 409)) {
    expect(refused.body.code).toBe('slot_unavailable');
    expect(refused.body.alternatives.length).toBeGreaterThan(0);
  }
  const rows = await stack.workerDb.booking.findMany({ where: { branchId: stack.catalog.branchId, startAt: new Date('2027-03-02T10:00:00Z') } });
  expect(rows.map((r) => r.status)).toEqual(['confirmed']);
  // Only the winner's saga exists (the API sets BranchId at start; visibility may lag a moment).
  const { client } = await getTestEnv();
  const sagas = async () => {
    const ids: string[] = [];
    for await (const wf of client.workflow.list({ query: `WorkflowType = 'bookAppointmentWorkflow' AND BranchId = '${stack.catalog.branchId}'` })) ids.push(wf.workflowId);
    return ids;
  };
  const winner = answers.find((a) => a.status === 201)!.body;
  expect(await eventually(async () => ((await sagas()).length > 0 ? sagas() : undefined))).toEqual([winner.workflowId]);
});

interface ApiProcess {
  child: ChildProcess;
  url: string;
}

async function startApiProcess(): Promise<ApiProcess> {
  const env = testEnv();
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'development',
    LOG_LEVEL: 'info',
    PORT: '0',
    DATABASE_URL: apiTestDatabaseUrl(),
    REDIS_URL: env.redisUrl,
    TEMPORAL_ADDRESS: env.temporalAddress,
    TEMPORAL_NAMESPACE: env.temporalNamespace,
    TEMPORAL_TASK_QUEUE: stack.taskQueue,
    CALCOM_BASE_URL: stack.emulator.url,
    ADMIN_API_KEY: ADMIN_KEY,
    BOOKING_WAIT_MS: '15000',
  };
  delete childEnv.CALCOM_API_KEY;
  const child = spawn(TSX, ['api/server.ts'], { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`API process did not start: ${output.slice(-2000)}`)), 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /"port":(\d+)[^\n]*API listening/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${match[1]}`);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => void (output += chunk.toString('utf8')));
    child.once('exit', (code) => reject(new Error(`API process exited ${code}: ${output.slice(-2000)}`)));
  });
  return { child, url };
}

async function stopApiProcess(api: ApiProcess | undefined): Promise<void> {
  if (!api || api.child.exitCode !== null) return;
  const exited = new Promise((resolve) => api.child.once('exit', resolve));
  api.child.kill('SIGTERM');
  await exited;
}

describe('read-your-writes across two API processes sharing Redis', () => {
  let a: ApiProcess | undefined;
  let b: ApiProcess | undefined;
  beforeAll(async () => {
    [a, b] = await Promise.all([startApiProcess(), startApiProcess()]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([stopApiProcess(a), stopApiProcess(b)]);
  });

  test('book on one process, read availability on the other at once: the start is gone, 20 times', async () => {
    const headers = { ...stack.company.auth, 'content-type': 'application/json' };
    const { branchId, serviceId } = stack.catalog;
    const anna = stack.catalog.staff.anna;
    const availability = async (api: ApiProcess, date: string) => {
      const res = await fetch(`${api.url}/v1/availability?${new URLSearchParams({ branchId, serviceId, staffId: anna, from: date, to: date })}`, { headers });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { days: Array<{ slots: Array<{ start: string }> }> };
      return { starts: body.days.flatMap((d) => d.slots.map((s) => s.start)), cache: res.headers.get('x-cache') };
    };
    let warmHits = 0;
    for (let i = 0; i < 20; i++) {
      // Weekdays from Monday 2027-02-08 (before the DST change), one booking a day at 09:00 + i hours (mod 8).
      const day = new Date(Date.UTC(2027, 1, 8) + Math.floor(i / 5) * 7 * 86_400_000 + (i % 5) * 86_400_000).toISOString().slice(0, 10);
      const start = `${day}T${String(9 + (i % 8)).padStart(2, '0')}:00:00+01:00`;
      await availability(b!, day);
      const warm = await availability(b!, day);
      if (warm.cache === 'HIT') warmHits += 1;
      expect(warm.starts).toContain(start);
      const booked = await fetch(`${a!.url}/v1/bookings`, { method: 'POST', headers, body: JSON.stringify(bookingBody(stack.catalog, start)) });
      expect(booked.status).toBe(201);
      const after = await availability(b!, day);
      expect({ i, offered: after.starts.includes(start) }).toEqual({ i, offered: false });
      expect((await availability(a!, day)).starts).not.toContain(start);
    }
    // The reads before each booking were served from the warm cache (else the test proves nothing).
    expect(warmHits).toBeGreaterThanOrEqual(15);
  });
});
