/**
 * The one place that reads process.env. Every process (API, worker, emulator, scripts) calls
 * loadConfig() once at its composition root and passes values down; nothing else reads env.
 * In development every setting has a working default; with NODE_ENV=production a missing
 * secret stops start-up with a message naming it.
 */
import path from 'node:path';

export interface AppConfig {
  nodeEnv: string;
  port: number;
  databaseUrl: string;
  redisUrl: string;
  temporalAddress: string;
  temporalNamespace: string;
  temporalTaskQueue: string;
  /** Development only: seeds the demo company's calendar connection (connections are per company). */
  calcomBaseUrl: string;
  /** Development only: the demo connection's key (the emulator's default key when unset). */
  calcomApiKey: string;
  /** true when no CALCOM_API_KEY was given and the local emulator is used */
  calcomEmulated: boolean;
  /** Keys of the stored-secrets box (infra/secrets): `[id=]key,...`, newest first. */
  calendarSecretKey: string;
  /** Public origin of this API (webhook subscriber URLs and self-service links are built from it). */
  publicBaseUrl: string;
  /** HMAC key of the self-service booking tokens (SELF_SERVICE_SECRET; infra/self-service/tokens.ts). */
  selfServiceSecret: string;
  /** Period of each connection's reconciliation Schedule. */
  calendarReconcileIntervalMs: number;
  adminApiKey: string;
  bookingWaitMs: number;
  /** Deadline of every Temporal call of the API that sets none itself (starts, signals, describes). */
  temporalRpcTimeoutMs: number;
  waitlistCheckIntervalMs: number;
  /** Default life of a reservation (RESERVATION_TTL, default 5 minutes; 30 s..15 min). */
  reservationTtlMs: number;
  /**
   * Worker memory bound: workflows kept in the sticky cache (WORKER_MAX_CACHED_WORKFLOWS, default
   * 100); an evicted idle monitor is replayed from its (short) history when it next wakes. Each
   * cached workflow holds ~0.2 MB of the workflow thread's heap (bench:waitlist memory report), so
   * 100 keep a worker with 10,000 idle monitors near 300 MB; 500 cost ~100 MB more.
   */
  workerMaxCachedWorkflows: number;
  /** Concurrent activity / local activity slots of the worker (WORKER_MAX_CONCURRENT_ACTIVITIES, _LOCAL_ACTIVITIES). */
  workerMaxConcurrentActivities: number;
  workerMaxConcurrentLocalActivities: number;
  /** The worker's database pool: one connection per activity slot, local ones included (WORKER_DB_POOL_SIZE overrides). */
  workerDbPoolSize: number;
  /** false (HOLD_SWEEPER_SCHEDULE=off): this worker does not create or steer the hold-sweeper Schedule */
  holdSweeperSchedule: boolean;
  /** WEBHOOKS_ALLOW_PRIVATE=1: webhook endpoints may be private or loopback http:// URLs even in production. */
  webhooksAllowPrivate: boolean;
  smtpUrl: string;
  mailFrom: string;
  /** Twilio Messages API base URL; '' in production without SMS_URL (no SMS provider). */
  smsUrl: string;
  smsAccountSid: string;
  smsAuthToken: string;
  /** Sender number (E.164) or alphanumeric sender id */
  smsFrom: string;
  logLevel: string;
  /** Temporal UI base URL for the console's workflow links (TEMPORAL_UI_URL); null: no links */
  temporalUiUrl: string | null;
  /** The built console (console/dist) served at /console, /book/:branchId, /b/:token (CONSOLE_DIR) */
  consoleDir: string;
  /** Worker Deployment name (WORKER_DEPLOYMENT_NAME); empty: the worker polls unversioned */
  workerDeploymentName: string;
  /** Port of the worker's Prometheus /metrics (WORKER_METRICS_PORT); 0: no metrics endpoint */
  workerMetricsPort: number;
  /** OTLP/HTTP traces endpoint (OTEL_EXPORTER_OTLP_ENDPOINT); empty: tracing off */
  otelExporterOtlpEndpoint: string;
  /** Requests per company (all its keys) per RATE_LIMIT_WINDOW, across all API processes (RATE_LIMIT_MAX) */
  rateLimitMax: number;
  /** Requests per client address per window, before authentication (RATE_LIMIT_ADDRESS_MAX) */
  rateLimitAddressMax: number;
  /** Requests with an unknown or revoked key per client address per minute (RATE_LIMIT_UNKNOWN_KEY_MAX) */
  rateLimitUnknownKeyMax: number;
  rateLimitWindowMs: number;
  /** AES-256 key (base64 of 32 bytes) encrypting Temporal payloads (TEMPORAL_PAYLOAD_KEY) */
  temporalPayloadKey: string;
  /** Its id, written into every encrypted payload (TEMPORAL_PAYLOAD_KEY_ID) */
  temporalPayloadKeyId: string;
  /** Older keys still decrypted after a rotation: "id:base64,id:base64" (TEMPORAL_PAYLOAD_PREVIOUS_KEYS) */
  temporalPayloadPreviousKeys: string;
  /** Express `trust proxy` (TRUST_PROXY): hop count, or names/CIDRs; false when unset */
  trustProxy: boolean | number | string;
}

