import { id, instantOut, pageQuery } from '../common.schemas';
import { z } from '../zod';

// Printable text only: a key or name with control characters (CR, LF, NUL, ...) is refused.
const printable = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), 'must not contain control characters');

export const createConnectionBody = z
  .strictObject({
    name: printable(200),
    provider: z.literal('calcom'),
    baseUrl: z.string().trim().url().max(500).openapi({ example: 'https://api.cal.com' }),
    apiKey: printable(500).openapi({ description: 'The Cal.com API key of the account. Write-only: never returned or logged.', example: 'cal_live_…' }),
  })
  .openapi('CreateCalendarConnection');

export const patchConnectionBody = z
  .strictObject({
    name: printable(200).optional(),
    apiKey: printable(500).optional().openapi({ description: 'A new key of the same Cal.com account (verified with GET /v2/me).' }),
  })
  .openapi('PatchCalendarConnection');

export const listConnectionsQuery = pageQuery;

export const connectionSchema = z
  .object({
    id,
    name: z.string(),
    provider: z.literal('calcom'),
    baseUrl: z.string(),
    status: z.enum(['active']),
    account: z.object({ id: z.number().int(), email: z.string().nullable() }),
    webhookUrl: z.string(),
    webhookRegistered: z.boolean(),
    lastReconciledAt: instantOut.nullable(),
    drift: z.object({ repaired: z.number().int(), open: z.number().int() }),
    createdAt: instantOut,
    updatedAt: instantOut,
  })
  .openapi('CalendarConnection');

export const deletedConnectionSchema = z.object({ id, deleted: z.literal(true), unlinkedBranchIds: z.array(id) }).openapi('DeletedCalendarConnection');

export const reconcileAcceptedSchema = z.object({ workflowId: z.string() }).openapi('ReconcileAccepted');
