/**
 * Public contract of the recurring-series workflows: inputs and results, messages, workflow ids,
 * and the activity signatures they call. Names are a durable API: never rename them.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { AlternativeSlot } from './lib/outcomes';

export type OnConflict = 'skip' | 'alternative';
export type OccurrenceStatus = 'pending' | 'booked' | 'skipped' | 'failed' | 'cancelled';

export interface PlannedOccurrence {
  index: number;
  /** UTC ISO instant, already expanded in the branch zone by domain/recurrence */
  start: string;
}

export interface SeriesCounts {
  booked: number;
  skipped: number;
  failed: number;
  cancelled: number;
}

export interface SeriesWorkflowInput {
  seriesId: string;
  companyId: string;
  branchId: string;
  serviceId: string;
  customerId: string;
  staffId?: string | null;
  onConflict: OnConflict;
  source?: 'phone' | 'web' | 'api' | 'mobile';
  /** every occurrence of the series, in time order */
  occurrences: PlannedOccurrence[];
  /** continue-as-new carry-over: first occurrence this run handles, counts and a pending cancel */
  nextIndex?: number;
  counts?: SeriesCounts;
  cancelFrom?: string | null;
  /** occurrences per run before continue-as-new (history stays bounded); default SERIES_RUN_BATCH */
  batchSize?: number;
}

export interface SeriesWorkflowResult {
  seriesId: string;
  status: 'completed' | 'cancelled';
  counts: SeriesCounts;
}

export interface SeriesProgress {
  seriesId: string;
  status: 'running' | 'completed' | 'cancelled';
  total: number;
  processed: number;
  counts: SeriesCounts;
}

export interface SeriesCancelInput {
  seriesId: string;
  /** UTC ISO: booked occurrences starting at or after it are cancelled */
  from: string;
  reason?: string;
}

export interface SeriesCancelResult {
  seriesId: string;
  cancelledBookingIds: string[];
  failedBookingIds: string[];
}

export interface OccurrenceRecord {
  seriesId: string;
  index: number;
  status: Exclude<OccurrenceStatus, 'pending'>;
  /** the start actually booked (differs from the planned one for an alternative) */
  start?: string;
  bookingId?: string | null;
  reason?: string | null;
  alternatives?: AlternativeSlot[];
}

export interface SeriesAlternativeRequest {
  seriesId: string;
  index: number;
  start: string;
  staffId?: string | null;
}

/** Activities the series workflows call (implemented by activities/series.activities.ts). */
export interface SeriesActivities {
  recordSeriesOccurrence(input: OccurrenceRecord): Promise<void>;
  /** nearest free slot the same local day, same staff first; null when none */
  findSeriesAlternative(input: SeriesAlternativeRequest): Promise<{ start: string; end: string; staffId: string } | null>;
  finishSeries(input: { seriesId: string; status: 'completed' | 'cancelled' }): Promise<void>;
  /** booked occurrences starting at or after `from`, with their booking ids */
  listSeriesBookings(input: { seriesId: string; from: string }): Promise<{ index: number; bookingId: string }[]>;
}

export const SERIES_RUN_BATCH = 40;
export const MAX_SERIES_OCCURRENCES = 366;

export const seriesWorkflowId = (seriesId: string): string => `series-${seriesId}`;
export const seriesCancelWorkflowId = (seriesId: string, requestId: string): string => `series-cancel-${seriesId}-${requestId}`;

/**
 * A booking id derived from a business key, in the shape of infra/db/ids.ts (`bkg_` + 16 base32
 * characters), so a replayed or retried start attaches to the same saga and never books twice.
 * 96 bits of a seeded 32-bit mix, of which 80 are used; deterministic and free of Node built-ins.
 */
export function derivedBookingId(key: string): string {
  const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
  let bits = '';
  for (const seed of [0x9e3779b9, 0x85ebca6b, 0xc2b2ae35]) {
    let h = seed ^ key.length;
    for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x5bd1e995) ^ (h >>> 15);
    h = Math.imul(h ^ (h >>> 13), 0x27d4eb2d) ^ (h >>> 16);
    bits += (h >>> 0).toString(2).padStart(32, '0');
  }
  let out = '';
  for (let i = 0; i < 16; i++) out += ALPHABET[parseInt(bits.slice(i * 5, i * 5 + 5), 2)];
  return `bkg_${out}`;
}

/** Booking id of an occurrence (attempt 1 is the same-day alternative). */
export const occurrenceBookingId = (seriesId: string, index: number, attempt = 0): string =>
  derivedBookingId(`series:${seriesId}:${index}:${attempt}`);

export const seriesProgressQuery = defineQuery<SeriesProgress>('seriesProgress');
/** Stop booking occurrences at or after `from` and cancel the booked ones from there on. */
export const cancelSeriesSignal = defineSignal<[{ from: string; reason?: string }]>('cancelSeries');
