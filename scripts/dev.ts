/**
 * `npm run dev` (after scripts/dev.mjs installed the packages): Temporal dev server with UI,
 * PostgreSQL with the migrated and seeded booking_dev database, Redis check, then the Cal.com
 * emulator, SMTP sink, worker and API as child processes with prefixed logs. Ctrl-C stops
 * everything this run started; servers it found already running are left alone.
 */
import { loadConfig } from '../infra/config';
import { httpStatus, waitFor } from './lib/net';
import { startScript, runScript, Supervisor, type ManagedProcess } from './lib/processes';
import { scriptTargetExists, startBaseServices } from './lib/services';

const API_PORT = 3000;
const startedAt = Number(process.env.SETUP_STARTED_AT) || Date.now();

async function main(): Promise<void> {
  const supervisor = new Supervisor();
  supervisor.stopOnSignals(() => process.exit(0));
  try {
    await run(supervisor);
  } catch (error) {
    console.error(`\n[dev] start-up failed: ${(error as Error).message}`);
    await supervisor.stopAll();
    process.exit(1);
  }
}

async function run(supervisor: Supervisor): Promise<void> {
  const base = await startBaseServices(supervisor, {
    dbName: 'booking_dev',
    temporal: { uiPort: 8233, dbFilename: '.data/temporal.sqlite' },
  });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: process.env.NODE_ENV ?? 'development',
    PORT: String(API_PORT),
    DATABASE_URL: base.databaseUrl,
    TEMPORAL_ADDRESS: base.temporalAddress,
    CALCOM_BASE_URL: process.env.CALCOM_BASE_URL ?? 'http://127.0.0.1:5555',
    SMTP_URL: process.env.SMTP_URL ?? 'smtp://127.0.0.1:2525',
  };
  if (base.redisUrl) env.REDIS_URL = base.redisUrl;
  const config = loadConfig(env);

  // The seed prints the demo company's API key; keep those lines for the summary.
  const keyLines: string[] = [];
  if (scriptTargetExists('db:seed')) await runScript('seed', 'db:seed', { env, onLine: (line) => /api[ _-]?key|\bkey\b/i.test(line) && keyLines.push(line.trim()) });

  const children: ManagedProcess[] = [];
  const start = (name: string, script: string) => {
    if (!scriptTargetExists(script)) {
      console.log(`[dev] not starting ${script}: its entry file does not exist yet`);
      return;
    }
    children.push(supervisor.track(startScript(name, script, { env })));
  };
  if (!process.env.CALCOM_API_KEY) start('calcom', 'calcom-emulator');
  start('smtp', 'smtp');
  start('worker', 'worker');
  start('api', 'api');

  const readyz = `http://127.0.0.1:${API_PORT}/readyz`;
  await waitFor(`API ${readyz}`, async () => (await httpStatus(readyz)) === 200, {
    timeoutMs: 180_000,
    intervalMs: 300,
    abort: () => {
      const dead = children.find((child) => child.exitCode() !== undefined);
      return dead ? `${dead.name} exited with code ${dead.exitCode()} before the API was ready` : undefined;
    },
  });

  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
  const lines = [
    '',
    `Ready in ${seconds} s`,
    `  API            http://127.0.0.1:${API_PORT}`,
    `  API docs       http://127.0.0.1:${API_PORT}/docs`,
    `  Temporal UI    http://127.0.0.1:8233   (gRPC ${base.temporalAddress})`,
    `  Cal.com        ${config.calcomBaseUrl}${config.calcomEmulated ? '   (emulator)' : ''}`,
    `  SMTP sink      ${config.smtpUrl}   (messages: http://127.0.0.1:2580/messages)`,
    `  Database       ${base.databaseUrl}`,
    `  Redis          ${base.redisUrl ?? 'unreachable: in-process cache'}`,
    `  Admin key      ${config.adminApiKey}`,
    ...(keyLines.length > 0 ? keyLines.map((line) => `  Demo company   ${line}`) : ['  Demo company   (the seed printed no key)']),
    'Ctrl-C stops everything started here.',
    '',
  ];
  console.log(lines.join('\n'));

  for (const child of children) {
    void child.exited.then(() => {
      if (supervisor.isStopping()) return;
      console.log(`[dev] ${child.name} exited with code ${child.exitCode()}; the others keep running (Ctrl-C to stop)`);
    });
  }
}

void main();
