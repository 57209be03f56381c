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

/** The rows as `[{c, b, s, ids: [...], ats: [epoch ms, ...]}]`, one entry per company, branch and service. */
export function batchJson(rows: SearchRecord[]): string {
  const groups = new Map<string, { c: string; b: string; s: string; ids: string[]; ats: number[] }>();
  for (const r of rows) {
    const key = `${r.companyId}|${r.branchId}|${r.serviceId}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { c: r.companyId, b: r.branchId, s: r.serviceId, ids: [], ats: [] }));
    group.ids.push(newId('srch'));
    group.ats.push(r.at.getTime());
  }
  return JSON.stringify([...groups.values()]);
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
      // (in one blocking chunk per flush) than the cached searches themselves. The parameter is
      // small on purpose: the client's CPU per flush grows with its length (about 20 us per row
      // of the former object-per-row JSON), so rows travel grouped by company, branch and service
      // (a batch is mostly one group) as ids and epoch milliseconds.
      await options.db.$executeRaw`
        INSERT INTO availability_searches (id, company_id, branch_id, service_id, at)
        SELECT r.id, g.c, g.b, g.s, to_timestamp(r.at::float8 / 1000)
        FROM json_to_recordset(${batchJson(rows)}::json) AS g(c text, b text, s text, ids json, ats json)
        CROSS JOIN LATERAL ROWS FROM (json_array_elements_text(g.ids), json_array_elements_text(g.ats)) AS r(id, at)`;
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
