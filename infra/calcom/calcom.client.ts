/**
 * Cal.com API v2 bookings client. Every call pins `cal-api-version` (without it Cal.com silently
 * falls back to the 2024-04-15 shapes), has its own AbortController deadline, and fails with a
 * classified CalcomError so callers can decide on retries without parsing HTTP. No retries here:
 * Temporal activities own retry policy, and a create may already have happened remotely.
 * HTTP through undici's request() over its pooled keep-alive connections: a third of the CPU of
 * global fetch() per call (no WHATWG streams), which counts on a worker booking at full load.
 */
import { request as httpRequest } from 'undici';
import {
  CalcomError,
  classifyStatus,
  parseErrorBody,
  parseRetryAfterMs,
} from './calcom.errors';
import {
  CALCOM_BOOKINGS_API_VERSION,
  CALCOM_EVENT_TYPES_API_VERSION,
  type CalcomBooking,
  type CalcomCreateWebhookInput,
  type CalcomEventType,
  type CalcomMe,
  type CalcomWebhook,
  type CalcomBookingPage,
  type CalcomBusyTime,
  type CalcomBusyTimesQuery,
  type CalcomCreateBookingInput,
  type CalcomListBookingsFilter,
  type CalcomMetadataQuery,
  type CalcomPagination,
  type CalcomRescheduleInput,
  type CalcomSuccess,
} from './calcom.types';

export interface CalcomClientOptions {
  baseUrl: string;
  apiKey: string;
  /** Per request, including reading the body. */
  timeoutMs?: number;
  apiVersion?: string;
}

export interface CalcomClient {
  createBooking(input: CalcomCreateBookingInput): Promise<CalcomBooking>;
  getBooking(uid: string): Promise<CalcomBooking>;
  listBookings(filter?: CalcomListBookingsFilter): Promise<CalcomBookingPage>;
  /** Every page of a listing (Cal.com caps `take` at 100 per page). */
  listAllBookings(filter?: Omit<CalcomListBookingsFilter, 'take' | 'skip'>): Promise<CalcomBooking[]>;
  /** The booking carrying `metadata[key] === value`, live ones first; null when none. */
  findBookingByMetadata(query: CalcomMetadataQuery): Promise<CalcomBooking | null>;
  /** Returns the NEW booking (new uid); the old uid becomes cancelled with rescheduledToUid. */
  rescheduleBooking(uid: string, input: CalcomRescheduleInput): Promise<CalcomBooking>;
  /** Idempotent: cancelling an already-cancelled booking returns it instead of failing. */
  cancelBooking(uid: string, reason?: string): Promise<CalcomBooking>;
  /** Busy blocks per Cal.com user from bookings held in Cal.com (overlapping [from, to)). */
  getBusyTimes(query: CalcomBusyTimesQuery): Promise<CalcomBusyTime[]>;
  /** The account of the key (`GET /v2/me`): verifies a key. */
  me(): Promise<CalcomMe>;
  /** The account's event types with their hosts. */
  listEventTypes(): Promise<CalcomEventType[]>;
  createWebhook(input: CalcomCreateWebhookInput): Promise<CalcomWebhook>;
  listWebhooks(): Promise<CalcomWebhook[]>;
  deleteWebhook(id: string): Promise<void>;
}

type Operation = 'create' | 'get' | 'list' | 'reschedule' | 'cancel' | 'me' | 'event-types' | 'webhooks';
type Query = Record<string, string | number | undefined>;

const PAGE_SIZE = 100;
const MAX_PAGES = 50;
/** `afterStart`/`beforeEnd` select bookings fully inside the range; widen to catch overlaps. */
const OVERLAP_MARGIN_MS = 24 * 60 * 60 * 1000;
const ALREADY_CANCELLED = /already been cancelled/i;

