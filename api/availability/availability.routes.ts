/**
 * GET /v1/availability and GET /v1/availability/explain (API.md "Availability"). Handlers parse,
 * call the use case (availability.service.ts) and map; the search answer is sent as the cached
 * JSON bytes themselves with the entry's ETag (hashed once per cached entry, not per request),
 * `X-Cache` and `X-Calendar-Status`; a matching If-None-Match is a 304 without the body. A client
 * that accepts br or gzip gets the entry's stored compressed copy (encoded-body.ts).
 */
import { defineRoute, routeGroup } from '../route-kit';
import { availabilityServiceOf } from './availability.deps';
import { encodedBody, preferredEncoding } from './encoded-body';
import { nextSlotsJson } from './next-slots';
import { availabilityQuery, availabilityResponse, cacheHeaders, explainQuery, explainResponse, nextQuery, nextResponse } from './availability.schemas';

const contentEncodingHeader = {
  description:
    'br or gzip when Accept-Encoding allows it and the answer is over 1 KB: the stored compressed copy of the cached answer, with an ETag of its own (the identity tag with -br or -gzip appended). The first answer of a new cache entry may come uncompressed.',
  schema: { type: 'string' as const, enum: ['br', 'gzip'] },
};
const varyHeader = { description: 'Accept-Encoding (and Origin for CORS requests): caches keep one copy per encoding', schema: { type: 'string' as const } };
const etagHeader = { description: 'Tag of the answer body; send it as If-None-Match to get a 304 while the answer is unchanged', schema: { type: 'string' as const } };

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
    responses: {
      200: { description: 'Slots per day', schema: availabilityResponse, headers: { ...cacheHeaders, ETag: etagHeader, 'Content-Encoding': contentEncodingHeader, Vary: varyHeader } },
      304: { description: 'Not modified: the answer still has the ETag sent in If-None-Match (no body)', headers: { ...cacheHeaders, ETag: etagHeader } },
    },
    async handler({ query }, ctx) {
      const answer = await availabilityServiceOf(ctx.deps).search(ctx.companyId(), query);
      // Written by hand, not res.send: send would hash the whole body for its ETag on every
      // request, and res.set runs a MIME lookup for a Content-Type that never changes.
      const { req, res } = ctx;
      // The stored compressed copy when the client takes one and it is ready (encoded-body.ts).
      const encoding = preferredEncoding(req);
      const encoded = encoding === undefined ? undefined : encodedBody(answer.entry, answer.body, answer.etag, encoding);
      if (res.hasHeader('Vary')) res.vary('Accept-Encoding');
      else res.setHeader('Vary', 'Accept-Encoding');
      res.setHeader('ETag', encoded?.etag ?? answer.etag);
      res.setHeader('X-Cache', answer.cache);
      res.setHeader('X-Calendar-Status', answer.calendar);
      if (req.headers['if-none-match'] !== undefined && req.fresh) {
        res.statusCode = 304;
        res.end();
        return;
      }
      const body = encoded?.body ?? answer.body;
      res.statusCode = 200;
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      if (encoded) res.setHeader('Content-Encoding', encoded.encoding);
      res.setHeader('Content-Length', body.length);
      res.end(body);
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
      return { status: 200, json: nextSlotsJson(await availabilityServiceOf(ctx.deps).next(ctx.companyId(), query)) };
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
