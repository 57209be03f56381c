/**
 * The slot-freed fan-out of the waiting lists (issue 12), run as one activity instead of a signal
 * per monitor from workflow code (which had no bound: past Temporal's pending-signal limit the
 * freeing workflow could never finish):
 * 1. one indexed query per page (GiST waiting_list_entries_open_reach: the branch's open entries
 *    whose dates contain the freed range ± 1 day), oldest first (created_at, id), keyset paged;
 * 2. the slots the freed booking made free, computed once per service (pure slot engine), and the
 *    fairness allocation decided once, oldest entry first (domain/waitlist/fan-out.ts); paging
 *    stops as soon as every freed slot's staff is claimed;
 * 3. `slotFreed` signals, carrying each entry's offers, only to the monitors that got some,
 *    a page at a time (heartbeat per page).
 * Staff work across branches (assignments): the freed person is free in each of their branches, so
 * the fan-out runs for the freed booking's branch and then for every other branch of that person
 * (primary and assigned), each with its own slots; a monitor is signalled with its own branch (the
 * branch it books in).
 * A signal to a monitor that ended meanwhile is not an error. Re-running the activity (a retry)
 * signals again; monitors tolerate it (offers are deduped, auto-book attempts are keyed).
 */
import { Context, heartbeat } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import { allocateFreedSlots, exhausted, openClaims, type SlotClaims } from '../domain/waitlist/fan-out';
import type { OpenWaitlistEntry, TimeWindow, WaitlistOffer } from '../domain/waitlist/waitlist-policy';
import type { Db } from '../infra/db/prisma';
import { slotFreedSignal, type SlotFreedEvent } from '../workflows/waitlist-signals.contract';
import { findFreeSlots } from './waitlist-slots';

export const FANOUT_PAGE_SIZE = 100;
const DAY = 86_400_000;
/** Slots overlapping the freed booking widened by this much count as freed by it (buffers, travel). */
const FREED_MARGIN_MS = 2 * 3_600_000;

export interface WaitlistFanOutDeps {
  db: Db;
  clock: () => Date;
  /** Defaults to the activity's Temporal client. */
  signal?: (workflowId: string, event: SlotFreedEvent) => Promise<void>;
  pageSize?: number;
}

export interface FanOutResult {
  /** entries read from the database (all pages) */
  rowsRead: number;
  pages: number;
  /** monitors that got offers and were signalled */
  signalled: number;
}

interface EntryRow {
  id: string;
  company_id: string;
  service_id: string;
  customer_id: string;
  staff_id: string | null;
  from_date: string;
  to_date: string;
  time_windows: unknown;
  offers: unknown;
  workflow_id: string;
  created_at: Date;
}

