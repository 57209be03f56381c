/**
 * Records every availability search in `availability_searches` (the denominator of analytics'
 * conversion rate) off the request path: rows are buffered and written in one multi-row INSERT
 * per flush (every `flushIntervalMs`, or at once when `maxBatch` rows wait; the rows travel as one
 * JSON parameter, one statement whatever the batch size). A cache hit thus costs
 * an array push, not a database write. A failed write is retried with the next flush (the buffer
 * is capped so a long database outage cannot exhaust memory); close() flushes what is left.
 */
import { newId } from '../../infra/db/ids';
import type { Db } from '../../infra/db/prisma';
import type { CacheLogger } from '../../infra/cache/redis';

export interface SearchRecord {
  companyId: string;
  branchId: string;
  serviceId: string;
  at: Date;
}

export interface SearchRecorder {
  record(search: SearchRecord): void;
  /** Writes everything buffered so far (tests and analytics reads can await it). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export interface SearchRecorderOptions {
  db: Db;
  logger: CacheLogger;
  flushIntervalMs?: number;
  maxBatch?: number;
  maxBuffered?: number;
}

export function createSearchRecorder(options: SearchRecorderOptions): SearchRecorder {
  const flushIntervalMs = options.flushIntervalMs ?? 200;
  const maxBatch = options.maxBatch ?? 500;
  const maxBuffered = options.maxBuffered ?? 100_000;
  let buffer: SearchRecord[] = [];
  let timer: NodeJS.Timeout | null = null;
  let writing: Promise<void> = Promise.resolve();
  let droppedLogged = false;

  const write = async (rows: SearchRecord[]) => {
    try {
      // One raw INSERT of one JSON parameter: Prisma's createMany compiles and validates every
      // row, and even array parameters are converted element by element, which cost more CPU
      // (in one blocking chunk per flush) than the cached searches themselves.
      const json = JSON.stringify(rows.map((r) => ({ id: newId('srch'), company_id: r.companyId, branch_id: r.branchId, service_id: r.serviceId, at: r.at.toISOString() })));
      await options.db.$executeRaw`
        INSERT INTO availability_searches (id, company_id, branch_id, service_id, at)
        SELECT id, company_id, branch_id, service_id, at
        FROM json_to_recordset(${json}::json) AS r(id text, company_id text, branch_id text, service_id text, at timestamptz)`;
    } catch (err) {
      options.logger.warn({ err: (err as Error).message, rows: rows.length }, 'recording availability searches failed; retrying with the next flush');
      requeue(rows);
    }
  };
  const requeue = (rows: SearchRecord[]) => {
    buffer = rows.concat(buffer);
    if (buffer.length > maxBuffered) {
      buffer = buffer.slice(buffer.length - maxBuffered);
      if (!droppedLogged) {
        droppedLogged = true;
        options.logger.warn({ maxBuffered }, 'availability search buffer full: oldest searches dropped');
      }
    }
    schedule();
  };
  const flush = (): Promise<void> => {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    // Chained so writes never overlap and flush() resolves after every earlier row is written.
    writing = writing.then(async () => {
      while (buffer.length > 0) {
        const rows = buffer.slice(0, maxBatch);
        buffer = buffer.slice(rows.length);
        await write(rows);
        if (buffer.length > 0 && buffer[0] === rows[0]) break; // requeued: wait for the next flush
      }
    });
    return writing;
  };
  function schedule() {
    if (timer) return;
    timer = setTimeout(() => void flush(), flushIntervalMs);
    timer.unref();
  }

  return {
    record(search) {
      buffer.push(search);
      if (buffer.length >= maxBatch) void flush();
      else schedule();
    },
    flush,
    close: flush,
  };
}
