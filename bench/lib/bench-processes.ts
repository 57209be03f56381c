/**
 * The booking benchmark's system under test as separate processes, as deployed: emulator + SMTP
 * sink, the API, the worker (bench/lib/bench-child.ts), each forked with tsx. The load generator
 * stays in the parent, so its own CPU is not counted against the service, and CPU per request can
 * be read per process (cpuUsage over IPC) instead of one mixed figure.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { AppConfig } from '../../infra/config';
import type { WorkerTuning } from '../../worker/booking-worker';
import type { ChildMessage, ChildRole, ParentMessage } from './bench-child';

const CHILD = require.resolve('./bench-child');

export interface BenchChild {
  role: ChildRole;
  info: Record<string, string>;
  /** CPU time (user + system) this process has used so far, ms. */
  cpuMs(): Promise<number>;
  profileStart(): Promise<void>;
  profileStop(file: string): Promise<void>;
  close(): Promise<void>;
}

function request<T extends ChildMessage['type']>(child: ChildProcess, message: ParentMessage, answer: T): Promise<Extract<ChildMessage, { type: T }>> {
  return new Promise((resolve) => {
    const on = (m: ChildMessage) => {
      if (m.type !== answer) return;
      child.off('message', on);
      resolve(m as Extract<ChildMessage, { type: T }>);
    };
    child.on('message', on);
    child.send(message);
  });
}

export async function startChild(role: ChildRole, config: Partial<AppConfig>, env: Record<string, string> = {}): Promise<BenchChild> {
  const child = fork(CHILD, [role], {
    // BENCH_NODE_FLAGS (e.g. --max-semi-space-size=16): V8 flags for the forked processes.
    execArgv: ['--import', 'tsx', ...(process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean)],
    env: { ...process.env, ...env, BENCH_CONFIG: JSON.stringify(config), HOLD_SWEEPER_SCHEDULE: 'off' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise<Extract<ChildMessage, { type: 'ready' }>>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bench ${role} process exited with ${code} before it was ready`)));
    child.on('message', (m: ChildMessage) => {
      if (m.type === 'ready') resolve(m);
      if (m.type === 'failed') reject(new Error(`bench ${role} process failed: ${m.error}`));
    });
  });
  child.removeAllListeners('exit');
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    role,
    info: ready.info,
    cpuMs: async () => {
      const { usage } = await request(child, { type: 'cpu' }, 'cpu');
      return (usage.user + usage.system) / 1000;
    },
    profileStart: async () => void (await request(child, { type: 'profile-start' }, 'profiled')),
    profileStop: async (file) => void (await request(child, { type: 'profile-stop', file }, 'profiled')),
    close: async () => {
      if (child.exitCode === null) child.send({ type: 'close' } satisfies ParentMessage);
      await exited;
    },
  };
}

export interface BenchProcesses {
  config: AppConfig;
  url: string;
  children: BenchChild[];
  /** CPU ms used by each process (and the parent) since the last call. */
  cpuSince(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

/** services first (their URLs go into the config), then worker and API with the same config. */
export async function startBenchProcesses(base: AppConfig, tuning: WorkerTuning, cachePrefix: string): Promise<BenchProcesses> {
  const services = await startChild('services', base);
  const config: AppConfig = { ...base, calcomBaseUrl: services.info.calcomBaseUrl, smtpUrl: services.info.smtpUrl };
  const [worker, api] = await Promise.all([
    startChild('worker', config, { BENCH_WORKER_TUNING: JSON.stringify(tuning), BENCH_CACHE_PREFIX: cachePrefix }),
    startChild('api', config),
  ]);
  const children = [api, worker, services];
  let last: Record<string, number> = {};
  const snapshot = async () => {
    const now: Record<string, number> = { load: (process.cpuUsage().user + process.cpuUsage().system) / 1000 };
    for (const c of children) now[c.role] = await c.cpuMs();
    return now;
  };
  last = await snapshot();
  return {
    config,
    url: api.info.url,
    children,
    async cpuSince() {
      const now = await snapshot();
      const delta = Object.fromEntries(Object.entries(now).map(([k, v]) => [k, v - (last[k] ?? 0)]));
      last = now;
      return delta;
    },
    async close() {
      await api.close();
      await worker.close();
      await services.close();
    },
  };
}
