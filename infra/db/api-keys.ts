/**
 * API keys: 32 random bytes (256 bits) from the CSPRNG, base64url, behind a visible prefix so a
 * leaked key can be recognised by secret scanners. Only the SHA-256 hex of the whole key is
 * stored (`api_keys.key_hash`); random high-entropy keys need no salt or slow hash, and a fixed
 * hash allows lookup by hash. `prefix` (the first characters) is kept to tell keys apart in lists.
 */
import { createHash, randomBytes } from 'node:crypto';

export const API_KEY_PREFIX = 'sk_live_';
const DISPLAY_PREFIX_LENGTH = API_KEY_PREFIX.length + 6;

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
  return key.slice(0, DISPLAY_PREFIX_LENGTH);
}

export function generateApiKey(): GeneratedApiKey {
  const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
  return { key, hash: hashApiKey(key), prefix: apiKeyDisplayPrefix(key) };
}
