/**
 * The Temporal dev server for development and tests. If something already answers on the address
 * (another terminal, the lead's server, CI's), it is reused and only the booking search attributes
 * are added; otherwise `temporal server start-dev` is started here with our own readiness wait,
 * because the SDK's launcher gives up after a hard-coded 5 s, too short on a loaded 2-core box.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { canConnect, parseHostPort, waitFor } from './net';
import { startProcess, type ManagedProcess } from './processes';
import { ensureTemporalCli, ROOT } from './toolchain';

/** Custom search attributes the workflows set; all Keyword (the SQLite dev server allows 10). */
export const SEARCH_ATTRIBUTES = ['BookingId', 'CustomerId', 'BranchId', 'BookingStatus', 'WorkflowKind', 'SeriesId', 'WaitlistEntryId'] as const;

export interface TemporalServerOptions {
  /** host:port of the gRPC frontend; default TEMPORAL_ADDRESS or 127.0.0.1:7233 */
  address?: string;
  namespace?: string;
  /** Web UI port; omit for a headless server */
  uiPort?: number;
  /** SQLite file for persistence; omit for in-memory state */
  dbFilename?: string;
  readyTimeoutMs?: number;
}

export interface TemporalServerHandle {
  address: string;
  namespace: string;
  /** false when an already running server was reused */
  started: boolean;
  process?: ManagedProcess;
  stop(): Promise<void>;
}

async function healthy(address: string): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: '2s' });
  try {
    await connection.workflowService.getSystemInfo({});
    return true;
  } finally {
    await connection.close();
  }
}

/** Adds whichever booking search attributes the namespace lacks. Idempotent. */
export async function ensureSearchAttributes(address: string, namespace = 'default'): Promise<void> {
  const connection = await Connection.connect({ address, connectTimeout: '5s' });
  try {
    const existing = await connection.operatorService.listSearchAttributes({ namespace });
    const known = new Set([...Object.keys(existing.customAttributes ?? {}), ...Object.keys(existing.systemAttributes ?? {})]);
    const missing = SEARCH_ATTRIBUTES.filter((name) => !known.has(name));
    if (missing.length === 0) return;
    const keyword = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
    try {
      await connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: Object.fromEntries(missing.map((name) => [name, keyword])),
      });
    } catch (error) {
      // Two processes racing to add them: the loser sees "already exists", which is the goal.
      if (!/already exists/i.test((error as Error).message)) throw error;
    }
  } finally {
    await connection.close();
  }
}

export async function ensureTemporalServer(options: TemporalServerOptions = {}): Promise<TemporalServerHandle> {
  const address = options.address ?? process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
  const namespace = options.namespace ?? process.env.TEMPORAL_NAMESPACE ?? 'default';
  const { host, port } = parseHostPort(address);

  if (await canConnect(host, port)) {
    await waitFor(`Temporal at ${address}`, () => healthy(address), { timeoutMs: options.readyTimeoutMs ?? 60_000 });
    await ensureSearchAttributes(address, namespace);
    return { address, namespace, started: false, stop: async () => {} };
  }

  const cli = await ensureTemporalCli();
  const args = ['server', 'start-dev', '--ip', host, '--port', String(port), '--log-level', 'warn'];
  args.push(...(options.uiPort ? ['--ui-port', String(options.uiPort)] : ['--headless']));
  if (options.dbFilename) {
    fs.mkdirSync(path.dirname(path.resolve(ROOT, options.dbFilename)), { recursive: true });
    args.push('--db-filename', options.dbFilename, '--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=OFF');
  }
  if (namespace !== 'default') args.push('--namespace', namespace);
  for (const name of SEARCH_ATTRIBUTES) args.push('--search-attribute', `${name}=Keyword`);

  const started = Date.now();
  const server = startProcess('temporal', cli, args, {
    silentWhileStopping: true,
    quiet: (line) => /Cluster Id in Cluster Metadata|network dial error|^\s*$/.test(line),
  });
  await waitFor(`Temporal dev server at ${address}`, () => healthy(address), {
    timeoutMs: options.readyTimeoutMs ?? 60_000,
    abort: () => (server.exitCode() !== undefined ? `temporal exited with code ${server.exitCode()}` : undefined),
  }).catch(async (error) => {
    await server.stop();
    throw error;
  });
  // Attributes are given on the command line, but an existing SQLite file keeps its own namespace
  // config, so check anyway.
  await ensureSearchAttributes(address, namespace);
  console.log(`[temporal]  dev server ready at ${address} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { address, namespace, started: true, process: server, stop: server.stop };
}
