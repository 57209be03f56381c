/**
 * Operational endpoints, outside /v1 and without a key: /healthz, /readyz, /metrics,
 * /openapi.json and /docs.
 *
 * /readyz runs every named check of deps.readiness in parallel (each bounded by a timeout) and
 * names each one. Required checks (default database and temporal: no booking can be made without
 * them) make it 503; redis and calendar only degrade (the cache falls back to computing, calendar
 * sync is retried and recorded as a sync failure), so they are reported but keep it 200.
 */
import type { Express } from 'express';
import type { Registry } from 'prom-client';
import swaggerUi from 'swagger-ui-express';
import type { AppDeps } from '../app-deps';
import { ApiError } from '../error-handler';

export const DEFAULT_REQUIRED_READINESS = ['database', 'temporal'];
const CHECK_TIMEOUT_MS = 2_000;

type CheckStatus = 'ok' | 'unavailable';

async function runCheck(check: () => Promise<void>): Promise<CheckStatus> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('readiness check timed out')), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([check(), timeout]);
    return 'ok';
  } catch {
    return 'unavailable';
  } finally {
    clearTimeout(timer);
  }
}

export async function readiness(deps: Pick<AppDeps, 'readiness' | 'requiredReadiness'>) {
  const names = Object.keys(deps.readiness);
  const results = await Promise.all(names.map((name) => runCheck(deps.readiness[name])));
  const checks = Object.fromEntries(names.map((name, i) => [name, results[i]])) as Record<string, CheckStatus>;
  const required = deps.requiredReadiness ?? DEFAULT_REQUIRED_READINESS;
  const ready = required.every((name) => checks[name] !== 'unavailable');
  return { status: (ready ? 'ok' : 'unavailable') as CheckStatus, checks };
}

export function registerOps(app: Express, deps: AppDeps, parts: { metrics: Registry; openapi: object }): void {
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const result = await readiness(deps);
    res.status(result.status === 'ok' ? 200 : 503).json(result);
  });
  app.get('/metrics', async (_req, res) => {
    res.type(parts.metrics.contentType).send(await parts.metrics.metrics());
  });
  app.get('/openapi.json', (_req, res) => {
    res.json(parts.openapi);
  });
  // Another method on these paths is a 405 with Allow, as on /v1 (app.ts), not a 404.
  for (const path of ['/healthz', '/readyz', '/metrics', '/openapi.json']) {
    app.all(path, (_req, res) => {
      res.setHeader('Allow', 'GET, HEAD');
      throw new ApiError('method_not_allowed', 'Allowed: GET, HEAD');
    });
  }
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(parts.openapi as swaggerUi.JsonObject, { customSiteTitle: 'Booking API' }));
}
