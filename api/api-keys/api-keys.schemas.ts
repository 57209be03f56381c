import { name } from '../common.schemas';
import { ROLES } from '../access-policy';
import { z } from '../zod';

export const role = z.enum(ROLES).openapi({
  description:
    'manager: everything of the company; booking: catalog reads (public fields), availability, reservations, customers (no e-mail change, no block), bookings, series, waiting list; ' +
    'support: read everything, retry and resolve sync failures; public: a publishable key (pk_live_...) for web pages: catalog reads (public fields), availability, reservations, public bookings',
});

export const createApiKeyBody = z.strictObject({ name, role }).openapi('CreateApiKey');

export const apiKeyCreated = z
  .object({ id: z.string(), name: z.string(), role, apiKey: z.string().openapi({ description: 'Shown once; only its hash is stored' }) })
  .openapi('ApiKeyCreated');

export const apiKeySummary = z
  .object({ id: z.string(), name: z.string(), role, prefix: z.string(), createdAt: z.string(), revokedAt: z.string().nullable() })
  .openapi('ApiKey');

export const apiKeyRevoked = z.object({ id: z.string(), revokedAt: z.string().openapi({ format: 'date-time' }) }).openapi('ApiKeyRevoked');
