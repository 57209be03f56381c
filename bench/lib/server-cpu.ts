/**
 * CPU time of the local Temporal dev server and of PostgreSQL (Linux /proc), so a level can print
 * what the servers spent per booking or per bare workflow beside our own processes. Both share the
 * machine's cores with the code under test; elsewhere (no /proc, remote servers) it reports nothing.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

const TICKS_PER_SECOND = 100;

function pids(args: string[]): number[] {
  try {
    return execFileSync('pgrep', args, { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** utime + stime of a process and its reaped children, in ms; 0 once it is gone. */
function cpuMs(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

export interface ServerCpu {
  /** CPU ms each server used since the last call (or since creation). */
  since(): { temporal?: number; postgres?: number };
}

export function serverCpu(): ServerCpu {
  const groups = { temporal: () => pids(['-f', 'temporal server start-dev']), postgres: () => pids(['-x', 'postgres']) };
  const total = (find: () => number[]) => {
    const found = find();
    return found.length ? found.reduce((sum, pid) => sum + cpuMs(pid), 0) : undefined;
  };
  let last = { temporal: total(groups.temporal), postgres: total(groups.postgres) };
  return {
    since() {
      const now = { temporal: total(groups.temporal), postgres: total(groups.postgres) };
      const delta = (k: 'temporal' | 'postgres') => (now[k] !== undefined && last[k] !== undefined ? (now[k] as number) - (last[k] as number) : undefined);
      const out = { temporal: delta('temporal'), postgres: delta('postgres') };
      last = now;
      return out;
    },
  };
}

export function formatServerCpu(used: { temporal?: number; postgres?: number }, count: number): string {
  const parts = Object.entries(used)
    .filter(([, ms]) => ms !== undefined)
    .map(([name, ms]) => `${name} ${((ms as number) / count).toFixed(1)}`);
  return parts.length ? `; servers on this machine: ${parts.join(', ')}` : '';
}
