/**
 * Cal.com side of reconciliation (workflows/calendar-reconcile.workflow.ts): one listing of the
 * connection's account for the window (every status: cancelled and moved bookings are what it
 * looks for), single lookups for uids the listing did not show, and the pure comparison
 * (domain/calendar/calendar-drift.ts). Requests are paced under the account's rate limit
 * (`requestsPerMinute`, default 60 of Cal.com's 120 per key, leaving the rest to bookings); a 429
 * fails the attempt with Cal.com's Retry-After as the next retry delay (calendar.activities.ts
 * toFailure). Cal.com unreachable: the activity fails (the run fails; the next run tries again).
 */
import { heartbeat } from '@temporalio/activity';
import { workerClient } from './lib/worker-client';
import { findDrift, missingSuccessors, type LocalBooking, type RemoteBooking } from '../domain/calendar/calendar-drift';
import { CalcomError } from '../infra/calcom/calcom.errors';
import type { CalcomConnections } from '../infra/calcom/calcom.connections';
import type { CalcomBooking } from '../infra/calcom/calcom.types';
import type { Db } from '../infra/db/prisma';
import { deleteReconcileSchedule } from '../infra/temporal/calendar-reconcile-schedule';
import type { CalendarInboundEvent } from '../workflows/calendar-inbound.contract';
import { RECONCILE_MAX_REPAIRS, RECONCILE_WINDOW_DAYS } from '../workflows/calendar-reconcile.contract';
import { toFailure } from './calendar.activities';

export interface CalendarReconcileDeps {
  db: Db;
  connections: CalcomConnections;
  cache: { invalidateBranch(branchId: string): Promise<void> };
  clock: () => Date;
  /** Pace of this run's Cal.com requests. Default 60 per minute. */
  requestsPerMinute?: number;
  sleep?: (ms: number) => Promise<void>;
}

export type ReconcileScan =
  | { kind: 'gone' }
  | { kind: 'ok'; examined: number; events: CalendarInboundEvent[]; unresolved: number; requests: number };

const DAY_MS = 86_400_000;
const PAGE_SIZE = 100;
const MAX_PAGES = 50;
/** Our bookings changed this recently may have a saga of ours in flight: compared next run. */
const SETTLE_MS = 2 * 60_000;
const MAX_LOOKUPS = 50;

const remoteOf = (b: CalcomBooking): RemoteBooking => ({
  uid: b.uid,
  status: b.status,
  start: b.start,
  end: b.end,
  rescheduledToUid: b.rescheduledToUid ?? null,
  metadata: b.metadata ?? null,
  hostIds: b.hosts.map((h) => h.id),
  cancellationReason: b.cancellationReason ?? null,
  reschedulingReason: b.reschedulingReason ?? null,
});

/**
 * The connection is gone without its Schedule (its rows went in SQL, e.g. by the company's
 * cascade): the Schedule stops here instead of starting a run every interval for nothing. The
 * connection row is created before its Schedule, so `gone` is final. Outside a worker (direct
 * activity tests) there is no client and nothing to do.
 */
async function dropOrphanSchedule(connectionId: string): Promise<void> {
  const client = workerClient();
  if (client) await deleteReconcileSchedule(client, connectionId);
}

