/**
 * Redis connection for the cache, built to degrade instead of fail: commands never queue while
 * disconnected (they reject at once, so a request never waits on a dead Redis), reconnects go on
 * forever with a short back-off, and the outage is logged once ("cache degraded to in-process")
 * and the recovery once. Correctness never depends on Redis; callers treat a rejected command as
 * "no cache".
 */
import Redis from 'ioredis';
import type { Logger } from 'pino';

export type CacheLogger = Pick<Logger, 'info' | 'warn'>;

export interface RedisConnectionOptions {
  url: string;
  logger: CacheLogger;
  /** Per-command timeout; a slow Redis counts as a down Redis. */
  commandTimeoutMs?: number;
  /** Called on every transition; `up` after (re)connecting, `down` when the link is lost. */
  onTransition?: (state: 'up' | 'down') => void;
}

export interface RedisConnection {
  client: Redis;
  /** True while the link is established and ready for commands. */
  isUp(): boolean;
  close(): Promise<void>;
}

export function createRedisConnection(options: RedisConnectionOptions): RedisConnection {
  const { logger } = options;
  const client = new Redis(options.url, {
    lazyConnect: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs ?? 500,
    connectTimeout: 1000,
    // Keep trying: the cache must come back by itself when Redis does.
    retryStrategy: (times) => Math.min(50 * times, 1000),
  });
  let up = false;
  let degradedLogged = false;
  let closing = false;

  client.on('ready', () => {
    up = true;
    if (degradedLogged) {
      logger.info({ redis: options.url }, 'cache recovered: Redis reachable again');
      degradedLogged = false;
    }
    options.onTransition?.('up');
  });
  const lost = (err?: Error) => {
    if (closing) return;
    const wasUp = up;
    up = false;
    if (!degradedLogged) {
      degradedLogged = true;
      logger.warn({ redis: options.url, err: err?.message }, 'cache degraded to in-process');
    }
    if (wasUp) options.onTransition?.('down');
  };
  // ioredis emits 'error' for every failed reconnect; the flag keeps the log to one line.
  client.on('error', (err: Error) => lost(err));
  client.on('close', () => lost());

  return {
    client,
    isUp: () => up && client.status === 'ready',
    async close() {
      closing = true;
      up = false;
      try {
        await client.quit();
      } catch {
        client.disconnect();
      }
    },
  };
}
