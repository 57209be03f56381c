/**
 * Branch cache versions known to this process, so a cache hit needs no Redis round trip.
 *
 * The authority is Redis (`INCR <prefix>:ver:<branch>` on every change, see availability-cache.ts).
 * A version read from Redis is remembered here only while this process is subscribed to the
 * change channel (`<prefix>:changes`), where every bump is published in the same MULTI as its
 * INCR (`v <sender> <branch>`; `e` for an epoch bump); a message for a branch forgets that branch
 * (the next lookup reads Redis again). So a
 * remembered version is exactly the one Redis holds, up to the delivery of the message.
 *
 * Rules that keep it exact:
 * - `learn` is refused when anything happened while the version was being read (a message, a
 *   local bump, a subscription change): `generation` moves on each of those, and the caller passes
 *   the generation it saw before its read.
 * - Nothing is remembered while the subscription is not live: not yet subscribed, connection lost
 *   (everything forgotten at once), or no PING answer for `staleAfterMs` (a silently dead link;
 *   PING replies come on the subscriber connection after every message published before them).
 * - Bumps made in THIS process reach every cache of the process synchronously (the in-process
 *   bus in availability-cache.ts calls `forget` before the INCR is even sent); the bumping cache
 *   then learns the INCR's answer under the generation it saw right after that `forget`.
 *
 * What remains: another process's bump is seen here when its message is read. Redis writes the
 * message in the same event-loop pass as the bumping process's EXEC reply, so on one host it sits
 * in this process's socket before the bumping process has answered its client, i.e. before anyone
 * can learn of the change and ask again (and libuv reads ready sockets in the order they became
 * ready). Across hosts the window is the difference of network delays, well under a request.
 * That is API.md's "no stale slot more than one request after the change"; a silently dead link
 * is bounded by `staleAfterMs`.
 */
import type { CacheLogger } from './redis';
import { createRedisConnection, type RedisConnection } from './redis';

export interface BranchVersions {
  /** The remembered version of a branch (and the epoch), or undefined: read Redis. */
  known(branchId: string): { epoch: string; version: string } | undefined;
  /** The generation to pass to `learn`, or null when nothing may be learned now. */
  generation(): number | null;
  learn(branchId: string, stamp: { epoch: string; version: string }, generation: number): void;
  /** A change of this branch began or ended in this process. */
  forget(branchId: string): void;
  forgetAll(): void;
  /** True while versions may be remembered (subscribed, PING answered recently). */
  isLive(): boolean;
  close(): Promise<void>;
}

export interface BranchVersionsOptions {
  url: string;
  channel: string;
  /** Messages `v <sender> <branch>` from this sender are this cache's own bumps: skipped. */
  sender: string;
  /** Connection problems are logged by the command connection already. */
  logger?: CacheLogger;
  pingEveryMs?: number;
  staleAfterMs?: number;
}

const silent: CacheLogger = { info: () => undefined, warn: () => undefined } as unknown as CacheLogger;

export function createBranchVersions(options: BranchVersionsOptions): BranchVersions {
  const pingEveryMs = options.pingEveryMs ?? 1000;
  const staleAfterMs = options.staleAfterMs ?? 3000;
  const versions = new Map<string, string>();
  let epoch: string | null = null;
  let gen = 0;
  let subscribed = false;
  let lastPong = 0;

  const forgetAll = () => {
    gen++;
    versions.clear();
    epoch = null;
  };
  const live = () => subscribed && Date.now() - lastPong < staleAfterMs;

  const sub: RedisConnection = createRedisConnection({
    url: options.url,
    logger: options.logger ?? silent,
    onTransition: (state) => {
      subscribed = false;
      forgetAll();
      if (state === 'up') {
        sub.client.subscribe(options.channel).then(
          () => {
            forgetAll();
            subscribed = true;
            lastPong = Date.now();
          },
          () => undefined, // the next 'up' retries
        );
      }
    },
  });
  const own = `v ${options.sender} `;
  sub.client.on('message', (_channel: string, message: string) => {
    if (message.startsWith(own)) return; // handled synchronously by the bumping cache
    gen++;
    if (message === 'e') forgetAll();
    else if (message.startsWith('v ')) versions.delete(message.slice(message.indexOf(' ', 2) + 1));
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
    known(branchId) {
      if (epoch === null || !live()) return undefined;
      const version = versions.get(branchId);
      return version === undefined ? undefined : { epoch, version };
    },
    generation: () => (live() ? gen : null),
    learn(branchId, stamp, generation) {
      if (generation !== gen || !live()) return;
      if (epoch !== null && epoch !== stamp.epoch) {
        forgetAll();
        return;
      }
      epoch = stamp.epoch;
      versions.set(branchId, stamp.version);
    },
    forget(branchId) {
      gen++;
      versions.delete(branchId);
    },
    forgetAll,
    isLive: live,
    async close() {
      clearInterval(pinger);
      subscribed = false;
      forgetAll();
      await sub.close();
    },
  };
}
