/**
 * The Cal.com emulator, the SMTP sink and the SMS sink for tests, in-process: they are small
 * HTTP/SMTP servers, and running them inside the test orchestrator (or Jest's global setup) saves
 * three Node processes on a 2-core machine. Preferred ports are 5556, 2526 (2581 for the sink's
 * message API) and SMS_SINK_PORT (2590); if one is taken, e.g. by `npm run dev` or a second test
 * run, a free port is used and the URLs say which.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './toolchain';

export interface SideServices {
  /** undefined when the emulator module is not in the tree */
  calcomBaseUrl?: string;
  smtpUrl: string;
  smtpSinkApiUrl: string;
  /** The SMS sink: Twilio-shaped API (SMS_URL) and GET /messages. */
  smsSinkUrl: string;
  /** env vars that point the app's config at these */
  env: Record<string, string>;
  close(): Promise<void>;
}

export interface SideServicesOptions {
  calcomPort?: number;
  smtpPort?: number;
  smtpApiPort?: number;
  /** Default: SMS_SINK_PORT, else 2590. */
  smsPort?: number;
  log?: (line: string) => void;
}

interface Closable {
  close(): Promise<void>;
}

async function withPortFallback<T>(preferred: number, start: (port: number) => Promise<T>): Promise<T> {
  try {
    return await start(preferred);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    return start(0);
  }
}

const EMULATOR_MODULE = path.join(ROOT, 'infra', 'calcom', 'emulator', 'emulator.server.ts');

export async function startSideServices(options: SideServicesOptions = {}): Promise<SideServices> {
  const log = options.log ?? ((line: string) => console.log(line));
  const closables: Closable[] = [];
  const close = async () => {
    await Promise.allSettled(closables.reverse().map((c) => c.close()));
  };
  try {
    const { startSmtpSink } = await import('../../infra/notify/smtp-sink');
    // The sink listens on two ports; fall back for both together.
    const sink = await withPortFallback(options.smtpPort ?? 2526, (port) =>
      startSmtpSink({ port, apiPort: port === 0 ? 0 : (options.smtpApiPort ?? 2581) }),
    );
    closables.push(sink);
    const { startSmsSink } = await import('../../infra/notify/sms-sink');
    const smsSink = await withPortFallback(options.smsPort ?? Number(process.env.SMS_SINK_PORT || 2590), (port) => startSmsSink({ port }));
    closables.push(smsSink);
    const env: Record<string, string> = { SMTP_URL: sink.smtpUrl, SMTP_SINK_API_URL: sink.apiUrl, SMS_URL: smsSink.url, SMS_SINK_URL: smsSink.url };

    let calcomBaseUrl: string | undefined;
    if (fs.existsSync(EMULATOR_MODULE)) {
      const { startCalcomEmulator } = (await import(EMULATOR_MODULE)) as {
        startCalcomEmulator(opts: { port: number }): Promise<{ url: string; close(): Promise<void> }>;
      };
      const emulator = await withPortFallback(options.calcomPort ?? 5556, (port) => startCalcomEmulator({ port }));
      closables.push(emulator);
      calcomBaseUrl = emulator.url;
      env.CALCOM_BASE_URL = emulator.url;
    } else {
      log('[harness] infra/calcom/emulator/emulator.server.ts does not exist yet: no Cal.com emulator');
    }
    log(
      `[harness] Cal.com emulator ${calcomBaseUrl ?? '(none)'}, SMTP sink ${sink.smtpUrl} (messages ${sink.apiUrl}/messages), ` +
        `SMS sink ${smsSink.url} (messages ${smsSink.url}/messages)`,
    );
    return { calcomBaseUrl, smtpUrl: sink.smtpUrl, smtpSinkApiUrl: sink.apiUrl, smsSinkUrl: smsSink.url, env, close };
  } catch (error) {
    await close();
    throw error;
  }
}
