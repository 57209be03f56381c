/**
 * GET /v1/bookings: the caller's bookings filtered by branch, staff, customer, status and a start
 * range, keyset-paginated by creation. `from`/`to` may be instants or dates; a date means the
 * whole day in the branch's zone (UTC when no branchId is given), `to` inclusive of that day.
 */
import { DateTime } from 'luxon';
import type { Db } from '../../infra/db/prisma';
import { keysetArgs, toPage } from '../pagination';
import { HOLD_SOURCE, renderBooking } from './booking.view';
import type { ListBookingsQuery } from './bookings.schemas';

export async function listBookings(db: Db, companyId: string, query: ListBookingsQuery) {
  const zone = query.branchId
    ? ((await db.branch.findFirst({ where: { id: query.branchId, companyId }, select: { timezone: true } }))?.timezone ?? 'UTC')
    : 'UTC';
  const from = query.from === undefined ? undefined : boundary(query.from, zone, 'start');
  const to = query.to === undefined ? undefined : boundary(query.to, zone, 'end');
  const page = keysetArgs(query);
  const rows = await db.booking.findMany({
    where: {
      AND: [
        {
          companyId,
          source: { not: HOLD_SOURCE },
          ...(query.branchId ? { branchId: query.branchId } : {}),
          ...(query.staffId ? { staffId: query.staffId } : {}),
          ...(query.customerId ? { customerId: query.customerId } : {}),
          ...(query.status ? { status: query.status } : {}),
          ...(from || to ? { startAt: { ...(from ? { gte: from } : {}), ...(to ? { lt: to } : {}) } } : {}),
        },
        page.where,
      ],
    },
    include: { branch: { select: { timezone: true } } },
    orderBy: page.orderBy,
    take: page.take,
  });
  return toPage(rows, query, renderBooking);
}

/** An instant as is; a date → its first minute (`start`) or the next day's first minute (`end`). */
function boundary(value: Date | string, zone: string, edge: 'start' | 'end'): Date {
  if (value instanceof Date) return value;
  const day = DateTime.fromISO(value, { zone }).startOf('day');
  return (edge === 'start' ? day : day.plus({ days: 1 })).toJSDate();
}
