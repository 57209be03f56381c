import { WEBHOOK_EVENTS } from '../../domain/webhooks/webhook-events';
import { id, instantOut, pageQuery } from '../common.schemas';
import { z } from '../zod';

const printable = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), 'must not contain control characters');

const url = z.string().trim().url().max(2000).openapi({
  example: 'https://partner.example.com/hooks/bookings',
  description: 'In production https:// only, resolving to public addresses only (checked again at every delivery). Outside production, or with WEBHOOKS_ALLOW_PRIVATE=1, http://127.0.0.1 is allowed.',
});
const events = z
  .array(z.enum(WEBHOOK_EVENTS))
  .min(1)
  .max(WEBHOOK_EVENTS.length)
  .refine((list) => new Set(list).size === list.length, 'events must not repeat')
  .openapi({ description: 'Events this endpoint receives.' });

export const createEndpointBody = z.strictObject({ url, events, description: printable(500).optional() }).openapi('CreateWebhookEndpoint');
export const patchEndpointBody = z
  .strictObject({ url: url.optional(), events: events.optional(), description: printable(500).nullable().optional() })
  .openapi('PatchWebhookEndpoint');

export const endpointSchema = z
  .object({ id, url: z.string(), events: z.array(z.enum(WEBHOOK_EVENTS)), description: z.string().nullable(), createdAt: instantOut, updatedAt: instantOut })
  .openapi('WebhookEndpoint');

export const createdEndpointSchema = endpointSchema
  .extend({ secret: z.string().openapi({ description: 'The signing secret (whsec_...), shown only in this answer. Verify with any Standard Webhooks library.', example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }) })
  .openapi('CreatedWebhookEndpoint');

export const deletedEndpointSchema = z.object({ id, deleted: z.literal(true) }).openapi('DeletedWebhookEndpoint');

export const deliverySchema = z
  .object({
    id: id.openapi({ description: 'Also the webhook-id header of every attempt of this delivery.' }),
    event: z.enum(WEBHOOK_EVENTS),
    subjectId: z.string().openapi({ description: 'The booking (also for its sync failures) or waiting-list entry; order holds per subject.' }),
    status: z.enum(['pending', 'delivered', 'failed']),
    attempts: z.number().int(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    lastAttemptAt: instantOut.nullable(),
    nextAttemptAt: instantOut.nullable(),
    deliveredAt: instantOut.nullable(),
    createdAt: instantOut,
  })
  .openapi('WebhookDelivery');

export const listDeliveriesQuery = pageQuery.extend({ status: z.enum(['pending', 'delivered', 'failed']).optional() });

export const deliveryParams = z.object({ id, deliveryId: id });

export const retryAcceptedSchema = z.object({ id, status: z.literal('pending'), workflowId: z.string() }).openapi('WebhookRetryAccepted');
