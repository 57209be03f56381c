/**
 * Composition root of the worker's dependencies: everything createActivities(deps) needs, built
 * from the config once per process. A module of its own so tests (and tools) build exactly the
 * same graph as `npm run worker` does, and close it the same way.
 *
 * Redis is optional: the availability cache degrades to in-process (logged once) while Redis is
 * down, and bookings stay correct because the database's exclusion constraint decides.
 */
import type { ActivityDeps } from '../activities';
import { createAvailabilityCache } from '../infra/cache/availability-cache';
import { createCalcomConnections } from '../infra/calcom/calcom.connections';
import type { AppConfig } from '../infra/config';
import { createPrisma } from '../infra/db/prisma';
import type { Logger } from '../infra/logger';
import { createMailer } from '../infra/notify/mailer';
import { createSmsSender } from '../infra/notify/sms';
import { createSecretBox } from '../infra/secrets/secret-box';
import { webhookUrlPolicy } from '../infra/webhooks/address-guard';
import { createWebhookSender } from '../infra/webhooks/webhook-sender';

export interface WorkerDeps {
  activities: ActivityDeps;
  /** Closes every client in the reverse order of creation; safe to call twice. */
  close(): Promise<void>;
}

export interface WorkerDepsOptions {
  /** null: the cache without Redis (L1 only). Default: config.redisUrl. */
  redisUrl?: string | null;
  /** Redis key prefix of the availability cache (tests isolate themselves with it). */
  cachePrefix?: string;
  /** Database pool size; default pg's 10. */
  dbPoolSize?: number;
}

export function buildWorkerDeps(config: AppConfig, logger: Logger, options: WorkerDepsOptions = {}): WorkerDeps {
  const db = createPrisma(config.databaseUrl, { max: options.dbPoolSize });
  const connections = createCalcomConnections({ secrets: createSecretBox(config.calendarSecretKey) });
  const cache = createAvailabilityCache({
    redisUrl: options.redisUrl === undefined ? config.redisUrl : options.redisUrl,
    logger: logger.child({ component: 'availability-cache' }),
    prefix: options.cachePrefix,
  });
  const mailer = createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom });
  // No SMS_URL in production: no provider, SMS notifications are recorded as skipped.
  const sms = config.smsUrl
    ? createSmsSender({ url: config.smsUrl, accountSid: config.smsAccountSid, authToken: config.smsAuthToken, from: config.smsFrom })
    : undefined;

  const webhookSender = createWebhookSender({ policy: webhookUrlPolicy(config) });

  let closing: Promise<void> | undefined;
  return {
    activities: {
      db,
      connections,
      cache,
      mailer,
      sms,
      webhookSender,
      // Messages link the booking's self-service page (PUBLIC_BASE_URL/b/<signed token>).
      selfService: { publicBaseUrl: config.publicBaseUrl, selfServiceSecret: config.selfServiceSecret },
    },
    close() {
      closing ??= (async () => {
        mailer.close();
        await webhookSender.close().catch(() => undefined);
        await cache.close().catch((error: Error) => logger.warn({ err: error.message }, 'closing the cache failed'));
        await db.$disconnect();
      })();
      return closing;
    },
  };
}
