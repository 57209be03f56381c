/**
 * The benchmarks' own database (`booking_bench` on the configured PostgreSQL server, or BENCH_DB
 * when two benches run side by side), migrated on first use, so a bench never writes into the
 * development or test databases.
 */
import path from 'node:path';
import { loadConfig } from '../../infra/config';
import { migrate } from '../../infra/db/migrator';
import { createPrisma, type PrismaClient } from '../../infra/db/prisma';

const MIGRATIONS_DIR = path.resolve(__dirname, '..', '..', 'prisma', 'migrations');

export function benchDatabaseUrl(): string {
  const url = new URL(loadConfig().databaseUrl);
  url.pathname = `/${process.env.BENCH_DB ?? 'booking_bench'}`;
  return url.toString();
}

export async function openBenchDatabase(options: { max?: number } = {}): Promise<{ url: string; db: PrismaClient }> {
  const url = benchDatabaseUrl();
  await migrate(url, MIGRATIONS_DIR);
  return { url, db: createPrisma(url, { max: options.max ?? 8 }) };
}
