/**
 * The shared part of `npm run dev`, `npm test` and Jest's global setup: Temporal, PostgreSQL with
 * a migrated database, and a Redis check. Temporal, PostgreSQL and client generation run side by
 * side because on a 2-core machine the waiting, not the CPU, dominates.
 */
import fs from 'node:fs';
import path from 'node:path';
import { canConnect } from './net';
import { ensureDatabase, ensurePostgresServer, redact } from './postgres';
import { runScript, type Supervisor } from './processes';
import { ensureTemporalServer, type TemporalServerOptions } from './temporal-server';
import { ROOT } from './toolchain';

export interface BaseServicesOptions {
  dbName: string;
  /** drop and recreate the database first (tests) */
  freshDatabase?: boolean;
  /** DATABASE_URL as given wins over dbName (dev); default true */
  honourDatabaseUrl?: boolean;
  temporal?: TemporalServerOptions;
  /**
   * If migrating fails (a migration file was edited since it was applied), drop and recreate the
   * database once and migrate again. Only for throw-away test databases.
   */
  recreateOnFailedMigration?: boolean;
  /** `npm run db:generate` too (skipped by the Jest global setup, which runs after npm test's) */
  generate?: boolean;
}

export interface BaseServices {
  temporalAddress: string;
  temporalStarted: boolean;
  databaseUrl: string;
  postgresKind: string;
  /** undefined when Redis is unreachable (the cache then runs in-process) */
  redisUrl: string | undefined;
}

/** Whether the file a package.json script runs exists (parts written by others may be missing). */
export function scriptTargetExists(script: string): boolean {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const file = /\btsx\s+(\S+\.ts)/.exec(pkg.scripts[script] ?? '')?.[1];
  return file === undefined || fs.existsSync(path.join(ROOT, file));
}

export async function checkRedis(url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'): Promise<string | undefined> {
  const parsed = new URL(url);
  const reachable = await canConnect(parsed.hostname, Number(parsed.port || 6379), 1000);
  return reachable ? url : undefined;
}

export async function startBaseServices(supervisor: Supervisor, options: BaseServicesOptions): Promise<BaseServices> {
  const generate = options.generate === false ? Promise.resolve() : runScript('generate', 'db:generate');
  const temporal = ensureTemporalServer(options.temporal).then((handle) => {
    if (handle.started) supervisor.add('temporal', handle.stop, 'server');
    else console.log(`[temporal]  reusing the server already answering at ${handle.address}`);
    return handle;
  });
  const database = ensurePostgresServer().then(async (server) => {
    if (server.process) supervisor.add('postgres', server.stop, 'server');
    const url = await ensureDatabase(options.dbName, { fresh: options.freshDatabase, honourDatabaseUrl: options.honourDatabaseUrl });
    console.log(`[postgres]  ${server.kind === 'embedded' ? 'embedded server' : server.kind === 'env' ? 'DATABASE_URL' : 'server on 127.0.0.1:5432'}: ${redact(url)}`);
    return { url, kind: server.kind };
  });
  const redis = checkRedis().then((url) => {
    if (!url) console.log('[redis]     no Redis on ' + (process.env.REDIS_URL ?? 'redis://127.0.0.1:6379') + ': the cache will run in-process');
    return url;
  });

  // Wait for all, so a failure in one does not leave another starting unsupervised.
  const [temporalResult, dbResult, generateResult, redisUrl] = await Promise.allSettled([temporal, database, generate, redis]);
  for (const result of [temporalResult, dbResult, generateResult]) {
    if (result.status === 'rejected') throw result.reason;
  }
  const { address, started } = (temporalResult as PromiseFulfilledResult<Awaited<typeof temporal>>).value;
  const { url, kind } = (dbResult as PromiseFulfilledResult<Awaited<typeof database>>).value;

  const migrate = () => runScript('migrate', 'db:migrate', { env: { ...process.env, DATABASE_URL: url } });
  try {
    await migrate();
  } catch (error) {
    if (!options.recreateOnFailedMigration) throw error;
    console.log(`[migrate]   recreating ${options.dbName} and migrating again`);
    await ensureDatabase(options.dbName, { fresh: true, honourDatabaseUrl: options.honourDatabaseUrl });
    await migrate();
  }
  return {
    temporalAddress: address,
    temporalStarted: started,
    databaseUrl: url,
    postgresKind: kind,
    redisUrl: redisUrl.status === 'fulfilled' ? redisUrl.value : undefined,
  };
}
