/**
 * Activities of the hold sweeper (workflows/hold-sweeper.workflow.ts): find what failures left
 * behind, ask Temporal whether anybody still owns it, and undo it only while it is unchanged.
 * - Stale holds: `pending` rows unchanged for longer than the stale bound. A booking hold becomes
 *   `failed` (`hold_expired`, history entry; a support retry left `retrying` by a dead run is
 *   reopened), a reschedule placeholder is deleted. The update is conditional on the `updatedAt`
 *   seen when listing, so a saga that moved the row on meanwhile wins.
 * - Calendar orphans: live Cal.com bookings whose metadata names one of our bookings that is
 *   failed, cancelled or gone (a `pending` one belongs to its hold: the hold is expired first,
 *   once stale, and its Cal.com booking is an orphan from then on). The cancel runs while the row is locked
 *   (`FOR UPDATE`) and unchanged, so a support retry re-holding it waits and then books anew.
 * Ownership: only Cal.com bookings carrying both `bookingId` and `companyId` metadata are
 * considered, per calendar connection, and only when that company owns the connection (and the row,
 * when it exists): a company's account is never cleaned up with another company's bookings in mind.
 * Owners are described through the worker's own Temporal client (activity context), or an
 * injected `describeWorkflow` in tests.
 */
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import { CalcomError } from '../infra/calcom/calcom.errors';
import type { CalcomConnections } from '../infra/calcom/calcom.connections';
import { newId } from '../infra/db/ids';
import type { Db } from '../infra/db/prisma';
import { cancelWorkflowId } from '../workflows/cancel-booking.contract';
import type { CalendarOrphan, StaleHold, WorkflowState } from '../workflows/hold-sweeper.contract';
import { syncRetryWorkflowId } from '../workflows/sync-retry.contract';
import { toFailure } from './calendar.activities';

export interface SweeperActivityDeps {
  db: Db;
  connections: CalcomConnections;
  clock: () => Date;
  /** Defaults to describing the workflow with the activity's Temporal client. */
  describeWorkflow?: (workflowId: string) => Promise<WorkflowState>;
}

const PLACEHOLDER_SOURCE = 'hold';
/** Reschedule placeholders are `rsh_<rescheduleWorkflowId>-<n>` (reschedule-booking.workflow.ts). */
const PLACEHOLDER_ID = /^rsh_(.+)-\d+$/;
/** Rows whose Cal.com booking may be an orphan (a `pending` row is its hold's business). */
const ORPHAN_STATUSES = new Set(['failed', 'cancelled']);
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const DESCRIBE_PARALLELISM = 8;

async function describeWithActivityClient(workflowId: string): Promise<WorkflowState> {
  try {
    const description = await Context.current().client.workflow.getHandle(workflowId).describe();
    return description.status.name === 'RUNNING' ? 'running' : 'closed';
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return 'not_found';
    throw error;
  }
}

