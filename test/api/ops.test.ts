/**
 * The operational surface and the HTTP plumbing every route shares: /healthz, /readyz (each
 * dependency named, 503 when a required one fails), /metrics (per-route counters and latency
 * histograms), /openapi.json (3.1, generated from the route schemas), /docs (Swagger UI), request
 * ids, helmet, the body size limit, 404/405, rate limiting and unexpected errors as problems.
 */
import request from 'supertest';
import type { RouteGroup } from '../../api/app-deps';
import { defineRoute, routeGroup } from '../../api/route-kit';
import { createBranch, createCompany, startApiHarness, type ApiHarness } from './api-harness';

const failing = () => Promise.reject(new Error('down'));
const ok = () => Promise.resolve();

const boom: RouteGroup = routeGroup('boom', [
  defineRoute({
    method: 'get', path: '/v1/boom', tags: ['test'], summary: 'Throws', responses: { 200: { description: 'never' } },
    handler: () => {
      throw new Error('secret internals: password=hunter2');
    },
  }),
]);

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness({ extraRoutes: [boom] });
  h.deps.readiness.temporal = ok;
  h.deps.readiness.redis = ok;
  h.deps.readiness.calendar = ok;
});
afterAll(async () => {
  await h.close();
});

describe('health and readiness', () => {
  it('/healthz answers without a key', async () => {
    const res = await request(h.app).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('/readyz names each dependency; the real database check passes', async () => {
    const res = await request(h.app).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', checks: { database: 'ok', temporal: 'ok', redis: 'ok', calendar: 'ok' } });
  });

  it('/readyz is 503 when a required dependency fails, 200 (degraded) when an optional one does', async () => {
    const down = await startApiHarness({ readiness: { database: ok, temporal: failing, redis: ok, calendar: ok } });
    const degraded = await startApiHarness({ readiness: { database: ok, temporal: ok, redis: failing, calendar: failing } });
    const dbDown = await startApiHarness({
      // A real connection to a port nothing listens on.
      readiness: {
        database: async () => {
          const { createPrisma } = await import('../../infra/db/prisma');
          const db = createPrisma('postgresql://nobody:x@127.0.0.1:1/none', { max: 1 });
          try {
            await db.$queryRaw`SELECT 1`;
          } finally {
            await db.$disconnect();
          }
        },
        temporal: ok,
      },
    });
    try {
      const a = await request(down.app).get('/readyz');
      expect(a.status).toBe(503);
      expect(a.body).toEqual({ status: 'unavailable', checks: { database: 'ok', temporal: 'unavailable', redis: 'ok', calendar: 'ok' } });
      const b = await request(degraded.app).get('/readyz');
      expect(b.status).toBe(200);
      expect(b.body.checks).toEqual({ database: 'ok', temporal: 'ok', redis: 'unavailable', calendar: 'unavailable' });
      const c = await request(dbDown.app).get('/readyz');
      expect(c.status).toBe(503);
      expect(c.body.checks).toEqual({ database: 'unavailable', temporal: 'ok' });
    } finally {
      await Promise.all([down.close(), degraded.close(), dbDown.close()]);
    }
  });
});

describe('metrics', () => {
  it('counts requests and records latency per route pattern, not per URL', async () => {
    const company = await createCompany(h.app, 'Metrics Co');
    const branch = await createBranch(h.app, company);
    await request(h.app).get(`/v1/branches/${branch.id}`).set(company.auth).expect(200);
    await request(h.app).get('/v1/branches/br_nope').set(company.auth).expect(404);
    const res = await request(h.app).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toMatch(/http_requests_total\{method="GET",route="\/v1\/branches\/:id",status="200"\} 1/);
    expect(res.text).toMatch(/http_requests_total\{method="GET",route="\/v1\/branches\/:id",status="404"\} 1/);
    expect(res.text).toMatch(/http_requests_total\{method="POST",route="\/v1\/admin\/companies",status="201"\} \d+/);
    expect(res.text).toMatch(/http_request_duration_seconds_bucket\{le="0.5",method="GET",route="\/v1\/branches\/:id",status="200"\} 1/);
    expect(res.text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/v1\/branches\/:id",status="200"\} 1/);
    expect(res.text).not.toContain(branch.id);
    expect(res.text).toContain('process_cpu_seconds_total');
  });
});

interface OpenApiDoc {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, { responses: Record<string, unknown>; parameters?: Array<{ name: string; in: string }>; security?: unknown[] }>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
}

/** Every `$ref` in the document, with where it was found. */
function refsOf(node: unknown, at = '#', out: Array<[string, string]> = []): Array<[string, string]> {
  if (Array.isArray(node)) node.forEach((n, i) => refsOf(n, `${at}/${i}`, out));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push([at, v]);
      else refsOf(v, `${at}/${k}`, out);
    }
  }
  return out;
}

describe('OpenAPI and docs', () => {
  it('/openapi.json is an OpenAPI 3.1 document with every catalog path, consistent refs and params', async () => {
    const res = await request(h.app).get('/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.body as OpenApiDoc;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    const expected: Record<string, string[]> = {
      '/v1/admin/companies': ['post'],
      '/v1/api-keys': ['get', 'post'],
      '/v1/branches': ['get', 'post'],
      '/v1/branches/{id}': ['get', 'patch'],
      '/v1/resources': ['get', 'post'],
      '/v1/staff': ['get', 'post'],
      '/v1/staff/{id}': ['get', 'patch'],
      '/v1/staff/{id}/time-off': ['get', 'post'],
      '/v1/services': ['get', 'post'],
      '/v1/services/{id}': ['get', 'patch'],
      '/v1/customers': ['get', 'post'],
      '/v1/customers/{id}': ['get', 'patch'],
      '/v1/customers/{id}/block': ['post'],
      '/v1/customers/{id}/unblock': ['post'],
      '/healthz': ['get'], '/readyz': ['get'], '/metrics': ['get'], '/openapi.json': ['get'],
    };
    for (const [path, methods] of Object.entries(expected)) {
      expect([path, Object.keys(doc.paths[path] ?? {}).filter((m) => m !== 'parameters').sort()]).toEqual([path, expect.arrayContaining(methods)]);
    }
    for (const [path, ops] of Object.entries(doc.paths)) {
      const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries(ops)) {
        expect(Object.keys(op.responses).length).toBeGreaterThan(0);
        for (const status of Object.keys(op.responses)) expect(status).toMatch(/^[1-5]\d\d$|^default$/);
        const pathParams = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
        expect([path, method, pathParams.sort()]).toEqual([path, method, [...templated].sort()]);
      }
    }
    for (const [at, ref] of refsOf(doc)) {
      const name = /^#\/components\/schemas\/(.+)$/.exec(ref)?.[1];
      expect([at, ref, name !== undefined && name in doc.components.schemas]).toEqual([at, ref, true]);
    }
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.paths['/healthz'].get.security).toEqual([]);
    // The validating schemas drive the document: a required field and a 400 problem response.
    const createService = JSON.stringify(doc.components.schemas.CreateService);
    expect(createService).toContain('durationMinutes');
    expect(doc.paths['/v1/services'].post.responses['400']).toBeDefined();
    expect(doc.paths['/v1/services'].post.responses['201']).toBeDefined();
  });

  it('/docs serves Swagger UI', async () => {
    const redirect = await request(h.app).get('/docs');
    expect([200, 301]).toContain(redirect.status);
    const res = await request(h.app).get('/docs/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('swagger-ui');
    const init = await request(h.app).get('/docs/swagger-ui-init.js');
    expect(init.status).toBe(200);
    expect(init.text).toContain('/v1/services');
  });
});

