/**
 * Customers of the caller's company: create, read, list, change, block and unblock. Customers
 * affect no branch's availability, so no change here invalidates the availability cache; booking
 * code reads `blocked` when a booking is made. Instants are rendered in the customer's own zone
 * (UTC when none is known).
 */
import type { Customer, Db } from '../../infra/db/prisma';
import { isUniqueViolation } from '../../infra/db/errors';
import { answerOnce, successReply } from '../idempotency';
import { idempotencyHeaders, replayedHeader } from '../bookings/bookings.schemas';
import { claimKeys, findOrCreateCustomer, releaseKeys, type KeyKind } from './customer-keys';
import { companyCountry, e164OrInvalid } from './phone';
import { newId } from '../../infra/db/ids';
import { idParams, listOf } from '../common.schemas';
import { renderCustomer } from './customer-render';
import { BOOKING_ROLE_CUSTOMER_FIELDS, type Principal } from '../access-policy';
import { ApiError, notFound } from '../error-handler';
import { keysetArgs, toPage } from '../pagination';
import { defineRoute, routeGroup, type RouteContext } from '../route-kit';
import {
  blockBody, createCustomerBody, customerSchema, findOrCreateBody, foundCustomerSchema, listCustomersQuery, patchCustomerBody,
  type CreateCustomer, type CustomerOut,
} from './customers.schemas';

/** Inserts the customer (phone already E.164) and claims its free keys, in one transaction. A repeat on the same id answers the stored row. */
async function createCustomer(db: Db, companyId: string, id: string, body: CreateCustomer & { phone: string | null }): Promise<Customer> {
  try {
    return await db.$transaction(async (tx) => {
      const row = await tx.customer.create({
        data: { id, companyId, name: body.name, email: body.email ?? null, phone: body.phone, language: body.language ?? null, timezone: body.timezone ?? null },
      });
      await claimKeys(tx, companyId, row.id, row);
      return row;
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // A concurrent repeat of the same Idempotency-Key created this id first.
    const row = await db.customer.findFirst({ where: { id, companyId } });
    if (!row) throw error;
    return row;
  }
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

/** A booking key may re-point no customer's e-mail (all their confirmations would go elsewhere). */
function assertMayPatch(principal: Principal, body: object): void {
  if (principal.kind !== 'company' || principal.role !== 'booking') return;
  const refused = Object.keys(body).filter((field) => !(BOOKING_ROLE_CUSTOMER_FIELDS as readonly string[]).includes(field));
  if (refused.length > 0) throw new ApiError('forbidden', `A booking key may not change ${refused.join(', ')}`);
}

/** `%`, `_` and the escape character itself, escaped for a LIKE/ILIKE pattern (default escape `\`). */
export const escapeLike = (value: string) => value.replace(/[\\%_]/g, '\\$&');

export const customersRoutes = routeGroup('customers', [
  defineRoute({
    method: 'post',
    path: '/v1/customers',
    tags: ['customers'],
    summary: 'Create a customer',
    description:
      'The phone number is stored in E.164 (national spellings read with the company country). With Idempotency-Key a repeat (also a concurrent one) answers the first answer and creates no second customer.',
    request: { body: createCustomerBody, headers: idempotencyHeaders },
    responses: { 201: { description: 'Created', schema: customerSchema, headers: replayedHeader } },
    problems: ['idempotency_key_reused'],
    handler: async ({ body, headers }, ctx) => {
      const { db } = ctx.deps;
      const companyId = ctx.companyId();
      const phone = body.phone ? e164OrInvalid(body.phone, await companyCountry(db, companyId), 'phone') : null;
      const { answer, replayed } = await answerOnce(
        { db, companyId, scope: 'POST /v1/customers', key: headers['idempotency-key'], body: ctx.req.body, newResourceId: () => newId('cus'), now: ctx.now() },
        async (customerId) => ({ answer: { status: 201, body: renderCustomer(await createCustomer(db, companyId, customerId, { ...body, phone })) }, final: true }),
        () => true,
      );
      return successReply(answer, replayed);
    },
  }),
  defineRoute({
    method: 'post',
    path: '/v1/customers/find-or-create',
    tags: ['customers'],
    summary: 'Find a customer by phone (or e-mail), or create one',
    description:
      'Phone first, then e-mail; any spelling of the same number finds it. 200 with created:false when found, 201 with created:true when made. Concurrent calls for one number make one customer. Without a name the new customer is named after the number (or address).',
    request: { body: findOrCreateBody },
    responses: {
      200: { description: 'Found', schema: foundCustomerSchema },
      201: { description: 'Created', schema: foundCustomerSchema },
    },
    handler: async ({ body }, ctx) => {
      const { db } = ctx.deps;
      const companyId = ctx.companyId();
      const phone = body.phone ? e164OrInvalid(body.phone, await companyCountry(db, companyId), 'phone') : null;
      const email = body.email ?? null;
      const { customer, created } = await findOrCreateCustomer(db, companyId, {
        name: body.name ?? phone ?? email ?? 'Customer',
        phone,
        email,
        language: body.language ?? null,
      });
      return { status: created ? 201 : 200, body: { ...renderCustomer(customer), created } };
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
      const phone = query.phone ? e164OrInvalid(query.phone, await companyCountry(ctx.deps.db, ctx.companyId()), 'phone') : null;
      const rows = await ctx.deps.db.customer.findMany({
        ...page,
        where: {
          companyId: ctx.companyId(),
          // Prisma writes a case-insensitive `equals` as ILIKE: escape its wildcards so the
          // filter stays an exact match ('%' must not list every customer).
          ...(query.email ? { email: { equals: escapeLike(query.email), mode: 'insensitive' as const } } : {}),
          ...(phone ? { phone } : {}),
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
    description: 'Booking keys may change name, phone, language and timezone only (email: 403 forbidden, nothing changed).',
    handler: async ({ params, body }, ctx) => {
      assertMayPatch(ctx.principal(), body);
      const existing = await findCustomer(ctx, params.id);
      const companyId = ctx.companyId();
      const phone = body.phone ? e164OrInvalid(body.phone, await companyCountry(ctx.deps.db, companyId), 'phone') : body.phone;
      const row = await ctx.deps.db.$transaction(async (tx) => {
        const updated = await tx.customer.update({ where: { id: existing.id }, data: { ...body, phone } });
        const changed: KeyKind[] = [
          ...(updated.phone !== existing.phone ? ['phone' as const] : []),
          ...(updated.email?.toLowerCase() !== existing.email?.toLowerCase() ? ['email' as const] : []),
        ];
        await releaseKeys(tx, companyId, existing.id, changed);
        await claimKeys(tx, companyId, existing.id, { phone: changed.includes('phone') ? updated.phone : null, email: changed.includes('email') ? updated.email : null });
        return updated;
      });
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
