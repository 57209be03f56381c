/**
 * Cal.com side of the sagas. Cal.com answers a duplicate create with an error (not the existing
 * booking) and a reschedule with a NEW uid, so:
 * - create puts our booking id into `metadata.bookingId`; a retry attempt, and any refusal, first
 *   looks the booking up by that metadata and adopts it: one Cal.com booking per booking, ever;
 * - reschedule follows the `rescheduledToUid` chain first, so a retried reschedule adopts the
 *   successor instead of failing on a cancelled uid; the current uid is stored at once;
 * - cancel is idempotent (the client turns "already cancelled" into success);
 * - a create refused as "slot taken" or "duplicate" because of one of OUR bookings that is already
 *   cancelled here (its Cal.com cancel still in flight) cancels that one in Cal.com and tries once more.
 * CalcomError.retryable decides ApplicationFailure.nonRetryable; 429 passes Retry-After on.
 *
 * Every call goes to the Cal.com account of the booking's branch (its calendar connection, a
 * pooled client per connection). A booking whose branch has no connection, or whose staff member
 * or service is not linked, makes no calendar call at all: create marks it `not_linked`,
 * reschedule and cancel are no-ops. There is no default event type and no default host.
 * Everything we create carries metadata `{bookingId, companyId}` (ownership for clean-ups).
 * Packages: each part is a booking row of its own (the package's row is its first part, whose
 * service and end are `part_service_id`/`part_end_at`), so each part is its own Cal.com booking.
 */
import { activityInfo, ApplicationFailure } from '@temporalio/activity';
import { CalcomError } from '../infra/calcom/calcom.errors';
import type { CalcomBooking } from '../infra/calcom/calcom.types';
import type { CalcomClient } from '../infra/calcom/calcom.client';
import type { CalcomConnections } from '../infra/calcom/calcom.connections';
import type { Db } from '../infra/db/prisma';

export interface CalendarActivityDeps {
  connections: CalcomConnections;
  db: Db;
}

/** A booking's way into Cal.com: its branch's connection and the linked event type and host. */
interface CalendarLink {
  client: CalcomClient;
  eventTypeId: number;
  userId: number;
}

interface LoadedRow {
  id: string;
  staff_id: string;
  customer_id: string;
  start_at: Date | string;
  end_at: Date | string;
  participants: unknown;
  calendar_external_id: string | null;
  calendar_status: string;
  calcom_event_type_id: number | null;
  calcom_user_id: number | null;
  customer_name: string;
  customer_email: string | null;
  customer_timezone: string | null;
  customer_language: string | null;
  branch_timezone: string;
  company_id: string;
  connection_id: string | null;
  base_url: string | null;
  api_key_enc: string | null;
  key_version: number | null;
}

/** What the calendar steps use of a booking and its relations. */
interface Loaded {
  id: string;
  staffId: string;
  customerId: string;
  startAt: Date;
  endAt: Date;
  participants: unknown;
  calendarExternalId: string | null;
  /** `not_linked`: nothing of this booking was ever written to the calendar. */
  calendarStatus: string;
  service: { calcomEventTypeId: number | null };
  staff: { calcomUserId: number | null };
  customer: { id: string; name: string; email: string | null; timezone: string | null; language: string | null };
  branch: { timezone: string };
  companyId: string;
  /** null: not linked (no connection, staff or service without a Cal.com id): no calendar call. */
  link: CalendarLink | null;
}

const METADATA_KEY = 'bookingId';
const DAY_MS = 24 * 60 * 60 * 1000;

