/**
 * Customers of the caller's company: create, read, list, change, block and unblock. Customers
 * affect no branch's availability, so no change here invalidates the availability cache; booking
 * code reads `blocked` when a booking is made. Instants are rendered in the customer's own zone
 * (UTC when none is known).
 */
import type { Customer } from '../../infra/db/prisma';
import { newId } from '../../infra/db/ids';
import { formatInstant, idParams, listOf } from '../common.schemas';
import { notFound } from '../error-handler';
import { keysetArgs, toPage } from '../pagination';
import { defineRoute, routeGroup, type RouteContext } from '../route-kit';
import {
  blockBody, createCustomerBody, customerSchema, listCustomersQuery, patchCustomerBody, type CustomerOut,
} from './customers.schemas';

export function renderCustomer(row: Customer): CustomerOut {
  const zone = row.timezone ?? 'UTC';
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    phone: row.phone,
    language: row.language,
    timezone: row.timezone,
    blocked: row.blocked,
    blockedReason: row.blockedReason,
    createdAt: formatInstant(row.createdAt, zone),
    updatedAt: formatInstant(row.updatedAt, zone),
  };
}

async function findCustomer(ctx: RouteContext, customerId: string): Promise<Customer> {
  const row = await ctx.deps.db.customer.findFirst({ where: { id: customerId, companyId: ctx.companyId() } });
  if (!row) throw notFound('Customer', customerId);
  return row;
}

async function setBlocked(ctx: RouteContext, customerId: string, blocked: boolean, reason?: string): Promise<CustomerOut> {
  const existing = await findCustomer(ctx, customerId);
  const row = await ctx.deps.db.customer.update({
    where: { id: existing.id },
    data: { blocked, blockedReason: blocked ? (reason ?? null) : null },
  });
  ctx.req.log?.info({ customerId, blocked, reason }, blocked ? 'customer blocked' : 'customer unblocked');
  return renderCustomer(row);
}

export const customersRoutes = routeGroup('customers', [
  defineRoute({
    method: 'post',
    path: '/v1/customers',
    tags: ['customers'],
    summary: 'Create a customer',
    request: { body: createCustomerBody },
    responses: { 201: { description: 'Created', schema: customerSchema } },
    handler: async ({ body }, ctx) => {
      const row = await ctx.deps.db.customer.create({
        data: {
          id: newId('cus'),
          companyId: ctx.companyId(),
          name: body.name,
          email: body.email ?? null,
          phone: body.phone ?? null,
          language: body.language ?? null,
          timezone: body.timezone ?? null,
        },
      });
      return { status: 201, body: renderCustomer(row) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/v1/customers',
    tags: ['customers'],
    summary: 'List customers (optionally by e-mail, phone, blocked flag or a search text)',
    request: { query: listCustomersQuery },
    responses: { 200: { description: 'Customers', schema: listOf(customerSchema) } },
    handler: async ({ query }, ctx) => {
      const page = keysetArgs(query);
      const rows = await ctx.deps.db.customer.findMany({
        ...page,
        where: {
          companyId: ctx.companyId(),
          ...(query.email ? { email: { equals: query.email, mode: 'insensitive' as const } } : {}),
          ...(query.phone ? { phone: query.phone } : {}),
          ...(query.blocked !== undefined ? { blocked: query.blocked } : {}),
          // The front desk's search box: a part of the name, e-mail or phone, any case.
          ...(query.q
            ? { OR: (['name', 'email', 'phone'] as const).map((field) => ({ [field]: { contains: query.q, mode: 'insensitive' as const } })) }
            : {}),
          ...page.where,
        },
      });
      return { body: toPage(rows, query, renderCustomer) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/v1/customers/:id',
    tags: ['customers'],
    summary: 'Get a customer',
    request: { params: idParams },
    responses: { 200: { description: 'Customer', schema: customerSchema } },
    handler: async ({ params }, ctx) => ({ body: renderCustomer(await findCustomer(ctx, params.id)) }),
  }),
  defineRoute({
    method: 'patch',
    path: '/v1/customers/:id',
    tags: ['customers'],
    summary: 'Change a customer',
    request: { params: idParams, body: patchCustomerBody },
    responses: { 200: { description: 'Customer', schema: customerSchema } },
    handler: async ({ params, body }, ctx) => {
      const existing = await findCustomer(ctx, params.id);
      const row = await ctx.deps.db.customer.update({ where: { id: existing.id }, data: body });
      return { body: renderCustomer(row) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/v1/customers/:id/block',
    tags: ['customers'],
    summary: 'Block a customer from booking',
    description: 'Idempotent: blocking a blocked customer replaces the reason.',
    request: { params: idParams, body: blockBody },
    responses: { 200: { description: 'Customer', schema: customerSchema } },
    handler: async ({ params, body }, ctx) => ({ body: await setBlocked(ctx, params.id, true, body?.reason) }),
  }),
  defineRoute({
    method: 'post',
    path: '/v1/customers/:id/unblock',
    tags: ['customers'],
    summary: 'Allow a blocked customer to book again',
    description: 'Idempotent. Clears the block reason; the unblock reason is logged.',
    request: { params: idParams, body: blockBody },
    responses: { 200: { description: 'Customer', schema: customerSchema } },
    handler: async ({ params, body }, ctx) => ({ body: await setBlocked(ctx, params.id, false, body?.reason) }),
  }),
]);
