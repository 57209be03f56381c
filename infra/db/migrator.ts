/**
 * Applies the SQL migrations in prisma/migrations the way `prisma migrate deploy` would, for
 * machines where Prisma's native schema engine cannot be fetched.
 *
 * - Each pending migration runs in its own transaction together with its `_prisma_migrations`
 *   row, so a failure leaves neither schema changes nor a half-written record behind.
 * - The bookkeeping table and columns are Prisma's own (checksum = sha256 hex of migration.sql),
 *   so `prisma migrate status|deploy` agree with us where the engine exists.
 * - A session advisory lock on Prisma's own key (72707369) serialises concurrent migrators:
 *   ours and Prisma's alike.
 * - An applied migration whose file changed afterwards is refused, not silently skipped: the
 *   database would no longer match the SQL in the repository.
 * - A failed migration recorded by Prisma (finished_at and rolled_back_at both null) blocks,
 *   as it does for `migrate deploy` (P3009).
 * Migrations must not use statements that refuse to run in a transaction (CREATE INDEX
 * CONCURRENTLY, ALTER TYPE ... ADD VALUE before PG 12).
 */
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';

/** The key Prisma's schema engine locks on for PostgreSQL. */
export const PRISMA_MIGRATE_ADVISORY_LOCK = 72707369;

export interface MigrateOptions {
  log?: (line: string) => void;
}

export interface MigrateResult {
  applied: string[];
}

export class MigrationError extends Error {
  constructor(
    message: string,
    readonly migrationName?: string,
  ) {
    super(message);
    this.name = 'MigrationError';
  }
}

interface LocalMigration {
  name: string;
  sql: string;
  checksum: string;
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

export function migrationChecksum(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

export function readMigrations(migrationsDir: string): LocalMigration[] {
  return fs
    .readdirSync(migrationsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(migrationsDir, entry.name, 'migration.sql')))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const raw = fs.readFileSync(path.join(migrationsDir, name, 'migration.sql'));
      return { name, sql: raw.toString('utf8'), checksum: migrationChecksum(raw) };
    });
}

/** Creates the database named in the URL when it does not exist, via the `postgres` maintenance db. */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!name) throw new MigrationError(`DATABASE_URL has no database name: ${redact(databaseUrl)}`);
  url.pathname = '/postgres';
  const admin = new Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount) return false;
    try {
      await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
      return true;
    } catch (err) {
      // Another process created it between our check and our CREATE.
      const code = (err as { code?: string }).code;
      if (code === '42P04' || code === '23505') return false;
      throw err;
    }
  } finally {
    await admin.end();
  }
}

export async function migrate(databaseUrl: string, migrationsDir: string, options: MigrateOptions = {}): Promise<MigrateResult> {
  const log = options.log ?? (() => undefined);
  const local = readMigrations(migrationsDir);
  if (await ensureDatabase(databaseUrl)) log(`created database ${new URL(databaseUrl).pathname.slice(1)}`);

  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_ADVISORY_LOCK]);
    try {
      await createMigrationsTable(client);
      const rows = (
        await client.query<AppliedRow>(
          'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at',
        )
      ).rows;
      const pending = planPending(local, rows);
      const applied: string[] = [];
      for (const migration of pending) {
        await applyOne(client, migration);
        log(`applied migration ${migration.name}`);
        applied.push(migration.name);
      }
      if (applied.length === 0) log('no pending migrations');
      return { applied };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_ADVISORY_LOCK]);
    }
  } finally {
    await client.end();
  }
}

function planPending(local: LocalMigration[], rows: AppliedRow[]): LocalMigration[] {
  const failed = rows.find((row) => row.finished_at === null && row.rolled_back_at === null);
  if (failed) {
    throw new MigrationError(
      `migration ${failed.migration_name} failed earlier and is recorded as unfinished in _prisma_migrations; ` +
        'fix the database by hand, then mark it rolled back (or delete the row) before migrating again',
      failed.migration_name,
    );
  }
  const done = new Map(rows.filter((row) => row.finished_at !== null && row.rolled_back_at === null).map((row) => [row.migration_name, row]));
  for (const migration of local) {
    const row = done.get(migration.name);
    if (row && row.checksum !== migration.checksum) {
      throw new MigrationError(
        `migration ${migration.name} was modified after it was applied (checksum ${row.checksum} in the database, ` +
          `${migration.checksum} on disk); add a new migration instead of editing an applied one`,
        migration.name,
      );
    }
  }
  return local.filter((migration) => !done.has(migration.name));
}

async function applyOne(client: Client, migration: LocalMigration): Promise<void> {
  await client.query('BEGIN');
  try {
    const id = randomUUID();
    await client.query(
      'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, now(), 0)',
      [id, migration.checksum, migration.name],
    );
    await client.query(migration.sql);
    await client.query(
      'UPDATE "_prisma_migrations" SET finished_at = clock_timestamp(), applied_steps_count = applied_steps_count + 1 WHERE id = $1',
      [id],
    );
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw new MigrationError(`migration ${migration.name} failed and was rolled back: ${(err as Error).message}`, migration.name);
  }
}

/** Prisma's own DDL for the bookkeeping table. */
async function createMigrationsTable(client: Client): Promise<void> {
  await client.query(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
  )`);
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function redact(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '<invalid url>';
  }
}
