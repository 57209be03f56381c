/**
 * Recurring series (API.md "Recurring series"): POST /v1/series (201 done within the wait budget,
 * else 202; Idempotency-Key honoured), GET /v1/series/:id (live progress), POST /v1/series/:id/cancel.
 */
import { idempotencyHeaders, replayedHeader } from '../bookings/bookings.schemas';
import { idParams } from '../common.schemas';
import { defineRoute, routeGroup } from '../route-kit';
import { cancelSeries, createSeries, renderSeriesById } from './series.service';
import { cancelSeriesBody, createSeriesBody, seriesSchema } from './series.schemas';

export const seriesRoutes = routeGroup('series', [
  defineRoute({
    method: 'post',
    path: '/v1/series',
    tags: ['series'],
    summary: 'Book a recurring series',
    description:
      'Expands the recurrence in the branch time zone (the local time of `start` is kept across DST) and books every occurrence through the booking saga. 201 when every occurrence is processed within BOOKING_WAIT_MS, else 202 with `status: running` (occurrences still `pending`); poll GET /v1/series/{id}. With Idempotency-Key a repeat never writes a second series: it replays the stored 201 or, after a 202, joins the running workflow.',
    request: { body: createSeriesBody, headers: idempotencyHeaders },
    responses: {
      201: { description: 'Series processed', schema: seriesSchema, headers: replayedHeader },
      202: { description: 'Series still running', schema: seriesSchema, headers: replayedHeader },
    },
    problems: ['idempotency_key_reused', 'dependency_unavailable'],
    handler: async ({ body, headers }, ctx) => createSeries(ctx, body, headers['idempotency-key']),
  }),
  defineRoute({
    method: 'get',
    path: '/v1/series/:id',
    tags: ['series'],
    summary: 'Get a series with the progress of its occurrences',
    request: { params: idParams },
    responses: { 200: { description: 'Series', schema: seriesSchema } },
    handler: async ({ params }, ctx) => ({ body: await renderSeriesById(ctx, params.id) }),
  }),
  defineRoute({
    method: 'post',
    path: '/v1/series/:id/cancel',
    tags: ['series'],
    summary: 'Cancel the booked occurrences from `from` on',
    description: 'Cancels every booked occurrence starting at or after `from` (default: now) and stops booking further ones. 200 when done within the wait budget, else 202.',
    request: { params: idParams, body: cancelSeriesBody },
    responses: { 200: { description: 'Series after the cancellation', schema: seriesSchema }, 202: { description: 'Cancellation still running', schema: seriesSchema } },
    problems: ['dependency_unavailable'],
    handler: async ({ params, body }, ctx) => cancelSeries(ctx, params.id, body),
  }),
]);
