/**
 * `GET /v2/bookings` filtering, sorting and paging (2024-08-13). Status groups follow Cal.com's
 * bookings query: upcoming = not ended and neither cancelled nor rejected; unconfirmed = not ended
 * and pending; past = ended and neither cancelled nor rejected; cancelled = cancelled or rejected;
 * recurring = none here (the emulator has no recurring event types). Several statuses are OR-ed.
 * `afterStart`/`beforeEnd` select bookings lying inside the range (start ≥ afterStart, end ≤ beforeEnd).
 */
import type { CalcomBooking, CalcomListStatus, CalcomPagination } from '../calcom.types';
import { badRequest } from './emulator.errors';
import { isIsoInstant } from './emulator.validation';

export interface ListResult {
  data: CalcomBooking[];
  pagination: CalcomPagination;
}

const STATUSES: CalcomListStatus[] = ['upcoming', 'recurring', 'past', 'cancelled', 'unconfirmed'];
const SORT_KEYS = { sortStart: 'start', sortEnd: 'end', sortCreated: 'createdAt', sortUpdatedAt: 'updatedAt' } as const;
const DEFAULT_TAKE = 100;
const MAX_TAKE = 250;

function inStatus(booking: CalcomBooking, status: CalcomListStatus, now: number): boolean {
  const ended = Date.parse(booking.end) <= now;
  const dead = booking.status === 'cancelled' || booking.status === 'rejected';
  switch (status) {
    case 'upcoming':
      return !ended && !dead;
    case 'unconfirmed':
      return !ended && booking.status === 'pending';
    case 'past':
      return ended && !dead;
    case 'cancelled':
      return dead;
    case 'recurring':
      return false;
  }
}

function parseQuery(query: URLSearchParams) {
  const errors: string[] = [];
  const instant = (key: string): number | undefined => {
    const raw = query.get(key);
    if (raw === null) return undefined;
    if (!isIsoInstant(raw)) errors.push(`${key} must be a valid ISO 8601 date string`);
    return Date.parse(raw);
  };
  const int = (key: string, fallback: number, min: number, max: number): number => {
    const raw = query.get(key);
    if (raw === null) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) errors.push(`${key} must be an integer between ${min} and ${max}`);
    return value;
  };
  const statuses = query.get('status')?.split(',').filter(Boolean) as CalcomListStatus[] | undefined;
  if (statuses?.some((s) => !STATUSES.includes(s))) errors.push(`each value in status must be one of the following values: ${STATUSES.join(', ')}`);
  const ids = [query.get('eventTypeId'), ...(query.get('eventTypeIds')?.split(',') ?? [])].filter((v): v is string => Boolean(v));
  if (ids.some((id) => !/^\d+$/.test(id))) errors.push('eventTypeIds must be a list of integers');
  const sorts: Array<[keyof CalcomBooking, 1 | -1]> = [];
  for (const [param, field] of Object.entries(SORT_KEYS)) {
    const raw = query.get(param);
    if (raw === null) continue;
    if (raw !== 'asc' && raw !== 'desc') errors.push(`${param} must be one of the following values: asc, desc`);
    sorts.push([field, raw === 'desc' ? -1 : 1]);
  }
  const parsed = {
    statuses,
    eventTypeIds: ids.map(Number),
    attendeeEmail: query.get('attendeeEmail')?.toLowerCase(),
    attendeeName: query.get('attendeeName')?.toLowerCase(),
    bookingUid: query.get('bookingUid') ?? undefined,
    afterStart: instant('afterStart'),
    beforeEnd: instant('beforeEnd'),
    afterCreatedAt: instant('afterCreatedAt'),
    beforeCreatedAt: instant('beforeCreatedAt'),
    afterUpdatedAt: instant('afterUpdatedAt'),
    beforeUpdatedAt: instant('beforeUpdatedAt'),
    take: int('take', DEFAULT_TAKE, 1, MAX_TAKE),
    skip: int('skip', 0, 0, Number.MAX_SAFE_INTEGER),
    sorts,
  };
  if (errors.length > 0) throw badRequest(errors);
  return parsed;
}

export function filterBookings(bookings: CalcomBooking[], query: URLSearchParams, now: number): ListResult {
  const q = parseQuery(query);
  const atOrAfter = (value: string, bound?: number) => bound === undefined || Date.parse(value) >= bound;
  const atOrBefore = (value: string, bound?: number) => bound === undefined || Date.parse(value) <= bound;
  const matching = bookings.filter(
    (b) =>
      (!q.statuses?.length || q.statuses.some((s) => inStatus(b, s, now))) &&
      (q.eventTypeIds.length === 0 || q.eventTypeIds.includes(b.eventTypeId)) &&
      (!q.attendeeEmail || b.attendees.some((a) => a.email.toLowerCase() === q.attendeeEmail)) &&
      (!q.attendeeName || b.attendees.some((a) => a.name.toLowerCase().includes(q.attendeeName as string))) &&
      (!q.bookingUid || b.uid === q.bookingUid) &&
      atOrAfter(b.start, q.afterStart) &&
      atOrBefore(b.end, q.beforeEnd) &&
      atOrAfter(b.createdAt, q.afterCreatedAt) &&
      atOrBefore(b.createdAt, q.beforeCreatedAt) &&
      atOrAfter(b.updatedAt, q.afterUpdatedAt) &&
      atOrBefore(b.updatedAt, q.beforeUpdatedAt),
  );
  // Default order: start ascending, then id (stable paging).
  const sorts = q.sorts.length > 0 ? q.sorts : [['start', 1] as [keyof CalcomBooking, 1 | -1]];
  matching.sort((a, b) => {
    for (const [field, dir] of sorts) {
      const diff = String(a[field]).localeCompare(String(b[field]));
      if (diff !== 0) return diff * dir;
    }
    return a.id - b.id;
  });
  const page = matching.slice(q.skip, q.skip + q.take).map((b) => structuredClone(b));
  const total = matching.length;
  return {
    data: page,
    pagination: {
      totalItems: total,
      remainingItems: Math.max(0, total - q.skip - page.length),
      returnedItems: page.length,
      itemsPerPage: q.take,
      currentPage: Math.floor(q.skip / q.take),
      totalPages: Math.ceil(total / q.take),
      hasNextPage: q.skip + page.length < total,
      hasPreviousPage: q.skip > 0,
    },
  };
}
