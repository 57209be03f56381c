/**
 * The OpenAPI 3.1 document, generated from the same zod schemas that validate requests
 * (route-kit's describeRoute), plus the operational endpoints. Built once per app.
 */
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import type { RouteGroup } from './app-deps';
import { problemSchema } from './common.schemas';
import { z } from './zod';

function describeOperations(registry: OpenAPIRegistry): void {
  const text = (description: string) => ({ description, content: { 'text/plain': { schema: z.string() } } });
  const readiness = z
    .object({
      status: z.enum(['ok', 'unavailable']),
      checks: z.record(z.string(), z.enum(['ok', 'unavailable'])),
    })
    .openapi('Readiness');
  registry.registerPath({
    method: 'get', path: '/healthz', operationId: 'getHealth', tags: ['operations'], summary: 'Liveness: the process is up', security: [],
    responses: { 200: { description: 'Alive', content: { 'application/json': { schema: z.object({ status: z.literal('ok') }) } } } },
  });
  registry.registerPath({
    method: 'get', path: '/readyz', operationId: 'getReadiness', tags: ['operations'], security: [],
    summary: 'Readiness: database, temporal, redis and calendar reachability',
    description: 'database and temporal are required (503 when either fails); redis and calendar degrade: reported, but 200.',
    responses: {
      200: { description: 'Ready', content: { 'application/json': { schema: readiness } } },
      503: { description: 'A required dependency is unavailable', content: { 'application/json': { schema: readiness } } },
    },
  });
  registry.registerPath({
    method: 'get', path: '/metrics', operationId: 'getMetrics', tags: ['operations'], summary: 'Prometheus metrics', security: [],
    responses: { 200: text('Prometheus text exposition format') },
  });
  registry.registerPath({
    method: 'get', path: '/openapi.json', operationId: 'getOpenApiDocument', tags: ['operations'], summary: 'This document', security: [],
    responses: { 200: { description: 'OpenAPI 3.1 document', content: { 'application/json': { schema: z.object({}).catchall(z.unknown()) } } } },
  });
}

export function buildOpenApiDocument(groups: RouteGroup[]): ReturnType<OpenApiGeneratorV31['generateDocument']> {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'Company API key (or the platform admin key for /v1/admin/*)',
  });
  registry.register('Problem', problemSchema);
  describeOperations(registry);
  for (const group of groups) group.openapi(registry);
  const document = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Booking API',
      version: '1.0.0',
      description:
        'Appointment booking. Errors are RFC 9457 problem details (application/problem+json) with a stable `code`. ' +
        'Lists take `limit` (1-200, default 50) and an opaque `cursor`, and answer `{data, nextCursor}`.',
    },
    servers: [{ url: '/' }],
    security: [{ bearerAuth: [] }],
  });
  assertUniqueOperationIds(document);
  return document;
}

/** Generated clients name methods after operationIds: two operations with one name would collide. */
function assertUniqueOperationIds(document: { paths?: object }): void {
  const seen = new Map<string, string>();
  for (const [path, operations] of Object.entries((document.paths ?? {}) as Record<string, Record<string, unknown>>)) {
    for (const [method, operation] of Object.entries(operations)) {
      const id = (operation as { operationId?: string }).operationId;
      if (!id) throw new Error(`OpenAPI: ${method.toUpperCase()} ${path} has no operationId`);
      const other = seen.get(id);
      if (other) throw new Error(`OpenAPI: operationId ${id} of ${method.toUpperCase()} ${path} is also ${other}`);
      seen.set(id, `${method.toUpperCase()} ${path}`);
    }
  }
}
