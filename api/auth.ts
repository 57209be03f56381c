/**
 * Bearer authentication for /v1. The admin key is compared in constant time; company keys are
 * looked up by their SHA-256 (only hashes are stored). Found keys are cached briefly so the hot
 * paths (availability, bookings) do not pay a database round trip per request; revocation is
 * therefore visible within KEY_CACHE_TTL_MS.
 *
 * Sets `res.locals.principal`; read it with principalOf(res) / companyIdOf(res).
 */
import { timingSafeEqual } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import { LRUCache } from 'lru-cache';
import { hashApiKey } from '../infra/db/api-keys';
import type { AppDeps } from './app-deps';
import { isAllowed, ROLES, type Principal, type Role } from './access-policy';
import { ApiError } from './error-handler';

const KEY_CACHE_TTL_MS = 30_000;

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/** `served(path)`: whether any route serves the path; the role policy is not asked about others (they answer 404). */
export function authenticate(deps: Pick<AppDeps, 'config' | 'db'>, served: (path: string) => boolean): RequestHandler {
  // The admin key is compared by its SHA-256 hex, the same hash company keys are looked up by,
  // so a request hashes its token once.
  const adminHash = Buffer.from(hashApiKey(deps.config.adminApiKey));
  const cache = new LRUCache<string, Principal & { kind: 'company' }>({ max: 10_000, ttl: KEY_CACHE_TTL_MS });

  async function lookup(token: string): Promise<Principal | undefined> {
    const hash = hashApiKey(token);
    // Equal-length digests make the comparison constant-time whatever the token's length.
    if (timingSafeEqual(Buffer.from(hash), adminHash)) return { kind: 'admin' };
    const cached = cache.get(hash);
    if (cached) return cached;
    const key = await deps.db.apiKey.findUnique({ where: { keyHash: hash } });
    if (!key || key.revokedAt || !(ROLES as readonly string[]).includes(key.role)) return undefined;
    const principal = { kind: 'company' as const, companyId: key.companyId, role: key.role as Role, keyId: key.id };
    cache.set(hash, principal);
    return principal;
  }

  return async (req, res, next) => {
    const token = bearerToken(req.headers.authorization);
    if (!token) throw new ApiError('unauthenticated', 'Missing bearer API key');
    const principal = await lookup(token);
    if (!principal) throw new ApiError('unauthenticated', 'Unknown or revoked API key');
    // req.baseUrl is '/v1' when mounted there; check against the full path.
    const path = req.baseUrl + req.path;
    if (served(path) && !isAllowed(principal, req.method, path)) throw new ApiError('forbidden', 'This key may not perform this operation');
    res.locals.principal = principal;
    next();
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
