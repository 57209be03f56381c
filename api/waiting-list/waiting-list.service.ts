/**
 * Use cases behind the waiting-list endpoints: create an entry and its monitor (honouring
 * Idempotency-Key), list entries, find and render one. The monitor's workflow id derives from the
 * entry id (`waitlist-<entryId>`), and the entry id is reserved by the key, so repeats of one key
 * (also concurrent ones) write one row and join one monitor; the monitor's input is built from the
 * stored row, so whichever repeat wrote it, row and monitor agree (e.g. the default expiry).
 */
import { DateTime } from 'luxon';
import type { Branch, Db, Prisma, WaitingListEntry } from '../../infra/db/prisma';
import { isUniqueViolation } from '../../infra/db/errors';
import { newId } from '../../infra/db/ids';
import { entryReachUtc, type TimeWindow, type WaitlistOffer } from '../../domain/waitlist/waitlist-policy';
import { DEFAULT_WAITLIST_EXPIRY_DAYS, waitlistWorkflowId, type WaitlistMonitorInput } from '../../workflows/waitlist-monitor.contract';
import { ownerAttributes } from '../../workflows/search-attributes.contract';
import { surelyNotStarted, temporalOf } from '../bookings/booking-answers';
import { checkBranchReferences } from '../catalog-references';
import { formatInstant } from '../common.schemas';
import { storedRules } from '../branches/branches.routes';
import { ApiError, invalid, notFound } from '../error-handler';
import type { FieldError } from '../field-errors';
import { answerOnce, successReply } from '../idempotency';
import { keysetArgs, toPage } from '../pagination';
import type { Reply, RouteContext } from '../route-kit';
import { startOrJoinOwning } from '../series/start-or-join';
import type { CreateWaitlistBody, ListWaitlistQuery } from './waiting-list.schemas';

export const CREATE_WAITLIST_SCOPE = 'POST /v1/waiting-list';
const MONITOR_WORKFLOW = 'waitlistMonitorWorkflow';

export function renderEntry(row: WaitingListEntry, zone: string) {
  const at = (d: Date | string) => formatInstant(typeof d === 'string' ? new Date(d) : d, zone);
  const offers = (row.offers ?? []) as unknown as WaitlistOffer[];
  return {
    id: row.id,
    status: row.status,
    branchId: row.branchId,
    serviceId: row.serviceId,
    customerId: row.customerId,
    staffId: row.staffId,
    from: row.fromDate,
    to: row.toDate,
    timeWindows: (row.timeWindows ?? []) as unknown as TimeWindow[],
    autoBook: row.autoBook,
    offers: offers.map((o) => ({ start: at(o.start), end: at(o.end), staffId: o.staffId })),
    bookingId: row.bookingId,
    notificationsSent: row.notificationsSent,
    workflowId: row.workflowId,
    expiresAt: at(row.expiresAt),
    createdAt: at(row.createdAt),
  };
}

export async function findEntry(ctx: RouteContext, entryId: string) {
  const row = await ctx.deps.db.waitingListEntry.findFirst({ where: { id: entryId, companyId: ctx.companyId() } });
  if (!row) throw notFound('Waiting-list entry', entryId);
  const branch = await ctx.deps.db.branch.findUniqueOrThrow({ where: { id: row.branchId }, select: { timezone: true } });
  return { row, zone: branch.timezone };
}

/** POST /v1/waiting-list: 201 with the entry; a repeat of the key replays that 201. */
export async function createWaitlistEntry(ctx: RouteContext, body: CreateWaitlistBody, idempotencyKey?: string): Promise<Reply> {
  const client = temporalOf(ctx.deps);
  const { db, config } = ctx.deps;
  const now = ctx.now();
  const expiresAt = body.expiresAt ?? new Date(now.getTime() + DEFAULT_WAITLIST_EXPIRY_DAYS * 86_400_000);
  if (expiresAt.getTime() <= now.getTime()) throw invalid([{ path: 'expiresAt', message: 'must be in the future' }]);
  if (expiresAt.getTime() > now.getTime() + MAX_WAITLIST_EXPIRY_DAYS * 86_400_000) {
    throw invalid([{ path: 'expiresAt', message: `must be at most ${MAX_WAITLIST_EXPIRY_DAYS} days ahead` }]);
  }
  const branch = await checkBranchReferences(ctx, body);
  assertWithinAdvanceWindow(body, branch, now);
  const keyed = { db, companyId: branch.companyId, scope: CREATE_WAITLIST_SCOPE, key: idempotencyKey, body: ctx.req.body, newResourceId: () => newId('wl'), now };
  const { answer, replayed } = await answerOnce(
    keyed,
    async (entryId) => {
      const row = await insertEntryOnce(db, body.customerId, {
        id: entryId, companyId: branch.companyId, branchId: branch.id, serviceId: body.serviceId, customerId: body.customerId,
        staffId: body.staffId ?? null, fromDate: body.from, toDate: body.to, timeWindows: body.timeWindows, autoBook: body.autoBook,
        expiresAt, workflowId: waitlistWorkflowId(entryId),
      });
      const input: WaitlistMonitorInput = {
        entryId,
        expiresAt: row.expiresAt.toISOString(),
        autoBook: row.autoBook,
        checkIntervalMs: config.waitlistCheckIntervalMs,
        reach: entryReachUtc({ fromDate: row.fromDate, toDate: row.toDate }),
      };
      await startOrJoinOwning(
        client,
        {
          workflowType: MONITOR_WORKFLOW, workflowId: row.workflowId, taskQueue: config.temporalTaskQueue, args: [input],
          searchAttributes: ownerAttributes('waitlist', { waitlistEntryId: entryId, customerId: row.customerId, branchId: row.branchId }, 'waiting'),
          memo: { summary: `waiting-list entry ${entryId}: ${row.customerId} until ${row.expiresAt.toISOString()}${row.autoBook ? ', auto-book' : ''}` },
        },
        () => db.waitingListEntry.deleteMany({ where: { id: entryId } }),
      );
      return { answer: { status: 201, body: renderEntry(row, branch.timezone) }, final: true };
    },
    surelyNotStarted,
  );
  return successReply(answer, replayed);
}

