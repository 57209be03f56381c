/**
 * A small "cluster" on one machine for the scale-out suite: the compiled output of `npm run build`
 * (two builds: A, and B = A's bundle changed, so a different build id), API processes
 * (`node <build>/api/server.js`) and worker processes (`node <build>/worker/main.js`, as a Worker
 * Deployment version) against the shared dev server, PostgreSQL and Redis, and a private Cal.com
 * emulator. Every process is its own process group (signals reach it whole) and is stopped by close().
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { BuildInfo } from '../../worker/build-info';
import { workflowBuildId } from '../../worker/workflow-bundle';
import { testEnv } from '../harness/env';
import { signalGroup, startWorkerProcess, type WorkerProcess } from '../harness/worker-process';

const ROOT = path.resolve(__dirname, '..', '..');

export interface Build {
  dir: string;
  buildId: string;
}

/** `npm run build` into `<base>/a`, and `<base>/b`: the same with a changed workflow bundle. */
export function buildTwo(base: string): { a: Build; b: Build } {
  const a = path.join(base, 'a');
  const result = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/build.ts', a], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) throw new Error(`npm run build failed:\n${result.stdout}\n${result.stderr}`);
  const b = path.join(base, 'b');
  fs.cpSync(a, b, { recursive: true });
  const bundle = path.join(b, 'workflow-bundle.js');
  // A release whose workflow code differs (here by a comment): a new build id. The comment goes
  // before the inline source map, which must stay last: the SDK decodes everything after its
  // `base64,` (text after it decoded into the map whenever the base64 had no padding).
  const code = fs.readFileSync(bundle, 'utf8');
  const map = code.lastIndexOf('//# sourceMappingURL=');
  if (map < 0) throw new Error(`${bundle}: no inline source map`);
  fs.writeFileSync(bundle, `${code.slice(0, map)}// scale-out test: build B\n${code.slice(map)}`);
  const info: BuildInfo = { buildId: workflowBuildId(fs.readFileSync(bundle, 'utf8')), builtAt: new Date().toISOString() };
  fs.writeFileSync(path.join(b, 'build-info.json'), JSON.stringify(info));
  const infoA = JSON.parse(fs.readFileSync(path.join(a, 'build-info.json'), 'utf8')) as BuildInfo;
  return { a: { dir: a, buildId: infoA.buildId }, b: { dir: b, buildId: info.buildId } };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export interface ApiProcess {
  child: ChildProcess;
  url: string;
  output: string[];
}

export interface ClusterOptions {
  taskQueue: string;
  deploymentName: string;
  calcomBaseUrl: string;
  /** BOOKING_WAIT_MS of the APIs */
  bookingWaitMs: number;
  /** More environment for every process (e.g. OTEL_EXPORTER_OTLP_ENDPOINT). */
  env?: Record<string, string>;
}

export class Cluster {
  readonly apis: ApiProcess[] = [];
  readonly workers: WorkerProcess[] = [];

  constructor(private readonly options: ClusterOptions) {}

  async startApi(build: Build): Promise<ApiProcess> {
    const env = testEnv();
    const port = await freePort();
    const childEnv: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      PORT: String(port),
      DATABASE_URL: env.databaseUrl,
      REDIS_URL: env.redisUrl,
      TEMPORAL_ADDRESS: env.temporalAddress,
      TEMPORAL_NAMESPACE: env.temporalNamespace,
      TEMPORAL_TASK_QUEUE: this.options.taskQueue,
      CALCOM_BASE_URL: this.options.calcomBaseUrl,
      BOOKING_WAIT_MS: String(this.options.bookingWaitMs),
      ...this.options.env,
    };
    delete childEnv.CALCOM_API_KEY;
    const child = spawn(process.execPath, [path.join(build.dir, 'api', 'server.js')], { cwd: ROOT, env: childEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const output: string[] = [];
    const keep = (chunk: Buffer) => {
      output.push(chunk.toString('utf8'));
      if (output.length > 200) output.splice(0, output.length - 200);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const api = { child, url: `http://127.0.0.1:${port}`, output };
    this.apis.push(api);
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`API exited (${child.exitCode}):\n${output.join('')}`);
      const ok = await fetch(`${api.url}/healthz`).then((r) => r.ok, () => false);
      if (ok) return api;
      if (Date.now() > deadline) throw new Error(`API on ${port} did not answer /healthz within 60 s:\n${output.join('')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  startWorker(build: Build): WorkerProcess {
    const proc = startWorkerProcess({
      taskQueue: this.options.taskQueue,
      calcomBaseUrl: this.options.calcomBaseUrl,
      command: { file: process.execPath, args: [path.join(build.dir, 'worker', 'main.js')] },
      env: { WORKER_DEPLOYMENT_NAME: this.options.deploymentName, LOG_LEVEL: 'info', ...this.options.env },
    });
    this.workers.push(proc);
    return proc;
  }

  async close(): Promise<void> {
    const all = [...this.apis.map((a) => ({ child: a.child })), ...this.workers];
    await Promise.all(
      all.map(async (proc) => {
        if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => proc.child.once('exit', () => resolve()));
        signalGroup(proc as WorkerProcess, 'SIGTERM');
        const stopped = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 15_000).unref())]);
        if (!stopped) signalGroup(proc as WorkerProcess, 'SIGKILL');
      }),
    );
  }
}
