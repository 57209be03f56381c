/**
 * Rate limits (OWASP API4; API.md "Roles and keys"), counted in Redis with rate-limit-redis's
 * fixed-window script, so every API process counts against the same window:
 *   - per client address, BEFORE authentication: every request under /v1, whatever its key;
 *   - per client address, requests whose bearer token is unknown or revoked (401): a few dozen a
 *     minute, then 429 before any lookup until the window ends, so guessing keys is slow and cheap;
 *   - per company, after authentication: all keys of a company together (minting keys does not
 *     multiply the quota); the admin key counts as one "company".
 * Answers carry the IETF RateLimit-Limit / -Remaining / -Reset headers (draft 6); a 429 is a
 * rate_limited problem with Retry-After.
 *
 * Redis down (or not configured): each limiter counts in process memory instead (a per-process
 * quota, as before), and goes back to Redis once it is reachable again. Counting never fails a
 * request.
 *
 * Quotas of 200 and more are counted in leases (rate-limit-lease.ts): a process takes several
 * counts of a window at once and hands them to its requests, so a busy company or address costs a
 * round trip per lease, not per request; the processes together still never admit more than the
 * quota. Smaller quotas count every request in Redis (rate-limit-redis's script).
 *
 * At most one Redis round trip per request on the hot path: when the bearer token's principal is known
 * without I/O (api/auth.ts `known`: the admin key, or a key in the process's key cache), the
 * per-address limiter starts the company's increment too, and both counters go to Redis in one
 * single write (commands sent in the same tick share one writev, see `batchedSend`). The per-company
 * limiter then takes that increment instead of sending its own. An increment started for a request
 * that the company limiter does not count after all (refused per address, refused by auth,
 * keyless route, another principal) is taken back (into the lease, or a decrement), so the company's count is the
 * same as when the limiters ran one after the other.
 *
 * The per-address and per-company limiters answer through `verdict` (hand-written, see there);
 * the unknown-key throttle, which only refused tokens reach, is express-rate-limit's middleware.
 */
import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import { LRUCache } from 'lru-cache';
import { ipKeyGenerator, MemoryStore, rateLimit as expressRateLimit, type ClientRateLimitInfo, type IncrementResponse, type Options, type Store } from 'express-rate-limit';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import type { RedisConnection } from '../infra/cache/redis';
import type { AppConfig } from '../infra/config';
import type { Principal } from './access-policy';
import { principalOf } from './auth';
import { LeasedCounter } from './rate-limit-lease';
import { ApiError } from './error-handler';

export interface RateLimitOptions {
  /** Requests per window of one company (all its keys) or of the admin key. */
  max: number;
  windowMs: number;
  /** Requests per window from one client address, before authentication. Default 4 × max. */
  perAddressMax?: number;
  /** Requests with an unknown or revoked bearer token per address and minute. Default 60. */
  unknownKeyMax?: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { max: 600, windowMs: 10_000 };

/** The limits of RATE_LIMIT_* (infra/config.ts). */
export const rateLimitOptions = (config: AppConfig): RateLimitOptions => ({
  max: config.rateLimitMax,
  windowMs: config.rateLimitWindowMs,
  perAddressMax: config.rateLimitAddressMax,
  unknownKeyMax: config.rateLimitUnknownKeyMax,
});
const UNKNOWN_KEY_WINDOW_MS = 60_000;

/**
 * A Store that counts in Redis while it is reachable and in memory while it is not. Hand-written
 * because express-rate-limit's own answer to a store error is to let the request through
 * (passOnStoreError) or to fail it, and neither keeps a limit.
 */
class RedisOrMemoryStore implements Store {
  private readonly memory = new MemoryStore();
  private readonly redis?: RedisStore;
  private options?: Options;
  private redisReady = false;
  private lastInitAttempt = 0;
  /** The script load under way: requests meanwhile wait for it instead of counting in memory. */
  private initializing?: Promise<void>;

  /** Counts in leases of several tokens (rate-limit-lease.ts) when the quota is large enough. */
  private leased?: LeasedCounter;
  private readonly sendCommand?: (...args: string[]) => Promise<RedisReply>;

