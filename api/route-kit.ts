/**
 * defineRoute()/routeGroup(): one declaration per endpoint drives its Express handler, its request
 * validation and its OpenAPI operation, so the document cannot drift from what is enforced
 * (STYLE.md principle 11). Handlers get parsed input and a context, and return a Reply:
 *
 *   export const branchesRoutes = routeGroup('branches', [
 *     defineRoute({
 *       method: 'post', path: '/v1/branches', tags: ['catalog'], summary: 'Create a branch',
 *       request: { body: createBranchBody },
 *       responses: { 201: { description: 'Created', schema: branchSchema } },
 *       handler: async ({ body }, ctx) => ({ status: 201, body: await create(ctx.companyId(), body) }),
 *     }),
 *   ]);
 *
 * Authentication and role checks happen before (api/auth.ts, api/access-policy.ts); problems
 * common to every /v1 route (400, 401, 403, 404, 429, 500; 413 and 415 with a body) are documented automatically, others
 * are listed in `problems`.
 */
import type { OpenAPIRegistry, ResponseConfig, RouteConfig } from '@asteasolutions/zod-to-openapi';

type HeadersObject = Exclude<NonNullable<ResponseConfig['headers']>, { shape: unknown }>;
import type { Request, Response, Router } from 'express';
import { LRUCache } from 'lru-cache';
import type { AppDeps, RouteGroup } from './app-deps';
import type { Principal } from './access-policy';
import { companyIdOf, principalOf } from './auth';
import { COMMON_HEADERS, PROBLEM_HEADERS, problemSchemaOf } from './problem-schemas';
import { z } from './zod';
import { PROBLEMS, type ProblemCode } from './error-handler';
import { parseRequest, type Parsed, type RequestSchemas } from './validate';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteContext {
  deps: AppDeps;
  req: Request;
  res: Response;
  principal(): Principal;
  /** The caller's company; every query must filter by it. Throws forbidden for the admin key. */
  companyId(): string;
  now(): Date;
  /** Runs deps.onBranchChanged; a failing hook is logged, never answered (the change is committed). */
  branchChanged(companyId: string, branchId: string): Promise<void>;
}

export interface Reply {
  status?: number;
  body?: unknown;
  /**
   * The body already serialized (exactly JSON.stringify's text of it), sent as res.json would
   * send `body` (same Content-Type, ETag and 304 handling) without serializing it again.
   */
  json?: string;
  headers?: Record<string, string>;
}

export interface SuccessResponse {
  description: string;
  schema?: z.ZodType;
  headers?: ResponseConfig['headers'];
}

export interface RouteSpec<S extends RequestSchemas = RequestSchemas> {
  method: Method;
  /** Express-style path: '/v1/branches/:id' */
  path: string;
  summary: string;
  description?: string;
  tags: string[];
  request?: S;
  responses: Record<number, SuccessResponse>;
  /** Served without an API key (api/access-policy.ts KEYLESS_ROUTES must name it): documented with no security. */
  keyless?: boolean;
  /** Method name in generated clients; default derived from method and path (operationIdOf). */
  operationId?: string;
  /** Problem codes this route may answer besides the common ones. */
  problems?: ProblemCode[];
  /**
   * Remember parsed queries by their raw query string (GET routes with a query schema only, whose
   * parse is a pure function of the string: no defaults from the clock). A hot read path then
   * validates a repeated query once; invalid queries are parsed (and refused) every time.
   */
  memoizeQuery?: boolean;
  /**
   * Returns the reply, or nothing when it wrote the response itself (streams, redirects).
   * Method syntax on purpose: lets routes with different schemas share one array.
   */
  handler(input: Parsed<S>, ctx: RouteContext): Promise<Reply | void> | Reply | void;
}

export function defineRoute<S extends RequestSchemas>(spec: RouteSpec<S>): RouteSpec<S> {
  return spec;
}

const COMMON_PROBLEMS: ProblemCode[] = ['validation_error', 'unauthenticated', 'forbidden', 'not_found', 'rate_limited', 'internal_error'];

