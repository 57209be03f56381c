/**
 * The availability use case: cache lookup, then (on a miss) ONE database round trip for the whole
 * range (infra/db/scheduling.repository.ts), one Cal.com listing for external busy times, and the
 * pure engine (domain/scheduling). The answer is cached as its serialized JSON body in a Buffer
 * (CachedAvailability; L1 holds it as is, Redis as text), so a hit is sent without the engine,
 * JSON.stringify, parsing or even a UTF-8 encoding pass.
 *
 * Invariants:
 * - The cache stamp is read before the data is loaded (see infra/cache/availability-cache.ts), so
 *   an answer computed while a change commits is filed under the old version and never served.
 * - A cached answer also carries `validUntil`: the instant its earliest slot falls below the
 *   minimum notice. Past it the entry is recomputed, so a hit never lists a slot that "now" no
 *   longer allows. (Later instants only ever ADD slots under the advance window, never remove.)
 * - Answers computed without Cal.com (unreachable) are not cached: they would hide external busy
 *   times for the whole TTL once Cal.com is back.
 * - Concurrent misses of one key under one stamp are computed once.
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliDecompress as brotliDecompressCallback } from 'node:zlib';
import { NotFoundError, ValidationError } from '../../domain/errors';
import { explainStart, type ExplainResult } from '../../domain/scheduling/explain';
import { resolveDuration } from '../../domain/scheduling/predicates';
import { resolveRules, type AvailabilityDay, type Preferences } from '../../domain/scheduling/scheduling.types';
import { computeAvailability } from '../../domain/scheduling/slot-engine';
import type { AvailabilityCache, AvailabilityCacheKey, CacheCodec, CacheStamp } from '../../infra/cache/availability-cache';
import type { CacheLogger } from '../../infra/cache/redis';
import type { Db } from '../../infra/db/prisma';
import { loadSchedulingContext, type LoadedSchedulingContext } from '../../infra/db/scheduling.repository';
import type { AvailabilityQueryInput, ExplainQueryInput, NextQueryInput } from './availability.schemas';
import { nextSlots, type NextSlot } from './next-slots';
import type { CalendarStatus, ExternalBusySource } from '../../infra/calcom/external-busy';
import type { SearchRecorder } from './search-recorder';
import { adoptCompressedCopy, compressedCopy } from './encoded-body';

const brotliDecompress = promisify(brotliDecompressCallback);

export interface AvailabilityServiceDeps {
  db: Db;
  logger: CacheLogger;
  cache?: AvailabilityCache<CachedAvailability>;
  externalBusy?: ExternalBusySource;
  recorder?: SearchRecorder;
  clock?: () => Date;
}

export interface AvailabilityAnswer {
  /** The response body, already serialized (UTF-8 JSON). */
  body: Buffer;
  cache: 'HIT' | 'MISS';
  calendar: CalendarStatus;
  /** Strong ETag of `body`, hashed once per cached entry (etagOf), never per request. */
  etag: string;
  /**
   * The cached entry the answer was read from (the same object on every hit of that entry in this
   * process): what per-entry copies such as the compressed bodies (encoded-body.ts) are keyed by.
   */
  entry: object;
  /**
   * The days of `body` as objects, for callers that read the slots (GET /v1/availability/next).
   * Made at most once per cached entry: a computed answer keeps the objects it was serialized
   * from, an entry read from Redis is parsed on the first call and L1 keeps the result with it.
   * Shared between requests: read only.
   */
  days(): readonly AnswerDay[];
}

/** A day of an availability answer as the API shows it (withStaffAndPrice). */
export interface AnswerDay {
  date: string;
  slots: ReadonlyArray<{ start: string; end: string; staffIds: string[]; staff: Array<{ id: string; name: string }>; price?: number }>;
}

// The parsed days of a cached entry, keyed by the entry object itself (L1 hands out the same
// object on every hit), so they live exactly as long as the entry does.
const parsedDays = new WeakMap<CachedAvailability, readonly AnswerDay[]>();

function daysOf(entry: CachedAvailability): readonly AnswerDay[] {
  let days = parsedDays.get(entry);
  if (!days) {
    days = (JSON.parse(entry.body.toString('utf8')) as { days: AnswerDay[] }).days;
    parsedDays.set(entry, days);
  }
  return days;
}

// Entity tags of cached entries, computed on an entry's first answer in this process and kept as
// long as the entry (as parsedDays).
const etags = new WeakMap<CachedAvailability, string>();

/** A strong ETag of the entry's body bytes: equal bodies, equal tags, in every process. */
function etagOf(entry: CachedAvailability): string {
  let etag = etags.get(entry);
  if (etag === undefined) {
    etag = `"${entry.body.length.toString(16)}-${createHash('sha1').update(entry.body).digest('base64url')}"`;
    etags.set(entry, etag);
  }
  return etag;
}

