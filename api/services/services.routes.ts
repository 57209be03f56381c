/**
 * Services of a branch: length, price, buffers, skills, resources, category settings, travel time
 * and the Cal.com event type. Referenced ids are checked against the caller's company: an unknown
 * or foreign branch, resource or package member is a 404; one of the company's but of another
 * branch (or a package inside a package) is a 400. Every change invalidates the branch's
 * availability (both branches when a service moves).
 */
import { Prisma, type Service } from '../../infra/db/prisma';
import { newId } from '../../infra/db/ids';
import { withBranchZone } from '../branch-zone';
import { findBranch } from '../branches/branches.routes';
import { checkCalendarLink } from '../calendar-connections/calendar-account';
import { idParams, listOf } from '../common.schemas';
import { invalid, notFound } from '../error-handler';
import { keysetArgs, toPage } from '../pagination';
import { defineRoute, routeGroup, type RouteContext } from '../route-kit';
import { catalogView } from '../access-policy';
import { renderService, type ServiceRow } from './service-render';
import {
  createServiceBody, listServicesQuery, patchServiceBody, serviceFieldErrors, serviceSchema, type ServiceShape,
} from './services.schemas';
import type { FieldError } from '../validate';

async function findService(ctx: RouteContext, serviceId: string): Promise<ServiceRow> {
  const row = await ctx.deps.db.service.findFirst({ where: { id: serviceId, companyId: ctx.companyId() }, include: withBranchZone });
  if (!row) throw notFound('Service', serviceId);
  return row;
}

interface References {
  branchId: string;
  resourceRequirements: string[];
  packageServiceIds: string[];
  /** The service being changed: it may not be a member of itself. */
  selfId?: string;
  consultationServiceId?: string | null;
}

/** Checks every referenced resource and package member; throws 404 for foreign ids, 400 for misfits. */
async function checkReferences(ctx: RouteContext, companyId: string, refs: References): Promise<void> {
  const errors: FieldError[] = [];
  const resources = await ctx.deps.db.resource.findMany({
    where: { companyId, id: { in: refs.resourceRequirements } },
    select: { id: true, branchId: true },
  });
  const resourceById = new Map(resources.map((r) => [r.id, r]));
  refs.resourceRequirements.forEach((resourceId, index) => {
    const found = resourceById.get(resourceId);
    if (!found) throw notFound('Resource', resourceId);
    if (found.branchId !== refs.branchId) errors.push({ path: `resourceRequirements.${index}`, message: `resource ${resourceId} is of another branch` });
  });
  const members = await ctx.deps.db.service.findMany({
    where: { companyId, id: { in: refs.packageServiceIds } },
    select: { id: true, branchId: true, category: true, seats: true, requiresApproval: true },
  });
  const memberById = new Map(members.map((m) => [m.id, m]));
  refs.packageServiceIds.forEach((memberId, index) => {
    const path = `packageServiceIds.${index}`;
    const found = memberById.get(memberId);
    if (!found) throw notFound('Service', memberId);
    if (memberId === refs.selfId) errors.push({ path, message: 'a package cannot contain itself' });
    else if (found.branchId !== refs.branchId) errors.push({ path, message: `service ${memberId} is of another branch` });
    else if (found.category === 'package') errors.push({ path, message: `service ${memberId} is itself a package` });
    else if (found.seats !== null || found.requiresApproval) errors.push({ path, message: `service ${memberId} has seats or requires approval, which packages do not support` });
  });
  if (refs.consultationServiceId) {
    const consultation = await ctx.deps.db.service.findFirst({ where: { companyId, id: refs.consultationServiceId }, select: { id: true } });
    if (!consultation) throw notFound('Service', refs.consultationServiceId);
    if (refs.consultationServiceId === refs.selfId) errors.push({ path: 'consultationServiceId', message: 'a service cannot be its own consultation' });
  }
  if (errors.length > 0) throw invalid(errors);
}

function storedShape(row: Service): ServiceShape {
  return {
    durationMinutes: row.durationMinutes,
    category: row.category as ServiceShape['category'],
    flexible: row.flexible as ServiceShape['flexible'],
    packageServiceIds: row.packageServiceIds,
    seats: row.seats as ServiceShape['seats'],
    requiresApproval: row.requiresApproval,
  };
}