  constructor(
    private readonly connection: RedisConnection | undefined,
    readonly prefix: string,
    send?: (args: string[]) => Promise<RedisReply>,
    /** The quota, when requests are counted in leases; without it one increment per request. */
    private readonly limit?: number,
  ) {
    if (connection) {
      const sendCommand = (...args: string[]) => (send ? send(args) : (connection.client.call(args[0], ...args.slice(1)) as Promise<RedisReply>));
      this.sendCommand = sendCommand;
      this.redis = new RedisStore({ prefix, sendCommand });
    }
  }

  init(options: Options): void {
    this.options = options;
    this.memory.init(options);
    const sendCommand = this.sendCommand;
    if (sendCommand && this.limit !== undefined) {
      const leased = new LeasedCounter((args) => sendCommand(...args), this.prefix, this.limit, options.windowMs);
      if (leased.leases) this.leased = leased;
    }
    void this.initRedis();
  }

  /** Loads the store's Lua scripts; again after an outage (a failed load would stick otherwise). */
  private initRedis(): Promise<void> {
    if (!this.redis || !this.options || !this.connection?.isUp()) return Promise.resolve();
    if (this.initializing) return this.initializing;
    const redis = this.redis;
    const options = this.options;
    this.lastInitAttempt = Date.now();
    this.initializing = (async () => {
      try {
        await redis.init(options);
        this.redisReady = true;
      } catch {
        this.redisReady = false;
      } finally {
        this.initializing = undefined;
      }
    })();
    return this.initializing;
  }

  private async useRedis<T>(op: (store: RedisStore) => Promise<T>, fallback: () => Promise<T> | T): Promise<T> {
    if (this.redis && this.connection?.isUp()) {
      if (!this.redisReady && (this.initializing || Date.now() - this.lastInitAttempt > 1_000)) await this.initRedis();
      if (this.redisReady) {
        try {
          return await op(this.redis);
        } catch {
          this.redisReady = false;
        }
      }
    }
    return fallback();
  }

  get(key: string): Promise<ClientRateLimitInfo | undefined> {
    return this.useRedis((s) => s.get(key), () => this.memory.get(key));
  }

  increment(key: string): Promise<IncrementResponse> {
    const leased = this.leased;
    return this.useRedis((s) => (leased ? leased.increment(key) : s.increment(key)), () => this.memory.increment(key));
  }

  decrement(key: string): Promise<void> {
    return this.useRedis((s) => (this.leased?.release(key) ? Promise.resolve() : s.decrement(key)), () => this.memory.decrement(key));
  }

  resetKey(key: string): Promise<void> {
    this.leased?.forget(key);
    return this.useRedis((s) => s.resetKey(key), () => this.memory.resetKey(key));
  }

  shutdown(): void {
    void this.memory.shutdown();
  }
}

/**
 * `send` for the Redis stores: commands issued in the same tick (a request's address and company
 * increments) leave in one write, i.e. one round trip, instead of one each. The socket is corked
 * at the first command of a tick and uncorked after the tick's microtasks (a request's two
 * increments are issued a few microtasks apart), so Node writes them with one writev. Cheaper than
 * an ioredis pipeline, whose bookkeeping cost more CPU than the write it saves.
 */
function batchedSend(connection: RedisConnection): (args: string[]) => Promise<RedisReply> {
  let corked: { uncork(): void } | null = null;
  const uncork = () => {
    corked?.uncork();
    corked = null;
  };
  return (args) => {
    const stream = connection.client.stream as { cork?(): void; uncork(): void } | undefined;
    if (!corked && stream?.cork && connection.isUp()) {
      stream.cork();
      corked = stream;
      process.nextTick(uncork);
    }
    return connection.client.call(args[0], ...args.slice(1)) as Promise<RedisReply>;
  };
}

const refuse = (what: string): Options['handler'] => (req, _res, next, options) => {
  const info = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit;
  const retryAfterSeconds = Math.max(1, Math.ceil(((info?.resetTime?.getTime() ?? Date.now() + options.windowMs) - Date.now()) / 1000));
  next(new ApiError('rate_limited', `Too many requests ${what}; retry in ${retryAfterSeconds} s`, { retryAfterSeconds }));
};

// A request's client address key, computed once (the guard and the limiter both need it).
const ADDRESS_KEY = Symbol('rateLimitAddressKey');
// The company increment the address limiter started for a request (see the module comment).
const STARTED = Symbol('companyIncrementStarted');
type LimitedRequest = Request & { [ADDRESS_KEY]?: string; [STARTED]?: { key: string; result: Promise<IncrementResponse> } };

// Without X-Forwarded-For the client address is the connection's whatever 'trust proxy' says,
// so its key is computed once per keep-alive connection.
const SOCKET_ADDRESS_KEY = Symbol('rateLimitSocketAddressKey');

/** The client address as a rate-limit key (IPv6 by /56 subnet, so rotating addresses of one host do not escape). */
function addressKey(req: LimitedRequest): string {
  let key = req[ADDRESS_KEY];
  if (key !== undefined) return key;
  if (req.headers['x-forwarded-for'] === undefined) {
    const socket = req.socket as typeof req.socket & { [SOCKET_ADDRESS_KEY]?: string };
    key = socket[SOCKET_ADDRESS_KEY] ??= ipKeyGenerator(req.socket.remoteAddress ?? 'unknown');
  } else {
    key = ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? 'unknown');
  }
  req[ADDRESS_KEY] = key;
  return key;
}