export interface AvailabilityService {
  /** `record: false` leaves the search out of the analytics' search count (a day of a next-slot walk). */
  search(companyId: string, query: AvailabilityQueryInput, options?: { record?: boolean }): Promise<AvailabilityAnswer>;
  /** GET /v1/availability/next (next-slots.ts); recorded as one search. */
  next(companyId: string, query: NextQueryInput): Promise<{ slots: NextSlot[] }>;
  explain(companyId: string, query: ExplainQueryInput): Promise<ExplainResult & { calendar: CalendarStatus }>;
}

const HOUR = 3_600_000;
// Zone offsets lie within [-12h, +14h]: a UTC window this much wider than the dates covers every
// local day of the range whatever the branch zone, before the zone is known (same query).
const ZONE_MARGIN = 15 * HOUR;

export function createAvailabilityService(deps: AvailabilityServiceDeps): AvailabilityService {
  const clock = deps.clock ?? (() => new Date());
  const inFlight = new Map<string, Promise<CachedAvailability>>();

  async function load(companyId: string, q: { branchId: string; serviceId: string; staffId?: string; customerId?: string }, fromUtc: Date, toUtc: Date) {
    const result = await loadSchedulingContext(deps.db, {
      companyId, branchId: q.branchId, serviceId: q.serviceId, staffId: q.staffId, customerId: q.customerId, fromUtc, toUtc,
    });
    if (!result.found) throw new NotFoundError(result.missing, result.missing === 'branch' ? q.branchId : q.serviceId);
    const ctx = result.context;
    if (q.staffId && !ctx.staff.some((s) => s.id === q.staffId)) throw new NotFoundError('staff', q.staffId);
    const external = deps.externalBusy
      ? await deps.externalBusy({ companyId, connectionId: ctx.calendarConnectionId, staff: ctx.staff, fromUtc, toUtc, ownCalendarUids: ctx.ownCalendarUids })
      : { status: 'not_linked' as const, busy: [] };
    return { ctx, busy: [...ctx.busy, ...external.busy], calendar: external.status };
  }

  async function compute(companyId: string, q: AvailabilityQueryInput): Promise<CachedAvailability> {
    const fromUtc = new Date(Date.parse(`${q.from}T00:00:00Z`) - ZONE_MARGIN);
    const toUtc = new Date(Date.parse(`${q.to}T00:00:00Z`) + 24 * HOUR + ZONE_MARGIN);
    const { ctx, busy, calendar } = await load(companyId, q, fromUtc, toUtc);
    const now = clock().getTime();
    const result = computeAvailability({
      branch: ctx.branch,
      service: ctx.service,
      staff: ctx.staff,
      busy,
      now,
      packageParts: ctx.packageParts,
      query: { from: q.from, to: q.to, staffId: q.staffId, durationMinutes: q.durationMinutes, preferences: preferencesOf(q), participants: q.participants },
    });
    const days = withStaffAndPrice(result.days, ctx);
    const body = Buffer.from(JSON.stringify({ branchId: q.branchId, serviceId: q.serviceId, timezone: result.timezone, days }));
    const first = result.days.find((d) => d.slots.length > 0)?.slots[0];
    const notice = noticeMs(ctx);
    const validUntil = first && notice !== null ? Date.parse(first.start) - notice : Number.MAX_SAFE_INTEGER;
    const entry = { body, calendar, validUntil };
    parsedDays.set(entry, days);
    return entry;
  }

  function computeOnce(companyId: string, q: AvailabilityQueryInput, key: AvailabilityCacheKey, stamp: CacheStamp | null): Promise<CachedAvailability> {
    if (!stamp) return compute(companyId, q);
    const flightKey = `${key.branchId}|${key.query}|${stamp.epoch}|${stamp.version}`;
    let flight = inFlight.get(flightKey);
    if (!flight) {
      flight = compute(companyId, q).finally(() => inFlight.delete(flightKey));
      inFlight.set(flightKey, flight);
    }
    return flight;
  }

  return {
    async next(companyId, q) {
      const answer = await nextSlots(deps.db, companyId, q, clock(), (day) => this.search(companyId, day, { record: false }));
      deps.recorder?.record({ companyId, branchId: q.branchId, serviceId: q.serviceId, at: clock() });
      return answer;
    },

    async search(companyId, q, options) {
      const key: AvailabilityCacheKey = { branchId: q.branchId, query: cacheQuery(companyId, q) };
      const lookup = deps.cache ? await deps.cache.get(key) : { value: undefined, stamp: null };
      const cached = lookup.value;
      let answer: AvailabilityAnswer;
      if (cached && clock().getTime() <= cached.validUntil) {
        answer = { body: cached.body, cache: 'HIT', calendar: cached.calendar, etag: etagOf(cached), entry: cached, days: () => daysOf(cached) };
      } else {
        const computed = await computeOnce(companyId, q, key, lookup.stamp);
        if (deps.cache && computed.calendar !== 'unavailable') void deps.cache.set(key, computed, lookup.stamp);
        answer = { body: computed.body, cache: 'MISS', calendar: computed.calendar, etag: etagOf(computed), entry: computed, days: () => daysOf(computed) };
      }
      if (options?.record !== false) deps.recorder?.record({ companyId, branchId: q.branchId, serviceId: q.serviceId, at: clock() });
      return answer;
    },

    async explain(companyId, q) {
      const start = q.start.getTime();
      const { ctx, busy, calendar } = await load(companyId, q, new Date(start - 36 * HOUR), new Date(start + 36 * HOUR));
      // A package's length is its parts': a requested duration is not applied (packages.ts).
      const duration = resolveDuration(ctx.service, ctx.packageParts ? null : q.durationMinutes);
      if (!duration.ok) throw new ValidationError(duration.reason.message, [{ path: 'durationMinutes', message: duration.reason.message }]);
      const result = explainStart({
        branch: ctx.branch,
        service: ctx.service,
        staff: ctx.staff,
        busy,
        customerHistory: ctx.customerHistory,
        packageParts: ctx.packageParts,
        now: clock().getTime(),
        start,
        staffId: q.staffId,
        customerId: q.customerId,
        durationMinutes: q.durationMinutes,
        preferences: preferencesOf(q),
        participants: q.participants,
      });
      return { ...result, calendar };
    },
  };
}

