/**
 * Open-loop HTTP load at a fixed rate: a request is sent every 1/rate seconds whatever the
 * answers in flight (a keep-alive agent opens sockets as needed), and each latency is measured
 * from its send to the end of its response. This is what "latency at N req/s" means.
 *
 * autocannon's own rate option is no substitute: it is a per-second budget per connection, so
 * every connection sends its whole second's share back to back and then idles, and the latencies
 * it reports at "1,000 req/s" are those of a saturating burst.
 */
import http from 'node:http';
import type { LoadResult } from './load';
import { summarize } from './stats';

export interface PacedLoadOptions {
  url: string;
  headers?: Record<string, string>;
  rate: number;
  durationSeconds: number;
  /** Upper bound of concurrent sockets (requests beyond it queue in the agent). Default 64. */
  maxSockets?: number;
}

export function runPacedLoad(options: PacedLoadOptions): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 64 });
  const interval = 1000 / options.rate;
  const total = Math.round(options.rate * options.durationSeconds);
  const samples: number[] = [];
  let sent = 0;
  let finished = 0;
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  const started = performance.now();

  return new Promise((resolve) => {
    const settle = () => {
      if (++finished < total) return;
      agent.destroy();
      const seconds = (performance.now() - started) / 1000;
      resolve({ latency: summarize(samples), requestsPerSecond: ok / seconds, total: finished, non2xx, errors });
    };
    const fire = () => {
      const t = performance.now();
      const req = http.get(options.url, { agent, headers: options.headers }, (res) => {
        res.resume();
        res.once('end', () => {
          samples.push(performance.now() - t);
          if (res.statusCode && res.statusCode >= 200 && res.statusCode < 300) ok++;
          else non2xx++;
          settle();
        });
      });
      req.once('error', () => {
        errors++;
        settle();
      });
    };
    const tick = () => {
      const due = Math.min(total, Math.floor((performance.now() - started) / interval) + 1);
      while (sent < due) {
        sent++;
        fire();
      }
      if (sent < total) setTimeout(tick, Math.max(0, started + sent * interval - performance.now()));
    };
    tick();
  });
}
