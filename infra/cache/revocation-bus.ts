/**
 * API-key revocations between API processes over Redis pub/sub. A process that revokes a key
 * publishes its hash; every subscribed process drops it from its key cache at once. Whether the
 * subscription is live (subscribed and answering PINGs) is exposed so the key cache can fall back
 * to a short TTL while it is not, and a (re)subscription clears the cache, since messages sent
 * while the link was down are lost (pub/sub has no replay).
 *
 * The channel is global to the Redis server (not per db index): hashes of other deployments'
 * keys only evict entries that are not there, which is harmless.
 */
import type { Logger } from 'pino';
import { createRedisConnection, type RedisConnection } from './redis';

export const REVOCATION_CHANNEL = 'booking:api-key-revoked';

export interface RevocationBus {
  /** Tells every process (this one included) that the key with this hash is revoked. */
  publish(keyHash: string): Promise<void>;
  /** `revoked(hash)` per message; `resubscribed()` whenever the subscription (re)starts. */
  listen(handlers: { revoked(keyHash: string): void; resubscribed(): void }): void;
  /** Subscribed and heard from Redis within the last few seconds. */
  isLive(): boolean;
  close(): Promise<void>;
}

export interface RevocationBusOptions {
  url: string;
  logger: Pick<Logger, 'info' | 'warn'>;
  channel?: string;
  pingEveryMs?: number;
  staleAfterMs?: number;
}

export function createRevocationBus(options: RevocationBusOptions): RevocationBus {
  const channel = options.channel ?? REVOCATION_CHANNEL;
  const pingEveryMs = options.pingEveryMs ?? 500;
  const staleAfterMs = options.staleAfterMs ?? 1500;
  const listeners: Array<{ revoked(keyHash: string): void; resubscribed(): void }> = [];
  let subscribed = false;
  let lastPong = 0;

  const pub: RedisConnection = createRedisConnection({ url: options.url, logger: options.logger });
  const sub: RedisConnection = createRedisConnection({
    url: options.url,
    logger: options.logger,
    onTransition: (state) => {
      subscribed = false;
      if (state !== 'up') return;
      sub.client.subscribe(channel).then(
        () => {
          subscribed = true;
          lastPong = Date.now();
          for (const l of listeners) l.resubscribed();
        },
        () => undefined, // the next 'up' retries
      );
    },
  });
  sub.client.on('message', (from: string, message: string) => {
    if (from !== channel) return;
    for (const l of listeners) l.revoked(message);
  });
  const pinger = setInterval(() => {
    if (!subscribed) return;
    sub.client.ping().then(
      () => void (lastPong = Date.now()),
      () => undefined,
    );
  }, pingEveryMs);
  pinger.unref();

  return {
    async publish(keyHash) {
      await pub.client.publish(channel, keyHash);
    },
    listen(handlers) {
      listeners.push(handlers);
    },
    isLive: () => subscribed && Date.now() - lastPong < staleAfterMs,
    async close() {
      clearInterval(pinger);
      subscribed = false;
      await Promise.all([sub.close(), pub.close()]);
    },
  };
}
