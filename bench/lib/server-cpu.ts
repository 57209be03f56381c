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

type Server = 'temporal' | 'postgres';
const FIND: Record<Server, () => number[]> = { temporal: () => pids(['-f', 'temporal server start-dev']), postgres: () => pids(['-x', 'postgres']) };

/** Summed CPU ms of a server's processes, or undefined when none runs here. */
function serverTotal(server: Server): number | undefined {
  const found = FIND[server]();
  return found.length ? found.reduce((sum, pid) => sum + cpuMs(pid), 0) : undefined;
}

export function serverCpu(): ServerCpu {
  const servers: Server[] = ['temporal', 'postgres'];
  let last = servers.map(serverTotal);
  return {
    since() {
      const now = servers.map(serverTotal);
      const used = Object.fromEntries(
        servers.map((server, i) => [server, now[i] !== undefined && last[i] !== undefined ? (now[i] as number) - (last[i] as number) : undefined]),
      );
      last = now;
      return used;
    },
  };
}

export function formatServerCpu(used: { temporal?: number; postgres?: number }, count: number): string {
  const parts = Object.entries(used)
    .filter(([, ms]) => ms !== undefined)
    .map(([name, ms]) => `${name} ${((ms as number) / count).toFixed(1)}`);
  return parts.length ? `; servers on this machine: ${parts.join(', ')}` : '';
}
