/**
 * Cal.com's webhook body (`{triggerEvent, createdAt, payload}`, payload version 2021-10-20) as far
 * as the inbound sync reads it; every other field passes through untouched.
 */
import { z } from '../zod';

const isoInstant = z.string().datetime({ offset: true });

export const calcomWebhookBody = z
  .looseObject({
    triggerEvent: z.string().min(1).max(100),
    createdAt: isoInstant,
    payload: z.looseObject({
      uid: z.string().min(1).max(200).regex(/^[A-Za-z0-9_.:-]+$/, 'must be a Cal.com booking uid'),
      startTime: isoInstant,
      endTime: isoInstant,
      metadata: z.record(z.string(), z.unknown()).nullish(),
      organizer: z.looseObject({ id: z.number().int().nullish() }).nullish(),
      hosts: z.array(z.looseObject({ id: z.number().int() })).nullish(),
      rescheduleUid: z.string().max(200).nullish(),
      cancellationReason: z.string().max(2000).nullish(),
      reschedulingReason: z.string().max(2000).nullish(),
    }),
  })
  .openapi('CalcomWebhookEvent', { description: "Cal.com's webhook delivery (signed with X-Cal-Signature-256 over the raw body)." });
export type CalcomWebhookBody = z.infer<typeof calcomWebhookBody>;

export const webhookParams = z.object({ connectionId: z.string().min(1).max(100) });

export const webhookAcceptedSchema = z
  .object({
    received: z.literal(true),
    /** false for triggers the service does not sync (answered 200 so Cal.com does not retry). */
    handled: z.boolean(),
    workflowId: z.string().nullable(),
    duplicate: z.boolean(),
  })
  .openapi('CalcomWebhookAccepted');
