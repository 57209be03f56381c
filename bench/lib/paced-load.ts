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
  return runPacedMix({ ...options, urls: [options.url] }).then(([result]) => result);
}

/**
 * The same open loop over several URLs taken in turn (request i goes to urls[i % n]), with a
 * result per URL: their latencies are measured under the same load at the same moments, so their
 * ratio does not depend on what the rest of a shared machine did between two separate runs.
 */
export function runPacedMix(options: Omit<PacedLoadOptions, 'url'> & { urls: string[] }): Promise<LoadResult[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 64 });
  const interval = 1000 / options.rate;
  const total = Math.round(options.rate * options.durationSeconds);
  const per = options.urls.map(() => ({ samples: [] as number[], finished: 0, ok: 0, non2xx: 0, errors: 0 }));
  let sent = 0;
  let finished = 0;
  const started = performance.now();

  return new Promise((resolve) => {
    const settle = (i: number) => {
      per[i].finished++;
      if (++finished < total) return;
      agent.destroy();
      const seconds = (performance.now() - started) / 1000;
      resolve(per.map((p) => ({ latency: summarize(p.samples), requestsPerSecond: p.ok / seconds, total: p.finished, non2xx: p.non2xx, errors: p.errors })));
    };
    const fire = (i: number) => {
      const t = performance.now();
      const p = per[i];
      const req = http.get(options.urls[i], { agent, headers: options.headers }, (res) => {
        res.resume();
        res.once('end', () => {
          p.samples.push(performance.now() - t);
          if (res.statusCode && res.statusCode >= 200 && res.statusCode < 300) p.ok++;
          else p.non2xx++;
          settle(i);
        });
      });
      req.once('error', () => {
        p.errors++;
        settle(i);
      });
    };
    const tick = () => {
      const due = Math.min(total, Math.floor((performance.now() - started) / interval) + 1);
      while (sent < due) fire(sent++ % options.urls.length);
      if (sent < total) setTimeout(tick, Math.max(0, started + sent * interval - performance.now()));
    };
    tick();
  });
}
