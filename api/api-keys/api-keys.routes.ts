/**
 * Company API keys. Creating and revoking one are manager actions (api/access-policy.ts); the
 * secret is returned once and only its SHA-256 is stored. The list shows prefixes, never secrets
 * or hashes. A revocation is published to every API process (deps.revocations), which drop the
 * key from their caches at once; without that bus they cache keys for about a second only.
 */
import { generateApiKey } from '../../infra/db/api-keys';
import { newId } from '../../infra/db/ids';
import { idParams, listOf, pageQuery } from '../common.schemas';
import { notFound } from '../error-handler';
import { keysetArgs, toPage } from '../pagination';
import { defineRoute, routeGroup } from '../route-kit';
import { apiKeyCreated, apiKeyRevoked, apiKeySummary, createApiKeyBody } from './api-keys.schemas';

export const apiKeysRoutes = routeGroup('api-keys', [
  defineRoute({
    method: 'post',
    path: '/v1/api-keys',
    tags: ['platform'],
    summary: 'Create an API key for the caller\'s company',
    request: { body: createApiKeyBody },
    responses: { 201: { description: 'Created', schema: apiKeyCreated } },
    handler: async ({ body }, ctx) => {
      const key = generateApiKey(body.role);
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
  defineRoute({
    method: 'delete',
    path: '/v1/api-keys/:id',
    tags: ['platform'],
    summary: 'Revoke an API key',
    description:
      'Every API process refuses the key (401) within 2 seconds. Idempotent: revoking a revoked key answers its first revocation time.',
    request: { params: idParams },
    responses: { 200: { description: 'Revoked', schema: apiKeyRevoked } },
    handler: async ({ params }, ctx) => {
      const companyId = ctx.companyId();
      const existing = await ctx.deps.db.apiKey.findFirst({ where: { id: params.id, companyId } });
      if (!existing) throw notFound('API key', params.id);
      // Only the first revocation sets the time (concurrent DELETEs agree on it).
      await ctx.deps.db.apiKey.updateMany({ where: { id: existing.id, companyId, revokedAt: null }, data: { revokedAt: ctx.now() } });
      const row = await ctx.deps.db.apiKey.findFirstOrThrow({ where: { id: existing.id, companyId } });
      try {
        await ctx.deps.revocations?.publish(row.keyHash);
      } catch (err) {
        // Without Redis the other processes hold the key for their short fallback TTL only.
        ctx.req.log.warn({ err: (err as Error).message, keyId: row.id }, 'revocation not published: processes rely on the short key cache');
      }
      return { body: { id: row.id, revokedAt: row.revokedAt!.toISOString() } };
    },
  }),
]);
