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
 * common to every /v1 route (400, 401, 403, 404, 429, 500) are documented automatically, others
 * are listed in `problems`.
 */
import type { OpenAPIRegistry, ResponseConfig, RouteConfig } from '@asteasolutions/zod-to-openapi';
import type { Request, Response, Router } from 'express';
import type { z } from 'zod';
import type { AppDeps, RouteGroup } from './app-deps';
import type { Principal } from './access-policy';
import { companyIdOf, principalOf } from './auth';
import { problemSchema } from './common.schemas';
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
  /** Problem codes this route may answer besides the common ones. */
  problems?: ProblemCode[];
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

export function registerRoute(router: Router, deps: AppDeps, spec: RouteSpec): void {
  router[spec.method](spec.path, async (req: Request, res: Response) => {
    const input = parseRequest(spec.request ?? {}, req);
    const reply = await spec.handler(input, routeContext(deps, req, res));
    if (!reply || res.headersSent) return;
    for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
    const status = reply.status ?? 200;
    if (reply.body === undefined) res.status(status).end();
    else res.status(status).json(reply.body);
  });
}

/** '/v1/branches/:id' → '/v1/branches/{id}' */
export const toOpenApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

export function describeRoute(registry: OpenAPIRegistry, spec: RouteSpec): void {
  const responses: RouteConfig['responses'] = {};
  for (const [status, r] of Object.entries(spec.responses)) {
    responses[status] = {
      description: r.description,
      ...(r.headers ? { headers: r.headers } : {}),
      ...(r.schema ? { content: { 'application/json': { schema: r.schema } } } : {}),
    };
  }
  for (const code of [...COMMON_PROBLEMS, ...(spec.problems ?? [])]) {
    const { status, title } = PROBLEMS[code];
    const existing = responses[status] as { description: string } | undefined;
    responses[status] = {
      description: existing ? `${existing.description}; ${code}` : `${title} (${code})`,
      content: { 'application/problem+json': { schema: problemSchema } },
    };
  }
  const request = spec.request ?? {};
  registry.registerPath({
    method: spec.method,
    path: toOpenApiPath(spec.path),
    summary: spec.summary,
    description: spec.description,
    tags: spec.tags,
    security: [{ bearerAuth: [] }],
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
export function routeGroup(name: string, routes: RouteSpec[]): RouteGroup {
  return {
    name,
    register: (router, deps) => routes.forEach((spec) => registerRoute(router, deps, spec)),
    openapi: (registry) => routes.forEach((spec) => describeRoute(registry, spec)),
  };
}