/** API.md: a customer has at most this many open (waiting or notified) entries; each is a monitor. */
export const MAX_OPEN_ENTRIES_PER_CUSTOMER = 10;
/** API.md: `expiresAt` at most 90 days ahead. */
export const MAX_WAITLIST_EXPIRY_DAYS = 90;
const OPEN_STATUSES = ['waiting', 'notified'];

/**
 * `from`..`to` must lie within the branch's booking window: not before today and not after
 * today + maxAdvanceDays (branch zone). A monitor over years of days would be woken by every
 * cancellation and search them all.
 */
function assertWithinAdvanceWindow(body: CreateWaitlistBody, branch: Branch, now: Date): void {
  const today = DateTime.fromJSDate(now, { zone: branch.timezone }).toISODate()!;
  const last = DateTime.fromJSDate(now, { zone: branch.timezone }).plus({ days: storedRules(branch).maxAdvanceDays }).toISODate()!;
  const errors: FieldError[] = [];
  if (body.from < today) errors.push({ path: 'from', message: `must not be before today (${today}, branch time)` });
  if (body.to > last) errors.push({ path: 'to', message: `must not be after ${last} (the branch books at most ${storedRules(branch).maxAdvanceDays} days ahead)` });
  if (errors.length > 0) throw invalid(errors);
}

/**
 * Writes the entry unless a repeat of the same key wrote it first; answers the stored row. The
 * open-entry limit is counted and the row inserted under a per-customer advisory lock, so
 * concurrent requests cannot pass the limit together.
 */
async function insertEntryOnce(db: Db, customerId: string, data: Prisma.WaitingListEntryUncheckedCreateInput & { id: string }): Promise<WaitingListEntry> {
  try {
    return await db.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`waitlist:${customerId}`}))`;
      const open = await tx.waitingListEntry.count({ where: { companyId: data.companyId, customerId, status: { in: OPEN_STATUSES } } });
      if (open >= MAX_OPEN_ENTRIES_PER_CUSTOMER) {
        throw new ApiError('waitlist_limit_reached', `A customer may have at most ${MAX_OPEN_ENTRIES_PER_CUSTOMER} open waiting-list entries`);
      }
      return tx.waitingListEntry.create({ data });
    });
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    return db.waitingListEntry.findUniqueOrThrow({ where: { id: data.id } });
  }
}

/** GET /v1/waiting-list: the caller's entries by customer, branch and status, oldest first. */
export async function listWaitlistEntries(ctx: RouteContext, query: ListWaitlistQuery) {
  const { db } = ctx.deps;
  const companyId = ctx.companyId();
  const page = keysetArgs(query);
  const rows = await db.waitingListEntry.findMany({
    where: {
      AND: [
        {
          companyId,
          ...(query.customerId ? { customerId: query.customerId } : {}),
          ...(query.branchId ? { branchId: query.branchId } : {}),
          ...(query.status ? { status: query.status } : {}),
        },
        page.where,
      ],
    },
    orderBy: page.orderBy,
    take: page.take,
  });
  const branchIds = [...new Set(rows.map((r) => r.branchId))];
  const branches = await db.branch.findMany({ where: { id: { in: branchIds } }, select: { id: true, timezone: true } });
  const zones = new Map(branches.map((b) => [b.id, b.timezone]));
  return toPage(rows, query, (row) => renderEntry(row, zones.get(row.branchId) ?? 'UTC'));
}
