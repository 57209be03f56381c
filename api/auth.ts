/**
 * Bearer authentication for /v1. The admin key is compared in constant time; company keys are
 * looked up by their SHA-256 (only hashes are stored). Found keys are cached so the hot paths
 * (availability, bookings) do not pay a database round trip per request:
 *   - while the revocation bus (infra/cache/revocation-bus.ts) is live, for KEY_CACHE_TTL_MS: a
 *     revocation anywhere evicts the key from every process's cache within milliseconds;
 *   - otherwise (no Redis, link lost, or no bus configured) for KEY_CACHE_FALLBACK_MS only, so a
 *     revocation is still refused within about a second.
 * Unknown hashes are remembered for UNKNOWN_KEY_TTL_MS (a negative cache), so a stream of
 * made-up tokens costs no database lookup each (they are also rate limited per address).
 *
 * The policy (api/access-policy.ts) is asked about the route template the router will run
 * (`route(method, path)`, case-sensitive and strict like the router); a path no route serves goes
 * on to the 404, whatever the role.
 *
 * Sets `res.locals.principal`; read it with principalOf(res) / companyIdOf(res).
 */
import { timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { LRUCache } from 'lru-cache';
import { DEMO_API_KEYS } from '../infra/config';
import { hashApiKey } from '../infra/db/api-keys';
import type { AppDeps } from './app-deps';
import { isAllowed, isKeyless, ROLES, type Principal, type Role } from './access-policy';
import { ApiError } from './error-handler';

const KEY_CACHE_TTL_MS = 30_000;
export const KEY_CACHE_FALLBACK_MS = 1_000;
const UNKNOWN_KEY_TTL_MS = 5_000;

type CompanyPrincipal = Principal & { kind: 'company' };

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

interface TokenHash {
  /** The Authorization header it was computed from. */
  header: string;
  hash: string;
  /** Whether the hash is the admin key's (compared in constant time once per header). */
  admin: boolean;
  /** The admin hash it was compared with (apps in one process may have different admin keys). */
  adminHash: Buffer;
}

// The hash of the last bearer token seen on each keep-alive connection: a client sends the same
// Authorization header request after request, so SHA-256 and the constant-time admin comparison
// run once per connection and header instead of once per request. The header string is compared
// with the one THIS connection sent before (its own secret, so no timing leak between callers);
// only the hash is reused: whether the key is known, revoked or allowed is decided per request.
// The header lives as long as the connection (as it did in the request that sent it).
const TOKEN_HASH = Symbol('bearerTokenHash');
type HashedSocket = { [TOKEN_HASH]?: TokenHash };

function tokenHashOf(req: Request, adminHash: Buffer): TokenHash | undefined {
  const header = req.headers.authorization;
  if (header === undefined) return undefined;
  const socket = req.socket as typeof req.socket & HashedSocket;
  const memo = socket[TOKEN_HASH];
  if (memo !== undefined && memo.header === header && memo.adminHash === adminHash) return memo;
  const token = bearerToken(header);
  if (!token) return undefined;
  const hash = hashApiKey(token);
  // Equal-length digests make the comparison constant-time whatever the token's length.
  const computed = { header, hash, admin: timingSafeEqual(Buffer.from(hash), adminHash), adminHash };
  socket[TOKEN_HASH] = computed;
  return computed;
}

export interface KeyAuth {
  /** The /v1 middleware (see the module comment). */
  middleware: RequestHandler;
  /**
   * The middleware's check without `next`: sets the principal, or throws (synchronously when the
   * key is known without I/O, else through the returned promise) unauthenticated/forbidden.
   * Undefined means done; api/app.ts calls it from its /v1 gate.
   */
  check(req: Request, res: Response): Promise<void> | undefined;
  /**
   * The principal the middleware will find for this request's bearer token when it is known
   * without any I/O (the admin key, or a key in this process's cache and within its age limit),
   * else undefined. No database lookup, no side effect: the rate limiter uses it to count the
   * company in the same Redis round trip as the address (api/rate-limit.ts).
   */
  known(req: Request): Principal | undefined;
}

/**
 * `route(method, path)`: the template of the route that serves the request, or undefined when
 * none does (the policy is not asked about those: they answer 404).
 */
export function authenticate(
  deps: Pick<AppDeps, 'config' | 'db' | 'revocations'>,
  route: (method: string, path: string) => string | undefined,
): RequestHandler {
  return createKeyAuth(deps, route).middleware;
}

export function createKeyAuth(
  deps: Pick<AppDeps, 'config' | 'db' | 'revocations'>,
  route: (method: string, path: string) => string | undefined,
): KeyAuth {
  // The admin key is compared by its SHA-256 hex, the same hash company keys are looked up by,
  // so a request hashes its token once.
  const adminHash = Buffer.from(hashApiKey(deps.config.adminApiKey));
  // In production the demo company's well-known keys are refused, whatever the database holds.
  const refusedHashes = new Set(deps.config.nodeEnv === 'production' ? Object.values(DEMO_API_KEYS).map(hashApiKey) : []);
  const cache = new LRUCache<string, { principal: CompanyPrincipal; at: number }>({ max: 10_000, ttl: KEY_CACHE_TTL_MS });
  const unknown = new LRUCache<string, true>({ max: 50_000, ttl: UNKNOWN_KEY_TTL_MS });
  // Hashes revoked lately: a lookup that read the row just before the revocation committed must
  // not cache it after the message evicted it.
  const revoked = new LRUCache<string, true>({ max: 10_000, ttl: KEY_CACHE_TTL_MS });
  const bus = deps.revocations;
  bus?.listen({
    revoked: (hash) => {
      revoked.set(hash, true);
      cache.delete(hash);
    },
    resubscribed: () => cache.clear(),
  });

  const ADMIN: Principal = { kind: 'admin' };
  /** The answer without I/O: a principal, `null` (refused), or undefined (ask the database). */
  function fromMemory(token: TokenHash): Principal | null | undefined {
    if (token.admin) return ADMIN;
    const hash = token.hash;
    if (refusedHashes.has(hash)) return null;
    const cached = cache.get(hash);
    const maxAge = bus?.isLive() ? KEY_CACHE_TTL_MS : KEY_CACHE_FALLBACK_MS;
    if (cached && Date.now() - cached.at < maxAge) return cached.principal;
    if (unknown.has(hash) || revoked.has(hash)) return null;
    return undefined;
  }

  async function lookup(hash: string): Promise<Principal | undefined> {
    const key = await deps.db.apiKey.findUnique({ where: { keyHash: hash } });
    if (!key || key.revokedAt || !(ROLES as readonly string[]).includes(key.role)) {
      unknown.set(hash, true);
      cache.delete(hash);
      return undefined;
    }
    const principal = { kind: 'company' as const, companyId: key.companyId, role: key.role as Role, keyId: key.id };
    if (!revoked.has(hash)) cache.set(hash, { principal, at: Date.now() });
    return principal;
  }

  // Keyless or not is a property of the route template: asked once per template.
  const keyless = new Map<string, boolean>();
  const isKeylessRoute = (method: string, template: string) => {
    const key = `${method} ${template}`;
    let answer = keyless.get(key);
    if (answer === undefined) keyless.set(key, (answer = isKeyless(method, template)));
    return answer;
  };

  function admit(req: Request, res: Response, template: string | undefined, principal: Principal | undefined): void {
    if (!principal) throw new ApiError('unauthenticated', 'Unknown or revoked API key');
    if (template !== undefined && !isAllowed(principal, req.method, template)) {
      throw new ApiError('forbidden', 'This key may not perform this operation');
    }
    res.locals.principal = principal;
  }

  function check(req: Request, res: Response): Promise<void> | undefined {
    // The template of the route the router will run: the policy and the router see one path.
    const template = route(req.method, req.baseUrl + req.path);
    // Keyless routes: a self-service token in the path, or a signed Cal.com webhook, is the credential; no principal is set.
    if (template !== undefined && isKeylessRoute(req.method, template)) return undefined;
    const token = tokenHashOf(req, adminHash);
    if (!token) throw new ApiError('unauthenticated', 'Missing bearer API key');
    // The hot path stays synchronous: a key known from memory needs no promise.
    const known = fromMemory(token);
    if (known !== undefined) {
      admit(req, res, template, known ?? undefined);
      return undefined;
    }
    return lookup(token.hash).then((principal) => admit(req, res, template, principal));
  }

  const middleware: RequestHandler = (req, res, next) => {
    const pending = check(req, res);
    if (!pending) return next();
    return pending.then(() => next());
  };
  return {
    middleware,
    check,
    known(req) {
      const token = tokenHashOf(req, adminHash);
      return token ? fromMemory(token) ?? undefined : undefined;
    },
  };
}

export function principalOf(res: Response): Principal {
  const principal = res.locals.principal as Principal | undefined;
  if (!principal) throw new ApiError('unauthenticated', 'Missing bearer API key');
  return principal;
}

/** The company every query of this request must be scoped to. */
export function companyIdOf(res: Response): string {
  const principal = principalOf(res);
  if (principal.kind !== 'company') throw new ApiError('forbidden', 'A company API key is required');
  return principal.companyId;
}

/** The caller when it must be the platform admin key (admin handlers check it themselves too). */
export function requireAdmin(res: Response): void {
  if (principalOf(res).kind !== 'admin') throw new ApiError('forbidden', 'Only the platform admin key may do this');
}
