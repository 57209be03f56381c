/**
 * Company API keys. Creating one is a manager action (api/access-policy.ts); the secret is
 * returned once and only its SHA-256 is stored. The list shows prefixes, never secrets or hashes.
 */
import { generateApiKey } from '../../infra/db/api-keys';
import { newId } from '../../infra/db/ids';
import { listOf, pageQuery } from '../common.schemas';
import { keysetArgs, toPage } from '../pagination';
import { defineRoute, routeGroup } from '../route-kit';
import { apiKeyCreated, apiKeySummary, createApiKeyBody } from './api-keys.schemas';

export const apiKeysRoutes = routeGroup('api-keys', [
  defineRoute({
    method: 'post',
    path: '/v1/api-keys',
    tags: ['platform'],
    summary: 'Create an API key for the caller\'s company',
    request: { body: createApiKeyBody },
    responses: { 201: { description: 'Created', schema: apiKeyCreated } },
    handler: async ({ body }, ctx) => {
      const key = generateApiKey();
      const row = await ctx.deps.db.apiKey.create({
        data: { id: newId('key'), companyId: ctx.companyId(), name: body.name, role: body.role, keyHash: key.hash, prefix: key.prefix },
      });
      return { status: 201, body: { id: row.id, name: row.name, role: body.role, apiKey: key.key } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/v1/api-keys',
    tags: ['platform'],
    summary: 'List the company\'s API keys (without secrets)',
    request: { query: pageQuery },
    responses: { 200: { description: 'Keys', schema: listOf(apiKeySummary) } },
    handler: async ({ query }, ctx) => {
      const page = keysetArgs(query);
      const rows = await ctx.deps.db.apiKey.findMany({ ...page, where: { companyId: ctx.companyId(), ...page.where } });
      return {
        body: toPage(rows, query, (k) => ({
          id: k.id, name: k.name, role: k.role, prefix: k.prefix,
          createdAt: k.createdAt.toISOString(), revokedAt: k.revokedAt?.toISOString() ?? null,
        })),
      };
    },
  }),
]);
