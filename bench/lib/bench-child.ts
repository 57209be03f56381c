/**
 * One process of the booking benchmark, as deployed: `services` (private Cal.com emulator + SMTP
 * sink), `api` (createApp over api/server.ts buildAppDeps) or `worker` (worker/deps.ts
 * buildWorkerDeps + worker/booking-worker.ts createBookingWorker). Forked by bench/lib/bench-processes.ts
 * with its role as argv[2] and the AppConfig as JSON in BENCH_CONFIG; talks over the IPC channel:
 * sends `{ type: 'ready', ... }` once serving, answers `cpu` (process.cpuUsage()), `profile-start`
 * / `profile-stop` (V8 CPU profile to a file), and `close` (closes its clients, then exits 0).
 */
import type { Server } from 'node:http';
import { Session } from 'node:inspector';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import pino from 'pino';
import { createApp } from '../../api/app';
import { buildAppDeps } from '../../api/server';
import { startCalcomEmulator } from '../../infra/calcom/emulator/emulator.server';
import { EMULATOR_API_KEY, type AppConfig } from '../../infra/config';
import { startSmtpSink } from '../../infra/notify/smtp-sink';
import { createBookingWorker, type WorkerTuning } from '../../worker/booking-worker';
import { buildWorkerDeps } from '../../worker/deps';

export type ChildRole = 'services' | 'api' | 'worker';
export type ParentMessage = { type: 'cpu' } | { type: 'profile-start' } | { type: 'profile-stop'; file: string } | { type: 'close' };
export type ChildMessage =
  | { type: 'ready'; info: Record<string, string> }
  | { type: 'cpu'; usage: NodeJS.CpuUsage }
  | { type: 'profiled' }
  | { type: 'failed'; error: string };

const send = (message: ChildMessage) => process.send?.(message);
// The API logs 4xx answers at warn; (d) answers 409s by design, so only errors are printed.
const logger = pino({ level: 'error' });

async function start(role: ChildRole, config: AppConfig): Promise<{ info: Record<string, string>; close(): Promise<void> }> {
  if (role === 'services') {
    const emulator = await startCalcomEmulator({ apiKey: EMULATOR_API_KEY });
    const sink = await startSmtpSink();
    return {
      info: { calcomBaseUrl: emulator.url, smtpUrl: sink.smtpUrl },
      close: async () => {
        await emulator.close();
        await sink.close();
      },
    };
  }
  if (role === 'api') {
    const app = buildAppDeps(config, logger);
    const server = await new Promise<Server>((resolve) => {
      const s = createApp({ ...app.deps, rateLimit: false }).listen(0, '127.0.0.1', () => resolve(s));
    });
    server.keepAliveTimeout = 60_000;
    return {
      info: { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` },
      close: async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await app.close();
      },
    };
  }
  Runtime.install({ logger: new DefaultLogger('WARN') }); // the SDK logs every state change at INFO
  const tuning = JSON.parse(process.env.BENCH_WORKER_TUNING ?? '{}') as WorkerTuning;
  const dbPoolSize = process.env.BENCH_WORKER_DB_POOL ? Number(process.env.BENCH_WORKER_DB_POOL) : undefined;
  const deps = buildWorkerDeps(config, logger, { cachePrefix: process.env.BENCH_CACHE_PREFIX, dbPoolSize });
  const worker = await createBookingWorker({ config, logger, activityDeps: deps.activities, tuning });
  const running = worker.run();
  return {
    info: { taskQueue: config.temporalTaskQueue },
    close: async () => {
      worker.shutdown();
      await running;
      await worker.close();
      await deps.close();
    },
  };
}

function profiler() {
  let session: Session | undefined;
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) => session?.post(method, params, (err, result) => (err ? reject(err) : resolve(result))));
  return {
    async start() {
      session = new Session();
      session.connect();
      await post('Profiler.enable');
      await post('Profiler.setSamplingInterval', { interval: 200 });
      await post('Profiler.start');
    },
    async stop(file: string) {
      if (!session) return;
      const { profile } = (await post('Profiler.stop')) as { profile: object };
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
      session = undefined;
    },
  };
}

async function main(): Promise<void> {
  const role = process.argv[2] as ChildRole;
  const config = JSON.parse(process.env.BENCH_CONFIG ?? '{}') as AppConfig;
  const running = await start(role, config);
  const prof = profiler();
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'cpu') send({ type: 'cpu', usage: process.cpuUsage() });
    else if (message.type === 'profile-start') void prof.start().then(() => send({ type: 'profiled' }));
    else if (message.type === 'profile-stop') void prof.stop(message.file).then(() => send({ type: 'profiled' }));
    else if (message.type === 'close') void running.close().finally(() => process.exit(0));
  });
  // The parent gone (e.g. killed) leaves no orphan serving on.
  process.on('disconnect', () => void running.close().finally(() => process.exit(0)));
  send({ type: 'ready', info: running.info });
}

main().catch((error: Error) => {
  send({ type: 'failed', error: error.stack ?? error.message });
  process.exit(1);
});