/** A computed answer as the cache keeps it. */
export interface CachedAvailability {
  body: Buffer;
  calendar: CalendarStatus;
  /** Past this instant (ms) the answer is recomputed (see the module header). */
  validUntil: number;
}

/**
 * Slots as the API shows them: `staff: [{id, name}]` beside `staffIds` (a caller reads names
 * without another request) and `price` when the service has one. One object per staff member,
 * shared by every slot that lists them.
 */
export function withStaffAndPrice(days: AvailabilityDay[], ctx: LoadedSchedulingContext) {
  const staff = new Map(ctx.staff.map((s) => [s.id, { id: s.id, name: s.name }]));
  const price = ctx.service.price ?? null;
  return days.map((day) => ({
    date: day.date,
    slots: day.slots.map((slot) => ({
      ...slot,
      staff: slot.staffIds.map((id) => staff.get(id) ?? { id, name: '' }),
      ...(price !== null ? { price } : {}),
    })),
  }));
}

/** The minimum notice, or null when the branch switched that rule off (no slot ever expires). */
function noticeMs(ctx: LoadedSchedulingContext): number | null {
  const rules = resolveRules(ctx.branch.rules);
  if (rules.disabledRules?.includes('minimum_notice')) return null;
  return rules.minimumNoticeMinutes * 60_000;
}

function preferencesOf(q: { language?: string; gender?: string }): Preferences | null {
  return q.language || q.gender ? { language: q.language ?? null, gender: q.gender ?? null } : null;
}

/** Everything the answer depends on besides the branch (which carries the version). */
function cacheQuery(companyId: string, q: AvailabilityQueryInput): string {
  return [companyId, q.serviceId, q.from, q.to, q.staffId ?? '', q.durationMinutes ?? '', q.language ?? '', q.gender ?? '', q.participants ?? ''].join('|');
}

/**
 * In Redis: a header line, then the body. Bodies of 1 KB and more are stored as their Brotli copy,
 * "br|<validUntil>|<calendar>\n" then the compressed bytes: the copy compressed once per entry for
 * clients that take br (encoded-body.ts), so a miss compresses once for both, Redis holds ~1% of
 * the bytes (the bench's 7-day answer: 148 KB, 1.6 KB in Brotli), and an entry read back by
 * another process serves br at once, without compressing again. Smaller bodies: "<validUntil>|<calendar>\n" then the body
 * bytes, the format of earlier releases, which is still read. A header line keeps an L2 hit free of
 * JSON.parse; decompression runs off the event loop.
 */
export const cachedAvailabilityCodec: CacheCodec<CachedAvailability> = {
  async encode(c) {
    const br = await compressedCopy(c, c.body, etagOf(c), 'br');
    return br ? Buffer.concat([Buffer.from(`br|${c.validUntil}|${c.calendar}\n`), br]) : Buffer.concat([Buffer.from(`${c.validUntil}|${c.calendar}\n`), c.body]);
  },
  async decode(bytes) {
    const newline = bytes.indexOf(10);
    if (newline < 0) return undefined;
    const fields = bytes.toString('latin1', 0, newline).split('|');
    const compressed = fields[0] === 'br';
    const [validUntil, calendar] = compressed ? fields.slice(1) : fields;
    const until = Number(validUntil);
    if (!Number.isFinite(until)) return undefined;
    const stored = bytes.subarray(newline + 1);
    if (!compressed) return { validUntil: until, calendar: calendar as CalendarStatus, body: stored };
    const entry: CachedAvailability = { validUntil: until, calendar: calendar as CalendarStatus, body: await brotliDecompress(stored) };
    adoptCompressedCopy(entry, etagOf(entry), 'br', stored);
    return entry;
  },
};
