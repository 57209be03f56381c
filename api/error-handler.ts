/**
 * The ONE place that knows HTTP statuses and RFC 9457 problem+json (STYLE.md principle 10).
 *
 * Anything thrown in a handler ends here. Errors are recognised by their stable `code` string
 * (domain/errors.ts classes, ApiError below), never by class identity, so the domain layer can
 * evolve without this file importing it. Codes not in PROBLEMS and errors without a code are 500s
 * whose details are logged, never sent.
 */
import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { issuesToFieldErrors, type FieldError } from './field-errors';

interface ProblemKind {
  status: number;
  title: string;
  /** Error properties copied into the problem body as extension members. */
  extensions?: readonly string[];
}

export const PROBLEMS = {
  validation_error: { status: 400, title: 'Invalid request', extensions: ['errors'] },
  unauthenticated: { status: 401, title: 'Authentication required' },
  forbidden: { status: 403, title: 'Forbidden' },
  not_found: { status: 404, title: 'Not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  slot_unavailable: { status: 409, title: 'Slot unavailable', extensions: ['alternatives'] },
  invalid_state: { status: 409, title: 'Invalid state' },
  reservation_expired: { status: 409, title: 'Reservation expired', extensions: ['alternatives'] },
  conflict: { status: 409, title: 'Conflict' },
  already_reviewed: { status: 409, title: 'Already reviewed' },
  waitlist_limit_reached: { status: 409, title: 'Too many open waiting-list entries' },
  payload_too_large: { status: 413, title: 'Payload too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  booking_rule_violation: { status: 422, title: 'Booking rule violation', extensions: ['violations'] },
  idempotency_key_reused: { status: 422, title: 'Idempotency key reused' },
  calendar_connection_invalid: { status: 422, title: 'Calendar connection invalid' },
  calendar_link_invalid: { status: 422, title: 'Calendar link invalid' },
  webhook_url_invalid: { status: 422, title: 'Webhook URL refused' },
  rate_limited: { status: 429, title: 'Too many requests', extensions: ['retryAfterSeconds'] },
  internal_error: { status: 500, title: 'Internal server error' },
  calendar_sync_failed: { status: 502, title: 'Calendar sync failed', extensions: ['bookingId'] },
  dependency_unavailable: { status: 503, title: 'Dependency unavailable', extensions: ['dependency'] },
} as const satisfies Record<string, ProblemKind>;

export type ProblemCode = keyof typeof PROBLEMS;

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code: ProblemCode;
  [extension: string]: unknown;
}

/** An error raised by the API layer itself (auth, lookups, cross-field checks needing the DB). */
export class ApiError extends Error {
  constructor(
    readonly code: ProblemCode,
    detail?: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail ?? PROBLEMS[code].title);
    this.name = 'ApiError';
  }
}

export const notFound = (what: string, id: string) => new ApiError('not_found', `${what} ${id} not found`);
export const invalid = (errors: FieldError[], detail = 'The request has invalid fields') =>
  new ApiError('validation_error', detail, { errors });

export const problemType = (code: string) => `urn:booking:problem:${code}`;

export function makeProblem(code: ProblemCode, detail?: string, extensions: Record<string, unknown> = {}): Problem {
  const kind: ProblemKind = PROBLEMS[code];
  return { type: problemType(code), title: kind.title, status: kind.status, detail: detail ?? kind.title, code, ...extensions };
}

