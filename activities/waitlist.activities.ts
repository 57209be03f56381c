/**
 * Activities of the waiting-list monitor (contract: workflows/waitlist-monitor.contract.ts
 * WaitlistActivities), plus `listWaitlistEntryMonitors` for operators and benchmarks.
 *
 * - checkWaitlistEntry: the free slots of the entry's dates and windows (pure slot engine over one
 *   scheduling-context load), then the domain fairness policy against every other open entry of
 *   the same branch and service, so monitors woken by one signal agree that the older entry goes
 *   first.
 * - offerWaitlistSlots: at most 3 offers never sent before, in one email through the outbox
 *   (sendWaitlistOffer). The dedupe key is derived from the offers themselves, so a retry after
 *   the mail went out but before the entry was updated sends nothing twice.
 * - markWaitlistBooked / closeWaitlistEntry: final states; closing never overwrites `booked`.
 */
import { fairOffers, unsentOffers, offerKey, type OpenWaitlistEntry, type TimeWindow, type WaitlistOffer } from '../domain/waitlist/waitlist-policy';
import type { Db } from '../infra/db/prisma';
import type { NotificationActivities } from './notification.activities';
import type { WaitlistActivities, WaitlistCheck, WaitlistStatus } from '../workflows/waitlist-monitor.contract';
import { findFreeSlots } from './waitlist-slots';

export interface WaitlistActivityDeps {
  db: Db;
  clock: () => Date;
  sendWaitlistOffer: NotificationActivities['sendWaitlistOffer'];
}

const OPEN = ['waiting', 'notified'];
/** Candidates handed back per check: enough for offers and auto-book attempts. */
const MAX_CANDIDATES = 10;

type EntryRow = Awaited<ReturnType<Db['waitingListEntry']['findMany']>>[number];

/**
 * The older open entries of the same branch and service whose dates overlap this one's (only they
 * can take its slots). The candidate ids come from the GiST index waiting_list_entries_open_reach
 * (branch and date range of the open entries), so a check reads the entries that compete for its
 * dates, never every entry of the branch (bench:waitlist prints the rows read per freed slot).
 */
async function olderOverlapping(db: Db, row: EntryRow): Promise<OpenWaitlistEntry[]> {
  const ids = await db.$queryRaw<Array<{ id: string }>>`
    SELECT id FROM waiting_list_entries
    WHERE branch_id = ${row.branchId} AND status IN ('waiting', 'notified')
      AND daterange(waitlist_day(from_date), waitlist_day(to_date), '[]') && daterange(waitlist_day(${row.fromDate}), waitlist_day(${row.toDate}), '[]')
      AND service_id = ${row.serviceId} AND created_at <= ${row.createdAt} AND id <> ${row.id}`;
  if (ids.length === 0) return [];
  const rows = await db.waitingListEntry.findMany({ where: { id: { in: ids.map((r) => r.id) }, status: { in: OPEN } } });
  return rows.map(asOpenEntry);
}

function asOpenEntry(row: EntryRow): OpenWaitlistEntry {
  return {
    id: row.id,
    createdAt: row.createdAt.toISOString(),
    staffId: row.staffId,
    fromDate: row.fromDate,
    toDate: row.toDate,
    timeWindows: (row.timeWindows ?? []) as unknown as TimeWindow[],
    offers: (row.offers ?? []) as unknown as WaitlistOffer[],
  };
}

export function createWaitlistActivities({ db, clock, sendWaitlistOffer }: WaitlistActivityDeps) {
  const activities: WaitlistActivities = {
    async checkWaitlistEntry({ entryId }): Promise<WaitlistCheck> {
      const row = await db.waitingListEntry.findUnique({ where: { id: entryId } });
      if (!row) return { kind: 'closed', status: 'cancelled', bookingId: null };
      if (!OPEN.includes(row.status)) return { kind: 'closed', status: row.status as WaitlistStatus, bookingId: row.bookingId };
      const booking = { companyId: row.companyId, branchId: row.branchId, serviceId: row.serviceId, customerId: row.customerId };
      const found = await findFreeSlots(db, clock(), { ...booking, from: row.fromDate, to: row.toDate, staffId: row.staffId });
      if (!found || found.slots.length === 0) return { kind: 'open', candidates: [], booking };
      const others = await olderOverlapping(db, row);
      const candidates = fairOffers(asOpenEntry(row), found.slots, others, found.timezone);
      return { kind: 'open', candidates: candidates.slice(0, MAX_CANDIDATES), booking };
    },

    async offerWaitlistSlots({ entryId, candidates }) {
      const row = await db.waitingListEntry.findUniqueOrThrow({ where: { id: entryId } });
      const offered = (row.offers ?? []) as unknown as WaitlistOffer[];
      const sent = unsentOffers(candidates, offered);
      if (sent.length === 0 || !OPEN.includes(row.status)) {
        return { offers: offered, notificationsSent: row.notificationsSent, sent: [] };
      }
      await sendWaitlistOffer({ entryId, offers: sent, dedupeKey: `waitlist:${entryId}:offer:${sent.map(offerKey).join(',')}` });
      const offers = [...offered, ...sent];
      const notificationsSent = row.notificationsSent + 1;
      await db.waitingListEntry.updateMany({
        where: { id: entryId, status: { in: OPEN } },
        data: { offers: offers as unknown as object, notificationsSent, status: 'notified' },
      });
      return { offers, notificationsSent, sent };
    },

    async markWaitlistBooked({ entryId, bookingId }): Promise<void> {
      await db.waitingListEntry.update({ where: { id: entryId }, data: { status: 'booked', bookingId } });
    },

    async closeWaitlistEntry({ entryId, status }): Promise<void> {
      await db.waitingListEntry.updateMany({ where: { id: entryId, status: { in: OPEN } }, data: { status } });
    },
  };
  return activities;
}
