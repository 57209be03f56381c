/**
 * Reviews of the company (API.md "The booking after confirmation"): a staff member's reviews, and
 * the manager's hide. Customers write reviews through their self-service link
 * (`POST /v1/public/bookings/:token/review`, api/public-bookings). Roles: listing is for managers
 * and support (support reads everything); hiding is the manager's (the role table's default).
 */
import { idParams, listOf } from '../common.schemas';
import { keysetArgs, toPage } from '../pagination';
import { defineRoute, routeGroup } from '../route-kit';
import { findStaff } from '../staff/staff.routes';
import { listReviewsQuery, reviewSchema } from './reviews.schemas';
import { hideReview, renderReview } from './reviews.service';

export const reviewsRoutes = routeGroup('reviews', [
  defineRoute({
    method: 'get',
    path: '/v1/staff/:id/reviews',
    tags: ['reviews'],
    summary: "A staff member's reviews, oldest first (hidden ones only with includeHidden=true)",
    request: { params: idParams, query: listReviewsQuery },
    responses: { 200: { description: 'Reviews', schema: listOf(reviewSchema) } },
    handler: async ({ params, query }, ctx) => {
      const staff = await findStaff(ctx, params.id);
      const page = keysetArgs(query);
      const rows = await ctx.deps.db.review.findMany({
        ...page,
        where: { companyId: ctx.companyId(), staffId: staff.id, ...(query.includeHidden ? {} : { hiddenAt: null }), ...page.where },
      });
      return { body: toPage(rows, query, (row) => renderReview(row, staff.branch.timezone)) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/v1/reviews/:id/hide',
    tags: ['reviews'],
    summary: 'Hide a review (manager): it leaves the staff rating and public lists',
    request: { params: idParams },
    responses: { 200: { description: 'Hidden', schema: reviewSchema } },
    handler: async ({ params }, ctx) => {
      const row = await hideReview(ctx.deps.db, ctx.companyId(), params.id, ctx.now());
      const branch = await ctx.deps.db.branch.findFirst({ where: { id: row.branchId, companyId: row.companyId }, select: { timezone: true } });
      return { body: renderReview(row, branch?.timezone ?? 'UTC') };
    },
  }),
]);
