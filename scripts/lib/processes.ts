/**
 * Child processes started by the orchestrators. Each runs in its own process group (detached), so
 * a Ctrl-C in the terminal reaches only the orchestrator, which then stops all children at once,
 * each group as a whole (npm → sh → tsx → node), with a SIGKILL if one does not exit in time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { ROOT } from './toolchain';

export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  /** set once the process has exited */
  exitCode(): number | null | undefined;
  exited: Promise<void>;
  stop(): Promise<void>;
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  uid?: number;
  gid?: number;
  /** signal that asks the program to shut down cleanly (PostgreSQL: SIGINT = fast shutdown) */
  stopSignal?: NodeJS.Signals;
  stopTimeoutMs?: number;
  /** lines to drop from the log (noise) */
  quiet?: (line: string) => boolean;
  /** drop all output once stop() was called (servers that complain while shutting down) */
  silentWhileStopping?: boolean;
  /** share our terminal and process group instead (Jest: its own colours, Ctrl-C reaches it) */
  inheritStdio?: boolean;
  /** receives every line, printed or not (e.g. to pick a key out of the seed's output) */
  onLine?: (line: string) => void;
  /** rewrites each line before it is printed (e.g. JSON logs made readable) */
  format?: (line: string) => string;
}

const COLORS = [36, 35, 33, 32, 34, 31, 96, 95];
const colorOf = new Map<string, number>();

/** "[name]" padded, coloured on a terminal, the same colour for the same name every time. */
export function prefixer(name: string): string {
  const label = `[${name}]`.padEnd(11);
  if (!process.stdout.isTTY) return label;
  if (!colorOf.has(name)) colorOf.set(name, COLORS[colorOf.size % COLORS.length]);
  return `\x1b[${colorOf.get(name)}m${label}\x1b[0m`;
}

export function startProcess(name: string, command: string, args: string[], options: StartOptions = {}): ManagedProcess {
  const child = spawn(command, args, {
    cwd: options.cwd ?? ROOT,
    env: options.env ?? process.env,
    detached: !options.inheritStdio,
    stdio: options.inheritStdio ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'],
    uid: options.uid,
    gid: options.gid,
  });
  const prefix = prefixer(name);
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    readline.createInterface({ input: stream }).on('line', (line) => {
      options.onLine?.(line);
      if (options.quiet?.(line) || (stopping && options.silentWhileStopping)) return;
      process.stdout.write(`${prefix} ${options.format ? options.format(line) : line}\n`);
    });
  }
  let code: number | null | undefined;
  let stopping = false;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (exitCode, signal) => {
      code = exitCode ?? (signal ? null : 0);
      resolve();
    });
    child.once('error', (error) => {
      process.stdout.write(`${prefix} failed to start: ${error.message}\n`);
      code = -1;
      resolve();
    });
  });

  const signalGroup = (signal: NodeJS.Signals) => {
    if (child.pid === undefined) return;
    try {
      if (options.inheritStdio) child.kill(signal);
      else process.kill(-child.pid, signal);
    } catch {
      // the group is already gone
    }
  };

  const stop = async () => {
    stopping = true;
    if (code !== undefined) {
      signalGroup('SIGKILL'); // leftovers of a group whose leader already exited
      return;
    }
    signalGroup(options.stopSignal ?? 'SIGTERM');
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), options.stopTimeoutMs ?? 10_000).unref());
    if ((await Promise.race([exited.then(() => 'exited' as const), timeout])) === 'timeout') {
      process.stdout.write(`${prefix} did not stop in time, killing\n`);
      signalGroup('SIGKILL');
      await exited;
    }
  };

  return { name, child, exitCode: () => code, exited, stop };
}

/** Runs a package.json script like `npm run <name>` would, without the extra npm process. */
export function startScript(name: string, script: string, options: StartOptions = {}): ManagedProcess {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const body = pkg.scripts[script];
  if (!body) throw new Error(`package.json has no "${script}" script`);
  const env = { ...(options.env ?? process.env) };
  env.PATH = [path.join(ROOT, 'node_modules', '.bin'), env.PATH].filter(Boolean).join(path.delimiter);
  return startProcess(name, '/bin/sh', ['-c', body], { ...options, env });
}

/** Runs a package.json script to its end; rejects when it fails. */
export async function runScript(name: string, script: string, options: StartOptions = {}): Promise<void> {
  const started = Date.now();
  const child = startScript(name, script, options);
  await child.exited;
  if (child.exitCode() !== 0) throw new Error(`npm run ${script} failed (exit ${child.exitCode()})`);
  console.log(`${prefixer(name)} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/**
 * Everything one orchestrator started. Stopped in layers: the programs (API, worker, sinks,
 * emulator) together first, then the servers they use (Temporal, PostgreSQL: `add(..., 'server')`)
 * together, so a worker still drains against a live Temporal.
 */
export class Supervisor {
  private readonly stack: Array<{ name: string; stop: () => Promise<void>; layer: 'program' | 'server' }> = [];
  private stopping: Promise<void> | undefined;

  add(name: string, stop: () => Promise<void>, layer: 'program' | 'server' = 'program'): void {
    this.stack.push({ name, stop, layer });
  }

  track(process: ManagedProcess): ManagedProcess {
    this.add(process.name, process.stop);
    return process;
  }

  isStopping(): boolean {
    return this.stopping !== undefined;
  }

  /**
   * Stops each layer's entries at once, each with its own timeout, so a stop takes about as long
   * as its slowest part (a draining worker) rather than the sum. One after the other, a Ctrl-C took
   * long enough that a script's follow-up SIGKILL of the orchestrator left the detached children
   * running (a Temporal server holding :7233 and :8233 for the next `npm run dev`).
   */
  stopAll(): Promise<void> {
    this.stopping ??= (async () => {
      const entries = this.stack.splice(0);
      for (const layer of ['program', 'server'] as const) {
        await Promise.all(
          entries
            .filter((entry) => entry.layer === layer)
            .map(async (entry) => {
              try {
                await entry.stop();
              } catch (error) {
                console.error(`[stop] ${entry.name}: ${(error as Error).message}`);
              }
            }),
        );
      }
    })();
    return this.stopping;
  }

  /** Ctrl-C / SIGTERM: stop everything, then exit. A second Ctrl-C is ignored while stopping. */
  stopOnSignals(onStopped: (signal: NodeJS.Signals) => never): void {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.on(signal, () => {
        if (this.stopping) return;
        console.log(`\n[stop] ${signal}: stopping everything this run started…`);
        void this.stopAll().then(() => onStopped(signal));
      });
    }
  }
}
