/**
 * Prisma 7 CLI configuration. The connection URL lives here, not in schema.prisma, and comes from
 * loadConfig() so the CLI and the app agree on DATABASE_URL and its development default.
 * Migrations are applied by scripts/migrate.ts (the schema engine cannot be fetched offline);
 * where the engine exists, `prisma migrate status|deploy` read the same folder and table.
 */
import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { loadConfig } from './infra/config';

export default defineConfig({
  schema: path.join('prisma', 'schema.prisma'),
  migrations: {
    path: path.join('prisma', 'migrations'),
    seed: 'tsx prisma/seed.ts',
  },
  datasource: {
    url: loadConfig().databaseUrl,
  },
});
