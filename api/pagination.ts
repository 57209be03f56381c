/**
 * Keyset pagination over (createdAt, id): stable under inserts, no OFFSET scans. Ids are random
 * (infra/db/ids.ts), so creation time leads and the id breaks ties. The cursor is opaque to
 * clients: base64url of the last row's key. A cursor that does not decode is a 400.
 */
import type { PageQuery } from './common.schemas';
import { invalid } from './error-handler';

interface Keyed {
  id: string;
  createdAt: Date;
}

export interface KeysetArgs {
  where: { OR: Array<Record<string, unknown>> } | Record<string, never>;
  orderBy: Array<{ createdAt: 'asc' } | { id: 'asc' }>;
  take: number;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

function encodeCursor(row: Keyed): string {
  return Buffer.from(JSON.stringify([row.createdAt.toISOString(), row.id])).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    const createdAt = new Date(String(at));
    // Only keys our own cursors can hold: anything else would reach the database as a bad value.
    const sane = typeof id === 'string' && id.length <= 100 && !id.includes('\u0000');
    const time = createdAt.getTime();
    if (sane && typeof at === 'string' && time >= 0 && time < Date.UTC(9999, 0, 1)) return { createdAt, id };
  } catch {
    // fall through to the validation error
  }
  throw invalid([{ path: 'cursor', message: 'Invalid cursor' }]);
}

/** Prisma arguments (merge `where` with the tenant filter) for the page after `query.cursor`. */
export function keysetArgs(query: PageQuery): KeysetArgs {
  const orderBy: KeysetArgs['orderBy'] = [{ createdAt: 'asc' }, { id: 'asc' }];
  if (!query.cursor) return { where: {}, orderBy, take: query.limit + 1 };
  const { createdAt, id } = decodeCursor(query.cursor);
  return { where: { OR: [{ createdAt: { gt: createdAt } }, { createdAt, id: { gt: id } }] }, orderBy, take: query.limit + 1 };
}

/** Rows fetched with keysetArgs (one extra) → the page and the cursor of the next one. */
export function toPage<R extends Keyed, T>(rows: R[], query: PageQuery, render: (row: R) => T): Page<T> {
  const more = rows.length > query.limit;
  const pageRows = more ? rows.slice(0, query.limit) : rows;
  return { data: pageRows.map(render), nextCursor: more ? encodeCursor(pageRows[pageRows.length - 1]) : null };
}