export interface RateLimiters {
  /** Before authentication: addresses over their unknown-key limit answer 429 at once; then per address. */
  beforeAuth: RequestHandler;
  /** Error middleware right after authentication: counts refused bearer tokens per address. */
  onAuthFailure: ErrorRequestHandler;
  /** After authentication: per company. */
  afterAuth: RequestHandler;
}

/** Key of the per-company limiter: all keys of a company together; the admin key as one. */
const companyKeyOf = (principal: Principal) => (principal.kind === 'admin' ? 'admin' : `company:${principal.companyId}`);

type Verdict = (res: Response, hits: IncrementResponse, next: NextFunction) => void;

/**
 * One fixed-window quota's answer to a counted request: the IETF RateLimit-* headers (draft 6,
 * as express-rate-limit writes them: Policy, Limit, Remaining, Reset), then `next()` within the
 * quota or a rate_limited problem (Retry-After) past it.
 *
 * Hand-written for the two limiters every /v1 request passes: express-rate-limit's middleware
 * spent, per limiter and request, six awaits, its debug calls' arguments (request.ip among them),
 * per-request validations and a defineProperty, which together cost more CPU than the Redis
 * increment they wait for. Counting itself stays with RedisOrMemoryStore (rate-limit-redis's
 * script, the in-memory fallback); the unknown-key throttle, off the hot path, keeps the library.
 */
function verdict(limit: number, windowMs: number, what: string): Verdict {
  const policy = `${limit};w=${Math.ceil(windowMs / 1000)}`;
  const limitText = String(limit);
  return (res, hits, next) => {
    const resetAt = hits.resetTime?.getTime() ?? Date.now() + windowMs;
    if (!res.headersSent) {
      res.setHeader('RateLimit-Policy', policy);
      res.setHeader('RateLimit-Limit', limitText);
      res.setHeader('RateLimit-Remaining', String(Math.max(limit - hits.totalHits, 0)));
      res.setHeader('RateLimit-Reset', String(Math.max(0, Math.ceil((resetAt - Date.now()) / 1000))));
    }
    if (hits.totalHits <= limit) return next();
    const retryAfterSeconds = Math.max(1, Math.ceil((resetAt - Date.now()) / 1000));
    next(new ApiError('rate_limited', `Too many requests ${what}; retry in ${retryAfterSeconds} s`, { retryAfterSeconds }));
  };
}

