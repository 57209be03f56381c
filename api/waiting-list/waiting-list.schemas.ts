/**
 * Request and response schemas of the waiting-list endpoints (API.md "Waiting list"). Every
 * cross-field problem (to before from, expiry in the past) is reported in the same 400 as the
 * shape errors; the expiry is checked against the wall clock here and against the request's
 * `now` again in the handler.
 */
import { date, id, instant, instantOut, pageQuery, timeInterval } from '../common.schemas';
import { z } from '../zod';

export const createWaitlistBody = z
  .strictObject({
    branchId: id,
    serviceId: id,
    customerId: id,
    staffId: id.optional(),
    from: date.openapi({ description: 'First day; within the branch\'s advance window (maxAdvanceDays) (a rule across fields, which JSON Schema cannot state: 400 validation_error)' }),
    to: date.openapi({ description: 'Last day; not before `from`, within the branch\'s advance window (a rule across fields, which JSON Schema cannot state: 400 validation_error)' }),
    timeWindows: z.array(timeInterval).max(24).default([]),
    autoBook: z.boolean().default(false),
    expiresAt: instant.optional().openapi({ description: 'Default: 30 days from now; must lie ahead, at most 90 days (a rule on the clock, which JSON Schema cannot state: 400 validation_error)' }),
  })
  .superRefine((body, ctx) => {
    if (typeof body.from === 'string' && typeof body.to === 'string' && body.to < body.from) {
      ctx.addIssue({ code: 'custom', message: 'must not be before from', path: ['to'] });
    }
    if (body.expiresAt instanceof Date && body.expiresAt.getTime() <= Date.now()) {
      ctx.addIssue({ code: 'custom', message: 'must be in the future', path: ['expiresAt'] });
    }
  }, { when: (payload) => typeof payload.value === 'object' && payload.value !== null })
  .openapi('CreateWaitingListEntry');
export type CreateWaitlistBody = z.infer<typeof createWaitlistBody>;

export const WAITLIST_STATUSES = ['waiting', 'notified', 'booked', 'expired', 'cancelled'] as const;

export const listWaitlistQuery = pageQuery.extend({
  customerId: id.optional(),
  branchId: id.optional(),
  status: z.enum(WAITLIST_STATUSES).optional(),
});
export type ListWaitlistQuery = z.infer<typeof listWaitlistQuery>;

const offerOut = z.object({ start: instantOut, end: instantOut, staffId: id });

export const waitlistEntrySchema = z
  .object({
    id,
    status: z.enum(WAITLIST_STATUSES),
    branchId: id,
    serviceId: id,
    customerId: id,
    staffId: id.nullable(),
    from: z.string(),
    to: z.string(),
    timeWindows: z.array(z.object({ start: z.string(), end: z.string() })),
    autoBook: z.boolean(),
    offers: z.array(offerOut),
    bookingId: id.nullable(),
    notificationsSent: z.number().int(),
    workflowId: z.string(),
    expiresAt: instantOut,
    createdAt: instantOut,
  })
  .openapi('WaitingListEntry');
