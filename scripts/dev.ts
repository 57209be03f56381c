/**
 * `npm run dev` (after scripts/dev.mjs installed the packages): Temporal dev server with UI,
 * PostgreSQL with the migrated and seeded booking_dev database, Redis check, then the Cal.com
 * emulator, SMTP sink, SMS sink, worker and API as child processes with prefixed logs. Ctrl-C stops
 * everything this run started; servers it found already running are left alone.
 */
import { loadConfig } from '../infra/config';
import { formatPinoLine } from './lib/log-format';
import { httpStatus, waitFor } from './lib/net';
import { redact } from './lib/postgres';
import { startScript, runScript, Supervisor, type ManagedProcess } from './lib/processes';
import { scriptTargetExists, startBaseServices } from './lib/services';

const API_PORT = Number(process.env.PORT || 3000);
const TEMPORAL_UI_PORT = Number(process.env.TEMPORAL_UI_PORT || 8233);
const SMS_SINK_PORT = Number(process.env.SMS_SINK_PORT || 2590);
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
  // The API serves the console from console/dist: build it (skipped when up to date) meanwhile.
  const consoleBuild = runScript('console', 'console:build');
  consoleBuild.catch(() => undefined); // awaited below; this only keeps an early failure from being "unhandled"
  const base = await startBaseServices(supervisor, {
    dbName: 'booking_dev',
    temporal: { uiPort: TEMPORAL_UI_PORT, dbFilename: '.data/temporal.sqlite' },
  });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: process.env.NODE_ENV ?? 'development',
    PORT: String(API_PORT),
    DATABASE_URL: base.databaseUrl,
    TEMPORAL_ADDRESS: base.temporalAddress,
    CALCOM_BASE_URL: process.env.CALCOM_BASE_URL ?? 'http://127.0.0.1:5555',
    SMTP_URL: process.env.SMTP_URL ?? 'smtp://127.0.0.1:2525',
    SMS_URL: process.env.SMS_URL ?? `http://127.0.0.1:${SMS_SINK_PORT}`,
    SMS_SINK_PORT: String(SMS_SINK_PORT),
    // The console links workflows to the UI this run serves.
    TEMPORAL_UI_URL: process.env.TEMPORAL_UI_URL ?? `http://127.0.0.1:${TEMPORAL_UI_PORT}`,
  };
  if (base.redisUrl) env.REDIS_URL = base.redisUrl;
  const config = loadConfig(env);

  const children: ManagedProcess[] = [];
  const start = (name: string, script: string) => {
    if (!scriptTargetExists(script)) {
      console.log(`[dev] not starting ${script}: its entry file does not exist yet`);
      return;
    }
    children.push(supervisor.track(startScript(name, script, { env, format: formatPinoLine })));
  };
  // A real Cal.com / SMTP server / SMS provider configured by the user replaces the local stand-in.
  if (!process.env.CALCOM_API_KEY) start('calcom', 'calcom-emulator');
  if (!process.env.SMTP_URL) start('smtp', 'smtp');
  if (!process.env.SMS_URL) start('sms', 'sms');
  await consoleBuild;
  start('worker', 'worker');
  start('api', 'api');

  // The seed runs while the processes start (the API does not need it to be ready); its
  // "... API key: ..." lines go into the summary.
  const keyLines: string[] = [];
  if (scriptTargetExists('db:seed')) {
    await runScript('seed', 'db:seed', { env, onLine: (line) => /API key:/i.test(line) && keyLines.push(line.trim()) });
  }

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
    `  Console        http://127.0.0.1:${API_PORT}/console   (sign in with a company key, e.g. demo-manager-key)`,
    `  Booking page   http://127.0.0.1:${API_PORT}/book/br_demo_mitte?key=demo-public-key`,
    `  Temporal UI    http://127.0.0.1:${TEMPORAL_UI_PORT}   (gRPC ${base.temporalAddress}${base.temporalStarted ? '' : ', a server that was already running'})`,
    `  Cal.com        ${config.calcomBaseUrl}${config.calcomEmulated ? '   (emulator)' : ''}`,
    process.env.SMTP_URL
      ? `  SMTP           ${config.smtpUrl}`
      : `  SMTP sink      ${config.smtpUrl}   (messages: http://127.0.0.1:2580/messages)`,
    process.env.SMS_URL
      ? `  SMS provider   ${config.smsUrl}`
      : `  SMS sink       ${config.smsUrl}   (messages: ${config.smsUrl}/messages)`,
    `  Database       ${redact(base.databaseUrl)}`,
    `  Redis          ${base.redisUrl ?? 'unreachable: in-process cache'}`,
    ...(keyLines.length > 0 ? keyLines.map((line) => `  ${line}`) : [`  Admin API key: ${config.adminApiKey}   (the seed printed no demo keys)`]),
    `  Try it         curl -H 'Authorization: Bearer demo-manager-key' http://127.0.0.1:${API_PORT}/v1/branches`,
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
