/**
 * createApp(deps): the Express application, without listen (api/server.ts listens; tests use
 * supertest). Middleware order matters and is:
 *   request id + logs (request-log.ts) → metrics → helmet → JSON body (100 kb) → ops endpoints (no key)
 *   → the console's static files (api/console, no key; its own CSP)
 *   → /v1: bearer auth + role policy → rate limit → route groups → 405/404 → problem+json errors.
 * The role policy applies to paths some route serves: any key that authenticates gets 404 for a
 * path nothing serves, not a 403 that depends on its role.
 */
import express, { type Express, type Router } from 'express';
import helmet from 'helmet';
import type { AppDeps } from './app-deps';
import { authenticate } from './auth';
import { registerConsole } from './console/console.static';
import { ApiError, errorHandler } from './error-handler';
import { createMetricsRegistry, httpMetrics } from './metrics';
import { buildOpenApiDocument } from './openapi';
import { registerOps } from './ops/ops.routes';
import { DEFAULT_RATE_LIMIT, rateLimit } from './rate-limit';
import { requestLog } from './request-log';
import { routeGroups } from './routes';

export function createApp(deps: AppDeps): Express {
  const groups = [...routeGroups, ...(deps.extraRoutes ?? [])];
  const metrics = deps.metrics ?? createMetricsRegistry();
  const app = express();
  app.disable('x-powered-by');

  app.use(requestLog(deps.logger));
  app.use(httpMetrics(metrics));
  app.use(helmet());
  app.use(express.json({ limit: deps.bodyLimit ?? '100kb' }));

  registerOps(app, deps, { metrics, openapi: buildOpenApiDocument(groups) });
  registerConsole(app, deps);

  const router = express.Router();
  for (const group of groups) group.register(router, deps);
  const routePaths = answerMethodNotAllowed(router);

  app.use('/v1', authenticate(deps, servesPath(routePaths)));
  if (deps.rateLimit !== false) app.use('/v1', rateLimit(deps.rateLimit ?? DEFAULT_RATE_LIMIT));
  app.use(router);

  app.use((req) => {
    throw new ApiError('not_found', `No route for ${req.method} ${req.path}`);
  });
  app.use(errorHandler(deps.logger));
  return app;
}

interface RouteLayer {
  route?: { path: string; methods: Record<string, boolean> };
}

/**
 * After every group registered: a known path with an unknown method answers 405 with `Allow`.
 * Returns the routes' paths.
 */
function answerMethodNotAllowed(router: Router): string[] {
  const allowed = new Map<string, Set<string>>();
  for (const layer of router.stack as RouteLayer[]) {
    if (!layer.route || typeof layer.route.path !== 'string') continue;
    const methods = allowed.get(layer.route.path) ?? new Set<string>();
    for (const [method, on] of Object.entries(layer.route.methods)) if (on && method !== '_all') methods.add(method.toUpperCase());
    allowed.set(layer.route.path, methods);
  }
  for (const [path, methods] of allowed) {
    if (methods.has('GET')) methods.add('HEAD');
    const allow = [...methods].sort().join(', ');
    router.all(path, (_req, res) => {
      res.setHeader('Allow', allow);
      throw new ApiError('method_not_allowed', `Allowed: ${allow}`);
    });
  }
  return [...allowed.keys()];
}

/** Whether a route serves the path, matched as Express does ('/v1/bookings/:id': any one segment, case and a trailing slash ignored). */
function servesPath(routePaths: string[]): (path: string) => boolean {
  const segment = (part: string) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const patterns = routePaths.map((path) => new RegExp(`^${path.split('/').map(segment).join('/')}/?$`, 'i'));
  return (path) => patterns.some((pattern) => pattern.test(path));
}
