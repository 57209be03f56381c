/**
 * createApp(deps): the Express application, without listen (api/server.ts listens; tests use
 * supertest). Middleware order matters and is:
 *   request id + logs (request-log.ts) → metrics → helmet → CORS of /v1 (cors.ts) → raw body of /v1/webhooks/calcom (HMAC-verified
 *   by its handler) → JSON body (100 kb) → ops endpoints (no key)
 *   → the console's static files (api/console, no key; its own CSP)
 *   → /v1: rate limits per address (all, and unknown keys) → bearer auth + role policy (keyless
 *   routes of api/access-policy.ts skip both: signed by their caller) → rate
 *   limit per company → route groups → 405/404 → problem+json errors.
 * Routing is case-sensitive and strict; the role policy is asked about the route template the
 * router will run (routeResolver), so both see one path.
 * The role policy applies to paths some route serves: any key that authenticates gets 404 for a
 * path nothing serves, not a 403 that depends on its role.
 */
import express, { type Express, type RequestHandler, type Router } from 'express';
import { LRUCache } from 'lru-cache';
import type { AppDeps } from './app-deps';
import { createKeyAuth, type KeyAuth } from './auth';
import { corsForV1 } from './cors';
import { registerConsole } from './console/console.static';
import { ApiError, errorHandler } from './error-handler';
import { createMetricsRegistry, httpMetrics } from './metrics';
import { buildOpenApiDocument } from './openapi';
import { registerCodec } from './codec/codec.routes';
import { registerOps } from './ops/ops.routes';
import { createRateLimiters, DEFAULT_RATE_LIMIT, type RateLimiters } from './rate-limit';
import { securityHeaders } from './security-headers';
import { requestLog } from './request-log';
import { httpTracing } from './tracing';
import { routeGroups } from './routes';

export function createApp(deps: AppDeps): Express {
  const groups = [...routeGroups, ...(deps.extraRoutes ?? [])];
  const metrics = deps.metrics ?? createMetricsRegistry();
  const app = express();
  app.disable('x-powered-by');
  // Paths are matched exactly as API.md writes them: '/V1/Admin/...' or '/v1/branches/' are
  // served by nothing (404), and the role policy sees the same templates (see routeResolver below).
  app.enable('case sensitive routing');
  app.enable('strict routing');
  // Which X-Forwarded-For hops name the client (the address the rate limits count): none unless configured.
  app.set('trust proxy', deps.config.trustProxy ?? false);

  app.use(requestLog(deps.logger));
  app.use(httpMetrics(metrics));
  app.use(securityHeaders());
  // Before the body parsers, so their 400/413 answers are readable by a page on another origin too.
  app.use(corsForV1(isV1));
  // Cal.com webhooks are verified over their raw bytes (HMAC): kept as a Buffer, never parsed here
  // (express.json skips a body already read).
  app.use('/v1/webhooks/calcom', express.raw({ type: () => true, limit: deps.bodyLimit ?? '100kb' }));
  app.use(express.json({ limit: deps.bodyLimit ?? '100kb' }));
  // After the body parser: its stream callbacks would leave the span's async context.
  app.use(httpTracing());

  const router = express.Router({ caseSensitive: true, strict: true });
  // Hot groups (the availability reads) first: Express tries routes in order, one by one.
  for (const group of [...groups.filter((g) => g.hot), ...groups.filter((g) => !g.hot)]) group.register(router, deps);
  const routes = servedRoutes(router);
  const outside = routes.find((r) => !r.template.startsWith('/v1/'));
  if (outside) throw new Error(`Route groups serve /v1 only (the /v1 gate runs before them): ${outside.template}`);
  answerMethodNotAllowed(router, routes);
  // The served route table, for tests that walk every route × role (test/api/route-matrix.test.ts).
  app.locals.routes = routes;

  const auth = createKeyAuth(deps, routeResolver(routes));
  const limiters = deps.rateLimit === false ? undefined : createRateLimiters(deps.rateLimit ?? DEFAULT_RATE_LIMIT, deps.rateLimitRedis, undefined, auth.known);
  // /v1 before the ops, codec and console layers (no path of theirs starts with /v1), so an API
  // request is not matched against each of them first.
  app.use(v1Gate(router, auth, limiters));

  registerOps(app, deps, { metrics, openapi: buildOpenApiDocument(groups) });
  registerCodec(app, deps);
  registerConsole(app, deps);

  app.use((req) => {
    throw new ApiError('not_found', `No route for ${req.method} ${req.path}`);
  });
  app.use(errorHandler(deps.logger));
  return app;
}