export function createCalcomClient(options: CalcomClientOptions): CalcomClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 5000;
  const apiVersion = options.apiVersion ?? CALCOM_BOOKINGS_API_VERSION;

  async function request<T>(
    operation: Operation,
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    init: { query?: Query; body?: unknown; version?: string | null } = {},
  ): Promise<CalcomSuccess<T>> {
    const url = new URL(baseUrl + path);
    for (const [key, value] of Object.entries(init.query ?? {})) {
      if (value !== undefined && value !== '') url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = {
      authorization: `Bearer ${options.apiKey}`,
      accept: 'application/json',
    };
    const version = init.version === undefined ? apiVersion : init.version;
    if (version !== null) headers['cal-api-version'] = version;
    if (init.body !== undefined) headers['content-type'] = 'application/json';

    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const fail = (error: unknown): CalcomError => {
      if (controller.signal.aborted) {
        return new CalcomError({ kind: 'timeout', operation, message: `Cal.com ${operation} timed out after ${timeoutMs} ms`, cause: error });
      }
      const detail = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
      return new CalcomError({ kind: 'network', operation, message: `Cal.com ${operation} failed: ${detail}`, cause: error });
    };
    try {
      let status: number;
      let retryAfter: string | string[] | undefined;
      let text: string;
      try {
        const response = await httpRequest(url, {
          method,
          headers,
          body: init.body === undefined ? undefined : JSON.stringify(init.body),
          signal: controller.signal,
        });
        status = response.statusCode;
        retryAfter = response.headers['retry-after'];
        text = await response.body.text();
      } catch (error) {
        throw fail(error);
      }
      if (status < 200 || status > 299) {
        const parsed = parseErrorBody(text);
        throw new CalcomError({
          kind: classifyStatus(status, parsed),
          status,
          code: parsed.code,
          operation,
          message: `Cal.com ${operation} answered ${status}: ${parsed.message}`,
          retryAfterMs: parseRetryAfterMs(Array.isArray(retryAfter) ? retryAfter[0] : (retryAfter ?? null)),
        });
      }
      try {
        return JSON.parse(text) as CalcomSuccess<T>;
      } catch (error) {
        throw new CalcomError({ kind: 'server', status, operation, message: `Cal.com ${operation} answered ${status} with a non-JSON body`, cause: error });
      }
    } finally {
      clearTimeout(timer);
    }
  }

  const single = (operation: Operation, data: CalcomBooking | CalcomBooking[]): CalcomBooking => {
    if (Array.isArray(data)) {
      // Recurring event types answer with one booking per occurrence; the service books occurrences one by one.
      throw new CalcomError({ kind: 'client', operation, message: `Cal.com ${operation} returned ${data.length} bookings (recurring event type?)` });
    }
    return data;
  };

  const uidPath = (uid: string) => `/v2/bookings/${encodeURIComponent(uid)}`;

  async function listBookings(filter: CalcomListBookingsFilter = {}): Promise<CalcomBookingPage> {
    const result = await request<CalcomBooking[]>('list', 'GET', '/v2/bookings', { query: toQuery(filter) });
    return { bookings: result.data, pagination: result.pagination ?? singlePage(result.data.length) };
  }

  async function listAllBookings(filter: Omit<CalcomListBookingsFilter, 'take' | 'skip'> = {}): Promise<CalcomBooking[]> {
    const all: CalcomBooking[] = [];
    for (let page = 0; page < MAX_PAGES; page += 1) {
      // A fixed sort keeps pages stable while we walk them.
      const sort = filter.sortStart || filter.sortCreated ? {} : { sortStart: 'asc' as const };
      const { bookings, pagination } = await listBookings({ ...filter, ...sort, take: PAGE_SIZE, skip: page * PAGE_SIZE });
      all.push(...bookings);
      if (!pagination.hasNextPage || bookings.length === 0) break;
    }
    return all;
  }

  return {
    async createBooking(input) {
      return single('create', (await request<CalcomBooking | CalcomBooking[]>('create', 'POST', '/v2/bookings', { body: input })).data);
    },
    async getBooking(uid) {
      return single('get', (await request<CalcomBooking | CalcomBooking[]>('get', 'GET', uidPath(uid))).data);
    },
    listBookings,
    listAllBookings,
    async findBookingByMetadata(query) {
      const bookings = await listAllBookings({
        eventTypeId: query.eventTypeId,
        attendeeEmail: query.attendeeEmail,
        afterStart: query.afterStart,
        beforeEnd: query.beforeEnd,
        // upcoming + past = every booking that is neither cancelled nor rejected.
        status: query.includeCancelled ? undefined : ['upcoming', 'past'],
      });
      const matches = bookings.filter((b) => b.metadata?.[query.key] === query.value && (query.includeCancelled || isLive(b)));
      matches.sort((a, b) => Number(isLive(b)) - Number(isLive(a)) || b.createdAt.localeCompare(a.createdAt));
      return matches[0] ?? null;
    },
    async rescheduleBooking(uid, input) {
      return single('reschedule', (await request<CalcomBooking | CalcomBooking[]>('reschedule', 'POST', `${uidPath(uid)}/reschedule`, { body: input })).data);
    },
    async cancelBooking(uid, reason) {
      try {
        const body = reason === undefined ? {} : { cancellationReason: reason };
        return single('cancel', (await request<CalcomBooking | CalcomBooking[]>('cancel', 'POST', `${uidPath(uid)}/cancel`, { body })).data);
      } catch (error) {
        // A cancel retried after a lost response, or an undo of an undo: the goal state already holds.
        if (error instanceof CalcomError && error.status === 400 && ALREADY_CANCELLED.test(error.message)) {
          return single('get', (await request<CalcomBooking | CalcomBooking[]>('get', 'GET', uidPath(uid))).data);
        }
        throw error;
      }
    },
    async me() {
      return (await request<CalcomMe>('me', 'GET', '/v2/me', { version: null })).data;
    },
    async listEventTypes() {
      return (await request<CalcomEventType[]>('event-types', 'GET', '/v2/event-types', { version: CALCOM_EVENT_TYPES_API_VERSION })).data;
    },
    async createWebhook(input) {
      return (await request<CalcomWebhook>('webhooks', 'POST', '/v2/webhooks', { body: input, version: null })).data;
    },
    async listWebhooks() {
      return (await request<CalcomWebhook[]>('webhooks', 'GET', '/v2/webhooks', { version: null })).data;
    },
    async deleteWebhook(id) {
      try {
        await request<CalcomWebhook>('webhooks', 'DELETE', `/v2/webhooks/${encodeURIComponent(id)}`, { version: null });
      } catch (error) {
        if (!(error instanceof CalcomError && error.kind === 'not_found')) throw error;
      }
    },
    async getBusyTimes(query) {
      if (query.userIds.length === 0) return [];
      const from = Date.parse(query.from);
      const to = Date.parse(query.to);
      const bookings = await listAllBookings({
        status: ['upcoming', 'past'],
        afterStart: new Date(from - OVERLAP_MARGIN_MS).toISOString(),
        beforeEnd: new Date(to + OVERLAP_MARGIN_MS).toISOString(),
      });
      const wanted = new Set(query.userIds);
      const excluded = new Set(query.excludeUids ?? []);
      const busy: CalcomBusyTime[] = [];
      for (const booking of bookings) {
        const blocks = booking.status === 'accepted' || (query.includePending === true && booking.status === 'pending');
        // Cal.com's own filters are unreliable (issue #18010): re-check overlap here.
        if (!blocks || excluded.has(booking.uid)) continue;
        if (!(Date.parse(booking.start) < to && Date.parse(booking.end) > from)) continue;
        for (const host of booking.hosts) {
          if (wanted.has(host.id)) busy.push({ userId: host.id, start: booking.start, end: booking.end, bookingUid: booking.uid, status: booking.status });
        }
      }
      return busy.sort((a, b) => a.start.localeCompare(b.start) || a.userId - b.userId);
    },
  };
}

function isLive(booking: CalcomBooking): boolean {
  return booking.status === 'accepted' || booking.status === 'pending';
}

function toQuery(filter: CalcomListBookingsFilter): Query {
  return {
    status: filter.status?.join(','),
    attendeeEmail: filter.attendeeEmail,
    attendeeName: filter.attendeeName,
    bookingUid: filter.bookingUid,
    eventTypeIds: filter.eventTypeIds?.join(','),
    eventTypeId: filter.eventTypeId,
    afterStart: filter.afterStart,
    beforeEnd: filter.beforeEnd,
    afterCreatedAt: filter.afterCreatedAt,
    beforeCreatedAt: filter.beforeCreatedAt,
    sortStart: filter.sortStart,
    sortCreated: filter.sortCreated,
    take: filter.take,
    skip: filter.skip,
  };
}

function singlePage(count: number): CalcomPagination {
  return {
    totalItems: count,
    remainingItems: 0,
    returnedItems: count,
    itemsPerPage: count,
    currentPage: 0,
    totalPages: 1,
    hasNextPage: false,
    hasPreviousPage: false,
  };
}