export function createCalendarActivities({ connections, db }: CalendarActivityDeps) {
  /** The booking and what Cal.com needs of its service, staff, customer and branch: one query (Prisma's include takes five). */
  async function load(bookingId: string): Promise<Loaded> {
    const [row] = await db.$queryRaw<LoadedRow[]>`
      SELECT b.id, b.staff_id, b.customer_id, b.start_at, COALESCE(b.part_end_at, b.end_at) AS end_at, b.participants, b.calendar_external_id, b.calendar_status,
        sv.calcom_event_type_id, st.calcom_user_id, c.name AS customer_name, c.email AS customer_email,
        c.timezone AS customer_timezone, c.language AS customer_language, br.timezone AS branch_timezone, b.company_id,
        cc.id AS connection_id, cc.base_url, cc.api_key_enc, cc.key_version
      FROM bookings b
      JOIN services sv ON sv.id = COALESCE(b.part_service_id, b.service_id)
      JOIN staff st ON st.id = b.staff_id
      JOIN customers c ON c.id = b.customer_id
      JOIN branches br ON br.id = b.branch_id
      LEFT JOIN calendar_connections cc ON cc.id = br.calendar_connection_id AND cc.company_id = b.company_id
      WHERE b.id = ${bookingId}`;
    if (!row) throw ApplicationFailure.nonRetryable(`booking ${bookingId} not found`, 'NotFound');
    const linked = row.connection_id !== null && row.calcom_event_type_id !== null && row.calcom_user_id !== null;
    return {
      id: row.id,
      staffId: row.staff_id,
      customerId: row.customer_id,
      startAt: new Date(row.start_at),
      endAt: new Date(row.end_at),
      participants: typeof row.participants === 'string' ? (JSON.parse(row.participants) as unknown) : row.participants,
      calendarExternalId: row.calendar_external_id,
      calendarStatus: row.calendar_status,
      service: { calcomEventTypeId: row.calcom_event_type_id },
      staff: { calcomUserId: row.calcom_user_id },
      customer: { id: row.customer_id, name: row.customer_name, email: row.customer_email, timezone: row.customer_timezone, language: row.customer_language },
      branch: { timezone: row.branch_timezone },
      companyId: row.company_id,
      link: linked
        ? {
            client: connections.clientFor({ id: row.connection_id!, baseUrl: row.base_url!, apiKeyEnc: row.api_key_enc!, keyVersion: row.key_version! }),
            eventTypeId: row.calcom_event_type_id!,
            userId: row.calcom_user_id!,
          }
        : null,
    };
  }

  /** The client of a branch's connection (a booking row that vanished: its branch still says where). */
  async function branchClient(branchId: string): Promise<CalcomClient | null> {
    const [row] = await db.$queryRaw<Array<{ id: string; base_url: string; api_key_enc: string; key_version: number }>>`
      SELECT cc.id, cc.base_url, cc.api_key_enc, cc.key_version FROM branches br
      JOIN calendar_connections cc ON cc.id = br.calendar_connection_id AND cc.company_id = br.company_id
      WHERE br.id = ${branchId}`;
    return row ? connections.clientFor({ id: row.id, baseUrl: row.base_url, apiKeyEnc: row.api_key_enc, keyVersion: row.key_version }) : null;
  }

  const findOurs = (b: Loaded, link: CalendarLink): Promise<CalcomBooking | null> =>
    link.client.findBookingByMetadata({
      key: METADATA_KEY,
      value: b.id,
      eventTypeId: link.eventTypeId,
      afterStart: new Date(b.startAt.getTime() - DAY_MS).toISOString(),
      beforeEnd: new Date(b.endAt.getTime() + DAY_MS).toISOString(),
    });

  /**
   * Cancels in Cal.com the bookings of the same staff member or customer overlapping `b` that are cancelled or
   * failed here but whose Cal.com cancel has not been confirmed (`calendarStatus` not `synced`):
   * e.g. a slot cancelled and booked again at once. Idempotent: the cancel saga that still runs
   * finds them cancelled. Answers how many there were.
   */
  async function cancelStaleTwins(b: Loaded, link: CalendarLink): Promise<number> {
    const twins = await db.booking.findMany({
      where: {
        OR: [{ staffId: b.staffId }, { customerId: b.customerId }], id: { not: b.id }, status: { in: ['cancelled', 'failed'] }, calendarExternalId: { not: null },
        calendarStatus: { not: 'synced' }, startAt: { lt: b.endAt }, endAt: { gt: b.startAt },
      },
      select: { calendarExternalId: true },
      take: 5,
    });
    for (const twin of twins) await link.client.cancelBooking(twin.calendarExternalId as string, 'slot booked again');
    return twins.length;
  }

  /**
   * Stores the Cal.com uid: one plain UPDATE (Prisma's update also reads the whole row back). Bumps
   * `updated_at` as Prisma's @updatedAt would (the hold sweeper reads it); a missing row fails like Prisma's update.
   */
  async function remember(bookingId: string, uid: string): Promise<void> {
    // A package's later part (a child row) has no confirm of its own: its uid is its sync.
    const changed = await db.$executeRaw`
      UPDATE bookings SET calendar_external_id = ${uid}, updated_at = now(),
        calendar_status = CASE WHEN package_booking_id IS NOT NULL THEN 'synced' ELSE calendar_status END
      WHERE id = ${bookingId}`;
    if (changed === 0) throw new Error(`booking ${bookingId} not found while storing Cal.com uid ${uid}`);
  }

  /**
   * Seats: the Cal.com uid of another live booking of the same class (service|start|staff), which
   * stands for the whole class in the calendar (one event per class; the first seat makes it).
   */
  async function classUid(bookingId: string): Promise<string | null> {
    const rows = await db.$queryRaw<Array<{ uid: string }>>`
      SELECT o.calendar_external_id AS uid FROM bookings b JOIN bookings o ON o.seat_key = b.seat_key
      WHERE b.id = ${bookingId} AND b.seat_key IS NOT NULL AND o.id <> b.id
        AND o.status IN ('pending', 'confirmed') AND o.calendar_external_id IS NOT NULL
      LIMIT 1`;
    return rows[0]?.uid ?? null;
  }

  return {
    /** Creates (or adopts) the Cal.com booking; `externalId: null` when the booking is not linked (no call made). */
    async createCalendarBooking({ bookingId }: { bookingId: string }): Promise<{ externalId: string | null }> {
      const b = await load(bookingId);
      if (b.calendarExternalId) return { externalId: b.calendarExternalId };
      const link = b.link;
      if (!link) {
        await db.$executeRaw`UPDATE bookings SET calendar_status = 'not_linked', updated_at = now() WHERE id = ${bookingId} AND calendar_status = 'pending'`;
        return { externalId: null };
      }
      const joined = await classUid(bookingId);
      if (joined) {
        await remember(bookingId, joined);
        return { externalId: joined };
      }
      if (activityInfo().attempt > 1) {
        const adopted = await findOurs(b, link);
        if (adopted) return adopt(adopted);
      }
      const host = link.userId;
      try {
        return await createRemote(host).catch(async (error: unknown) => {
          // Refused (slot taken, or the same attendee's duplicate) because of a booking of ours that
          // is over but not yet cancelled in Cal.com (its cancel runs asynchronously): cancel that
          // one now and try once more.
          const refusedAsTaken = error instanceof CalcomError && (error.kind === 'slot_taken' || error.kind === 'duplicate');
          if (refusedAsTaken && (await cancelStaleTwins(b, link)) > 0) return createRemote(host);
          throw error;
        });
      } catch (error) {
        if (error instanceof CalcomError && !error.retryable) {
          // Our own earlier attempt may hold the slot (duplicate, or "slot taken" by ourselves).
          const adopted = await findOurs(b, link).catch(() => null);
          if (adopted) return adopt(adopted);
          // A seat whose class event another seat made meanwhile joins it.
          const joinedLate = await classUid(bookingId);
          if (joinedLate) {
            await remember(bookingId, joinedLate);
            return { externalId: joinedLate };
          }
        }
        throw toFailure(error);
      }

      async function createRemote(host: number): Promise<{ externalId: string }> {
        const created = await link!.client.createBooking({
          start: b.startAt.toISOString(),
          eventTypeId: link!.eventTypeId,
          lengthInMinutes: Math.round((b.endAt.getTime() - b.startAt.getTime()) / 60_000),
          attendee: {
            name: b.customer.name,
            email: b.customer.email ?? `${b.customer.id}@customers.invalid`,
            timeZone: b.customer.timezone ?? b.branch.timezone,
            ...(b.customer.language ? { language: b.customer.language } : {}),
          },
          guests: participantEmails(b.participants),
          metadata: { [METADATA_KEY]: b.id, companyId: b.companyId },
          routing: { teamMemberIds: [host] },
        });
        return adopt(created);
      }

      async function adopt(remote: CalcomBooking): Promise<{ externalId: string }> {
        await remember(bookingId, remote.uid);
        return { externalId: remote.uid };
      }
    },

    /** Moves the Cal.com booking to `start` (no-op when it is there already); returns the current uid. */
    async rescheduleCalendarBooking(input: { bookingId: string; start: string; reason?: string | null }): Promise<{ externalId: string | null }> {
      const b = await load(input.bookingId);
      const link = b.link;
      if (!link) return { externalId: b.calendarExternalId };
      const calcom = link.client;
      try {
        const uid = b.calendarExternalId ?? (await findOurs(b, link))?.uid;
        if (!uid) return { externalId: null };
        let current = await calcom.getBooking(uid);
        for (let hops = 0; current.rescheduledToUid && hops < 20; hops += 1) current = await calcom.getBooking(current.rescheduledToUid);
        if (Date.parse(current.start) !== Date.parse(input.start)) {
          current = await calcom.rescheduleBooking(current.uid, {
            start: new Date(input.start).toISOString(),
            ...(input.reason ? { reschedulingReason: input.reason } : {}),
          });
        }
        if (current.uid !== b.calendarExternalId) await remember(b.id, current.uid);
        return { externalId: current.uid };
      } catch (error) {
        throw toFailure(error);
      }
    },

    /**
     * Cancels the Cal.com booking made for this booking, if any; a no-op when there is none.
     * `externalId` is the uid the caller already knows: it still finds the Cal.com booking when the
     * row itself is gone (deleted while a saga ran), so a compensation never leaves it behind.
     */
    async cancelCalendarBooking(input: { bookingId: string; reason?: string | null; externalId?: string | null; branchId?: string }): Promise<{ cancelled: boolean }> {
      const b = await load(input.bookingId).catch((error: unknown) => {
        if (error instanceof ApplicationFailure && error.type === 'NotFound') return null;
        throw error;
      });
      try {
        // A vanished row: its branch's connection (when the caller names the branch) and the known uid.
        const calcom = b ? (b.link?.client ?? null) : input.branchId && input.externalId ? await branchClient(input.branchId) : null;
        if (!calcom) return { cancelled: false };
        // Never written (e.g. cancelled while awaiting approval): no Cal.com call at all, not even a search.
        if (b && b.calendarStatus === 'not_linked' && !b.calendarExternalId && !input.externalId) return { cancelled: false };
        const uid = b ? (b.calendarExternalId ?? input.externalId ?? (await findOurs(b, b.link!))?.uid) : input.externalId;
        if (!uid) return { cancelled: false };
        // Seats: the class event stays while another live seat of the class shares it.
        if (b) {
          const shared = await db.$queryRaw<Array<{ n: number }>>`
            SELECT count(*)::int AS n FROM bookings b JOIN bookings o ON o.seat_key = b.seat_key
            WHERE b.id = ${b.id} AND b.seat_key IS NOT NULL AND o.id <> b.id
              AND o.status IN ('pending', 'confirmed') AND o.calendar_external_id = ${uid}`;
          if ((shared[0]?.n ?? 0) > 0) {
            await db.$executeRaw`UPDATE bookings SET calendar_status = 'synced', updated_at = now() WHERE id = ${b.id} AND status = 'cancelled'`;
            return { cancelled: false };
          }
        }
        let current = await calcom.getBooking(uid);
        for (let hops = 0; current.rescheduledToUid && hops < 20; hops += 1) current = await calcom.getBooking(current.rescheduledToUid);
        if (current.status !== 'cancelled') await calcom.cancelBooking(current.uid, input.reason ?? undefined);
        if (b) await db.$executeRaw`UPDATE bookings SET calendar_status = 'synced', updated_at = now() WHERE id = ${b.id} AND status = 'cancelled'`;
        return { cancelled: true };
      } catch (error) {
        if (error instanceof CalcomError && error.kind === 'not_found') return { cancelled: false };
        throw toFailure(error);
      }
    },
  };
}

function participantEmails(participants: unknown): string[] | undefined {
  if (!Array.isArray(participants)) return undefined;
  const emails = participants
    .map((p) => (p && typeof p === 'object' ? (p as { email?: unknown }).email : undefined))
    .filter((e): e is string => typeof e === 'string' && e.length > 0);
  return emails.length > 0 ? emails : undefined;
}

/** CalcomError → ApplicationFailure with an explicit type; retryability comes from the client's classification. */
export function toFailure(error: unknown): ApplicationFailure {
  if (error instanceof ApplicationFailure) return error;
  if (error instanceof CalcomError) {
    const type = error.retryable ? 'CalendarUnavailable' : error.kind === 'slot_taken' ? 'CalendarSlotTaken' : 'CalendarRejected';
    return ApplicationFailure.create({
      type,
      message: error.message,
      nonRetryable: !error.retryable,
      details: [{ kind: error.kind, status: error.status ?? null }],
      ...(error.retryAfterMs !== undefined ? { nextRetryDelay: error.retryAfterMs } : {}),
    });
  }
  return ApplicationFailure.create({ type: 'CalendarUnavailable', message: error instanceof Error ? error.message : String(error) });
}

export type CalendarActivities = ReturnType<typeof createCalendarActivities>;
