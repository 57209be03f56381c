/**
 * Waiting list (API.md "Waiting list"): POST writes the entry and starts its monitor workflow
 * (`waitlist-<entryId>`; Idempotency-Key honoured, waiting-list.service.ts), GET lists entries or
 * reads one (kept current by the monitor's activities), DELETE closes it as `cancelled` at once
 * and tells the monitor to end.
 */
import { cancelWaitlistSignal } from '../../workflows/waitlist-monitor.contract';
import { temporalOf } from '../bookings/booking-answers';
import { assertReachable } from '../../infra/temporal/start-and-await';
import { idempotencyHeaders, replayedHeader } from '../bookings/bookings.schemas';
import { idParams, listOf } from '../common.schemas';
import { ApiError } from '../error-handler';
import { defineRoute, routeGroup } from '../route-kit';
import { createWaitlistEntry, findEntry, listWaitlistEntries, renderEntry } from './waiting-list.service';
import { createWaitlistBody, listWaitlistQuery, waitlistEntrySchema } from './waiting-list.schemas';

const OPEN = ['waiting', 'notified'];

export const waitingListRoutes = routeGroup('waiting-list', [
  defineRoute({
    method: 'post',
    path: '/v1/waiting-list',
    tags: ['waiting-list'],
    summary: 'Put a customer on the waiting list',
    description:
      'Starts a monitor that checks at once, whenever a booking of the branch is cancelled or moved, and every WAITLIST_CHECK_INTERVAL. With `autoBook` it books the first fair match; otherwise it emails up to 3 new offers per match and keeps watching. With Idempotency-Key a repeat replays the 201 and never writes a second entry or monitor. ' +
      'Bounds (400 unless said otherwise): `from` not before today and `to` not after today + the branch\'s maxAdvanceDays (branch time), `to` not before `from`; `expiresAt` in the future and at most 90 days ahead; at most 10 open (waiting or notified) entries per customer (409 waitlist_limit_reached).',
    request: { body: createWaitlistBody, headers: idempotencyHeaders },
    responses: { 201: { description: 'Waiting', schema: waitlistEntrySchema, headers: replayedHeader } },
    problems: ['idempotency_key_reused', 'waitlist_limit_reached', 'dependency_unavailable'],
    handler: async ({ body, headers }, ctx) => createWaitlistEntry(ctx, body, headers['idempotency-key']),
  }),
  defineRoute({
    method: 'get',
    path: '/v1/waiting-list',
    tags: ['waiting-list'],
    summary: 'List waiting-list entries (by customer, branch and status)',
    request: { query: listWaitlistQuery },
    responses: { 200: { description: 'Entries', schema: listOf(waitlistEntrySchema) } },
    handler: async ({ query }, ctx) => ({ body: await listWaitlistEntries(ctx, query) }),
  }),
  defineRoute({
    method: 'get',
    path: '/v1/waiting-list/:id',
    tags: ['waiting-list'],
    summary: 'Get a waiting-list entry with its offers',
    request: { params: idParams },
    responses: { 200: { description: 'Entry', schema: waitlistEntrySchema } },
    handler: async ({ params }, ctx) => {
      const { row, zone } = await findEntry(ctx, params.id);
      return { body: renderEntry(row, zone) };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/v1/waiting-list/:id',
    tags: ['waiting-list'],
    summary: 'Take an entry off the waiting list',
    description: 'Ends the monitor; 200 with status `cancelled` (also when already cancelled). An entry that was booked or expired answers 409 invalid_state.',
    request: { params: idParams },
    responses: { 200: { description: 'Cancelled', schema: waitlistEntrySchema } },
    problems: ['invalid_state', 'dependency_unavailable'],
    handler: async ({ params }, ctx) => {
      const client = temporalOf(ctx.deps);
      const { row, zone } = await findEntry(ctx, params.id);
      if (row.status !== 'cancelled' && !OPEN.includes(row.status)) {
        throw new ApiError('invalid_state', `a ${row.status} waiting-list entry cannot be cancelled`);
      }
      // Temporal down: 503 and nothing changes (the monitor would not hear of it for hours).
      await assertReachable(client);
      await ctx.deps.db.waitingListEntry.updateMany({ where: { id: row.id, status: { in: OPEN } }, data: { status: 'cancelled' } });
      // The database says `cancelled` first: a monitor that misses the signal (ended already, or
      // Temporal briefly down) finds the entry closed at its next check and ends then.
      await client.workflow.getHandle(row.workflowId).signal(cancelWaitlistSignal).catch((err: unknown) => {
        ctx.deps.logger.warn({ err, entryId: row.id }, 'waiting-list monitor not signalled');
      });
      const after = await ctx.deps.db.waitingListEntry.findUniqueOrThrow({ where: { id: row.id } });
      if (after.status !== 'cancelled') throw new ApiError('invalid_state', `a ${after.status} waiting-list entry cannot be cancelled`);
      return { body: renderEntry(after, zone) };
    },
  }),
]);
