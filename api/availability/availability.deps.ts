/**
 * What the availability routes need from AppDeps (added by module augmentation, all optional) and
 * the one function a composition root calls to build it:
 *
 *     const availability = createAvailabilityDeps({ config, db, logger });
 *     const deps: AppDeps = { ...base, ...availability.deps };   // includes onBranchChanged
 *     ...on shutdown: await availability.close();
 *
 * Without these members the routes still answer (uncached, without Cal.com busy times), so a
 * test or tool that builds AppDeps by hand keeps working.
 */
import type { AppConfig } from '../../infra/config';
import { createCalcomConnections, type CalcomConnections } from '../../infra/calcom/calcom.connections';
import { createSecretBox } from '../../infra/secrets/secret-box';
import { calendarConnectionsOf } from '../calendar-connections/calendar-connections.deps';
import { createAvailabilityCache, type AvailabilityCache } from '../../infra/cache/availability-cache';
import type { CacheLogger } from '../../infra/cache/redis';
import type { Db } from '../../infra/db/prisma';
import { withLinkedBranches } from '../../infra/db/staff-branches.repository';
import type { AppDeps } from '../app-deps';
import { cachedAvailabilityCodec, createAvailabilityService, type AvailabilityService, type CachedAvailability } from './availability.service';
import { connectionClientResolver, createExternalBusySource } from '../../infra/calcom/external-busy';
import { createSearchRecorder, type SearchRecorder } from './search-recorder';

declare module '../app-deps' {
  interface AppDeps {
    /** The availability use case (api/availability/availability.service.ts). */
    availability?: AvailabilityService;
    /** Two-tier availability cache; invalidated through onBranchChanged. */
    availabilityCache?: AvailabilityCache<CachedAvailability>;
    /** Buffered writer of availability_searches. */
    searchRecorder?: SearchRecorder;
  }
}

export interface AvailabilityDepsOptions {
  config: Pick<AppConfig, 'redisUrl' | 'calendarSecretKey'>;
  db: Db;
  logger: CacheLogger;
  /** Reuse the process's per-connection Cal.com clients; otherwise made from the config. */
  connections?: CalcomConnections;
  /** null: L1 only with in-process versions (single process). Default: config.redisUrl. */
  redisUrl?: string | null;
  cacheTtlMs?: number;
  l1Max?: number;
  cachePrefix?: string;
  /** Deadline of the Cal.com listing on the availability path. Default 1500 ms. */
  calendarTimeoutMs?: number;
  /** Pause after a Cal.com failure. Default 5000 ms. */
  calendarRetryAfterMs?: number;
  clock?: () => Date;
}

export interface AvailabilityDeps {
  deps: Required<Pick<AppDeps, 'availability' | 'availabilityCache' | 'calendarConnections' | 'searchRecorder' | 'onBranchChanged'>>;
  close(): Promise<void>;
}

export function createAvailabilityDeps(options: AvailabilityDepsOptions): AvailabilityDeps {
  const { config, db, logger } = options;
  const connections = options.connections ?? createCalcomConnections({ secrets: createSecretBox(config.calendarSecretKey), timeoutMs: 5_000 });
  const cache = createAvailabilityCache({
    redisUrl: options.redisUrl === undefined ? config.redisUrl : options.redisUrl,
    logger,
    ttlMs: options.cacheTtlMs,
    l1Max: options.l1Max,
    prefix: options.cachePrefix,
    codec: cachedAvailabilityCodec,
  });
  const recorder = createSearchRecorder({ db, logger });
  const externalBusy = createExternalBusySource({
    clientFor: connectionClientResolver(db, connections),
    logger,
    // The availability answer is cached (and invalidated) as a whole; its listing must be fresh.
    cacheTtlMs: 0,
    timeoutMs: options.calendarTimeoutMs,
    retryAfterMs: options.calendarRetryAfterMs,
  });
  const availability = createAvailabilityService({ db, logger, cache, externalBusy, recorder, clock: options.clock });
  const linked = withLinkedBranches(cache, db);
  return {
    deps: {
      availability,
      availabilityCache: cache,
      calendarConnections: connections,
      searchRecorder: recorder,
      // Staff working in several branches: the linked branches' answers change with this one.
      onBranchChanged: (_companyId: string, branchId: string) => linked.invalidateBranch(branchId),
    },
    async close() {
      await recorder.close();
      await cache.close();
    },
  };
}

const fallbacks = new WeakMap<AppDeps, AvailabilityService>();

/** deps.availability, or one built from what AppDeps has (memoized per deps object). */
export function availabilityServiceOf(deps: AppDeps): AvailabilityService {
  if (deps.availability) return deps.availability;
  let service = fallbacks.get(deps);
  if (!service) {
    const externalBusy = createExternalBusySource({ clientFor: connectionClientResolver(deps.db, calendarConnectionsOf(deps)), logger: deps.logger, cacheTtlMs: 0 });
    const recorder = deps.searchRecorder ?? createSearchRecorder({ db: deps.db, logger: deps.logger });
    service = createAvailabilityService({ db: deps.db, logger: deps.logger, cache: deps.availabilityCache, externalBusy, recorder, clock: deps.clock });
    fallbacks.set(deps, service);
  }
  return service;
}

