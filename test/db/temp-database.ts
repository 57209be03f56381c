/**
 * Throwaway PostgreSQL databases for tests that need their own schema state (migrator, drift,
 * constraints): `booking_dbtest_<random>` on the server of the configured DATABASE_URL, dropped
 * (WITH FORCE, so leaked connections cannot keep it alive) when the test is done.
 */
import path from 'node:path';
import { Client } from 'pg';
import { loadConfig } from '../../infra/config';
import { migrate } from '../../infra/db/migrator';
import { newId } from '../../infra/db/ids';

export const MIGRATIONS_DIR = path.resolve(__dirname, '..', '..', 'prisma', 'migrations');

export interface TempDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

export function adminUrl(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
  return url.toString();
}

/** A URL for a fresh database name; the database itself is created by the caller (or migrate()). */
export function tempDatabase(prefix = 'booking_dbtest'): TempDatabase {
  const base = new URL(loadConfig().databaseUrl);
  const name = newId(prefix);
  base.pathname = `/${name}`;
  const url = base.toString();
  return {
    name,
    url,
    async drop() {
      const admin = new Client({ connectionString: adminUrl(url) });
      await admin.connect();
      try {
        await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    },
  };
}

/** A fresh database with every migration applied. */
export async function migratedTempDatabase(prefix?: string): Promise<TempDatabase> {
  const db = tempDatabase(prefix);
  await migrate(db.url, MIGRATIONS_DIR);
  return db;
}