export function routeContext(deps: AppDeps, req: Request, res: Response): RouteContext {
  return {
    deps,
    req,
    res,
    principal: () => principalOf(res),
    companyId: () => companyIdOf(res),
    now: () => (deps.clock ? deps.clock() : new Date()),
    async branchChanged(companyId, branchId) {
      if (!deps.onBranchChanged) return;
      try {
        await deps.onBranchChanged(companyId, branchId);
      } catch (err) {
        deps.logger.error({ err, companyId, branchId }, 'onBranchChanged hook failed');
      }
    },
  };
}

/** Parsed queries kept per memoizeQuery route. */
const QUERY_MEMO_SIZE = 5_000;

function queryParser(spec: RouteSpec): (req: Request) => Parsed<RequestSchemas> {
  const schemas = spec.request ?? {};
  const memoizable = spec.memoizeQuery && spec.method === 'get' && schemas.query && !schemas.body && !schemas.params && !schemas.headers;
  if (spec.memoizeQuery && !memoizable) throw new Error(`memoizeQuery: ${spec.method.toUpperCase()} ${spec.path} must be a GET with a query schema only`);
  if (!memoizable) return (req) => parseRequest(schemas, req);
  const memo = new LRUCache<string, Parsed<RequestSchemas>>({ max: QUERY_MEMO_SIZE });
  return (req) => {
    const at = req.url.indexOf('?');
    const raw = at < 0 ? '' : req.url.slice(at + 1);
    let input = memo.get(raw);
    if (!input) {
      input = parseRequest(schemas, req);
      // Shared by every request with this query string: read only.
      Object.freeze(input.query);
      memo.set(raw, Object.freeze(input));
    }
    return input;
  };
}

export function registerRoute(router: Router, deps: AppDeps, spec: RouteSpec): void {
  const parse = queryParser(spec);
  router[spec.method](spec.path, async (req: Request, res: Response) => {
    const input = parse(req);
    const reply = await spec.handler(input, routeContext(deps, req, res));
    if (!reply || res.headersSent) return;
    for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
    const status = reply.status ?? 200;
    if (reply.json !== undefined) res.status(status).type('application/json').send(reply.json);
    else if (reply.body === undefined) res.status(status).end();
    else res.status(status).json(reply.body);
  });
}

/** '/v1/branches/:id' → '/v1/branches/{id}' */
export const toOpenApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/** Sub-resources listed or created under an item (`/v1/staff/:id/time-off`); other words after an item are actions (`cancel`). */
const SUB_COLLECTIONS = new Set(['time-off', 'deliveries', 'reviews', 'notifications', 'availability']);
const SINGULAR: Record<string, string> = { branches: 'Branch', series: 'Series', staff: 'Staff', analytics: 'Analytics', availability: 'Availability', 'time-off': 'TimeOff', 'waiting-list': 'WaitingListEntry' };
const pascal = (word: string) => word.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
const singular = (word: string) => SINGULAR[word] ?? pascal(word.replace(/ies$/, 'y').replace(/s$/, ''));

/** Where verb + resource reads badly. */
const NAMED_OPERATIONS: Record<string, string> = {
  'POST /v1/admin/companies': 'createCompany',
  'POST /v1/customers/find-or-create': 'findOrCreateCustomer',
  'GET /v1/availability': 'getAvailability',
  'GET /v1/availability/next': 'getNextSlots',
  'GET /v1/availability/explain': 'explainAvailability',
  'GET /v1/analytics': 'getAnalytics',
};

/**
 * The generated client's method name: verb + resource, e.g. GET /v1/bookings → listBookings,
 * GET /v1/bookings/:id → getBooking, POST /v1/bookings → createBooking, POST
 * /v1/bookings/:id/cancel → cancelBooking, GET /v1/staff/:id/time-off → listStaffTimeOff. A route
 * may name its own (`operationId`); buildOpenApiDocument refuses duplicates.
 */
