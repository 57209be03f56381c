/**
 * Idempotency-Key handling (API.md "Conventions"), safe under concurrent repeats. Shared by every
 * keyed POST: bookings and their actions, series, waiting list.
 *
 * The first request with a key inserts a row of idempotency_records, unique on (company, scope,
 * key); that row reserves the business id (booking id, ...) the request works on, so every
 * repeat works on the SAME id and, through workflow ids derived from it, joins the same
 * execution instead of making a second one. The final answer is stored once (first writer
 * wins), and every repeat returns exactly that status and body with `Idempotent-Replayed: true`.
 *
 * - Same key, different body (canonical JSON, key order ignored): 422 idempotency_key_reused.
 * - A 202 (still running) is not stored: a repeat joins the run and answers its outcome.
 * - Records live 24 h (`expiresAt`); an expired one is replaced by the next request.
 * - A request that surely changed nothing (e.g. Temporal unreachable) forgets its record.
 */
import { createHash } from 'node:crypto';
import type { Db } from '../infra/db/prisma';
import { isUniqueViolation } from '../infra/db/errors';
import { newId } from '../infra/db/ids';
import { ApiError } from './error-handler';
import type { Reply } from './route-kit';

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
export const REPLAYED_HEADER = 'Idempotent-Replayed';

export interface StoredAnswer {
  status: number;
  body: unknown;
}

export type Claim =
  /** No key: nothing recorded, a fresh id. */
  | { kind: 'unkeyed'; resourceId: string }
  /** First request with this key: it owns the record. */
  | { kind: 'first'; recordId: string; resourceId: string }
  /** A repeat whose original has no final answer yet: work on the same id. */
  | { kind: 'repeat'; recordId: string; resourceId: string }
  /** A repeat of a finished request. */
  | { kind: 'replay'; answer: StoredAnswer };

export interface ClaimRequest {
  companyId: string;
  /** e.g. `POST /v1/bookings`, `POST /v1/bookings/<id>/cancel` */
  scope: string;
  key: string | undefined;
  /** The raw JSON body as sent */
  body: unknown;
  /** Id to reserve when this is the first request */
  newResourceId: () => string;
  now: Date;
}

export async function claimIdempotencyKey(db: Db, request: ClaimRequest): Promise<Claim> {
  if (!request.key) return { kind: 'unkeyed', resourceId: request.newResourceId() };
  const requestHash = hashBody(request.body);
  const where = { companyId_scope_key: { companyId: request.companyId, scope: request.scope, key: request.key } };
  for (let attempt = 0; attempt < 3; attempt++) {
    const resourceId = request.newResourceId();
    try {
      const created = await db.idempotencyRecord.create({
        data: {
          id: newId('idem'),
          companyId: request.companyId,
          scope: request.scope,
          key: request.key,
          requestHash,
          resourceId,
          expiresAt: new Date(request.now.getTime() + IDEMPOTENCY_TTL_MS),
        },
      });
      return { kind: 'first', recordId: created.id, resourceId };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
    const existing = await db.idempotencyRecord.findUnique({ where });
    if (!existing) continue; // forgotten in between: try to insert again
    if (existing.expiresAt.getTime() <= request.now.getTime()) {
      await db.idempotencyRecord.deleteMany({ where: { id: existing.id, expiresAt: { lte: request.now } } });
      continue;
    }
    if (existing.requestHash !== requestHash) {
      throw new ApiError('idempotency_key_reused', 'This Idempotency-Key was used with a different request body');
    }
    if (existing.responseStatus !== null) return { kind: 'replay', answer: { status: existing.responseStatus, body: existing.responseBody } };
    return { kind: 'repeat', recordId: existing.id, resourceId: existing.resourceId };
  }
  throw new Error(`idempotency record for key ${request.key} kept changing`);
}

/**
 * Stores the final answer unless another request stored one first; returns the stored one, so
 * concurrent requests with one key all answer byte-identically.
 */
export async function completeIdempotencyKey(db: Db, claim: Claim, answer: StoredAnswer): Promise<StoredAnswer> {
  if (claim.kind === 'unkeyed' || claim.kind === 'replay') return answer;
  await db.idempotencyRecord.updateMany({
    where: { id: claim.recordId, responseStatus: null },
    data: { responseStatus: answer.status, responseBody: answer.body as object },
  });
  const stored = await db.idempotencyRecord.findUnique({ where: { id: claim.recordId } });
  if (stored?.responseStatus == null) return answer;
  return { status: stored.responseStatus, body: stored.responseBody };
}

/** Drops a record that has no answer (the request changed nothing); repeats start afresh. */
export async function forgetIdempotencyKey(db: Db, claim: Claim): Promise<void> {
  if (claim.kind !== 'first') return;
  await db.idempotencyRecord.deleteMany({ where: { id: claim.recordId, responseStatus: null } });
}

export const isRepeat = (claim: Claim) => claim.kind === 'repeat' || claim.kind === 'replay';

export function hashBody(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body ?? null)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A ClaimRequest with the database to claim it in. */
export interface KeyedRequest extends ClaimRequest {
  db: Db;
}

/** What the work produced: a final answer (stored for replays) or a provisional one (202). */
export interface WorkAnswer {
  answer: StoredAnswer;
  final: boolean;
}

/**
 * Runs `work` once per key: replays a stored answer, otherwise works on the reserved id and
 * stores a final answer (first writer wins). `forgetOn(error)` says the failed work changed
 * nothing, so the key is released for a clean retry.
 */
export async function answerOnce(
  request: KeyedRequest,
  work: (resourceId: string) => Promise<WorkAnswer>,
  forgetOn: (error: unknown) => boolean,
): Promise<{ answer: StoredAnswer; replayed: boolean }> {
  const claim = await claimIdempotencyKey(request.db, request);
  if (claim.kind === 'replay') return { answer: claim.answer, replayed: true };
  let result: WorkAnswer;
  try {
    result = await work(claim.resourceId);
  } catch (error) {
    if (forgetOn(error)) await forgetIdempotencyKey(request.db, claim);
    throw error;
  }
  const answer = result.final ? await completeIdempotencyKey(request.db, claim, result.answer) : result.answer;
  return { answer, replayed: isRepeat(claim) };
}

/**
 * The reply for a success answer (2xx); repeats carry `Idempotent-Replayed: true`. Problems are
 * thrown, not stored, by the series and waiting-list handlers, so only 2xx answers come here.
 */
export function successReply(answer: StoredAnswer, replayed: boolean): Reply {
  if (answer.status >= 400) throw new Error(`successReply got status ${answer.status}`);
  return { status: answer.status, body: answer.body, headers: replayed ? { [REPLAYED_HEADER]: 'true' } : {} };
}
