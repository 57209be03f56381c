/**
 * Platform administration (admin key only, see api/access-policy.ts): creating a company hands
 * back its first key, a manager key, once.
 */
import { generateApiKey } from '../../infra/db/api-keys';
import { newId } from '../../infra/db/ids';
import { requireAdmin } from '../auth';
import { defineRoute, routeGroup } from '../route-kit';
import { companyCreated, createCompanyBody } from './admin.schemas';

export const adminRoutes = routeGroup('admin', [
  defineRoute({
    method: 'post',
    path: '/v1/admin/companies',
    tags: ['admin'],
    summary: 'Create a company and its first (manager) API key',
    request: { body: createCompanyBody },
    responses: { 201: { description: 'Created', schema: companyCreated } },
    handler: async ({ body }, { deps, res }) => {
      // The policy already allows only the admin key here; a handler that mints keys checks again.
      requireAdmin(res);
      const key = generateApiKey();
      const company = await deps.db.company.create({
        data: {
          id: newId('cmp'),
          name: body.name,
          country: body.country ?? 'DE',
          ...(body.currency ? { currency: body.currency } : {}),
          apiKeys: { create: { id: newId('key'), name: 'initial manager key', role: 'manager', keyHash: key.hash, prefix: key.prefix } },
        },
      });
      return { status: 201, body: { id: company.id, name: company.name, country: company.country, currency: company.currency, apiKey: key.key } };
    },
  }),
]);
