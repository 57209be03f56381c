/**
 * The worker as a real process for suites that test process-level behaviour (drain on SIGTERM,
 * crash on SIGKILL): `node --import tsx worker/main.ts`, configured like `npm run worker` from the test services
 * and a task queue of the suite's own. It runs in its own process group (detached), and a signal
 * to the group reaches the one node process. Its recent output is kept for failure
 * messages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { testEnv } from './env';

const ROOT = path.resolve(__dirname, '..', '..');
const KEEP_CHUNKS = 400;

export interface WorkerProcess {
  child: ChildProcess;
  /** The latest stdout and stderr chunks. */
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface WorkerProcessOptions {
  taskQueue: string;
  /** Cal.com (emulator) the worker talks to; the test services' one unless given. */
  calcomBaseUrl?: string;
  /** The program and its arguments; default `node --import tsx worker/main.ts` (e.g. `node dist/worker/main.js`). */
  command?: { file: string; args: string[] };
  /** Extra environment (WORKER_DEPLOYMENT_NAME, WORKER_METRICS_PORT, ...). */
  env?: Record<string, string>;
}

export function startWorkerProcess(options: WorkerProcessOptions): WorkerProcess {
  const env = testEnv();
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'development', // info logs on (the test level silences them)
    LOG_LEVEL: 'info',
    DATABASE_URL: env.databaseUrl,
    REDIS_URL: env.redisUrl,
    TEMPORAL_ADDRESS: env.temporalAddress,
    TEMPORAL_NAMESPACE: env.temporalNamespace,
    TEMPORAL_TASK_QUEUE: options.taskQueue,
    CALCOM_BASE_URL: options.calcomBaseUrl ?? env.calcomBaseUrl,
    SMTP_URL: env.smtpUrl,
    SMS_URL: env.smsUrl,
    HOLD_SWEEPER_SCHEDULE: 'off',
    ...options.env,
  };
  delete childEnv.CALCOM_API_KEY; // the emulator's key
  // `node --import tsx`, not the tsx CLI: the CLI relays a signal to its child and SIGKILLs it
  // (exit 143) when the child has not acknowledged within ~60 ms, which a worker busy finishing a
  // workflow task can miss, so a graceful drain became a flaky kill. One process, one handler.
  const command = options.command ?? { file: process.execPath, args: ['--import', 'tsx', 'worker/main.ts'] };
  const child = spawn(command.file, command.args, { cwd: ROOT, env: childEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString('utf8'));
    if (output.length > KEEP_CHUNKS) output.splice(0, output.length - KEEP_CHUNKS);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output, exited };
}

/** Sends `signal` to the worker's process group; nothing when it has exited already. */
export function signalGroup(proc: WorkerProcess, signal: NodeJS.Signals): void {
  if (proc.child.pid === undefined || proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  try {
    process.kill(-proc.child.pid, signal);
  } catch {
    // already gone
  }
}

/** The worker's recent output, for failure messages. */
export const recentOutput = (proc: WorkerProcess): string => proc.output.join('').slice(-4000);

/** Rejects with the worker's recent output when `promise` has not settled within `ms`. */
export async function within<T>(what: string, promise: Promise<T>, ms: number, proc: WorkerProcess): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms; worker output:\n${recentOutput(proc)}`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
