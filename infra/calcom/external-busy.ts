/**
 * Busy times of staff linked to Cal.com users, read from the bookings the branch's own Cal.com
 * account holds (its calendar connection): one listing per availability computation for the whole
 * range and every linked staff member. A branch without a connection has none (`not_linked`).
 *
 * Our own bookings are mirrored into Cal.com, so they come back in that listing too; they are
 * dropped (the database already blocks them, and a cancelled or moved one must not linger):
 * a Cal.com uid recorded on one of our bookings, or our booking id in the Cal.com metadata, which
 * also covers a booking whose uid is not recorded yet (saga in flight) or whose Cal.com copy lags
 * behind a local reschedule. The client's getBusyTimes() returns no metadata, hence the listing.
 *
 * Listings are cached per connection and range for `cacheTtlMs` (default 10 s, at most 1,000
 * entries): on the booking path (plan, alternatives: whole UTC days) a storm of requests for one
 * slot costs one Cal.com call, not one each; an outside booking newer than the listing is refused
 * by Cal.com's create instead, which the API answers as a taken slot too. The availability search
 * passes 0 (its whole answer is cached and invalidated instead).
 *
 * Cal.com unreachable: never fail the search. The answer uses local data only and says so
 * (`unavailable`); after a failure that connection is not asked again for `retryAfterMs`, so an
 * outage costs one timeout, not one per request (per connection: one company's outage never
 * pauses another's).
 */
import type { BusyInterval } from '../../domain/scheduling/scheduling.types';
import type { CacheLogger } from '../cache/redis';
import type { Db } from '../db/prisma';
import type { CalcomClient } from './calcom.client';
import type { CalcomConnections } from './calcom.connections';
import type { CalcomBooking } from './calcom.types';

export type CalendarStatus = 'ok' | 'unavailable' | 'not_linked';

export interface ExternalBusyRequest {
  companyId: string;
  /** The branch's calendar connection; null: not linked. */
  connectionId: string | null;
  staff: { id: string; calcomUserId: number | null }[];
  fromUtc: Date;
  toUtc: Date;
  ownCalendarUids: string[];
}

export interface ExternalBusyResult {
  status: CalendarStatus;
  busy: BusyInterval[];
}

/** The Cal.com client of a company's connection; null when there is no such connection. */
export type ConnectionClientResolver = (companyId: string, connectionId: string) => Promise<CalcomClient | null>;

export interface ExternalBusyOptions {
  clientFor?: ConnectionClientResolver;
  logger: CacheLogger;
  /** Deadline of the listing; a slower Cal.com counts as unavailable. Default 1500 ms. */
  timeoutMs?: number;
  /** Pause after a failure before Cal.com is tried again. Default 5000 ms. */
  retryAfterMs?: number;
  /** How long one listing is reused. Default 10000 ms; 0 disables the cache. */
  cacheTtlMs?: number;
  now?: () => number;
}

export type ExternalBusySource = (req: ExternalBusyRequest) => Promise<ExternalBusyResult>;

/** Our booking ids (infra/db/ids.ts): Cal.com metadata values of this shape are ours. */
const OWN_BOOKING_ID = /^bkg_[a-z2-7]{16}$/;
const DAY_MS = 86_400_000;