export function createRateLimiters(
  options: RateLimitOptions,
  redis?: RedisConnection,
  prefix = 'booking:rl:',
  /** The principal of a request when known without I/O (api/auth.ts KeyAuth.known). */
  knownPrincipal?: (req: Request) => Principal | undefined,
): RateLimiters {
  const send = redis ? batchedSend(redis) : undefined;
  const storeOptions = { windowMs: options.windowMs } as Options;
  const addressLimit = options.perAddressMax ?? options.max * 4;
  const companyStore = new RedisOrMemoryStore(redis, `${prefix}company:`, send, options.max);
  const addressStore = new RedisOrMemoryStore(redis, `${prefix}addr:`, send, addressLimit);
  companyStore.init(storeOptions);
  addressStore.init(storeOptions);
  const perAddress = verdict(addressLimit, options.windowMs, 'from this address');
  const perCompany = verdict(options.max, options.windowMs, 'for this company');

  /** Takes back a started company increment the company limiter will not use (no-op without one). */
  const releaseStarted = (req: LimitedRequest) => {
    const entry = req[STARTED];
    if (!entry) return;
    req[STARTED] = undefined;
    void entry.result.then(() => companyStore.decrement(entry.key));
  };

  // Unknown keys: counted (in the shared store) only when auth refused a presented token, so the
  // happy path pays nothing for it. An address over its limit is remembered here until its window
  // resets and answered 429 before auth, without a database lookup; another process learns it on
  // that address's next refused token (the count is shared).
  const blockedUntil = new LRUCache<string, number>({ max: 100_000, ttl: UNKNOWN_KEY_WINDOW_MS });
  const unknownKeys = expressRateLimit({
    windowMs: UNKNOWN_KEY_WINDOW_MS,
    limit: options.unknownKeyMax ?? 60,
    standardHeaders: false,
    legacyHeaders: false,
    // Our handler answers the problem; the library's validations log to the console otherwise.
    validate: { trustProxy: false, xForwardedForHeader: false },
    keyGenerator: addressKey,
    store: new RedisOrMemoryStore(redis, `${prefix}badkey:`),
    handler: (req, res, next, opts) => {
      const info = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit;
      blockedUntil.set(addressKey(req), info?.resetTime?.getTime() ?? Date.now() + opts.windowMs);
      refuse('with unknown API keys from this address')!(req, res, next, opts);
    },
  });

  const beforeAuth: RequestHandler = (req: LimitedRequest, res, next) => {
    const address = addressKey(req);
    const until = blockedUntil.get(address);
    if (until !== undefined && until > Date.now()) {
      const retryAfterSeconds = Math.max(1, Math.ceil((until - Date.now()) / 1000));
      return next(new ApiError('rate_limited', `Too many requests with unknown API keys from this address; retry in ${retryAfterSeconds} s`, { retryAfterSeconds }));
    }
    // The company's increment leaves with the address's (same tick, one write) when the key is known.
    const principal = knownPrincipal?.(req);
    if (principal) {
      const key = companyKeyOf(principal);
      req[STARTED] = { key, result: companyStore.increment(key) };
    }
    addressStore.increment(address).then(
      (hits) => {
        if (hits.totalHits > addressLimit) releaseStarted(req);
        perAddress(res, hits, next);
      },
      (err: unknown) => {
        releaseStarted(req);
        next(err);
      },
    );
  };

  const afterAuth: RequestHandler = (req: LimitedRequest, res, next) => {
    const principal = res.locals.principal as Principal | undefined;
    // Keyless calls (self-service tokens, signed webhooks) have no company: the per-address limit counts them.
    if (principal === undefined) {
      releaseStarted(req);
      return next();
    }
    const key = companyKeyOf(principal);
    const entry = req[STARTED];
    let result: Promise<IncrementResponse>;
    if (entry && entry.key === key) {
      req[STARTED] = undefined;
      result = entry.result;
    } else {
      releaseStarted(req);
      result = companyStore.increment(key);
    }
    result.then((hits) => perCompany(res, hits, next), next);
  };

  const onAuthFailure: ErrorRequestHandler = (err: { code?: unknown }, req, res, next) => {
    // Refused by auth (unknown key, forbidden role): not counted for any company.
    releaseStarted(req);
    if (err?.code !== 'unauthenticated' || req.headers.authorization === undefined) return next(err);
    void unknownKeys(req, res, (limited?: unknown) => next(limited ?? err));
  };
  return { beforeAuth, onAuthFailure, afterAuth };
}