describe('HTTP plumbing', () => {
  it('echoes a caller\'s request id, makes one otherwise, and sets helmet headers', async () => {
    const given = await request(h.app).get('/healthz').set('X-Request-Id', 'trace-123.abc');
    expect(given.headers['x-request-id']).toBe('trace-123.abc');
    const made = await request(h.app).get('/healthz').set('X-Request-Id', 'bad id with spaces');
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const none = await request(h.app).get('/v1/branches');
    expect(none.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(given.headers['x-content-type-options']).toBe('nosniff');
    expect(given.headers['x-powered-by']).toBeUndefined();
  });

  it('a body over the size limit is a 413 problem and writes nothing', async () => {
    const company = await createCompany(h.app, 'Big Co');
    const res = await request(h.app).post('/v1/customers').set(company.auth).send({ name: 'x'.repeat(200_000) });
    expect(res.status).toBe(413);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 413, code: 'payload_too_large' });
    expect(await h.db.customer.count({ where: { companyId: company.id } })).toBe(0);
  });

  it('NUL characters (which PostgreSQL text cannot hold) are a 400 field error, never a 500', async () => {
    const company = await createCompany(h.app, 'Nul Co');
    const body = await request(h.app).post('/v1/customers').set(company.auth).send({ name: 'a\u0000b', email: 'x@example.com' });
    expect(body.status).toBe(400);
    expect(body.body.errors).toEqual([{ path: 'name', message: 'Must not contain NUL characters' }]);
    const nested = await request(h.app).post('/v1/staff').set(company.auth).send({ branchId: 'br_x', name: 'S', skills: ['ok', 'b\u0000d'], workingHours: {} });
    expect(nested.status).toBe(400);
    expect(nested.body.errors).toEqual([{ path: 'skills.1', message: 'Must not contain NUL characters' }]);
    const param = await request(h.app).get('/v1/customers/a%00b').set(company.auth);
    expect(param.status).toBe(400);
    expect(param.body.errors.map((e: { path: string }) => e.path)).toEqual(['id']);
    const query = await request(h.app).get('/v1/customers?email=a%00b').set(company.auth);
    expect(query.status).toBe(400);
    expect(query.body.errors.map((e: { path: string }) => e.path)).toEqual(['email']);
    expect(await h.db.customer.count({ where: { companyId: company.id } })).toBe(0);
  });

  it('unknown routes are 404 and known paths with other methods 405 with Allow', async () => {
    const company = await createCompany(h.app, 'Routes Co');
    const missing = await request(h.app).get('/v1/nothing-here').set(company.auth);
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('not_found');
    const wrong = await request(h.app).delete('/v1/branches').set(company.auth);
    expect(wrong.status).toBe(405);
    expect(wrong.body.code).toBe('method_not_allowed');
    expect(wrong.headers.allow).toBe('GET, HEAD, POST');
  });

  it('an unexpected error is a 500 problem without internals', async () => {
    const company = await createCompany(h.app, 'Boom Co');
    const res = await request(h.app).get('/v1/boom').set(company.auth);
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ status: 500, code: 'internal_error' });
    expect(JSON.stringify(res.body)).not.toContain('hunter2');
  });

  it('rate limits per key with 429 and Retry-After', async () => {
    const limited = await startApiHarness({ rateLimit: { max: 3, windowMs: 60_000 } });
    try {
      const company = await createCompany(limited.app, 'Busy Co');
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await request(limited.app).get('/v1/branches').set(company.auth)).status);
      const over = await request(limited.app).get('/v1/branches').set(company.auth);
      expect(statuses).toEqual([200, 200, 200]);
      expect(over.status).toBe(429);
      expect(over.body.code).toBe('rate_limited');
      expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
      const other = await createCompany(limited.app, 'Calm Co');
      expect((await request(limited.app).get('/v1/branches').set(other.auth)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