/** Whether `url` (path and query) is under /v1, as `app.use('/v1', ...)` matches it (case-sensitive). */
function isV1(url: string): boolean {
  if (!url.startsWith('/v1')) return false;
  const after = url.charCodeAt(3);
  return Number.isNaN(after) || after === 0x2f /* / */ || after === 0x3f /* ? */;
}

/**
 * Everything under /v1, in one layer: [rate limit per address (and the unknown-key guard)] →
 * bearer auth + role policy → [auth failures counted per address] → [rate limit per company] →
 * the route groups. It replaces three `app.use('/v1', ...)` mounts: Express matched each mount's
 * path and rewrote req.url in and out of it for every request (plus one layer per middleware),
 * which cost more than the steps themselves on a cached read. Errors go to the app's error handler
 * exactly as before: a limiter's or the policy's through `next(err)`, auth failures first through
 * onAuthFailure; the router calls `next()` for paths it does not serve (→ 404).
 */
function v1Gate(router: Router, auth: KeyAuth, limiters: RateLimiters | undefined): RequestHandler {
  return (req, res, next) => {
    if (!isV1(req.url)) return next();
    const route = (err?: unknown) => (err ? next(err) : router(req, res, next));
    const refused = (err: unknown) => (limiters ? limiters.onAuthFailure(err, req, res, next) : next(err));
    const authenticated = () => (limiters ? limiters.afterAuth(req, res, route) : route());
    const authenticate = (err?: unknown) => {
      if (err) return next(err);
      let pending: Promise<void> | undefined;
      try {
        pending = auth.check(req, res);
      } catch (failure) {
        return refused(failure);
      }
      if (pending) pending.then(authenticated, refused);
      else authenticated();
    };
    if (limiters) limiters.beforeAuth(req, res, authenticate);
    else authenticate();
  };
}

interface RouteLayer {
  route?: { path: string; methods: Record<string, boolean> };
}

export interface ServedRoute {
  template: string;
  methods: Set<string>;
}

/** The routes of the router, in registration order (the order Express tries them in). */
function servedRoutes(router: Router): ServedRoute[] {
  const routes: ServedRoute[] = [];
  for (const layer of router.stack as RouteLayer[]) {
    if (!layer.route || typeof layer.route.path !== 'string') continue;
    const methods = new Set<string>();
    for (const [method, on] of Object.entries(layer.route.methods)) if (on && method !== '_all') methods.add(method.toUpperCase());
    if (methods.has('GET')) methods.add('HEAD');
    routes.push({ template: layer.route.path, methods });
  }
  return routes;
}

/** After every group registered: a known path with an unknown method answers 405 with `Allow`. */
function answerMethodNotAllowed(router: Router, routes: ServedRoute[]): void {
  const allowed = new Map<string, Set<string>>();
  for (const { template, methods } of routes) {
    const all = allowed.get(template) ?? new Set<string>();
    for (const m of methods) all.add(m);
    allowed.set(template, all);
  }
  for (const [path, methods] of allowed) {
    const allow = [...methods].sort().join(', ');
    router.all(path, (_req, res) => {
      res.setHeader('Allow', allow);
      throw new ApiError('method_not_allowed', `Allowed: ${allow}`);
    });
  }
}

/**
 * The template of the route Express will run for (method, path), found as the router finds it
 * with case-sensitive and strict routing: the first route in registration order whose pattern
 * matches ('/v1/bookings/:id': exactly one non-empty segment, no trailing slash) and that has the
 * method; else the first whose pattern matches (the 405 answer); else undefined (404).
 */
export function routeResolver(routes: ServedRoute[]): (method: string, path: string) => string | undefined {
  const segment = (part: string) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const compiled = routes.map((r) => ({ ...r, pattern: new RegExp(`^${r.template.split('/').map(segment).join('/')}$`) }));
  // A pure function of (method, path), asked on every /v1 request: remembered (bounded), so a
  // repeated request does not test every route's pattern again.
  const known = new LRUCache<string, { template: string | undefined }>({ max: 10_000 });
  return (method, path) => {
    const upper = method.toUpperCase();
    const key = `${upper} ${path}`;
    const hit = known.get(key);
    if (hit) return hit.template;
    const matching = compiled.filter((r) => r.pattern.test(path));
    const template = (matching.find((r) => r.methods.has(upper)) ?? matching[0])?.template;
    known.set(key, { template });
    return template;
  };
}
