import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { migrate, migrationChecksum, MigrationError } from '../../infra/db/migrator';
import { MIGRATIONS_DIR, TempDatabase, tempDatabase } from './temp-database';

const ROOT = path.resolve(__dirname, '..', '..');
/** The project's migrations in the order they apply (name order), the first being `<timestamp>_init`. */
const SHIPPED = fs
  .readdirSync(MIGRATIONS_DIR)
  .filter((name) => fs.existsSync(path.join(MIGRATIONS_DIR, name, 'migration.sql')))
  .sort();
const INIT = SHIPPED[0];

async function query<T extends object>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

function copyMigrations(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migrations-'));
  fs.cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  return dir;
}

function addMigration(dir: string, name: string, sql: string): void {
  fs.mkdirSync(path.join(dir, name));
  fs.writeFileSync(path.join(dir, name, 'migration.sql'), sql);
}

describe('migrator', () => {
  const databases: TempDatabase[] = [];
  const fresh = (): TempDatabase => {
    const db = tempDatabase();
    databases.push(db);
    return db;
  };
  afterAll(async () => {
    await Promise.all(databases.map((db) => db.drop()));
  });

  test('creates the database, applies the shipped migrations and records them as Prisma does; a re-run is a no-op', async () => {
    const db = fresh();
    expect(INIT).toMatch(/^\d{14}_init$/);
    expect(await migrate(db.url, MIGRATIONS_DIR)).toEqual({ applied: SHIPPED });

    const rows = await query<Record<string, unknown>>(db.url, 'SELECT * FROM "_prisma_migrations" ORDER BY started_at');
    expect(rows.map((r) => r.migration_name)).toEqual(SHIPPED);
    const row = rows[0];
    expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(row.migration_name).toBe(INIT);
    expect(row.checksum).toBe(migrationChecksum(fs.readFileSync(path.join(MIGRATIONS_DIR, INIT, 'migration.sql'))));
    expect(row.finished_at).toBeInstanceOf(Date);
    expect(row.rolled_back_at).toBeNull();
    expect(row.logs).toBeNull();
    expect(row.applied_steps_count).toBe(1);

    const constraints = await query<{ conname: string; contype: string }>(
      db.url,
      "SELECT conname, contype FROM pg_constraint WHERE conrelid = 'bookings'::regclass AND contype IN ('x', 'c') ORDER BY conname",
    );
    expect(constraints).toEqual([
      { conname: 'bookings_blocked_covers_visible', contype: 'c' },
      { conname: 'bookings_customer_unless_hold', contype: 'c' },
      { conname: 'bookings_end_after_start', contype: 'c' },
      { conname: 'bookings_no_resource_overlap', contype: 'x' },
      { conname: 'bookings_no_staff_overlap', contype: 'x' },
      { conname: 'bookings_part_end_inside', contype: 'c' },
      { conname: 'bookings_status_check', contype: 'c' },
    ]);

    expect(await migrate(db.url, MIGRATIONS_DIR)).toEqual({ applied: [] });
    expect(await query(db.url, 'SELECT id FROM "_prisma_migrations"')).toHaveLength(SHIPPED.length);
  });

  test('applies only new migrations, in name order', async () => {
    const db = fresh();
    const dir = copyMigrations();
    await migrate(db.url, dir);
    addMigration(dir, '29990102000000_second', 'CREATE TABLE "second_t" (id int);');
    addMigration(dir, '29990101000000_first', 'CREATE TABLE "first_t" (id int);');
    expect(await migrate(db.url, dir)).toEqual({ applied: ['29990101000000_first', '29990102000000_second'] });
    const names = await query<{ migration_name: string }>(db.url, 'SELECT migration_name FROM "_prisma_migrations" ORDER BY started_at');
    expect(names.map((r) => r.migration_name)).toEqual([...SHIPPED, '29990101000000_first', '29990102000000_second']);
  });

  test('refuses when an applied migration was edited afterwards', async () => {
    const db = fresh();
    const dir = copyMigrations();
    await migrate(db.url, dir);
    fs.appendFileSync(path.join(dir, INIT, 'migration.sql'), '\n-- edited after apply\n');
    addMigration(dir, '29990101000000_later', 'CREATE TABLE "later_t" (id int);');

    const attempt = migrate(db.url, dir);
    await expect(attempt).rejects.toThrow(MigrationError);
    await expect(attempt).rejects.toThrow(new RegExp(`migration ${INIT} was modified after it was applied`));
    // Nothing after the edited migration ran either.
    expect(await query(db.url, "SELECT 1 FROM pg_tables WHERE tablename = 'later_t'")).toHaveLength(0);
  });

  test('a failing migration is rolled back entirely and leaves no record; fixing it lets it apply', async () => {
    const db = fresh();
    const dir = copyMigrations();
    await migrate(db.url, dir);
    addMigration(dir, '29990101000000_broken', 'CREATE TABLE "half_t" (id int);\nSELECT * FROM no_such_table;');
    await expect(migrate(db.url, dir)).rejects.toThrow(/migration 29990101000000_broken failed and was rolled back: .*no_such_table/);
    expect(await query(db.url, "SELECT 1 FROM pg_tables WHERE tablename = 'half_t'")).toHaveLength(0);
    expect(await query(db.url, 'SELECT 1 FROM "_prisma_migrations"')).toHaveLength(SHIPPED.length);

    fs.writeFileSync(path.join(dir, '29990101000000_broken', 'migration.sql'), 'CREATE TABLE "half_t" (id int);');
    expect(await migrate(db.url, dir)).toEqual({ applied: ['29990101000000_broken'] });
  });

  test('refuses to continue after a failed migration recorded by prisma migrate (unfinished row)', async () => {
    const db = fresh();
    await migrate(db.url, MIGRATIONS_DIR);
    await query(
      db.url,
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ('00000000-0000-4000-8000-000000000000', 'x', '29990101000000_failed', now())`,
    );
    await expect(migrate(db.url, MIGRATIONS_DIR)).rejects.toThrow(/29990101000000_failed failed earlier/);
  });

  test('concurrent migrators in one process: the advisory lock lets exactly one apply', async () => {
    const db = fresh();
    const results = await Promise.all([1, 2, 3, 4].map(() => migrate(db.url, MIGRATIONS_DIR)));
    expect(results.flatMap((r) => r.applied)).toEqual(SHIPPED);
    expect(await query(db.url, 'SELECT 1 FROM "_prisma_migrations"')).toHaveLength(SHIPPED.length);
  });

  test('two `npm run db:migrate` processes at once against a database that does not exist yet', async () => {
    const db = fresh();
    const run = () =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(process.execPath, [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'scripts/migrate.ts'], {
          cwd: ROOT,
          env: { ...process.env, DATABASE_URL: db.url },
        });
        let out = '';
        child.stdout.on('data', (chunk) => (out += chunk));
        child.stderr.on('data', (chunk) => (out += chunk));
        child.on('close', (code) => resolve({ code, out }));
      });
    const [a, b] = await Promise.all([run(), run()]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const combined = a.out + b.out;
    expect(combined.match(/applied migration /g)).toHaveLength(SHIPPED.length);
    expect(combined.match(/no pending migrations/g)).toHaveLength(1);
    expect(await query(db.url, 'SELECT 1 FROM "_prisma_migrations"')).toHaveLength(SHIPPED.length);
  }, 30_000);
});
