/**
 * Production defaults (API.md "Configuration"; issue 11): NODE_ENV=production refuses the
 * development admin key, the demo keys and short admin keys, and reads the rate-limit settings.
 */
import { DEMO_API_KEYS, DEV_ADMIN_API_KEY, DEV_CALENDAR_SECRET_KEY, DEV_SELF_SERVICE_SECRET, DEV_TEMPORAL_PAYLOAD_KEY, loadConfig } from './config';

const production = (extra: Record<string, string> = {}) => ({
  NODE_ENV: 'production',
  DATABASE_URL: 'postgresql://booking@db/booking',
  CALENDAR_SECRET_KEY: 'k1=' + 'ab'.repeat(32),
  ADMIN_API_KEY: 'A'.repeat(43),
  TEMPORAL_PAYLOAD_KEY: Buffer.alloc(32, 7).toString('base64'),
  SELF_SERVICE_SECRET: 'S'.repeat(43),
  ...extra,
});

describe('loadConfig in production', () => {
  it('accepts a long random admin key', () => {
    expect(loadConfig(production()).adminApiKey).toBe('A'.repeat(43));
  });

  it.each([DEV_ADMIN_API_KEY, ...Object.values(DEMO_API_KEYS), 'short-but-custom'])('refuses ADMIN_API_KEY=%s', (key) => {
    expect(() => loadConfig(production({ ADMIN_API_KEY: key }))).toThrow(/ADMIN_API_KEY/);
  });

  it('refuses the development Temporal payload key and requires one', () => {
    expect(() => loadConfig(production({ TEMPORAL_PAYLOAD_KEY: DEV_TEMPORAL_PAYLOAD_KEY }))).toThrow(/TEMPORAL_PAYLOAD_KEY/);
    const env = production();
    delete (env as Record<string, string>).TEMPORAL_PAYLOAD_KEY;
    expect(() => loadConfig(env)).toThrow(/TEMPORAL_PAYLOAD_KEY/);
  });

  it('still names a missing admin key', () => {
    const env = production();
    delete (env as Record<string, string>).ADMIN_API_KEY;
    expect(() => loadConfig(env)).toThrow(/Missing required configuration for production: ADMIN_API_KEY/);
  });

  it('development keeps its working defaults', () => {
    expect(loadConfig({ NODE_ENV: 'development' }).adminApiKey).toBe(DEV_ADMIN_API_KEY);
  });
});

describe('rate-limit and proxy settings', () => {
  it('defaults and overrides', () => {
    expect(loadConfig({})).toMatchObject({ rateLimitMax: 600, rateLimitWindowMs: 10_000, rateLimitAddressMax: 2400, rateLimitUnknownKeyMax: 60, trustProxy: false });
    expect(loadConfig({ RATE_LIMIT_MAX: '20', RATE_LIMIT_WINDOW: '1m', TRUST_PROXY: '1' })).toMatchObject({ rateLimitMax: 20, rateLimitWindowMs: 60_000, trustProxy: 1 });
    expect(loadConfig({ TRUST_PROXY: 'loopback' }).trustProxy).toBe('loopback');
  });
});

describe('config: calendar settings', () => {
  it('production demands CALENDAR_SECRET_KEY and no longer CALCOM_API_KEY (keys are per company now)', () => {
    const env: Record<string, string> = production();
    delete env.CALENDAR_SECRET_KEY;
    expect(() => loadConfig(env)).toThrow(/CALENDAR_SECRET_KEY/);
    expect(() => loadConfig(env)).not.toThrow(/CALCOM_API_KEY/);
    expect(loadConfig(production()).calendarSecretKey).toBe('k1=' + 'ab'.repeat(32));
  });

  it('development has working defaults: the dev secret key, a 15-minute reconciliation, PUBLIC_BASE_URL from PORT', () => {
    const config = loadConfig({ PORT: '31000' });
    expect(config.calendarSecretKey).toBe(DEV_CALENDAR_SECRET_KEY);
    expect(config.calendarReconcileIntervalMs).toBe(15 * 60_000);
    expect(config.publicBaseUrl).toBe('http://127.0.0.1:31000');
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://book.example.com/', CALENDAR_RECONCILE_INTERVAL: '5m' })).toMatchObject({ publicBaseUrl: 'https://book.example.com', calendarReconcileIntervalMs: 300_000 });
  });
});

describe('config: self-service secret', () => {
  it('production requires SELF_SERVICE_SECRET and refuses the development one', () => {
    const env: Record<string, string> = production();
    delete env.SELF_SERVICE_SECRET;
    expect(() => loadConfig(env)).toThrow(/Missing required configuration for production: SELF_SERVICE_SECRET/);
    expect(() => loadConfig(production({ SELF_SERVICE_SECRET: DEV_SELF_SERVICE_SECRET }))).toThrow(/SELF_SERVICE_SECRET/);
    expect(loadConfig(production()).selfServiceSecret).toBe('S'.repeat(43));
  });

  it('development has a working default', () => {
    expect(loadConfig({}).selfServiceSecret).toBe(DEV_SELF_SERVICE_SECRET);
  });
});

describe('worker memory bounds', () => {
  it('a sticky cache of 100 workflows and a database pool of one connection per slot, from the environment', () => {
    expect(loadConfig({})).toMatchObject({ workerMaxCachedWorkflows: 100, workerMaxConcurrentActivities: 20, workerMaxConcurrentLocalActivities: 20, workerDbPoolSize: 40 });
    expect(loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: '500', WORKER_MAX_CONCURRENT_ACTIVITIES: '8', WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: '4' })).toMatchObject({
      workerMaxCachedWorkflows: 500,
      workerDbPoolSize: 12,
    });
  });
});