export function createSweeperActivities({ db, connections, clock, describeWorkflow = describeWithActivityClient }: SweeperActivityDeps) {
  const connectionRows = (where: { id?: string; companyId?: string }) =>
    db.calendarConnection.findMany({ where, select: { id: true, companyId: true, baseUrl: true, apiKeyEnc: true, keyVersion: true }, orderBy: { id: 'asc' } });

  /** Workflow ids of support retries in flight for these bookings (the retry's id uses attempts + 1). */
  async function retryOwners(bookingIds: string[]): Promise<Map<string, string[]>> {
    const retrying = await db.syncFailure.findMany({ where: { bookingId: { in: bookingIds }, status: 'retrying' }, select: { id: true, bookingId: true, attempts: true } });
    const owners = new Map<string, string[]>();
    for (const f of retrying) owners.set(f.bookingId, [...(owners.get(f.bookingId) ?? []), syncRetryWorkflowId(f.id, f.attempts + 1)]);
    return owners;
  }

  return {
    async listStaleHolds(input: { staleAfterMinutes: number; limit: number; companyId?: string }): Promise<StaleHold[]> {
      const rows = await db.booking.findMany({
        // A package's later parts follow its own row's status (migration 20261203180000): only that row is judged.
        where: {
          status: 'pending', packageBookingId: null, updatedAt: { lt: new Date(clock().getTime() - input.staleAfterMinutes * MINUTE) },
          ...(input.companyId ? { companyId: input.companyId } : {}),
        },
        orderBy: { updatedAt: 'asc' },
        take: input.limit,
        select: { id: true, source: true, companyId: true, branchId: true, staffId: true, startAt: true, endAt: true, updatedAt: true, workflowId: true },
      });
      const retries = await retryOwners(rows.map((r) => r.id));
      return rows.map((r) => {
        const placeholder = r.source === PLACEHOLDER_SOURCE ? PLACEHOLDER_ID.exec(r.id) : null;
        const owners = placeholder ? [placeholder[1]] : [...(r.workflowId ? [r.workflowId] : []), ...(retries.get(r.id) ?? [])];
        return {
          bookingId: r.id,
          kind: r.source === PLACEHOLDER_SOURCE ? 'placeholder' : 'booking',
          companyId: r.companyId,
          branchId: r.branchId,
          staffId: r.staffId,
          start: r.startAt.toISOString(),
          end: r.endAt.toISOString(),
          updatedAt: r.updatedAt.toISOString(),
          owners,
        };
      });
    },

    /** running | closed | not_found for each id (a few at a time). */
    async describeWorkflows({ workflowIds }: { workflowIds: string[] }): Promise<Record<string, WorkflowState>> {
      const states: Record<string, WorkflowState> = {};
      const ids = [...new Set(workflowIds)];
      for (let i = 0; i < ids.length; i += DESCRIBE_PARALLELISM) {
        const batch = ids.slice(i, i + DESCRIBE_PARALLELISM);
        const answers = await Promise.all(batch.map((id) => describeWorkflow(id)));
        batch.forEach((id, n) => (states[id] = answers[n]));
      }
      return states;
    },

    /** Expires each hold that is still exactly as listed; answers the ids it expired. */
    async expireStaleHolds({ holds }: { holds: StaleHold[] }): Promise<{ expired: string[] }> {
      const expired: string[] = [];
      for (const hold of holds) {
        const unchanged = { id: hold.bookingId, status: 'pending', updatedAt: new Date(hold.updatedAt) };
        if (hold.kind === 'placeholder') {
          const { count } = await db.booking.deleteMany({ where: { ...unchanged, source: PLACEHOLDER_SOURCE } });
          if (count > 0) expired.push(hold.bookingId);
          continue;
        }
        const done = await db.$transaction(async (tx) => {
          const { count } = await tx.booking.updateMany({ where: unchanged, data: { status: 'failed', failureReason: 'hold_expired', calendarStatus: 'failed' } });
          if (count === 0) return false;
          await tx.bookingHistory.createMany({
            data: [{ id: newId('his'), bookingId: hold.bookingId, event: 'hold_expired', detail: { sweeper: true, pendingSince: hold.updatedAt }, dedupeKey: `${hold.bookingId}:hold-expired` }],
            skipDuplicates: true,
          });
          // A support retry whose run died with the hold: open again, so support can retry it.
          await tx.syncFailure.updateMany({
            where: { bookingId: hold.bookingId, status: 'retrying' },
            data: { status: 'open', attempts: { increment: 1 }, error: 'hold_expired: the retry ended without an outcome' },
          });
          return true;
        });
        if (done) expired.push(hold.bookingId);
      }
      return { expired };
    },

    async listCalendarOrphans(input: { pastDays: number; futureDays: number; orphanMinAgeMinutes: number; limit: number; companyId?: string }): Promise<CalendarOrphan[]> {
      const now = clock().getTime();
      const orphans: CalendarOrphan[] = [];
      for (const connection of await connectionRows(input.companyId ? { companyId: input.companyId } : {})) {
        const remote = await connections.clientFor(connection).listAllBookings({
          afterStart: new Date(now - input.pastDays * DAY).toISOString(),
          beforeEnd: new Date(now + input.futureDays * DAY).toISOString(),
          status: ['upcoming', 'past'],
        });
        const ours = remote.filter(
          (b) =>
            (b.status === 'accepted' || b.status === 'pending') &&
            typeof b.metadata?.bookingId === 'string' &&
            b.metadata?.companyId === connection.companyId &&
            Date.parse(b.createdAt) <= now - input.orphanMinAgeMinutes * MINUTE,
        );
        const ids = [...new Set(ours.map((b) => b.metadata!.bookingId))];
        const rows = new Map(
          (await db.booking.findMany({ where: { id: { in: ids } }, select: { id: true, status: true, companyId: true, updatedAt: true, workflowId: true } })).map((r) => [r.id, r]),
        );
        const retries = await retryOwners(ids);
        for (const b of ours) {
          const bookingId = b.metadata!.bookingId;
          const row = rows.get(bookingId);
          if (row && (!ORPHAN_STATUSES.has(row.status) || row.companyId !== connection.companyId)) continue;
          if (!row) {
            orphans.push({ uid: b.uid, bookingId, rowStatus: 'missing', updatedAt: null, owners: [], connectionId: connection.id });
          } else {
            const owners = [...(row.workflowId ? [row.workflowId] : []), ...(row.status === 'cancelled' ? [cancelWorkflowId(bookingId)] : []), ...(retries.get(bookingId) ?? [])];
            orphans.push({ uid: b.uid, bookingId, rowStatus: row.status as CalendarOrphan['rowStatus'], updatedAt: row.updatedAt.toISOString(), owners, connectionId: connection.id });
          }
          if (orphans.length >= input.limit) return orphans;
        }
      }
      return orphans;
    },

    /** Cancels each orphan whose row is still as listed (locked meanwhile); a gone Cal.com booking counts as done. */
    async cancelCalendarOrphans({ orphans }: { orphans: CalendarOrphan[] }): Promise<Array<{ uid: string; bookingId: string; cancelled: boolean; reason?: string }>> {
      const results: Array<{ uid: string; bookingId: string; cancelled: boolean; reason?: string }> = [];
      const ids = [...new Set(orphans.map((o) => o.connectionId).filter((id): id is string => id !== undefined))];
      const clients = new Map((await connectionRows({})).filter((c) => ids.includes(c.id)).map((c) => [c.id, connections.clientFor(c)]));
      for (const orphan of orphans) {
        const calcom = orphan.connectionId === undefined ? undefined : clients.get(orphan.connectionId);
        if (!calcom) {
          results.push({ uid: orphan.uid, bookingId: orphan.bookingId, cancelled: false, reason: 'no calendar connection' });
          continue;
        }
        const outcome = await db.$transaction(
          async (tx) => {
            const [row] = await tx.$queryRaw<Array<{ status: string; updated_at: Date }>>`SELECT status, updated_at FROM bookings WHERE id = ${orphan.bookingId} FOR UPDATE`;
            if (row && !ORPHAN_STATUSES.has(row.status)) return { cancelled: false, reason: `booking is ${row.status}` };
            // A row deleted since the listing is still an orphan; one that changed is re-judged next run.
            const seen = orphan.updatedAt === null ? null : Date.parse(orphan.updatedAt);
            if (row && row.updated_at.getTime() !== seen) return { cancelled: false, reason: 'booking changed meanwhile' };
            try {
              await calcom.cancelBooking(orphan.uid, `orphan: booking ${orphan.bookingId} is not confirmed`);
              return { cancelled: true };
            } catch (error) {
              if (error instanceof CalcomError && error.kind === 'not_found') return { cancelled: false, reason: 'not in Cal.com' };
              throw toFailure(error);
            }
          },
          { timeout: 30_000, maxWait: 10_000 },
        );
        results.push({ uid: orphan.uid, bookingId: orphan.bookingId, ...outcome });
      }
      return results;
    },
  };
}

export type SweeperActivities = ReturnType<typeof createSweeperActivities>;
