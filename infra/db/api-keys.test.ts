import { createHash } from 'node:crypto';
import { API_KEY_PREFIX, PUBLISHABLE_KEY_PREFIX, apiKeyDisplayPrefix, generateApiKey, hashApiKey } from './api-keys';

describe('API keys', () => {
  test('generated key: visible prefix, 256 random bits, sha256 hex hash, display prefix', () => {
    const { key, hash, prefix } = generateApiKey();
    expect(key.startsWith(API_KEY_PREFIX)).toBe(true);
    expect(Buffer.from(key.slice(API_KEY_PREFIX.length), 'base64url')).toHaveLength(32);
    expect(hash).toBe(createHash('sha256').update(key).digest('hex'));
    expect(hash).toBe(hashApiKey(key));
    expect(prefix).toBe(apiKeyDisplayPrefix(key));
    expect(key.startsWith(prefix)).toBe(true);
    expect(prefix.length).toBeLessThan(key.length - 20);
  });

  test('keys are unique and hashes differ', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(a.key).not.toBe(b.key);
    expect(a.hash).not.toBe(b.hash);
  });

  test('publishable keys (role public) carry pk_live_, every other role sk_live_', () => {
    const pub = generateApiKey('public');
    expect(pub.key.startsWith(PUBLISHABLE_KEY_PREFIX)).toBe(true);
    expect(pub.prefix.startsWith(PUBLISHABLE_KEY_PREFIX)).toBe(true);
    for (const role of ['manager', 'booking', 'support', undefined]) expect(generateApiKey(role).key.startsWith(API_KEY_PREFIX)).toBe(true);
  });
});