export const DEV_ADMIN_API_KEY = 'dev-admin-key';
/**
 * The demo company's well-known keys (prisma/seed.ts, README): development only. A production
 * API refuses them (401) even if a production database was seeded by mistake.
 */
export const DEMO_API_KEYS = { manager: 'demo-manager-key', booking: 'demo-booking-key', support: 'demo-support-key', public: 'demo-public-key' } as const;
/** Development's Temporal payload key (base64 of 32 bytes); production must set its own. */
export const DEV_TEMPORAL_PAYLOAD_KEY = Buffer.from('booking-dev-temporal-payload-key').toString('base64');
/** The shortest ADMIN_API_KEY production accepts (a random 32-byte key in base64url is 43). */
const MIN_PRODUCTION_ADMIN_KEY_LENGTH = 32;
/** Development default of SELF_SERVICE_SECRET (refused in production). */
export const DEV_SELF_SERVICE_SECRET = 'dev-self-service-secret';
export const EMULATOR_API_KEY = 'cal_test_emulator_key';
/** Development default of CALENDAR_SECRET_KEY (never valid in production: the variable is required there). */
export const DEV_CALENDAR_SECRET_KEY = 'dev=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const nodeEnv = env.NODE_ENV ?? 'development';
  const production = nodeEnv === 'production';
  const missing: string[] = [];
  const secret = (name: string, devDefault: string): string => {
    const value = env[name];
    if (value) return value;
    if (production) missing.push(name);
    return devDefault;
  };
  const int = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got "${raw}"`);
    return value;
  };

  const calcomApiKey = env.CALCOM_API_KEY ?? '';
  const config: AppConfig = {
    nodeEnv,
    port: int('PORT', 3000),
    databaseUrl: secret('DATABASE_URL', 'postgresql://postgres@127.0.0.1:5432/booking_dev'),
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    temporalAddress: env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
    temporalNamespace: env.TEMPORAL_NAMESPACE ?? 'default',
    temporalTaskQueue: env.TEMPORAL_TASK_QUEUE ?? 'booking',
    calcomBaseUrl: env.CALCOM_BASE_URL ?? 'http://127.0.0.1:5555',
    calcomApiKey: calcomApiKey || EMULATOR_API_KEY,
    calcomEmulated: !calcomApiKey,
    calendarSecretKey: secret('CALENDAR_SECRET_KEY', DEV_CALENDAR_SECRET_KEY),
    publicBaseUrl: (env.PUBLIC_BASE_URL ?? `http://127.0.0.1:${int('PORT', 3000)}`).replace(/\/+$/, ''),
    selfServiceSecret: secret('SELF_SERVICE_SECRET', DEV_SELF_SERVICE_SECRET),
    calendarReconcileIntervalMs: parseDurationMs(env.CALENDAR_RECONCILE_INTERVAL, 15 * 60_000),
    adminApiKey: secret('ADMIN_API_KEY', DEV_ADMIN_API_KEY),
    bookingWaitMs: int('BOOKING_WAIT_MS', 10_000),
    temporalRpcTimeoutMs: int('TEMPORAL_RPC_TIMEOUT_MS', 1_500),
    waitlistCheckIntervalMs: parseDurationMs(env.WAITLIST_CHECK_INTERVAL, 12 * 3_600_000),
    workerMaxCachedWorkflows: int('WORKER_MAX_CACHED_WORKFLOWS', 100),
    workerMaxConcurrentActivities: int('WORKER_MAX_CONCURRENT_ACTIVITIES', 20),
    workerMaxConcurrentLocalActivities: int('WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES', 20),
    workerDbPoolSize: int('WORKER_DB_POOL_SIZE', int('WORKER_MAX_CONCURRENT_ACTIVITIES', 20) + int('WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES', 20)),
    reservationTtlMs: Math.min(Math.max(parseDurationMs(env.RESERVATION_TTL, 5 * 60_000), 30_000), 900_000),
    holdSweeperSchedule: env.HOLD_SWEEPER_SCHEDULE !== 'off',
    webhooksAllowPrivate: env.WEBHOOKS_ALLOW_PRIVATE === '1',
    smtpUrl: env.SMTP_URL ?? 'smtp://127.0.0.1:2525',
    mailFrom: env.MAIL_FROM ?? 'Bookings <bookings@example.test>',
    smsUrl: env.SMS_URL ?? (production ? '' : 'http://127.0.0.1:2590'),
    // Asked for only when an SMS provider is configured: a deployment without SMS still starts.
    smsAccountSid: env.SMS_URL && production ? secret('SMS_ACCOUNT_SID', '') : (env.SMS_ACCOUNT_SID ?? 'ACdevelopment'),
    smsAuthToken: env.SMS_URL && production ? secret('SMS_AUTH_TOKEN', '') : (env.SMS_AUTH_TOKEN ?? 'dev-sms-token'),
    smsFrom: env.SMS_FROM || '+15005550006',
    logLevel: env.LOG_LEVEL ?? (production ? 'info' : 'info'),
    temporalUiUrl: env.TEMPORAL_UI_URL || (production ? null : 'http://127.0.0.1:8233'),
    consoleDir: env.CONSOLE_DIR || path.resolve(__dirname, '..', 'console', 'dist'),
    workerDeploymentName: env.WORKER_DEPLOYMENT_NAME ?? '',
    workerMetricsPort: int('WORKER_METRICS_PORT', 0),
    otelExporterOtlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT ?? '',
    rateLimitMax: int('RATE_LIMIT_MAX', 600),
    rateLimitAddressMax: int('RATE_LIMIT_ADDRESS_MAX', 2400),
    rateLimitUnknownKeyMax: int('RATE_LIMIT_UNKNOWN_KEY_MAX', 60),
    rateLimitWindowMs: parseDurationMs(env.RATE_LIMIT_WINDOW, 10_000),
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    temporalPayloadKey: secret('TEMPORAL_PAYLOAD_KEY', DEV_TEMPORAL_PAYLOAD_KEY),
    temporalPayloadKeyId: env.TEMPORAL_PAYLOAD_KEY_ID || (env.TEMPORAL_PAYLOAD_KEY ? 'k1' : 'dev'),
    temporalPayloadPreviousKeys: env.TEMPORAL_PAYLOAD_PREVIOUS_KEYS ?? '',
  };
  // CALCOM_API_KEY is per company now (calendar connections); production needs the key that
  // encrypts their secrets instead.
  if (production && env.TEMPORAL_PAYLOAD_KEY === DEV_TEMPORAL_PAYLOAD_KEY) {
    throw new Error('TEMPORAL_PAYLOAD_KEY must not be the development key in production (openssl rand -base64 32)');
  }
  if (production && env.SELF_SERVICE_SECRET === DEV_SELF_SERVICE_SECRET) {
    throw new Error('SELF_SERVICE_SECRET must not be the development secret in production (openssl rand -base64 32)');
  }
  if (production && env.ADMIN_API_KEY) {
    const known = [DEV_ADMIN_API_KEY, ...Object.values(DEMO_API_KEYS)] as string[];
    if (known.includes(env.ADMIN_API_KEY) || env.ADMIN_API_KEY.length < MIN_PRODUCTION_ADMIN_KEY_LENGTH) {
      throw new Error(
        `ADMIN_API_KEY must not be a development or demo key in production and needs at least ${MIN_PRODUCTION_ADMIN_KEY_LENGTH} characters (e.g. openssl rand -base64 32)`,
      );
    }
  }
  if (missing.length > 0) {
    throw new Error(`Missing required configuration for production: ${missing.join(', ')}`);
  }
  return config;
}

/** TRUST_PROXY: unset → false; a whole number → hop count; "true"/"false"; else names/CIDRs as Express reads them. */
function parseTrustProxy(raw: string | undefined): boolean | number | string {
  if (raw === undefined || raw.trim() === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  return /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : raw.trim();
}

/** Accepts "300000", "300s", "5m", "1h"; returns milliseconds. */
export function parseDurationMs(raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(raw.trim());
  if (!match) throw new Error(`Invalid duration "${raw}" (use e.g. 300000, 30s, 5m)`);
  const value = Number(match[1]);
  const unit = match[2] ?? 'ms';
  const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as 'ms' | 's' | 'm' | 'h'];
  return Math.round(value * factor);
}
