/**
 * Small persistence helpers shared by the booking activity factories: deterministic ids from
 * dedupe keys, history rows that are written once per key, and a booking's snapshot.
 */
import { createHash } from 'node:crypto';
import type { Db, DbTx } from '../infra/db/prisma';
import { newId } from '../infra/db/ids';
import type { BookingSnapshot } from './booking-activity.types';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** An id in the `newId` format, derived from a dedupe key so a retried insert finds its row. */
export function idFromKey(prefix: string, key: string): string {
  const digest = createHash('sha256').update(key).digest();
  let out = '';
  for (let i = 0; i < 16; i += 1) out += ALPHABET[digest[i] & 31];
  return `${prefix}_${out}`;
}

/** A history entry written at most once per dedupe key (retried activities are no-ops). */
export async function addHistory(
  db: Db | DbTx,
  entry: { bookingId: string; event: string; detail?: Record<string, unknown>; dedupeKey: string },
): Promise<void> {
  await db.bookingHistory.createMany({
    data: [{ id: newId('his'), bookingId: entry.bookingId, event: entry.event, detail: (entry.detail ?? {}) as object, dedupeKey: entry.dedupeKey }],
    skipDuplicates: true,
  });
}

export async function historyExists(db: Db | DbTx, dedupeKey: string): Promise<boolean> {
  return (await db.bookingHistory.count({ where: { dedupeKey } })) > 0;
}

export function snapshotOf(b: {
  id: string;
  companyId: string;
  branchId: string;
  customerId: string;
  staffId: string;
  startAt: Date;
  endAt: Date;
  status: string;
}): BookingSnapshot {
  return {
    bookingId: b.id,
    companyId: b.companyId,
    branchId: b.branchId,
    customerId: b.customerId,
    staffId: b.staffId,
    start: b.startAt.toISOString(),
    end: b.endAt.toISOString(),
    status: b.status,
  };
}

/** Statuses that hold their slot (the exclusion constraints' predicate). */
export const LIVE_STATUSES = ['pending', 'awaiting_approval', 'confirmed'];
