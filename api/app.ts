/**
 * createApp(deps): the Express application, without listen (api/server.ts listens; tests use
 * supertest). Middleware order matters and is:
 *   request id + logs (request-log.ts) → metrics → helmet → JSON body (100 kb) → ops endpoints (no key)
 *   → /v1: bearer auth + role policy → rate limit → route groups → 405/404 → problem+json errors.
 */
import express, { type Express, type Router } from 'express';
import helmet from 'helmet';
import type { AppDeps } from './app-deps';
import { authenticate } from './auth';
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

  app.use('/v1', authenticate(deps));
  if (deps.rateLimit !== false) app.use('/v1', rateLimit(deps.rateLimit ?? DEFAULT_RATE_LIMIT));

  const router = express.Router();
  for (const group of groups) group.register(router, deps);
  answerMethodNotAllowed(router);
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

/** After every group registered: a known path with an unknown method answers 405 with `Allow`. */
function answerMethodNotAllowed(router: Router): void {
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
}
