/**
 * API keys: 32 random bytes (256 bits) from the CSPRNG, base64url, behind a visible prefix so a
 * leaked key can be recognised by secret scanners. Only the SHA-256 hex of the whole key is
 * stored (`api_keys.key_hash`); random high-entropy keys need no salt or slow hash, and a fixed
 * hash allows lookup by hash. `prefix` (the first characters) is kept to tell keys apart in lists.
 */
import { createHash, randomBytes } from 'node:crypto';

/** Secret keys (manager, booking, support): never to be shipped to a browser. */
export const API_KEY_PREFIX = 'sk_live_';
/** Publishable keys (role `public`), safe to embed in a web page; recognisable by their prefix. */
export const PUBLISHABLE_KEY_PREFIX = 'pk_live_';
const DISPLAY_CHARS = 6;

export interface GeneratedApiKey {
  /** the secret, shown once to the caller and never stored */
  key: string;
  /** sha256 hex of the key, stored in api_keys.key_hash */
  hash: string;
  /** displayable start of the key, stored in api_keys.prefix */
  prefix: string;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function apiKeyDisplayPrefix(key: string): string {
  return key.slice(0, API_KEY_PREFIX.length + DISPLAY_CHARS);
}

/** A new key; `role: 'public'` makes a publishable `pk_live_` key, any other role a secret `sk_live_` one. */
export function generateApiKey(role?: string): GeneratedApiKey {
  const key = (role === 'public' ? PUBLISHABLE_KEY_PREFIX : API_KEY_PREFIX) + randomBytes(32).toString('base64url');
  return { key, hash: hashApiKey(key), prefix: apiKeyDisplayPrefix(key) };
}
