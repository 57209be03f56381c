/**
 * createActivities on real parts, for suites that run activities directly or in a Worker: the
 * caller's database, a private Cal.com emulator over HTTP (so fault settings touch no other suite),
 * the Redis availability cache under the caller's prefix, nodemailer into the SMTP sink and the SMS
 * adapter into the SMS sink, and self-service links as the worker builds them. The
 * caller owns the database client; close() closes everything built here.
 */
import { createActivities, type Activities } from '../../activities';
import { createAvailabilityCache, type AvailabilityCache } from '../../infra/cache/availability-cache';
import { createCalcomConnections } from '../../infra/calcom/calcom.connections';
import { startCalcomEmulator, type CalcomEmulator } from '../../infra/calcom/emulator/emulator.server';
import type { Db } from '../../infra/db/prisma';
import { createMailer, type Mailer } from '../../infra/notify/mailer';
import { createSmsSender } from '../../infra/notify/sms';
import { createSecretBox } from '../../infra/secrets/secret-box';
import { webhookUrlPolicy } from '../../infra/webhooks/address-guard';
import { createWebhookSender } from '../../infra/webhooks/webhook-sender';
import { testEnv } from './env';

export interface RealActivities {
  activities: Activities;
  emulator: CalcomEmulator;
  mailer: Mailer;
  cache: AvailabilityCache;
  /** The Redis key prefix of `cache` (an API's availability cache under it sees the worker's invalidations). */
  cachePrefix: string;
  /** Closes the emulator, the cache and the mailer. */
  close(): Promise<void>;
}

export interface RealActivitiesOptions {
  /** Redis key prefix of this suite's cache (unique per run). */
  cachePrefix: string;
  calcomTimeoutMs?: number;
}

const silentLogger = { info: () => undefined, warn: () => undefined };

/** The SMS adapter over the test services' SMS sink, configured as the worker configures it. */
export function smsSenderFor(env = testEnv()) {
  return createSmsSender({ url: env.smsUrl, accountSid: env.smsAccountSid, authToken: env.smsAuthToken, from: env.smsFrom });
}

export async function startRealActivities(db: Db, options: RealActivitiesOptions): Promise<RealActivities> {
  const env = testEnv();
  const emulator = await startCalcomEmulator();
  const mailer = createMailer({ smtpUrl: env.smtpUrl, from: env.mailFrom });
  const cache = createAvailabilityCache({ redisUrl: env.redisUrl, logger: silentLogger, prefix: options.cachePrefix });
  const connections = createCalcomConnections({ secrets: createSecretBox(env.calendarSecretKey), timeoutMs: options.calcomTimeoutMs ?? 2_000 });
  // Webhooks under the environment's own rule (tests are not production: local receivers allowed).
  const webhookSender = createWebhookSender({ policy: webhookUrlPolicy(env), timeoutMs: 5_000 });
  return {
    activities: createActivities({
      db,
      mailer,
      cache,
      connections,
      webhookSender,
      sms: smsSenderFor(env),
      selfService: { publicBaseUrl: env.publicBaseUrl, selfServiceSecret: env.selfServiceSecret },
    }),
    emulator,
    mailer,
    cache,
    cachePrefix: options.cachePrefix,
    async close() {
      await emulator.close();
      await cache.close();
      mailer.close();
      await webhookSender.close();
    },
  };
}
