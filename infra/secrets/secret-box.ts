/**
 * The one owner of stored secrets (Cal.com API keys, webhook secrets): AES-256-GCM with a fresh
 * 96-bit IV per value and the key id inside the ciphertext, so keys rotate without a migration:
 * the first key of CALENDAR_SECRET_KEY encrypts, every listed key still decrypts, and
 * `needsRotation()` tells a caller to re-encrypt under the current key.
 *
 * Text form: `v1:<keyId>:<iv b64url>:<tag b64url>:<ciphertext b64url>`. Node's crypto is used
 * directly (no library needed: the GCM API is three calls and the format above is ours).
 * Decryption failures never echo the ciphertext or the key.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

export interface SecretBox {
  encrypt(plain: string): string;
  decrypt(sealed: string): string;
  /** Id of the key that encrypts now. */
  readonly currentKeyId: string;
  /** True when `sealed` was encrypted under another (older) key. */
  needsRotation(sealed: string): boolean;
}

export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

const VERSION = 'v1';
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * `spec`: comma-separated keys, newest first, each `[keyId=]<key>` where the key is 32 bytes as
 * 64 hex characters or base64/base64url. Without an id, the id is the first 8 hex characters of
 * the key's SHA-256.
 */
export function parseSecretKeys(spec: string): Array<{ id: string; key: Buffer }> {
  const entries = spec.split(',').map((s) => s.trim()).filter(Boolean);
  if (entries.length === 0) throw new SecretBoxError('CALENDAR_SECRET_KEY is empty');
  const keys = entries.map((entry, index) => {
    const eq = entry.indexOf('=');
    const hasId = eq > 0 && KEY_ID.test(entry.slice(0, eq)) && entry.length - eq - 1 >= 43;
    const raw = hasId ? entry.slice(eq + 1) : entry;
    const key = /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (key.length !== 32) throw new SecretBoxError(`CALENDAR_SECRET_KEY entry ${index + 1} is not a 32-byte key (64 hex characters or base64)`);
    const id = hasId ? entry.slice(0, eq) : createHash('sha256').update(key).digest('hex').slice(0, 8);
    return { id, key };
  });
  if (new Set(keys.map((k) => k.id)).size !== keys.length) throw new SecretBoxError('CALENDAR_SECRET_KEY has two keys with one id');
  return keys;
}

export function createSecretBox(spec: string): SecretBox {
  const keys = parseSecretKeys(spec);
  const byId = new Map(keys.map((k) => [k.id, k.key]));
  const current = keys[0]!;
  const b64 = (b: Buffer) => b.toString('base64url');

  function split(sealed: string): { keyId: string; iv: Buffer; tag: Buffer; data: Buffer } {
    const parts = sealed.split(':');
    if (parts.length !== 5 || parts[0] !== VERSION) throw new SecretBoxError('not a sealed secret');
    return { keyId: parts[1]!, iv: Buffer.from(parts[2]!, 'base64url'), tag: Buffer.from(parts[3]!, 'base64url'), data: Buffer.from(parts[4]!, 'base64url') };
  }

  return {
    currentKeyId: current.id,
    encrypt(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', current.key, iv);
      const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [VERSION, current.id, b64(iv), b64(cipher.getAuthTag()), b64(data)].join(':');
    },
    decrypt(sealed) {
      const { keyId, iv, tag, data } = split(sealed);
      const key = byId.get(keyId);
      if (!key) throw new SecretBoxError(`secret was sealed with key "${keyId}", which CALENDAR_SECRET_KEY no longer lists`);
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv);
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretBoxError(`secret sealed with key "${keyId}" failed authentication`);
      }
    },
    needsRotation(sealed) {
      return split(sealed).keyId !== current.id;
    },
  };
}
