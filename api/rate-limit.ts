/**
 * A small per-key fixed-window rate limiter (OWASP API4), in memory: one API process keeps its own
 * counts, which is enough to stop a runaway client; it is not a distributed quota. Generous by
 * default (600 requests per 10 s per key) and disabled with `rateLimit: false` in AppDeps
 * (benchmarks).
 */
import type { RequestHandler } from 'express';
import { principalOf } from './auth';
import { ApiError } from './error-handler';

export interface RateLimitOptions {
  max: number;
  windowMs: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { max: 600, windowMs: 10_000 };

export function rateLimit(options: RateLimitOptions, clock: () => number = Date.now): RequestHandler {
  const windows = new Map<string, { start: number; count: number }>();
  let lastSweep = clock();

  return (req, res, next) => {
    const now = clock();
    if (now - lastSweep > options.windowMs) {
      for (const [key, w] of windows) if (now - w.start >= options.windowMs) windows.delete(key);
      lastSweep = now;
    }
    const principal = principalOf(res);
    const key = principal.kind === 'admin' ? 'admin' : principal.keyId;
    let w = windows.get(key);
    if (!w || now - w.start >= options.windowMs) {
      w = { start: now, count: 0 };
      windows.set(key, w);
    }
    w.count++;
    if (w.count > options.max) {
      const retryAfterSeconds = Math.max(1, Math.ceil((w.start + options.windowMs - now) / 1000));
      throw new ApiError('rate_limited', `More than ${options.max} requests in ${options.windowMs / 1000} s`, { retryAfterSeconds });
    }
    next();
  };
}
