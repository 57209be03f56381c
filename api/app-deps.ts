/**
 * What the HTTP app is built from, and how route groups plug in.
 *
 * AppDeps is assembled by the composition root (api/server.ts) or by a test; createApp() never
 * reads env, never connects anything and never starts listening.
 *
 * EXTENDING AppDeps: a route group that needs more (an availability cache, a Cal.com client, a
 * booking service, ...) adds an OPTIONAL member by module augmentation in its own folder, e.g. in
 * api/availability/availability.deps.ts:
 *
 *     import type { AvailabilityCache } from '../../infra/cache/availability-cache';
 *     declare module '../app-deps' {
 *       interface AppDeps { availabilityCache?: AvailabilityCache }
 *     }
 *
 * (or adds the member to the list at the end of the interface below), wires it in
 * api/server.ts buildDeps(), and answers 503 dependency_unavailable when it is missing.
 *
 * ADDING A ROUTE GROUP: create api/<group>/<group>.routes.ts exporting a RouteGroup (most easily
 * `routeGroup('<group>', [defineRoute({...}), ...])` from api/route-kit.ts, which registers the
 * Express handlers and the OpenAPI paths from the same zod schemas), then add ONE line to
 * api/routes.ts. Authentication, role checks (api/access-policy.ts), rate limiting, validation
 * errors, problem+json, metrics and logs come with it.
 */
import type { Client } from '@temporalio/client';
import type { Router } from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { AppConfig } from '../infra/config';
import type { PrismaClient } from '../infra/db/prisma';
import type { RedisConnection } from '../infra/cache/redis';
import type { RevocationBus } from '../infra/cache/revocation-bus';
import type { RateLimitOptions } from './rate-limit';

/** Resolves when the dependency is reachable; rejects (or times out) when not. */
export type ReadinessCheck = () => Promise<void>;

export interface AppDeps {
  config: AppConfig;
  db: PrismaClient;
  logger: Logger;
  /**
   * The process's one Temporal client (api/server.ts builds it on a lazy connection, so it exists
   * even when Temporal is down at start). Absent in tests that do not need Temporal: routes that
   * do must answer 503 dependency_unavailable {dependency: "temporal"} then.
   */
  temporal?: Client;
  /** Named reachability checks for /readyz: database, temporal, redis, calendar. */
  readiness: Record<string, ReadinessCheck>;
  /** Checks whose failure makes /readyz 503. Default ['database', 'temporal']; the others degrade. */
  requiredReadiness?: string[];
  /** Current time; handlers use `ctx.now()`, never `new Date()`, so tests can fix it. */
  clock?: () => Date;
  /**
   * Called after every catalog change that affects a branch's availability (branch, staff, time
   * off, service, resource). The availability cache wires its invalidation here. Awaited, and a
   * failure is logged, not answered: the change is already committed.
   */
  onBranchChanged?: (companyId: string, branchId: string) => void | Promise<void>;
  /** Request limits per company and per address; `false` disables them. Default 600 requests / 10 s per company. */
  rateLimit?: RateLimitOptions | false;
  /** Where the rate limits count, shared by every API process; absent or down: in process memory. */
  rateLimitRedis?: RedisConnection;
  /** Registry for /metrics; a fresh one per app when absent. Groups may add their own metrics. */
  metrics?: Registry;
  /** Route groups added after the built-in ones of api/routes.ts (tests, experiments). */
  extraRoutes?: RouteGroup[];
  /** Body size limit of express.json(); default '100kb'. */
  bodyLimit?: string;
  /**
   * API-key revocations shared by every API process (Redis pub/sub). Absent: this process only
   * caches keys for about a second, so a revocation still takes effect everywhere within 2 s.
   */
  revocations?: RevocationBus;
  // Optional members added by other route groups go below (or by module augmentation, see above).
}

/** A set of endpoints: its Express handlers and its OpenAPI description, from the same schemas. */
export interface RouteGroup {
  name: string;
  /** Adds the group's handlers to the router (mounted at '/', paths are full: '/v1/branches'). */
  register(router: Router, deps: AppDeps): void;
  /** Describes the group's paths (and named schemas) for /openapi.json. */
  openapi(registry: OpenAPIRegistry): void;
  /**
   * Registered on the router before the other groups (its requests walk fewer layers); only for
   * groups whose paths no other group's pattern matches, so the order changes no answer.
   */
  hot?: boolean;
}
