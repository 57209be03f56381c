/**
 * Resources (rooms, chairs, devices) of a branch; a service may require one of them to be free.
 */
import type { Resource } from '../../infra/db/prisma';
import { newId } from '../../infra/db/ids';
import { withBranchZone, type WithBranchZone } from '../branch-zone';
import { findBranch } from '../branches/branches.routes';
import { formatInstant, idParams, listOf } from '../common.schemas';
import { notFound } from '../error-handler';
import { keysetArgs, toPage } from '../pagination';
import { defineRoute, routeGroup } from '../route-kit';
import { createResourceBody, listResourcesQuery, resourceSchema } from './resources.schemas';

function renderResource(row: WithBranchZone<Resource>) {
  return { id: row.id, branchId: row.branchId, name: row.name, kind: row.kind, createdAt: formatInstant(row.createdAt, row.branch.timezone) };
}

export const resourcesRoutes = routeGroup('resources', [
  defineRoute({
    method: 'post',
    path: '/v1/resources',
    tags: ['catalog'],
    summary: 'Create a resource in a branch',
    description: 'branchId must be a branch of the caller\'s company (else 404).',
    request: { body: createResourceBody },
    responses: { 201: { description: 'Created', schema: resourceSchema } },
    handler: async ({ body }, ctx) => {
      const branch = await findBranch(ctx, body.branchId);
      const row = await ctx.deps.db.resource.create({
        data: { id: newId('res'), companyId: branch.companyId, branchId: branch.id, name: body.name, kind: body.kind ?? null },
        include: withBranchZone,
      });
      await ctx.branchChanged(branch.companyId, branch.id);
      return { status: 201, body: renderResource(row) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/v1/resources',
    tags: ['catalog'],
    summary: 'List resources',
    request: { query: listResourcesQuery },
    responses: { 200: { description: 'Resources', schema: listOf(resourceSchema) } },
    handler: async ({ query }, ctx) => {
      const page = keysetArgs(query);
      const rows = await ctx.deps.db.resource.findMany({
        ...page,
        where: { companyId: ctx.companyId(), ...(query.branchId ? { branchId: query.branchId } : {}), ...page.where },
        include: withBranchZone,
      });
      return { body: toPage(rows, query, renderResource) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/v1/resources/:id',
    tags: ['catalog'],
    summary: 'Get a resource',
    request: { params: idParams },
    responses: { 200: { description: 'Resource', schema: resourceSchema } },
    handler: async ({ params }, ctx) => {
      const row = await ctx.deps.db.resource.findFirst({ where: { id: params.id, companyId: ctx.companyId() }, include: withBranchZone });
      if (!row) throw notFound('Resource', params.id);
      return { body: renderResource(row) };
    },
  }),
]);