export function createCalendarReconcileActivities({ db, connections, cache, clock, requestsPerMinute = 60, sleep }: CalendarReconcileDeps) {
  const pause = sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const gapMs = Math.ceil(60_000 / Math.max(1, requestsPerMinute));

  return {
    async scanCalendarDrift({ connectionId }: { connectionId: string }): Promise<ReconcileScan> {
      const connection = await db.calendarConnection.findUnique({ where: { id: connectionId }, select: { id: true, companyId: true, baseUrl: true, apiKeyEnc: true, keyVersion: true } });
      if (!connection) {
        await dropOrphanSchedule(connectionId);
        return { kind: 'gone' };
      }
      const client = connections.clientFor(connection);
      const now = clock().getTime();
      const from = new Date(now - DAY_MS);
      const to = new Date(now + RECONCILE_WINDOW_DAYS * DAY_MS);
      let requests = 0;
      let last = 0;
      const paced = async <T>(call: () => Promise<T>): Promise<T> => {
        const wait = last + gapMs - Date.now();
        if (requests > 0 && wait > 0) await pause(wait);
        last = Date.now();
        requests += 1;
        heartbeat({ requests });
        return call();
      };
      try {
        const listed = new Map<string, RemoteBooking>();
        for (let page = 0; page < MAX_PAGES; page += 1) {
          const { bookings, pagination } = await paced(() =>
            // Cal.com selects by start and end inside the range: widen by a day for overlaps and successors.
            client.listBookings({ afterStart: from.toISOString(), beforeEnd: new Date(to.getTime() + DAY_MS).toISOString(), sortStart: 'asc', take: PAGE_SIZE, skip: page * PAGE_SIZE }),
          );
          for (const b of bookings) listed.set(b.uid, remoteOf(b));
          if (!pagination.hasNextPage || bookings.length === 0) break;
        }
        const rows = await db.booking.findMany({
          where: {
            companyId: connection.companyId,
            branch: { calendarConnectionId: connection.id },
            status: 'confirmed',
            calendarExternalId: { not: null },
            startAt: { gte: from, lt: to },
            updatedAt: { lt: new Date(now - SETTLE_MS) },
          },
          select: { id: true, calendarExternalId: true, startAt: true },
          orderBy: { startAt: 'asc' },
          take: 5_000,
        });
        const ours: LocalBooking[] = rows.map((r) => ({ id: r.id, uid: r.calendarExternalId!, start: r.startAt.toISOString() }));
        // Uids the listing did not show (Cal.com's range filters are unreliable, successors moved
        // out of the window): asked one by one, at most MAX_LOOKUPS per run.
        const asked = new Set<string>();
        for (let round = 0; round < 3; round += 1) {
          const missing = missingSuccessors(listed, ours).filter((uid) => !asked.has(uid)).slice(0, Math.max(0, MAX_LOOKUPS - asked.size));
          if (missing.length === 0) break;
          for (const uid of missing) {
            asked.add(uid);
            try {
              listed.set(uid, remoteOf(await paced(() => client.getBooking(uid))));
            } catch (error) {
              if (!(error instanceof CalcomError && error.kind === 'not_found')) throw error;
            }
          }
        }
        const report = findDrift(ours, connection.companyId, (uid) => listed.get(uid));
        const events = report.changes.slice(0, RECONCILE_MAX_REPAIRS).map((change): CalendarInboundEvent => {
          const r = change.remote;
          const base = { start: new Date(r.start).toISOString(), end: new Date(r.end).toISOString(), bookingId: change.bookingId, companyId: connection.companyId, hostIds: r.hostIds };
          return change.kind === 'cancelled'
            ? { ...base, trigger: 'BOOKING_CANCELLED', uid: change.uid, previousUid: null, reason: r.cancellationReason ?? 'cancelled in the calendar (found by reconciliation)' }
            : { ...base, trigger: 'BOOKING_RESCHEDULED', uid: r.uid, previousUid: change.previousUid, reason: r.reschedulingReason ?? 'moved in the calendar (found by reconciliation)' };
        });
        return { kind: 'ok', examined: ours.length, events, unresolved: report.unresolved.length, requests };
      } catch (error) {
        throw toFailure(error);
      }
    },

    /** Records the run on the connection; every branch of it reads its availability again (missed outside bookings). */
    async finishCalendarReconcile(input: { connectionId: string; repaired: number; open: number }): Promise<void> {
      await db.calendarConnection.updateMany({
        where: { id: input.connectionId },
        data: { lastReconciledAt: clock(), driftRepaired: input.repaired, driftOpen: input.open },
      });
      const branches = await db.branch.findMany({ where: { calendarConnectionId: input.connectionId }, select: { id: true } });
      for (const b of branches) await cache.invalidateBranch(b.id);
    },
  };
}

export type CalendarReconcileActivities = ReturnType<typeof createCalendarReconcileActivities>;
