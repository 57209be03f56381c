/**
 * Addresses of the services the suites talk to. Jest's global setup (or `npm test` before it)
 * has put them into the environment, so this is the app's own loadConfig() over process.env, plus
 * the sinks' message APIs, which only tests use.
 */
import { loadConfig, type AppConfig } from '../../infra/config';

export interface TestEnv extends AppConfig {
  /** HTTP API of the SMTP sink: GET /messages[?to=], POST /reset */
  smtpSinkApiUrl: string;
  /** The SMS sink (also SMS_URL): GET /messages[?to=], POST /reset */
  smsSinkUrl: string;
}

export function testEnv(): TestEnv {
  return {
    ...loadConfig(process.env),
    smtpSinkApiUrl: process.env.SMTP_SINK_API_URL ?? 'http://127.0.0.1:2581',
    smsSinkUrl: process.env.SMS_SINK_URL ?? process.env.SMS_URL ?? 'http://127.0.0.1:2590',
  };
}
