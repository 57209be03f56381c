/**
 * GET /v1/availability and GET /v1/availability/explain (API.md "Availability"). Handlers parse,
 * call the use case (availability.service.ts) and map; the search answer is sent as the cached
 * JSON bytes themselves (no ETag: computing one hashes the whole body per request), with
 * `X-Cache` and `X-Calendar-Status`.
 */
import { defineRoute, routeGroup } from '../route-kit';
import { availabilityServiceOf } from './availability.deps';
import { availabilityQuery, availabilityResponse, cacheHeaders, explainQuery, explainResponse, nextQuery, nextResponse } from './availability.schemas';

export const availabilityRoutes = routeGroup('availability', [
  defineRoute({
    method: 'get',
    path: '/v1/availability',
    tags: ['availability'],
    summary: 'Bookable slots for every day of a range (at most 62 days)',
    description:
      'Every day of [from, to] (branch time zone) appears, with an empty list when nothing is free. A slot is listed only if a booking at that start would pass every rule now. Busy times of staff linked to Cal.com are applied; when Cal.com cannot be reached the answer uses local data and says so in X-Calendar-Status. Answers are cached for up to 5 minutes and invalidated by every change to the branch.',
    request: { query: availabilityQuery },
    memoizeQuery: true,
    responses: { 200: { description: 'Slots per day', schema: availabilityResponse, headers: cacheHeaders } },
    async handler({ query }, ctx) {
      const answer = await availabilityServiceOf(ctx.deps).search(ctx.companyId(), query);
      // res.end, not res.send: send would hash the whole body for an ETag on every request.
      ctx.res
        .status(200)
        .set({
          'Content-Type': 'application/json; charset=utf-8',
          'Content-Length': String(answer.body.length),
          'X-Cache': answer.cache,
          'X-Calendar-Status': answer.calendar,
        })
        .end(answer.body);
    },
  }),
  defineRoute({
    method: 'get',
    path: '/v1/availability/next',
    tags: ['availability'],
    summary: 'The earliest free slots that fit (time windows, weekdays), earliest first',
    description:
      'Searches day by day from `after` (default now) for at most 62 days and stops as soon as `limit` slots are found. Time windows and weekdays are read in the branch time zone; a slot lies wholly inside one window. The same engine, rules and cache as GET /v1/availability: the answer equals the first slots of a full availability answer filtered the same way (one entry per start, its first free staff member).',
    request: { query: nextQuery },
    memoizeQuery: true,
    responses: { 200: { description: 'Earliest slots', schema: nextResponse } },
    async handler({ query }, ctx) {
      return { status: 200, body: await availabilityServiceOf(ctx.deps).next(ctx.companyId(), query) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/v1/availability/explain',
    tags: ['availability'],
    summary: 'Why a start is or is not bookable',
    description: 'Lists every reason against the start (general reasons first, then per staff member), or the free staff when it is bookable.',
    request: { query: explainQuery },
    memoizeQuery: true,
    responses: { 200: { description: 'Explanation', schema: explainResponse, headers: { 'X-Calendar-Status': cacheHeaders['X-Calendar-Status'] } } },
    async handler({ query }, ctx) {
      const { calendar, ...explanation } = await availabilityServiceOf(ctx.deps).explain(ctx.companyId(), query);
      return { status: 200, body: explanation, headers: { 'X-Calendar-Status': calendar } };
    },
  }),
  // The read path callers poll: before the other groups on the router (no other path overlaps).
], { hot: true });
