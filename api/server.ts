/**
 * `npm run api`: the API process and its composition root. Reads the config once, builds AppDeps
 * (database, the one Temporal client, availability cache + Cal.com client, readiness checks),
 * listens on PORT, and on SIGINT/SIGTERM drains: stops accepting, lets requests in flight finish
 * (closing idle keep-alive sockets at once, the rest after a grace period), then closes the clients.
 *
 * The Temporal connection is lazy, so the API starts and answers /healthz while Temporal is still
 * coming up (or down): /readyz says `temporal: unavailable` and routes that need it answer 503
 * until it is reachable; gRPC reconnects by itself.
 */
import http from 'node:http';
import { loadConfig, type AppConfig } from '../infra/config';
import { createPrisma } from '../infra/db/prisma';
import { dataConverter } from '../infra/temporal/payload-codec';
import { createTemporalClient } from '../infra/temporal/temporal-client';
import { createRedisConnection } from '../infra/cache/redis';
import { createRevocationBus } from '../infra/cache/revocation-bus';
import { rateLimitOptions } from './rate-limit';
import { createLogger, type Logger } from '../infra/logger';
import { startTracing } from '../infra/telemetry/tracing';
import { handleStopSignals } from '../infra/process/stop-signals';
import { createApp } from './app';
import type { AppDeps } from './app-deps';
import { createAvailabilityDeps } from './availability/availability.deps';
import type { CalcomConnections } from '../infra/calcom/calcom.connections';
import type { PrismaClient } from '../infra/db/prisma';

const TEMPORAL_CHECK_MS = 1_500;
const REDIS_CHECK_MS = 1_500;
const DRAIN_GRACE_MS = 10_000;

export interface BuiltAppDeps {
  deps: AppDeps;
  /** Closes every client built here, newest first; safe to call twice. */
  close(): Promise<void>;
}

/** Everything createApp() needs, from the config. Connects nothing eagerly. */
export function buildAppDeps(config: AppConfig, logger: Logger): BuiltAppDeps {
  const db = createPrisma(config.databaseUrl);
  // One client, short deadlines: every path answers 503 within 2 s when Temporal is down.
  const converter = dataConverter(config);
  const { client: temporal, connection } = createTemporalClient({ config, dataConverter: converter });
  const availability = createAvailabilityDeps({ config, db, logger: logger.child({ component: 'availability' }) });
  const { calendarConnections, availabilityCache } = availability.deps;
  const calendarCheck = calendarReachability(db, calendarConnections);
  const revocations = createRevocationBus({ url: config.redisUrl, logger: logger.child({ component: 'api-key-revocations' }) });
  const rateLimitRedis = createRedisConnection({ url: config.redisUrl, logger: logger.child({ component: 'rate-limit' }), commandTimeoutMs: 200 });

  const deps: AppDeps = {
    config,
    db,
    logger,
    temporal,
    revocations,
    payloadCodec: converter.payloadCodecs?.[0],
    rateLimitRedis,
    rateLimit: rateLimitOptions(config),
    ...availability.deps,
    readiness: {
      database: async () => void (await db.$queryRaw`SELECT 1`),
      temporal: async () => {
        await connection.withDeadline(Date.now() + TEMPORAL_CHECK_MS, () => connection.workflowService.getSystemInfo({}));
      },
      // Not required: without Redis the cache is bypassed (correct, slower).
      // Right after start the link may still be connecting: give it a moment before saying so.
      redis: async () => {
        const deadline = Date.now() + REDIS_CHECK_MS;
        while (availabilityCache.status().mode === 'degraded') {
          if (Date.now() >= deadline) throw new Error('Redis unreachable: availability cache bypassed');
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      },
      // Not required: calendar sync is retried by the workflows and recorded as a sync failure.
      calendar: calendarCheck,
    },
  };

  let closing: Promise<void> | undefined;
  return {
    deps,
    close() {
      closing ??= (async () => {
        const steps: Array<[string, () => Promise<unknown>]> = [
          ['availability', () => availability.close()],
          ['revocations', () => revocations.close()],
          ['rate-limit', () => rateLimitRedis.close()],
          ['temporal', () => connection.close()],
          ['database', () => db.$disconnect()],
        ];
        for (const [name, step] of steps) {
          await step().catch((error: Error) => logger.warn({ err: error.message, dependency: name }, 'closing failed'));
        }
      })();
      return closing;
    },
  };
}

export interface RunningServer {
  server: http.Server;
  port: number;
  /** Stops accepting, drains requests in flight, closes the clients. */
  stop(): Promise<void>;
}

export async function startServer(config: AppConfig, logger: Logger): Promise<RunningServer> {
  const built = buildAppDeps(config, logger);
  const server = http.createServer(createApp(built.deps));
  // Slightly above a typical load balancer's idle timeout, so it closes first.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const grace = setTimeout(() => {
        logger.warn('requests still open after the grace period: closing their connections');
        server.closeAllConnections();
      }, DRAIN_GRACE_MS);
      await closed;
      clearTimeout(grace);
      await built.close();
    })();
    return stopping;
  };
  return { server, port, stop };
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config, 'api');
  // Before the server and the Temporal client: spans and trace context need the provider first.
  const tracing = startTracing(config.otelExporterOtlpEndpoint, 'booking-api');
  let running: RunningServer;
  try {
    running = await startServer(config, logger);
  } catch (error) {
    logger.error({ err: error }, 'API failed to start');
    process.exit(1);
  }
  logger.info({ port: running.port, docs: `http://127.0.0.1:${running.port}/docs` }, 'API listening');

  handleStopSignals({
    logger,
    message: 'shutting down: no new connections, draining requests in flight',
    onStop: () =>
      void running.stop().then(
        async () => {
          await tracing?.shutdown().catch(() => undefined);
          logger.info('API stopped');
          process.exit(0);
        },
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      ),
  });
}

if (require.main === module) void main();

const CALENDAR_CHECK_TTL_MS = 30_000;

/**
 * Calendars are per company now: the check asks the most recently changed connection's account
 * (GET /v2/me) and remembers the answer for 30 s, so /readyz never fans out to many accounts. No
 * connection at all is fine (nothing to reach).
 */
function calendarReachability(db: PrismaClient, connections: CalcomConnections): () => Promise<void> {
  let last: { at: number; error: Error | null } | undefined;
  return async () => {
    if (!last || Date.now() - last.at > CALENDAR_CHECK_TTL_MS) {
      let error: Error | null = null;
      try {
        const row = await db.calendarConnection.findFirst({ orderBy: { updatedAt: 'desc' }, select: { id: true, baseUrl: true, apiKeyEnc: true, keyVersion: true } });
        if (row) await connections.clientFor(row).me();
      } catch {
        error = new Error('the calendar of a connection is unreachable');
      }
      last = { at: Date.now(), error };
    }
    if (last.error) throw last.error;
  };
}
