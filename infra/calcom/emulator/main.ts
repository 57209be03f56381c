/**
 * `npm run calcom-emulator`: the Cal.com emulator as its own process. Port from
 * CALCOM_EMULATOR_PORT, else the port of CALCOM_BASE_URL (default 5555); the API key it accepts is
 * the configured CALCOM_API_KEY or the emulator default. Stops cleanly on SIGINT/SIGTERM.
 */
import { loadConfig } from '../../config';
import { startCalcomEmulator } from './emulator.server';

function emulatorPort(env: NodeJS.ProcessEnv, baseUrl: string): number {
  const raw = env.CALCOM_EMULATOR_PORT;
  if (raw !== undefined && raw !== '') {
    const port = Number(raw);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`CALCOM_EMULATOR_PORT must be a port number, got "${raw}"`);
    return port;
  }
  const fromUrl = Number(new URL(baseUrl).port);
  return fromUrl > 0 ? fromUrl : 5555;
}

async function main(): Promise<void> {
  const config = loadConfig();
  // The emulator's own port is not an app setting, so it is read here at this composition root.
  const port = emulatorPort(process.env, config.calcomBaseUrl);
  const emulator = await startCalcomEmulator({ port, host: '127.0.0.1', apiKey: config.calcomApiKey });
  console.log(`Cal.com emulator listening on ${emulator.url} (cal-api-version 2024-08-13)`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`Cal.com emulator: ${signal}, shutting down`);
    emulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('Cal.com emulator: error while closing', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error('Cal.com emulator failed to start', error);
  process.exit(1);
});
