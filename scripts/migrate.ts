/**
 * `npm run db:migrate`: creates the database if needed and applies pending SQL migrations from
 * prisma/migrations (see infra/db/migrator.ts for why not `prisma migrate deploy`).
 */
import path from 'node:path';
import { loadConfig } from '../infra/config';
import { migrate, redact } from '../infra/db/migrator';

export const MIGRATIONS_DIR = path.resolve(__dirname, '..', 'prisma', 'migrations');

async function main(): Promise<void> {
  const { databaseUrl } = loadConfig();
  console.log(`migrating ${redact(databaseUrl)}`);
  const { applied } = await migrate(databaseUrl, MIGRATIONS_DIR, { log: (line) => console.log(line) });
  console.log(applied.length ? `done: ${applied.length} migration(s) applied` : 'done: database is up to date');
}

if (require.main === module) {
  main().catch((err: Error) => {
    console.error(`migration failed: ${err.message}`);
    process.exit(1);
  });
}
