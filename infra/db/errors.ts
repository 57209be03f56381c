/**
 * Recognising database outcomes that are business answers, not faults.
 *
 * Prisma 7 with @prisma/adapter-pg reports a failed query as PrismaClientKnownRequestError whose
 * `meta.driverAdapterError.cause` carries the PostgreSQL SQLSTATE as `originalCode` (verified in
 * test/db/exclusion-constraint.test.ts). Exclusion violations (23P01) get no Prisma code of their
 * own (P2039 for model queries, P2010 for raw ones), so we match the SQLSTATE, never message text.
 * Unique violations arrive as P2002; write conflicts and deadlocks as P2034. Plain `pg` errors
 * (migrator, raw pools) carry the SQLSTATE in `code` and are recognised too.
 */

export const SQLSTATE = {
  uniqueViolation: '23505',
  foreignKeyViolation: '23503',
  checkViolation: '23514',
  exclusionViolation: '23P01',
  serializationFailure: '40001',
  deadlockDetected: '40P01',
} as const;

const PRISMA_CODE_TO_SQLSTATE: Record<string, string> = {
  P2002: SQLSTATE.uniqueViolation,
  P2003: SQLSTATE.foreignKeyViolation,
  P2034: SQLSTATE.serializationFailure,
};

interface AdapterCause {
  originalCode?: unknown;
  originalMessage?: unknown;
  code?: unknown;
  constraint?: { index?: unknown };
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

/** The DriverAdapterError's cause: under meta (Prisma errors) or directly under cause. */
function adapterCause(err: unknown): AdapterCause | undefined {
  const e = record(err);
  if (!e) return undefined;
  const fromMeta = record(record(record(e.meta)?.driverAdapterError)?.cause);
  if (fromMeta) return fromMeta as AdapterCause;
  const cause = record(e.cause);
  if (cause && ('originalCode' in cause || 'kind' in cause)) return cause as AdapterCause;
  return undefined;
}

const SQLSTATE_PATTERN = /^[0-9A-Z]{5}$/;

/** The PostgreSQL SQLSTATE behind an error thrown by Prisma or pg, if there is one. */
export function sqlState(err: unknown): string | undefined {
  const cause = adapterCause(err);
  if (cause && typeof cause.originalCode === 'string') return cause.originalCode;
  const e = record(err);
  const code = e?.code;
  if (typeof code !== 'string') return undefined;
  // Prisma's own codes (P2002, ...) look like SQLSTATEs of class P0 (PL/pgSQL): tell them apart by class name.
  if (typeof e?.name === 'string' && e.name.startsWith('PrismaClient')) return PRISMA_CODE_TO_SQLSTATE[code];
  return SQLSTATE_PATTERN.test(code) ? code : undefined;
}

/** Name of the violated constraint or index, e.g. `bookings_no_staff_overlap`, when reported. */
export function constraintName(err: unknown): string | undefined {
  const e = record(err);
  if (e && typeof e.constraint === 'string') return e.constraint; // plain pg error
  const cause = adapterCause(err);
  if (typeof cause?.constraint?.index === 'string') return cause.constraint.index;
  const message = typeof cause?.originalMessage === 'string' ? cause.originalMessage : typeof e?.message === 'string' ? e.message : '';
  return /constraint "([^"]+)"/.exec(message)?.[1];
}

function matches(err: unknown, states: string[], constraint?: string): boolean {
  const state = sqlState(err);
  if (state === undefined || !states.includes(state)) return false;
  return constraint === undefined || constraintName(err) === constraint;
}

/** 23P01: e.g. an overlapping live booking (bookings_no_staff_overlap / bookings_no_resource_overlap). */
export function isExclusionViolation(err: unknown, constraint?: string): boolean {
  return matches(err, [SQLSTATE.exclusionViolation], constraint);
}

/** 23505 / Prisma P2002. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  return matches(err, [SQLSTATE.uniqueViolation], constraint);
}

export function isForeignKeyViolation(err: unknown): boolean {
  return matches(err, [SQLSTATE.foreignKeyViolation]);
}

export function isCheckViolation(err: unknown, constraint?: string): boolean {
  return matches(err, [SQLSTATE.checkViolation], constraint);
}

/** 40001 / 40P01 / Prisma P2034: safe to retry the whole transaction a bounded number of times. */
export function isRetryableTransactionError(err: unknown): boolean {
  return matches(err, [SQLSTATE.serializationFailure, SQLSTATE.deadlockDetected]);
}

/** Which booking overlap constraint fired, if the error is one. */
export function bookingOverlapKind(err: unknown): 'staff' | 'resource' | undefined {
  if (!isExclusionViolation(err)) return undefined;
  const name = constraintName(err);
  if (name === 'bookings_no_staff_overlap') return 'staff';
  if (name === 'bookings_no_resource_overlap') return 'resource';
  return undefined;
}