export function createExternalBusySource(options: ExternalBusyOptions): ExternalBusySource {
  const timeoutMs = options.timeoutMs ?? 1500;
  const retryAfterMs = options.retryAfterMs ?? 5000;
  const now = options.now ?? Date.now;
  // Per connection: until when it is not asked again, and whether its outage was logged.
  const paused = new Map<string, number>();
  const outageLogged = new Set<string>();
  const cacheTtlMs = options.cacheTtlMs ?? 10_000;
  const listings = new Map<string, { at: number; bookings: Promise<CalcomBooking[]> }>();
  const listed = (connectionId: string, client: CalcomClient, fromUtc: Date, toUtc: Date): Promise<CalcomBooking[]> => {
    const key = `${connectionId}|${fromUtc.getTime()}|${toUtc.getTime()}`;
    const hit = listings.get(key);
    if (hit && now() - hit.at <= cacheTtlMs) return hit.bookings;
    const bookings = withTimeout(
      client.listAllBookings({
        status: ['upcoming', 'past'],
        // Cal.com selects bookings fully inside [afterStart, beforeEnd]; widen to catch overlaps.
        afterStart: new Date(fromUtc.getTime() - DAY_MS).toISOString(),
        beforeEnd: new Date(toUtc.getTime() + DAY_MS).toISOString(),
      }),
      timeoutMs,
    );
    if (cacheTtlMs > 0) {
      listings.set(key, { at: now(), bookings });
      bookings.catch(() => listings.delete(key));
      if (listings.size > 1_000) listings.delete(listings.keys().next().value as string);
    }
    return bookings;
  };

  return async (req) => {
    const users = new Map<number, string[]>();
    for (const s of req.staff) {
      if (s.calcomUserId === null || s.calcomUserId === undefined) continue;
      users.set(s.calcomUserId, [...(users.get(s.calcomUserId) ?? []), s.id]);
    }
    if (users.size === 0 || req.connectionId === null) return { status: 'not_linked', busy: [] };
    const connectionId = req.connectionId;
    if (!options.clientFor || now() < (paused.get(connectionId) ?? 0)) return { status: 'unavailable', busy: [] };
    let bookings: CalcomBooking[];
    try {
      const client = await options.clientFor(req.companyId, connectionId);
      if (!client) return { status: 'not_linked', busy: [] };
      bookings = await listed(connectionId, client, req.fromUtc, req.toUtc);
    } catch (err) {
      paused.set(connectionId, now() + retryAfterMs);
      if (paused.size > 10_000) paused.delete(paused.keys().next().value as string);
      if (!outageLogged.has(connectionId)) {
        outageLogged.add(connectionId);
        options.logger.warn({ connectionId, err: (err as Error).message }, 'Cal.com unreachable: availability uses local data only');
      }
      return { status: 'unavailable', busy: [] };
    }
    if (outageLogged.delete(connectionId)) options.logger.info({ connectionId }, 'Cal.com reachable again: external busy times applied');
    return { status: 'ok', busy: toBusy(bookings, users, req) };
  };
}

function toBusy(bookings: CalcomBooking[], users: Map<number, string[]>, req: ExternalBusyRequest): BusyInterval[] {
  const own = new Set(req.ownCalendarUids);
  const from = req.fromUtc.getTime();
  const to = req.toUtc.getTime();
  const busy: BusyInterval[] = [];
  for (const booking of bookings) {
    if (booking.status !== 'accepted' && booking.status !== 'pending') continue;
    if (own.has(booking.uid) || isOurs(booking)) continue;
    const start = Date.parse(booking.start);
    const end = Date.parse(booking.end);
    // Cal.com's range filters are unreliable (issue #18010): check the overlap here.
    if (!(start < to && end > from)) continue;
    for (const host of booking.hosts) {
      for (const staffId of users.get(host.id) ?? []) busy.push({ staffId, start, end });
    }
  }
  return busy;
}

function isOurs(booking: CalcomBooking): boolean {
  return Object.values(booking.metadata ?? {}).some((v) => typeof v === 'string' && OWN_BOOKING_ID.test(v));
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Cal.com did not answer within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

const CONNECTION_TTL_MS = 10_000;

/**
 * A company's connection → its pooled client. The row (base URL, sealed key, key version) is read
 * at most every 10 s per connection, so a key change or a deleted connection shows within that.
 */
export function connectionClientResolver(db: Db, connections: CalcomConnections, now: () => number = Date.now): ConnectionClientResolver {
  const rows = new Map<string, { at: number; row: { id: string; baseUrl: string; apiKeyEnc: string; keyVersion: number } | null }>();
  return async (companyId, connectionId) => {
    const key = `${companyId}|${connectionId}`;
    let entry = rows.get(key);
    if (!entry || now() - entry.at > CONNECTION_TTL_MS) {
      const row = await db.calendarConnection.findFirst({ where: { id: connectionId, companyId }, select: { id: true, baseUrl: true, apiKeyEnc: true, keyVersion: true } });
      entry = { at: now(), row };
      rows.set(key, entry);
      if (rows.size > 5_000) rows.delete(rows.keys().next().value as string);
    }
    return entry.row ? connections.clientFor(entry.row) : null;
  };
}
