import { ROLES } from '../access-policy';
import { z } from '../zod';

export const role = z.enum(ROLES).openapi({ description: 'manager: everything; booking: availability, customers, bookings, series, waiting list; support: read everything, retry sync failures' });

export const createApiKeyBody = z.strictObject({ name: z.string().trim().min(1).max(200), role }).openapi('CreateApiKey');

export const apiKeyCreated = z
  .object({ id: z.string(), name: z.string(), role, apiKey: z.string().openapi({ description: 'Shown once; only its hash is stored' }) })
  .openapi('ApiKeyCreated');

export const apiKeySummary = z
  .object({ id: z.string(), name: z.string(), role, prefix: z.string(), createdAt: z.string(), revokedAt: z.string().nullable() })
  .openapi('ApiKey');
