/**
 * POST /v1/bookings: check the referenced ids (404), claim the Idempotency-Key, plan the request
 * and take the slot's hold in PostgreSQL (booking-hold.ts: 422 rule violations and 409
 * slot_unavailable are answered from here, without a workflow), then start the booking saga for
 * the winner only (workflow id `booking-<bookingId>`, the id reserved by the key; it adopts the
 * hold) and wait up to BOOKING_WAIT_MS for its outcome: 201 confirmed, 502 calendar_sync_failed,
 * or 202 pending when the saga needs longer. When Temporal surely refused the start the hold is
 * removed, the answer is 503 and the key is forgotten.
 */
import type { Db } from '../../infra/db/prisma';
import { newId } from '../../infra/db/ids';
import { assertReachable, startAndAwait } from '../../infra/temporal/start-and-await';
import {
  awaitBookingOutcomeUpdate,
  bookingWorkflowId,
  type BookAppointmentInput,
  type BookAppointmentResult,
} from '../../workflows/book-appointment.contract';
import { identityAttributes } from '../../workflows/search-attributes.contract';
import { ApiError } from '../error-handler';
import type { Reply, RouteContext } from '../route-kit';
import { formatInstant } from '../common.schemas';
import { calendarSyncFailed, invalidState, notFoundAnswer, ruleViolation, sendAnswer, slotUnavailable, surelyNotStarted, temporalOf } from './booking-answers';
import { findBookingRow, renderBooking } from './booking.view';
import type { FullBookingBody } from './bookings.schemas';
import { answerOnce, type StoredAnswer } from './idempotency';
import { holdForRequest, plannerOf, releaseUnstarted } from './booking-hold';
import { planRequestOf } from '../../infra/booking/slot-holds';

/** Workflow type registered by the worker (workflows/index.ts); a durable name. */
export const BOOK_WORKFLOW = 'bookAppointmentWorkflow';
export const CREATE_SCOPE = 'POST /v1/bookings';

interface CatalogFacts {
  timezone: string;
  durationMinutes: number;
}

export async function createBooking(ctx: RouteContext, body: FullBookingBody, idempotencyKey: string | undefined): Promise<Reply | void> {
  const { db, config } = ctx.deps;
  const client = temporalOf(ctx.deps);
  const companyId = ctx.companyId();
  const catalog = await checkReferences(db, companyId, body);
  const { answer, replayed } = await answerOnce(
    { db, companyId, scope: CREATE_SCOPE, key: idempotencyKey, body: ctx.req.body, newResourceId: () => newId('bkg'), now: ctx.now() },
    async (bookingId) => {
      // Temporal down: 503 before anything is held (a cached probe, shared by concurrent requests).
      await assertReachable(client);
      const request = sagaInput(bookingId, companyId, body);
      const workflowId = bookingWorkflowId(bookingId);
      // The slot is decided here, in PostgreSQL: a loser never starts a workflow.
      const hold = await holdForRequest(ctx, request, workflowId, idempotencyKey !== undefined);
      if (hold.kind !== 'held' && hold.kind !== 'settled') return { answer: await answerFor(db, companyId, hold, catalog.timezone), final: true };
      const input: BookAppointmentInput = hold.kind === 'held' ? { ...request, heldSlot: hold.plan } : request;
      let waited;
      try {
        waited = await startAndAwait(client, {
          workflowType: BOOK_WORKFLOW,
          workflowId,
          taskQueue: config.temporalTaskQueue,
          args: [input],
          update: awaitBookingOutcomeUpdate,
          waitMs: config.bookingWaitMs,
          reusePolicy: 'REJECT_DUPLICATE',
          memo: { summary: `booking ${bookingId} for ${body.customerId} at ${input.start}` },
          searchAttributes: identityAttributes('booking', { bookingId, customerId: body.customerId, branchId: body.branchId }, 'validating'),
        });
      } catch (error) {
        // Temporal surely refused the start: the hold goes, the request changed nothing.
        if (hold.kind === 'held' && hold.fresh && surelyNotStarted(error)) await releaseUnstarted(ctx, request);
        throw error;
      }
      if (waited.kind === 'outcome') {
        // The host is busy in Cal.com (an outside booking our busy times had not seen yet): that is
        // a taken slot for the caller (409 with alternatives), not a sync failure (API.md).
        const outcome = waited.value;
        if (outcome.kind === 'calendar_failed' && outcome.error.startsWith('CalendarSlotTaken')) {
          const alternatives = await plannerOf(ctx.deps).alternatives({ ...planRequestOf(request), excludeBookingId: null });
          return { answer: slotUnavailable({ kind: 'conflict', alternatives }, catalog.timezone), final: true };
        }
        return { answer: await answerFor(db, companyId, outcome, catalog.timezone), final: true };
      }
      // Not stored: a repeat joins the run and answers its outcome.
      const row = await findBookingRow(db, companyId, bookingId);
      const booking = row ? renderBooking(row) : pendingView(input, body, catalog, workflowId, ctx.now());
      return { answer: { status: 202, body: booking }, final: false };
    },
    surelyNotStarted,
  );
  return sendAnswer(ctx, answer, replayed);
}

