/**
 * Prometheus metrics of the HTTP layer. Each app gets its own Registry (tests build many apps in
 * one process; prom-client's global registry would refuse duplicate metric names). Route groups
 * may register their own metrics on `deps.metrics` when it is given.
 *
 * The route label is the matched pattern (`/v1/branches/:id`), never the raw URL, to keep the
 * label set bounded; requests matching no route are labelled `unmatched`.
 */
import type { ServerResponse } from 'node:http';
import type { Request, RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

function routeLabel(req: Request): string {
  const pattern = (req.route as { path?: unknown } | undefined)?.path;
  return typeof pattern === 'string' ? req.baseUrl + pattern : 'unmatched';
}

export function httpMetrics(registry: Registry): RequestHandler {
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({ name: 'http_requests_total', help: 'HTTP requests', labelNames, registers: [registry] });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  // One listener for every response (the request and start time ride on it), not a closure each.
  function observe(this: MeasuredResponse): void {
    const req = this.req as Request;
    const labels = { method: req.method, route: routeLabel(req), status: String(this.statusCode) };
    requests.inc(labels);
    duration.observe(labels, (performance.now() - this[STARTED]) / 1000);
  }
  return (_req, res, next) => {
    (res as unknown as MeasuredResponse)[STARTED] = performance.now();
    res.on('finish', observe);
    next();
  };
}

const STARTED = Symbol('metricsStarted');
type MeasuredResponse = ServerResponse & { [STARTED]: number };
