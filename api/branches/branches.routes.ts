/**
 * Branches: opening hours, special days, closures and booking rules of one location. Every
 * query is scoped to the caller's company; another company's branch is a 404.
 */
import { notificationSettingsOf } from '../../domain/notifications/lifecycle-schedule';
import { Prisma, type Branch } from '../../infra/db/prisma';
import { newId } from '../../infra/db/ids';
import { formatInstant, idParams, listOf, pageQuery } from '../common.schemas';
import { catalogView } from '../access-policy';
import { notFound } from '../error-handler';
import { keysetArgs, toPage } from '../pagination';
import { defineRoute, routeGroup, type RouteContext } from '../route-kit';
import { branchSchema, createBranchBody, patchBranchBody, RULE_DEFAULTS, type BranchOut, type BranchRules } from './branches.schemas';

export function storedRules(row: Pick<Branch, 'rules'>): BranchRules {
  return { ...RULE_DEFAULTS, ...((row.rules ?? {}) as Partial<BranchRules>) };
}

export function renderBranch(row: Branch): BranchOut {
  return {
    id: row.id,
    name: row.name,
    timezone: row.timezone,
    country: row.country,
    ...(row.address ? { address: row.address } : {}),
    operatingHours: row.operatingHours as BranchOut['operatingHours'],
    specialHours: (row.specialHours ?? []) as BranchOut['specialHours'],
    closures: (row.closures ?? []) as BranchOut['closures'],
    rules: storedRules(row),
    notifications: notificationSettingsOf(row.notifications),
    calendarConnectionId: row.calendarConnectionId ?? null,
    // Only when set: answers of branches without limits stay exactly as they were.
    ...(row.limits ? { limits: row.limits as BranchOut['limits'] } : {}),
    createdAt: formatInstant(row.createdAt, row.timezone),
    updatedAt: formatInstant(row.updatedAt, row.timezone),
  };
}

/** The caller's branch or a 404 (also when it belongs to another company). */
export async function findBranch(ctx: RouteContext, branchId: string): Promise<Branch> {
  const row = await ctx.deps.db.branch.findFirst({ where: { id: branchId, companyId: ctx.companyId() } });
  if (!row) throw notFound('Branch', branchId);
  return row;
}

/** A connection id of the caller's company (404 otherwise); null unlinks, undefined keeps. */
async function connectionOf(ctx: RouteContext, connectionId: string | null | undefined): Promise<string | null | undefined> {
  if (connectionId === null || connectionId === undefined) return connectionId;
  const row = await ctx.deps.db.calendarConnection.findFirst({ where: { id: connectionId, companyId: ctx.companyId() }, select: { id: true } });
  if (!row) throw notFound('Calendar connection', connectionId);
  return row.id;
}

export const branchesRoutes = routeGroup('branches', [
  defineRoute({
    method: 'post',
    path: '/v1/branches',
    tags: ['catalog'],
    summary: 'Create a branch',
    request: { body: createBranchBody },
    responses: { 201: { description: 'Created', schema: branchSchema } },
    handler: async ({ body }, ctx) => {
      const companyId = ctx.companyId();
      const row = await ctx.deps.db.branch.create({
        data: {
          id: newId('br'),
          companyId,
          name: body.name,
          timezone: body.timezone,
          country: body.country ?? null,
          address: body.address || null,
          operatingHours: body.operatingHours,
          specialHours: body.specialHours ?? [],
          closures: body.closures ?? [],
          rules: { ...RULE_DEFAULTS, ...body.rules },
          notifications: body.notifications ?? {},
          calendarConnectionId: await connectionOf(ctx, body.calendarConnectionId),
          ...(body.limits ? { limits: body.limits } : {}),
        },
      });
      await ctx.branchChanged(companyId, row.id);
      return { status: 201, body: renderBranch(row) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/v1/branches',
    tags: ['catalog'],
    summary: 'List branches',
    request: { query: pageQuery },
    responses: { 200: { description: 'Branches', schema: listOf(branchSchema) } },
    handler: async ({ query }, ctx) => {
      const page = keysetArgs(query);
      const rows = await ctx.deps.db.branch.findMany({ ...page, where: { companyId: ctx.companyId(), ...page.where } });
      return { body: toPage(rows, query, (row) => catalogView(ctx.principal(), renderBranch(row))) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/v1/branches/:id',
    tags: ['catalog'],
    summary: 'Get a branch',
    request: { params: idParams },
    responses: { 200: { description: 'Branch', schema: branchSchema } },
    handler: async ({ params }, ctx) => ({ body: catalogView(ctx.principal(), renderBranch(await findBranch(ctx, params.id))) }),
  }),
  defineRoute({
    method: 'patch',
    path: '/v1/branches/:id',
    tags: ['catalog'],
    summary: 'Change a branch',
    request: { params: idParams, body: patchBranchBody },
    responses: { 200: { description: 'Branch', schema: branchSchema } },
    handler: async ({ params, body }, ctx) => {
      const existing = await findBranch(ctx, params.id);
      const row = await ctx.deps.db.branch.update({
        where: { id: existing.id },
        data: {
          name: body.name,
          timezone: body.timezone,
          country: body.country,
          address: body.address === undefined ? undefined : body.address || null,
          operatingHours: body.operatingHours,
          specialHours: body.specialHours,
          closures: body.closures,
          rules: body.rules ? { ...storedRules(existing), ...body.rules } : undefined,
          notifications: body.notifications ? { ...(existing.notifications as object), ...body.notifications } : undefined,
          calendarConnectionId: await connectionOf(ctx, body.calendarConnectionId),
          ...(body.limits !== undefined ? { limits: body.limits ?? Prisma.DbNull } : {}),
        },
      });
      await ctx.branchChanged(existing.companyId, row.id);
      return { body: renderBranch(row) };
    },
  }),
]);