export function sendProblem(res: Response, problem: Problem): void {
  if (problem.code === 'rate_limited' && typeof problem.retryAfterSeconds === 'number') {
    res.setHeader('Retry-After', String(problem.retryAfterSeconds));
  }
  // RFC 6750: a 401 names the scheme the client should use.
  if (problem.status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
  res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
}

type Anyish = Record<string, unknown> & { message?: string; name?: string; code?: unknown; cause?: unknown };

/** Maps anything thrown to a problem; `internal` marks the ones worth an error log. */
export function toProblem(thrown: unknown): { problem: Problem; internal: boolean } {
  const err = (typeof thrown === 'object' && thrown !== null ? thrown : {}) as Anyish;

  if (err.name === 'ZodError' && Array.isArray(err.issues)) {
    return external(makeProblem('validation_error', 'The request has invalid fields', { errors: issuesToFieldErrors(err.issues) }));
  }
  const bodyParser = fromBodyParser(err);
  if (bodyParser) return external(bodyParser);

  const coded = findCoded(err);
  if (coded) {
    const { code, source, details } = coded;
    const kind: ProblemKind = PROBLEMS[code];
    const extensions: Record<string, unknown> = {};
    for (const name of kind.extensions ?? []) if (source[name] !== undefined) extensions[name] = source[name];
    Object.assign(extensions, details);
    if (code === 'validation_error' && !Array.isArray(extensions.errors)) extensions.errors = domainFieldErrors(source);
    if (code === 'internal_error') return { problem: makeProblem(code), internal: true };
    return external(makeProblem(code, source.message || kind.title, extensions));
  }

  const infra = fromInfrastructure(err);
  if (infra) return infra;
  return { problem: makeProblem('internal_error', 'Internal server error'), internal: true };
}

const external = (problem: Problem) => ({ problem, internal: false });

const isCode = (value: unknown): value is ProblemCode => typeof value === 'string' && Object.hasOwn(PROBLEMS, value);

/**
 * The error carrying a known code: the thrown one (ApiError, domain/errors.ts DomainError), or one
 * down its `cause` chain, where Temporal puts a workflow's or update's ApplicationFailure (whose
 * `type` is the domain code and whose first detail holds the extensions, see activities).
 */
function findCoded(err: Anyish): { code: ProblemCode; source: Anyish; details: Record<string, unknown> } | undefined {
  let current: Anyish | undefined = err;
  for (let depth = 0; current && depth < 5; depth++) {
    if (isCode(current.code)) {
      const details = typeof current.details === 'function' ? (current.details as () => Record<string, unknown>)() : {};
      return { code: current.code, source: current, details: { ...details, ...(current instanceof ApiError ? current.extensions : {}) } };
    }
    if (current.name === 'ApplicationFailure' && isCode(current.type)) {
      const first = Array.isArray(current.details) ? (current.details[0] as unknown) : undefined;
      const details = typeof first === 'object' && first !== null ? (first as Record<string, unknown>) : {};
      return { code: current.type, source: current, details };
    }
    current = typeof current.cause === 'object' && current.cause !== null ? (current.cause as Anyish) : undefined;
  }
  return undefined;
}

// express.json() / raw-body errors carry `type`; malformed JSON is the client's fault: a 400.
function fromBodyParser(err: Anyish): Problem | undefined {
  switch (err.type) {
    case 'entity.parse.failed':
      return makeProblem('validation_error', 'Malformed JSON body', { errors: [{ path: 'body', message: 'Malformed JSON' }] });
    case 'entity.too.large':
      return makeProblem('payload_too_large', 'Request body exceeds the size limit');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return makeProblem('unsupported_media_type', String(err.message ?? 'Unsupported encoding'));
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return makeProblem('validation_error', 'Unreadable request body', { errors: [{ path: 'body', message: 'Unreadable body' }] });
    default:
      return fromClientStatus(err);
  }
}

/**
 * Client errors raised below the handlers without a body-parser `type`: a body that fails to
 * inflate (garbage sent with Content-Encoding gzip/deflate/br: zlib's error wrapped in a 400 by
 * body-parser), a path parameter that is not valid percent-encoding (the router's decode, 400),
 * and any other http-errors 4xx. The client's fault, never a 5xx; the detail is ours, not the
 * library's text.
 */
function fromClientStatus(err: Anyish): Problem | undefined {
  const status = typeof err.status === 'number' ? err.status : typeof err.statusCode === 'number' ? err.statusCode : undefined;
  if (status === undefined || status < 400 || status >= 500) return undefined;
  if (status === 413) return makeProblem('payload_too_large', 'Request body exceeds the size limit');
  if (status === 415) return makeProblem('unsupported_media_type', 'Unsupported content encoding or type');
  if (err.name === 'URIError' || /decode/i.test(String(err.message ?? ''))) {
    return makeProblem('validation_error', 'The path is not valid percent-encoding', { errors: [{ path: 'path', message: 'Undecodable percent-encoding' }] });
  }
  return makeProblem('validation_error', 'Unreadable request body', { errors: [{ path: 'body', message: 'Unreadable body' }] });
}

// Domain ValidationError may carry its field list under a few names; normalise to [{path,message}].
function domainFieldErrors(err: Anyish): FieldError[] {
  const list = (err.errors ?? err.issues ?? err.fields) as unknown;
  if (Array.isArray(list)) {
    return list.map((e: Anyish) => ({
      path: Array.isArray(e.path) ? e.path.join('.') : String(e.path ?? e.field ?? ''),
      message: String(e.message ?? 'Invalid value'),
    }));
  }
  return [{ path: String(err.path ?? err.field ?? ''), message: String(err.message ?? 'Invalid value') }];
}

const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;

function fromInfrastructure(err: Anyish): { problem: Problem; internal: boolean } | undefined {
  // Prisma: "record to update/delete not found" is a 404; a unique clash a 409; no connection a 503.
  if (typeof err.name === 'string' && err.name.startsWith('PrismaClient')) {
    if (err.code === 'P2025') return external(makeProblem('not_found', 'Record not found'));
    if (err.code === 'P2002') return external(makeProblem('conflict', 'A record with these values already exists'));
    if (err.name === 'PrismaClientInitializationError' || err.code === 'P1001' || err.code === 'P1017') {
      return dependencyDown('database');
    }
  }
  if (err.code === 'ECONNREFUSED' || err.code === 'ECONNRESET' || err.code === '57P01') return dependencyDown('database');
  // @temporalio/client: ServiceError wrapping a gRPC UNAVAILABLE/DEADLINE_EXCEEDED, or transport errors.
  const cause = (err.cause ?? {}) as Anyish;
  const grpcCode = typeof err.code === 'number' ? err.code : cause.code;
  const temporalish = err.name === 'ServiceError' || err.name === 'TransportError' || err.name === 'ConnectionError';
  if (temporalish && (grpcCode === GRPC_UNAVAILABLE || grpcCode === GRPC_DEADLINE_EXCEEDED || err.name !== 'ServiceError')) {
    return dependencyDown('temporal');
  }
  return undefined;
}

function dependencyDown(dependency: string) {
  return { problem: makeProblem('dependency_unavailable', `${dependency} is unavailable, try again shortly`, { dependency }), internal: true };
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (thrown, req, res, next) => {
    if (res.headersSent) return next(thrown);
    const { problem, internal } = toProblem(thrown);
    const log = (req as { log?: Logger }).log ?? logger;
    if (internal) log.error({ err: thrown, code: problem.code }, 'request failed');
    else log.debug({ code: problem.code, detail: problem.detail }, 'request rejected');
    sendProblem(res, problem);
  };
}
