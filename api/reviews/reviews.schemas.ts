/** Reviews (API.md "The booking after confirmation"): one per completed booking, hideable by a manager. */
import { id, instantOut, pageQuery } from '../common.schemas';
import { z } from '../zod';

export const reviewSchema = z
  .object({
    id,
    bookingId: id,
    branchId: id,
    staffId: id,
    serviceId: id,
    rating: z.number().int().min(1).max(5),
    comment: z.string().nullable(),
    hidden: z.boolean().openapi({ description: 'Hidden by a manager: not shown to customers, not counted in the staff rating' }),
    hiddenAt: instantOut.nullable(),
    createdAt: instantOut,
  })
  .openapi('Review');
export type ReviewOut = z.infer<typeof reviewSchema>;

export const listReviewsQuery = pageQuery.extend({
  includeHidden: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true')
    .openapi({ type: 'string', enum: ['true', 'false'], description: 'Also list hidden reviews (default false)' }),
});

export const staffRatingSchema = z
  .object({
    average: z.number().nullable().openapi({ description: 'Mean of the visible reviews, 2 decimals; null without any' }),
    count: z.number().int(),
  })
  .openapi('StaffRating');
export type StaffRating = z.infer<typeof staffRatingSchema>;
