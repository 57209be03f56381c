/**
 * Reading bookings for answers: tenant-scoped lookups and the API representation (instants in
 * the branch's offset). Reschedule placeholder rows (`source = 'hold'`) are internal: never shown.
 */
import type { Booking, BookingHistory, Db } from '../../infra/db/prisma';
import { formatInstant } from '../common.schemas';
import { notFound } from '../error-handler';
import type { BookingOut } from './bookings.schemas';

export const HOLD_SOURCE = 'hold';

/** A later part of a package (its own booking row, never shown as a booking). */
type PartRow = Pick<Booking, 'serviceId' | 'staffId' | 'resourceId' | 'startAt' | 'endAt' | 'calendarStatus' | 'calendarExternalId'>;
type BookingRow = Booking & { branch: { timezone: string }; packageParts?: PartRow[] };

const PART_FIELDS = { serviceId: true, staffId: true, resourceId: true, startAt: true, endAt: true, calendarStatus: true, calendarExternalId: true } as const;

export async function findBookingRow(db: Db, companyId: string, bookingId: string): Promise<BookingRow | null> {
  const row = await db.booking.findFirst({
    where: { id: bookingId, companyId, source: { not: HOLD_SOURCE }, packageBookingId: null },
    include: { branch: { select: { timezone: true } } },
  });
  return row ? (await withParts(db, [row]))[0] : null;
}

/**
 * Package bookings (partEndAt set) get their later parts attached, in one query for all rows;
 * rows of other services cost nothing.
 */
export async function withParts<T extends Booking>(db: Db, rows: T[]): Promise<(T & { packageParts?: PartRow[] })[]> {
  const ids = rows.filter((r) => r.partEndAt !== null).map((r) => r.id);
  if (ids.length === 0) return rows;
  const parts = await db.booking.findMany({
    where: { packageBookingId: { in: ids } },
    orderBy: [{ packageBookingId: 'asc' }, { partIndex: 'asc' }],
    select: { ...PART_FIELDS, packageBookingId: true },
  });
  return rows.map((r) => (r.partEndAt === null ? r : { ...r, packageParts: parts.filter((p) => p.packageBookingId === r.id) }));
}

export async function loadBooking(db: Db, companyId: string, bookingId: string): Promise<BookingOut> {
  const row = await findBookingRow(db, companyId, bookingId);
  if (!row) throw notFound('Booking', bookingId);
  return renderBooking(row);
}

export async function loadBookingWithHistory(db: Db, companyId: string, bookingId: string) {
  const found = await db.booking.findFirst({
    where: { id: bookingId, companyId, source: { not: HOLD_SOURCE }, packageBookingId: null },
    include: { branch: { select: { timezone: true } }, history: { orderBy: [{ at: 'asc' }, { id: 'asc' }] } },
  });
  if (!found) throw notFound('Booking', bookingId);
  const [row] = await withParts(db, [found]);
  return { ...renderBooking(row), history: row.history.map((h) => renderHistory(h, row.branch.timezone)) };
}

export function renderBooking(row: BookingRow): BookingOut {
  const zone = row.branch.timezone;
  return {
    id: row.id,
    status: row.status as BookingOut['status'],
    branchId: row.branchId,
    serviceId: row.serviceId,
    customerId: row.customerId,
    staffId: row.staffId,
    resourceId: row.resourceId,
    start: formatInstant(row.startAt, zone),
    end: formatInstant(row.endAt, zone),
    source: row.source,
    participants: (Array.isArray(row.participants) ? row.participants : []) as BookingOut['participants'],
    rescheduledCount: row.rescheduledCount,
    calendar: { status: row.calendarStatus as BookingOut['calendar']['status'], externalId: row.calendarExternalId },
    workflowId: row.workflowId,
    failureReason: publicFailureReason(row.failureReason),
    notes: row.notes,
    seriesId: row.seriesId,
    ...(row.partEndAt !== null ? { parts: renderParts(row) } : {}),
    createdAt: formatInstant(row.createdAt, zone),
    updatedAt: formatInstant(row.updatedAt, zone),
  };
}

/** A package's parts: its own row is the first part (partServiceId, partEndAt), then the child rows. */
function renderParts(row: BookingRow): NonNullable<BookingOut['parts']> {
  const zone = row.branch.timezone;
  const first: PartRow = { ...row, serviceId: row.partServiceId ?? row.serviceId, endAt: row.partEndAt ?? row.endAt };
  return [first, ...(row.packageParts ?? [])].map((p) => ({
    serviceId: p.serviceId,
    staffId: p.staffId,
    resourceId: p.resourceId,
    start: formatInstant(p.startAt, zone),
    end: formatInstant(p.endAt, zone),
    calendar: { status: p.calendarStatus as 'synced' | 'pending' | 'failed' | 'not_linked', externalId: p.calendarExternalId },
  }));
}

function renderHistory(h: BookingHistory, zone: string) {
  return { at: formatInstant(h.at, zone), event: h.event, detail: renderDetail(h.detail, zone) };
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/**
 * Detail keys kept in the database but never answered: the hold's internal blocked range (start
 * and end with buffers and travel) and raw upstream error text (host names, ports; support reads
 * it on the sync failure).
 */
const INTERNAL_DETAIL_KEYS = new Set(['blockedStart', 'blockedEnd', 'error']);

/** History details keep UTC instants; show them in the branch's offset like every other instant. */
function renderDetail(detail: unknown, zone: string): Record<string, unknown> {
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string' && ISO_UTC.test(value)) return formatInstant(new Date(value), zone);
    if (Array.isArray(value)) return value.map(walk);
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).filter(([k]) => !INTERNAL_DETAIL_KEYS.has(k)).map(([k, v]) => [k, walk(v)]));
    }
    return value;
  };
  const out = walk(detail);
  return out && typeof out === 'object' && !Array.isArray(out) ? (out as Record<string, unknown>) : {};
}

/**
 * The failure reason as answered: a stable code ('calendar_sync_failed', 'hold_expired', or the
 * failure type before a colon), never an upstream's message (API.md: no raw text, hosts, ports).
 */
export function publicFailureReason(reason: string | null): string | null {
  if (reason === null) return null;
  const code = reason.split(':', 1)[0].trim();
  return /^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(code) ? code : 'failed';
}
