/**
 * Classification of Cal.com failures. Activities map `kind`/`retryable` to ApplicationFailure
 * types; nothing here knows Temporal. Cal.com answers in two shapes (the Nest envelope and a raw
 * `{statusCode, message}` leaked by its core library), so both are parsed.
 */

export type CalcomErrorKind =
  | 'timeout'
  | 'network'
  | 'rate_limited'
  | 'server'
  | 'client'
  | 'slot_taken'
  | 'duplicate'
  | 'not_found';

export interface CalcomErrorInit {
  kind: CalcomErrorKind;
  message: string;
  status?: number;
  /** Nest exception class name or Prisma constant (`BadRequestException`, `CONFLICT`, ...). */
  code?: string;
  retryAfterMs?: number;
  operation?: string;
  cause?: unknown;
}

const RETRYABLE: ReadonlySet<CalcomErrorKind> = new Set(['timeout', 'network', 'rate_limited', 'server']);

export class CalcomError extends Error {
  readonly kind: CalcomErrorKind;
  readonly status?: number;
  readonly code?: string;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  readonly operation?: string;

  constructor(init: CalcomErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'CalcomError';
    this.kind = init.kind;
    this.status = init.status;
    this.code = init.code;
    this.retryable = RETRYABLE.has(init.kind);
    this.retryAfterMs = init.retryAfterMs;
    this.operation = init.operation;
  }
}

export function isCalcomError(error: unknown): error is CalcomError {
  return error instanceof CalcomError;
}

/**
 * Cal.com reports an unavailable slot as 400 with these messages (NOTES §2): "User either already
 * has booking at this time or is not available", the team variant, booking-window/notice
 * ("can't be booked at the "start" time"), and the reservation clash (422).
 */
const SLOT_TAKEN = /already has booking|is not available|not available|can't be booked|cannot be booked|no available users|already reserved/i;
const DUPLICATE = /already exists/i;

export interface ParsedErrorBody {
  message: string;
  code?: string;
}

export function parseErrorBody(text: string): ParsedErrorBody {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { message: text.slice(0, 500) || 'empty response body' };
  }
  if (body && typeof body === 'object') {
    const record = body as Record<string, unknown>;
    const error = record.error as Record<string, unknown> | undefined;
    if (error && typeof error === 'object') {
      const details = error.details as { message?: unknown } | undefined;
      const detailMessage = Array.isArray(details?.message) ? details.message.join('; ') : undefined;
      const message = typeof error.message === 'string' ? error.message : 'unknown error';
      return { message: detailMessage ? `${message}: ${detailMessage}` : message, code: typeof error.code === 'string' ? error.code : undefined };
    }
    if (typeof record.message === 'string') return { message: record.message };
  }
  return { message: text.slice(0, 500) };
}

/** Retry-After is either delta-seconds or an HTTP date. */
export function parseRetryAfterMs(header: string | null, now: number = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(header);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

export function classifyStatus(status: number, body: ParsedErrorBody): CalcomErrorKind {
  if (status === 429) return 'rate_limited';
  if (status === 408) return 'timeout';
  if (status >= 500) return 'server';
  if (status === 409) return 'duplicate';
  if (status === 404) return 'not_found';
  if ((status === 400 || status === 422) && SLOT_TAKEN.test(body.message)) return 'slot_taken';
  if (status === 400 && DUPLICATE.test(body.message)) return 'duplicate';
  return 'client';
}
