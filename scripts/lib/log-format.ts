/**
 * Makes the JSON log lines of the API and worker (pino) readable in the `npm run dev` terminal:
 * `INFO  worker polling taskQueue=booking`. Lines that are not pino JSON pass through unchanged,
 * and the processes themselves keep logging JSON (what production log shippers want).
 */
const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO ', 40: 'WARN ', 50: 'ERROR', 60: 'FATAL' };
const HIDDEN = new Set(['level', 'time', 'pid', 'hostname', 'service', 'name', 'msg', 'v']);

function short(value: unknown): string {
  if (typeof value === 'string') return value.length > 120 ? `${value.slice(0, 117)}...` : value;
  const json = JSON.stringify(value);
  return json.length > 160 ? `${json.slice(0, 157)}...` : json;
}

export function formatPinoLine(line: string): string {
  if (!line.startsWith('{')) return line;
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  if (typeof record.level !== 'number' || typeof record.msg !== 'string') return line;
  // An HTTP access line: method, url, status and time are what matter.
  const req = record.req as { method?: string; url?: string } | undefined;
  const res = record.res as { statusCode?: number } | undefined;
  if (req?.method && res?.statusCode !== undefined) {
    return `${LEVELS[record.level] ?? record.level} ${req.method} ${req.url} ${res.statusCode} ${record.responseTime ?? '?'} ms`;
  }
  const extra = Object.entries(record)
    .filter(([key]) => !HIDDEN.has(key))
    .map(([key, value]) => `${key}=${short(value)}`)
    .join(' ');
  return `${LEVELS[record.level] ?? record.level} ${record.msg}${extra ? ` ${extra}` : ''}`;
}
