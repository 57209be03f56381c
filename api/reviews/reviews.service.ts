/**
 * Reviews: written once per completed booking by its customer (through the self-service token),
 * listed per staff member, hidden by a manager. The staff rating counts visible reviews only.
 * Uniqueness is the database's (reviews.booking_id is unique): two concurrent reviews of one
 * booking make one row and one 409.
 */
import type { Db, Review } from '../../infra/db/prisma';
import { newId } from '../../infra/db/ids';
import { formatInstant } from '../common.schemas';
import { ApiError, notFound } from '../error-handler';
import type { ReviewOut, StaffRating } from './reviews.schemas';

export function renderReview(row: Review, zone: string): ReviewOut {
  return {
    id: row.id,
    bookingId: row.bookingId,
    branchId: row.branchId,
    staffId: row.staffId,
    serviceId: row.serviceId,
    rating: row.rating,
    comment: row.comment,
    hidden: row.hiddenAt !== null,
    hiddenAt: row.hiddenAt ? formatInstant(row.hiddenAt, zone) : null,
    createdAt: formatInstant(row.createdAt, zone),
  };
}

interface ReviewedBooking {
  id: string;
  companyId: string;
  branchId: string;
  staffId: string;
  serviceId: string;
  customerId: string | null;
  status: string;
}

/** The review of a completed booking, once: 409 invalid_state before completion, 409 already_reviewed after the first. */
export async function createReview(db: Db, booking: ReviewedBooking, input: { rating: number; comment?: string }): Promise<Review> {
  if (booking.status !== 'completed') {
    throw new ApiError('invalid_state', `A ${booking.status} booking cannot be reviewed: reviews open once the appointment is completed`);
  }
  const rows = await db.$queryRaw<Review[]>`
    INSERT INTO reviews (id, company_id, booking_id, branch_id, staff_id, service_id, customer_id, rating, comment)
    VALUES (${newId('rev')}, ${booking.companyId}, ${booking.id}, ${booking.branchId}, ${booking.staffId}, ${booking.serviceId},
      ${booking.customerId ?? ''}, ${input.rating}, ${input.comment ?? null})
    ON CONFLICT (booking_id) DO NOTHING
    RETURNING id, company_id AS "companyId", booking_id AS "bookingId", branch_id AS "branchId", staff_id AS "staffId",
      service_id AS "serviceId", customer_id AS "customerId", rating, comment, hidden_at AS "hiddenAt", created_at AS "createdAt"`;
  if (rows.length === 0) throw new ApiError('already_reviewed', 'This booking has been reviewed already');
  return rows[0]!;
}

/** Hides a review of the company (idempotent: a hidden one keeps its first hiddenAt). */
export async function hideReview(db: Db, companyId: string, reviewId: string, now: Date): Promise<Review> {
  await db.review.updateMany({ where: { id: reviewId, companyId, hiddenAt: null }, data: { hiddenAt: now } });
  const row = await db.review.findFirst({ where: { id: reviewId, companyId } });
  if (!row) throw notFound('Review', reviewId);
  return row;
}

/** Average (2 decimals) and count of the visible reviews of each staff member asked about. */
export async function staffRatings(db: Db, companyId: string, staffIds: string[]): Promise<Map<string, StaffRating>> {
  const out = new Map<string, StaffRating>(staffIds.map((id) => [id, { average: null, count: 0 }]));
  if (staffIds.length === 0) return out;
  const groups = await db.review.groupBy({
    by: ['staffId'],
    where: { companyId, staffId: { in: staffIds }, hiddenAt: null },
    _avg: { rating: true },
    _count: { _all: true },
  });
  for (const g of groups) {
    const avg = g._avg.rating;
    out.set(g.staffId, { average: avg === null ? null : Math.round(avg * 100) / 100, count: g._count._all });
  }
  return out;
}
