/**
 * GET /v1/bookings: the caller's bookings filtered by branch, staff, customer, status and a start
 * range, keyset-paginated in the asked `order` (start or createdAt, either direction; id breaks
 * ties), optionally with customer/service/staff inlined (booking-expand.ts). `from`/`to` may be
 * instants or dates; a date means the whole day in the branch's zone (UTC when no branchId is
 * given), `to` inclusive of that day.
 *
 * The cursor is base64url of [order, key instant, id] of the page's last row: a cursor of another
 * order, or one that does not decode, is a 400.
 */
import { DateTime } from 'luxon';
import type { Db } from '../../infra/db/prisma';
import { invalid } from '../error-handler';
import { expandBookings } from './booking-expand';
import { HOLD_SOURCE, renderBooking, withParts } from './booking.view';
import type { BookingOrder, ListBookingsQuery } from './bookings.schemas';

type KeyField = 'startAt' | 'createdAt';

function orderOf(order: BookingOrder): { field: KeyField; dir: 'asc' | 'desc' } {
  const desc = order.startsWith('-');
  return { field: order.replace('-', '') === 'start' ? 'startAt' : 'createdAt', dir: desc ? 'desc' : 'asc' };
}

export async function listBookings(db: Db, companyId: string, query: ListBookingsQuery) {
  const zone = query.branchId
    ? ((await db.branch.findFirst({ where: { id: query.branchId, companyId }, select: { timezone: true } }))?.timezone ?? 'UTC')
    : 'UTC';
  const from = query.from === undefined ? undefined : boundary(query.from, zone, 'start');
  const to = query.to === undefined ? undefined : boundary(query.to, zone, 'end');
  const { field, dir } = orderOf(query.order);
  const after = query.cursor ? decodeCursor(query.cursor, query.order) : null;
  const beyond = dir === 'asc' ? 'gt' : 'lt';
  const rows = await db.booking.findMany({
    where: {
      AND: [
        {
          companyId,
          source: { not: HOLD_SOURCE },
          // A package's later parts are rows of their own, never bookings; a package is listed
          // for the staff member of any of its parts.
          packageBookingId: null,
          ...(query.branchId ? { branchId: query.branchId } : {}),
          ...(query.staffId ? { OR: [{ staffId: query.staffId }, { packageParts: { some: { staffId: query.staffId } } }] } : {}),
          ...(query.customerId ? { customerId: query.customerId } : {}),
          ...(query.status ? { status: query.status } : {}),
          ...(from || to ? { startAt: { ...(from ? { gte: from } : {}), ...(to ? { lt: to } : {}) } } : {}),
        },
        after ? { OR: [{ [field]: { [beyond]: after.at } }, { [field]: after.at, id: { [beyond]: after.id } }] } : {},
      ],
    },
    include: { branch: { select: { timezone: true } } },
    orderBy: [{ [field]: dir }, { id: dir }],
    take: query.limit + 1,
  });
  const more = rows.length > query.limit;
  const page = more ? rows.slice(0, query.limit) : rows;
  const last = page[page.length - 1];
  const data = await expandBookings(db, companyId, (await withParts(db, page)).map(renderBooking), query.expand);
  return { data, nextCursor: more ? encodeCursor(query.order, last[field], last.id) : null };
}

function encodeCursor(order: BookingOrder, at: Date, id: string): string {
  return Buffer.from(JSON.stringify([order, at.toISOString(), id])).toString('base64url');
}

function decodeCursor(cursor: string, order: BookingOrder): { at: Date; id: string } {
  try {
    const [o, at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    const time = typeof at === 'string' ? Date.parse(at) : NaN;
    const sane = typeof id === 'string' && id.length <= 100 && !id.includes('\u0000');
    if (o === order && sane && time >= 0 && time < Date.UTC(9999, 0, 1)) return { at: new Date(time), id };
  } catch {
    // fall through to the validation error
  }
  throw invalid([{ path: 'cursor', message: 'Invalid cursor (or one made with another order)' }]);
}

/** An instant as is; a date → its first minute (`start`) or the next day's first minute (`end`). */
function boundary(value: Date | string, zone: string, edge: 'start' | 'end'): Date {
  if (value instanceof Date) return value;
  const day = DateTime.fromISO(value, { zone }).startOf('day');
  return (edge === 'start' ? day : day.plus({ days: 1 })).toJSDate();
}