export function operationIdOf(spec: Pick<RouteSpec, 'method' | 'path' | 'operationId'>): string {
  const named = spec.operationId ?? NAMED_OPERATIONS[`${spec.method.toUpperCase()} ${spec.path}`];
  if (named) return named;
  const segments = spec.path.split('/').filter((s) => s && s !== 'v1');
  const isParam = (s: string | undefined) => s?.startsWith(':') ?? false;
  const statics = segments.filter((s) => !isParam(s));
  const last = segments[segments.length - 1];
  const itemVerb = { get: 'get', patch: 'update', put: 'replace', delete: 'delete', post: 'create' }[spec.method];
  if (isParam(last)) return itemVerb + statics.map(singular).join('');
  const parents = statics.slice(0, -1).map(singular).join('');
  if (isParam(segments[segments.length - 2]) && !SUB_COLLECTIONS.has(last)) return pascal(last).charAt(0).toLowerCase() + pascal(last).slice(1) + parents;
  if (spec.method === 'get') return `list${parents}${pascal(last)}`;
  return { post: 'create', put: 'replace', patch: 'update', delete: 'delete' }[spec.method] + parents + singular(last);
}

export function describeRoute(registry: OpenAPIRegistry, spec: RouteSpec): void {
  const responses: RouteConfig['responses'] = {};
  for (const [status, r] of Object.entries(spec.responses)) {
    responses[status] = {
      description: r.description,
      headers: { ...COMMON_HEADERS, ...((r.headers ?? {}) as HeadersObject) } as ResponseConfig['headers'],
      ...(r.schema ? { content: { 'application/json': { schema: r.schema } } } : {}),
    };
  }
  const byStatus = new Map<number, ProblemCode[]>();
  // Every body passes the JSON parser first (app.ts): too large (over 100 kb) or in an encoding or
  // charset it does not read is answered before validation.
  const bodyProblems: ProblemCode[] = spec.request?.body ? ['payload_too_large', 'unsupported_media_type'] : [];
  for (const code of new Set([...COMMON_PROBLEMS, ...bodyProblems, ...(spec.problems ?? [])])) byStatus.set(PROBLEMS[code].status, [...(byStatus.get(PROBLEMS[code].status) ?? []), code]);
  for (const [status, codes] of byStatus) {
    const existing = responses[status] as { description: string } | undefined;
    const schemas = codes.map(problemSchemaOf);
    const title = codes.map((code) => `${PROBLEMS[code].title} (${code})`).join('; ');
    responses[status] = {
      description: existing ? `${existing.description}; ${codes.join(', ')}` : title,
      headers: { ...COMMON_HEADERS, ...(PROBLEM_HEADERS[status] ?? {}) } as ResponseConfig['headers'],
      content: { 'application/problem+json': { schema: schemas.length === 1 ? schemas[0] : z.union(schemas as [z.ZodType, z.ZodType, ...z.ZodType[]]) } },
    };
  }
  const request = spec.request ?? {};
  registry.registerPath({
    method: spec.method,
    path: toOpenApiPath(spec.path),
    operationId: operationIdOf(spec),
    summary: spec.summary,
    description: spec.description,
    tags: spec.tags,
    security: spec.keyless ? [] : [{ bearerAuth: [] }],
    request: {
      ...(request.body ? { body: { required: !request.body.safeParse(undefined).success, content: { 'application/json': { schema: request.body } } } } : {}),
      ...(request.query ? { query: request.query as NonNullable<RouteConfig['request']>['query'] } : {}),
      ...(request.params ? { params: request.params as NonNullable<RouteConfig['request']>['params'] } : {}),
      ...(request.headers ? { headers: request.headers as NonNullable<RouteConfig['request']>['params'] } : {}),
    },
    responses,
  });
}

/** A RouteGroup from route specs. */
export function routeGroup(name: string, routes: RouteSpec[], options: { hot?: boolean } = {}): RouteGroup {
  return {
    name,
    ...(options.hot ? { hot: true } : {}),
    register: (router, deps) => routes.forEach((spec) => registerRoute(router, deps, spec)),
    openapi: (registry) => routes.forEach((spec) => describeRoute(registry, spec)),
  };
}
