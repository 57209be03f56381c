/** Support view of calendar sync failures (API.md "Support: calendar sync failures"). */
import { id, instantOut, pageQuery, plainText } from '../common.schemas';
import { z } from '../zod';

export const SYNC_FAILURE_STATUSES = ['open', 'retrying', 'resolved'] as const;

export const listSyncFailuresQuery = pageQuery.extend({
  status: z.enum(SYNC_FAILURE_STATUSES).optional(),
  bookingId: id.optional(),
});
export type ListSyncFailuresQuery = z.infer<typeof listSyncFailuresQuery>;

export const syncFailureSchema = z
  .object({
    id,
    bookingId: id,
    operation: z.enum(['create', 'reschedule', 'cancel', 'inbound_reschedule']),
    error: z.string(),
    attempts: z.number().int(),
    status: z.enum(SYNC_FAILURE_STATUSES),
    createdAt: instantOut,
    updatedAt: instantOut,
  })
  .openapi('SyncFailure');
export type SyncFailureOut = z.infer<typeof syncFailureSchema>;

export const retryAcceptedSchema = z
  .object({ id, status: z.literal('retrying'), workflowId: z.string() })
  .openapi('SyncFailureRetry');

export const resolveBody = z
  .strictObject({ note: plainText(500).optional() })
  .optional()
  .openapi('ResolveSyncFailure', { description: 'Optional note on what was done; kept on the failure.' });
