/**
 * HTTP load with autocannon (programmatic API). Latencies are collected per response here (the
 * 'response' event gives each one in ms) so any percentile can be printed, p95 included, which
 * autocannon's own summary lacks. Non-2xx answers and errors are counted and reported: a bench
 * whose requests fail must not print flattering numbers.
 */
import { summarize, type Summary } from './stats';

// autocannon ships no types; this is the part of its API used here.
interface AutocannonResult {
  requests: { average: number; total: number };
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
}
interface AutocannonInstance {
  on(event: 'response', fn: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void): void;
  on(event: 'done', fn: (result: AutocannonResult) => void): void;
}
type Autocannon = ((opts: Record<string, unknown>, cb: (err: Error | null, result: AutocannonResult) => void) => AutocannonInstance) & {
  track?: unknown;
};
const autocannon = require('autocannon') as Autocannon;

export interface LoadOptions {
  url: string;
  headers?: Record<string, string>;
  connections?: number;
  durationSeconds?: number;
  /** Paths to cycle through (each connection walks the list); default: the url's own path. */
  paths?: string[];
}

export interface LoadResult {
  latency: Summary;
  requestsPerSecond: number;
  total: number;
  non2xx: number;
  errors: number;
}

export function runLoad(options: LoadOptions): Promise<LoadResult> {
  const samples: number[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        headers: options.headers,
        connections: options.connections ?? 10,
        duration: options.durationSeconds ?? 10,
        pipelining: 1,
        ...(options.paths && { requests: options.paths.map((path) => ({ method: 'GET', path })) }),
      },
      (err, result) => {
        if (err) return reject(err);
        resolve({
          latency: summarize(samples),
          requestsPerSecond: result['2xx'] / result.duration,
          total: result.requests.total,
          non2xx: result.non2xx,
          errors: result.errors + result.timeouts,
        });
      },
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => samples.push(responseTime));
  });
}