export const servicesRoutes = routeGroup('services', [
  defineRoute({
    method: 'post',
    path: '/v1/services',
    tags: ['catalog'],
    summary: 'Create a service',
    description: 'branchId, resourceRequirements and packageServiceIds must be of the caller\'s company (else 404) and of that branch (else 400). Packages support neither seats nor requiresApproval, on the package or on a member (400 validation_error).',
    request: { body: createServiceBody },
    responses: { 201: { description: 'Created', schema: serviceSchema } },
    problems: ['calendar_link_invalid', 'dependency_unavailable'],
    handler: async ({ body }, ctx) => {
      const branch = await findBranch(ctx, body.branchId);
      await checkCalendarLink(ctx, branch, { kind: 'eventType', id: body.calcomEventTypeId, field: 'calcomEventTypeId' });
      await checkReferences(ctx, branch.companyId, body);
      const row = await ctx.deps.db.service.create({
        data: {
          ...body,
          id: newId('svc'),
          companyId: branch.companyId,
          price: body.price ?? null,
          flexible: body.flexible ?? undefined,
          group: body.group ?? undefined,
          calcomEventTypeId: body.calcomEventTypeId ?? null,
          consultationServiceId: body.consultationServiceId ?? null,
          limits: body.limits ?? undefined,
          seats: body.seats ?? undefined,
        },
        include: withBranchZone,
      });
      await ctx.branchChanged(branch.companyId, branch.id);
      return { status: 201, body: renderService(row) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/v1/services',
    tags: ['catalog'],
    summary: 'List services (optionally of one branch or category)',
    request: { query: listServicesQuery },
    responses: { 200: { description: 'Services', schema: listOf(serviceSchema) } },
    handler: async ({ query }, ctx) => {
      const page = keysetArgs(query);
      const rows = await ctx.deps.db.service.findMany({
        ...page,
        where: {
          companyId: ctx.companyId(),
          ...(query.branchId ? { branchId: query.branchId } : {}),
          ...(query.category ? { category: query.category } : {}),
          ...page.where,
        },
        include: withBranchZone,
      });
      return { body: toPage(rows, query, (row) => catalogView(ctx.principal(), renderService(row))) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/v1/services/:id',
    tags: ['catalog'],
    summary: 'Get a service',
    request: { params: idParams },
    responses: { 200: { description: 'Service', schema: serviceSchema } },
    handler: async ({ params }, ctx) => ({ body: catalogView(ctx.principal(), renderService(await findService(ctx, params.id))) }),
  }),
  defineRoute({
    method: 'patch',
    path: '/v1/services/:id',
    tags: ['catalog'],
    summary: 'Change a service',
    description: 'The changed service must stay consistent (e.g. category flexible needs flexible). Moving it to another branch invalidates both branches.',
    request: { params: idParams, body: patchServiceBody },
    responses: { 200: { description: 'Service', schema: serviceSchema } },
    problems: ['calendar_link_invalid', 'dependency_unavailable'],
    handler: async ({ params, body }, ctx) => {
      const existing = await findService(ctx, params.id);
      const merged = { ...storedShape(existing), ...body };
      const crossErrors = serviceFieldErrors(merged);
      if (crossErrors.length > 0) throw invalid(crossErrors);
      // The other way round: a package's member may not gain seats or approval either.
      if (body.seats || body.requiresApproval === true) {
        const pkg = await ctx.deps.db.service.findFirst({ where: { companyId: existing.companyId, packageServiceIds: { has: existing.id } }, select: { id: true } });
        if (pkg) throw invalid([{ path: body.seats ? 'seats' : 'requiresApproval', message: `part of package ${pkg.id}, and packages do not support seats or approval` }]);
      }
      const branchId = body.branchId ?? existing.branchId;
      const targetBranch = branchId !== existing.branchId || body.calcomEventTypeId !== undefined ? await findBranch(ctx, branchId) : null;
      if (targetBranch) {
        const eventTypeId = body.calcomEventTypeId !== undefined ? body.calcomEventTypeId : existing.calcomEventTypeId;
        await checkCalendarLink(ctx, targetBranch, { kind: 'eventType', id: eventTypeId, field: 'calcomEventTypeId' });
      }
      await checkReferences(ctx, existing.companyId, {
        branchId,
        resourceRequirements: body.resourceRequirements ?? existing.resourceRequirements,
        packageServiceIds: body.packageServiceIds ?? existing.packageServiceIds,
        selfId: existing.id,
        consultationServiceId: body.consultationServiceId,
      });
      const { flexible, group, limits, seats, ...rest } = body;
      const row = await ctx.deps.db.service.update({
        where: { id: existing.id },
        data: {
          ...rest,
          ...(flexible !== undefined ? { flexible: flexible ?? Prisma.DbNull } : {}),
          ...(group !== undefined ? { group: group ?? Prisma.DbNull } : {}),
          ...(limits !== undefined ? { limits: limits ?? Prisma.DbNull } : {}),
          ...(seats !== undefined ? { seats: seats ?? Prisma.DbNull } : {}),
        },
        include: withBranchZone,
      });
      await ctx.branchChanged(existing.companyId, existing.branchId);
      if (branchId !== existing.branchId) await ctx.branchChanged(existing.companyId, branchId);
      return { body: renderService(row) };
    },
  }),
]);