export async function answerFor(db: Db, companyId: string, outcome: BookAppointmentResult, zone: string): Promise<StoredAnswer> {
  switch (outcome.kind) {
    case 'confirmed': {
      const row = await findBookingRow(db, companyId, outcome.bookingId);
      if (!row) throw new Error(`confirmed booking ${outcome.bookingId} is missing`);
      return { status: 201, body: renderBooking(row) };
    }
    case 'conflict':
      return slotUnavailable(outcome, zone);
    case 'rule_violation':
      return ruleViolation(outcome);
    case 'calendar_failed':
      return calendarSyncFailed(outcome.bookingId);
    case 'not_found':
      return notFoundAnswer(outcome);
    case 'awaiting_approval':
    case 'declined': {
      // Approval services: 201 with the held booking (`awaiting_approval`), or the decided row.
      const row = await findBookingRow(db, companyId, outcome.bookingId);
      if (!row) throw new Error(`booking ${outcome.bookingId} is missing`);
      return { status: 201, body: renderBooking(row) };
    }
    case 'invalid_state':
      return invalidState(outcome);
  }
}

/**
 * Every referenced id must exist in the caller's company (404 otherwise, nothing written). One
 * round trip (a pool connection each for four parallel lookups cost more under load).
 */
async function checkReferences(db: Db, companyId: string, body: FullBookingBody): Promise<CatalogFacts> {
  const staffId = body.staffId ?? null;
  const [row] = await db.$queryRaw<Array<{ timezone: string | null; duration: number | null; customer: boolean; staff: boolean }>>`
    SELECT (SELECT timezone FROM branches WHERE id = ${body.branchId} AND company_id = ${companyId}) AS timezone,
           (SELECT duration_minutes FROM services WHERE id = ${body.serviceId} AND company_id = ${companyId}) AS duration,
           EXISTS (SELECT 1 FROM customers WHERE id = ${body.customerId} AND company_id = ${companyId}) AS customer,
           (${staffId}::text IS NULL OR EXISTS (SELECT 1 FROM staff WHERE id = ${staffId}::text AND company_id = ${companyId})) AS staff`;
  const missing = [
    row.timezone === null && `branch ${body.branchId}`,
    row.duration === null && `service ${body.serviceId}`,
    !row.customer && `customer ${body.customerId}`,
    !row.staff && `staff ${body.staffId}`,
  ].filter(Boolean);
  if (missing.length > 0 || row.timezone === null || row.duration === null) throw new ApiError('not_found', `Not found: ${missing.join(', ')}`);
  return { timezone: row.timezone, durationMinutes: body.durationMinutes ?? row.duration };
}

function sagaInput(bookingId: string, companyId: string, body: FullBookingBody): BookAppointmentInput {
  return {
    bookingId,
    companyId,
    branchId: body.branchId,
    serviceId: body.serviceId,
    customerId: body.customerId,
    start: body.start.toISOString(),
    staffId: body.staffId ?? null,
    durationMinutes: body.durationMinutes ?? null,
    preferences: body.preferences ?? null,
    participants: body.participants ?? [],
    source: body.source,
    notes: body.notes ?? null,
  };
}

/** The 202 body when the saga has not even held the slot yet. */
function pendingView(input: BookAppointmentInput, body: FullBookingBody, catalog: CatalogFacts, workflowId: string, now: Date) {
  const zone = catalog.timezone;
  const end = new Date(body.start.getTime() + catalog.durationMinutes * 60_000);
  return {
    id: input.bookingId,
    status: 'pending',
    branchId: input.branchId,
    serviceId: input.serviceId,
    customerId: input.customerId,
    staffId: input.staffId ?? null,
    resourceId: null,
    start: formatInstant(body.start, zone),
    end: formatInstant(end, zone),
    source: body.source,
    participants: body.participants ?? [],
    rescheduledCount: 0,
    calendar: { status: 'pending', externalId: null },
    workflowId,
    failureReason: null,
    notes: body.notes ?? null,
    seriesId: null,
    createdAt: formatInstant(now, zone),
    updatedAt: formatInstant(now, zone),
  };
}