async function signalWithActivityClient(workflowId: string, event: SlotFreedEvent): Promise<void> {
  await Context.current().client.workflow.getHandle(workflowId).signal(slotFreedSignal, event);
}

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function createWaitlistFanOutActivities({ db, clock, signal = signalWithActivityClient, pageSize = FANOUT_PAGE_SIZE }: WaitlistFanOutDeps) {
  /** The freed booking's branch first, then the person's other branches (primary, assignments). */
  async function branchesOf(event: SlotFreedEvent): Promise<string[]> {
    const rows = await db.$queryRaw<{ branch_id: string; assignments: unknown }[]>`SELECT branch_id, assignments FROM staff WHERE id = ${event.staffId}`;
    const ids = new Set([event.branchId]);
    for (const row of rows) {
      ids.add(row.branch_id);
      for (const a of Array.isArray(row.assignments) ? row.assignments : []) {
        if (typeof (a as { branchId?: unknown })?.branchId === 'string') ids.add((a as { branchId: string }).branchId);
      }
    }
    return [...ids];
  }

  async function page(event: SlotFreedEvent, branchId: string, after: { createdAt: Date; id: string } | null): Promise<EntryRow[]> {
    const from = dayOf(Date.parse(event.start) - DAY);
    const to = dayOf(Date.parse(event.end) + DAY);
    return db.$queryRaw<EntryRow[]>`
      SELECT id, company_id, service_id, customer_id, staff_id, from_date, to_date, time_windows, offers, workflow_id, created_at
      FROM waiting_list_entries
      WHERE branch_id = ${branchId} AND status IN ('waiting', 'notified')
        AND daterange(waitlist_day(from_date), waitlist_day(to_date), '[]') && daterange(${from}::date, ${to}::date, '[]')
        AND (${after === null} OR (created_at, id) > (${after?.createdAt ?? new Date(0)}, ${after?.id ?? ''}))
      ORDER BY created_at, id
      LIMIT ${pageSize}`;
  }

  return {
    /** Finds, allocates and signals the monitors a freed slot helps (module comment). */
    async fanOutSlotFreed(event: SlotFreedEvent): Promise<FanOutResult> {
      const result: FanOutResult = { rowsRead: 0, pages: 0, signalled: 0 };
      for (const branchId of await branchesOf(event)) await fanOutBranch(event, branchId, result);
      return result;
    },
  };

  async function fanOutBranch(event: SlotFreedEvent, branchId: string, result: FanOutResult): Promise<void> {
    const now = clock();
    const freedFrom = Date.parse(event.start) - FREED_MARGIN_MS;
    const freedTo = Date.parse(event.end) + FREED_MARGIN_MS;
    // Per service: the slots freed for it and who claimed them so far.
    const perService = new Map<string, { claims: SlotClaims; timezone: string } | null>();
    let after: { createdAt: Date; id: string } | null = null;
    for (;;) {
      const rows = await page(event, branchId, after);
      result.rowsRead += rows.length;
      result.pages += 1;
      const winners: Array<{ workflowId: string; offers: WaitlistOffer[]; entry: SlotFreedEvent['entry'] }> = [];
      for (const row of rows) {
        let service = perService.get(row.service_id);
        if (service === undefined) {
          const found = await findFreeSlots(db, now, { companyId: row.company_id, branchId, serviceId: row.service_id, from: dayOf(freedFrom - DAY), to: dayOf(freedTo + DAY) });
          const freed = (found?.slots ?? []).filter((s) => Date.parse(s.end) > freedFrom && Date.parse(s.start) < freedTo);
          service = found ? { claims: openClaims(freed), timezone: found.timezone } : null;
          perService.set(row.service_id, service);
        }
        if (!service || exhausted(service.claims)) continue;
        const [got] = allocateFreedSlots([asEntry(row)], service.claims, service.timezone);
        if (got) winners.push({ workflowId: row.workflow_id, offers: got.offers, entry: { companyId: row.company_id, serviceId: row.service_id, customerId: row.customer_id } });
      }
      const delivered = await Promise.allSettled(winners.map((w) => signal(w.workflowId, { ...event, branchId, offers: w.offers, entry: w.entry })));
      for (const outcome of delivered) {
        if (outcome.status === 'fulfilled') result.signalled += 1;
        else if (!(outcome.reason instanceof WorkflowNotFoundError)) throw outcome.reason;
      }
      const allClaimed = perService.size > 0 && [...perService.values()].every((s) => s === null || exhausted(s.claims));
      if (rows.length < pageSize || allClaimed) break;
      const last = rows[rows.length - 1];
      after = { createdAt: last.created_at, id: last.id };
      heartbeat({ pages: result.pages });
    }
  }
}

function asEntry(row: EntryRow): OpenWaitlistEntry {
  return {
    id: row.id,
    createdAt: row.created_at.toISOString(),
    staffId: row.staff_id,
    fromDate: row.from_date,
    toDate: row.to_date,
    timeWindows: (row.time_windows ?? []) as TimeWindow[],
    offers: (row.offers ?? []) as WaitlistOffer[],
  };
}

export type WaitlistFanOutActivities = ReturnType<typeof createWaitlistFanOutActivities>;
