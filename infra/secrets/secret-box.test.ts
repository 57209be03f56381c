import { randomBytes } from 'node:crypto';
import { createSecretBox, parseSecretKeys, SecretBoxError } from './secret-box';

const hexKey = () => randomBytes(32).toString('hex');

describe('secret box (AES-256-GCM with key ids)', () => {
  it('round-trips, never contains the plain text, and uses a fresh IV each time', () => {
    const box = createSecretBox(hexKey());
    const a = box.encrypt('cal_live_secret');
    const b = box.encrypt('cal_live_secret');
    expect(a).not.toEqual(b);
    expect(a).not.toContain('cal_live_secret');
    expect(a.split(':')).toHaveLength(5);
    expect(box.decrypt(a)).toBe('cal_live_secret');
    expect(box.decrypt(b)).toBe('cal_live_secret');
  });

  it('rotates: the new key encrypts, the old one still decrypts, needsRotation tells old from new', () => {
    const oldKey = hexKey();
    const before = createSecretBox(`k1=${oldKey}`);
    const sealedOld = before.encrypt('old');
    const after = createSecretBox(`k2=${hexKey()},k1=${oldKey}`);
    expect(after.currentKeyId).toBe('k2');
    expect(after.decrypt(sealedOld)).toBe('old');
    expect(after.needsRotation(sealedOld)).toBe(true);
    expect(after.needsRotation(after.encrypt('new'))).toBe(false);
    // A key dropped from the list cannot decrypt, and the error names only the key id.
    const dropped = createSecretBox(`k2=${hexKey()}`);
    expect(() => dropped.decrypt(sealedOld)).toThrow(/key "k1"/);
  });

  it('refuses tampered ciphertexts, foreign keys and malformed text without echoing them', () => {
    const box = createSecretBox(hexKey());
    const sealed = box.encrypt('secret');
    const parts = sealed.split(':');
    const flipped = Buffer.from(parts[4]!, 'base64url');
    flipped[0] ^= 1;
    const tampered = [...parts.slice(0, 4), flipped.toString('base64url')].join(':');
    expect(() => box.decrypt(tampered)).toThrow(SecretBoxError);
    const other = createSecretBox(`${box.currentKeyId}=${hexKey()}`);
    expect(() => other.decrypt(sealed)).toThrow(/failed authentication/);
    try {
      box.decrypt('garbage-secret');
    } catch (error) {
      expect((error as Error).message).not.toContain('garbage-secret');
    }
    expect(() => box.decrypt('garbage-secret')).toThrow(SecretBoxError);
  });

  it('accepts hex and base64 keys, derives ids, and refuses wrong lengths and duplicate ids', () => {
    const key = randomBytes(32);
    const [fromHex] = parseSecretKeys(key.toString('hex'));
    const [fromB64] = parseSecretKeys(key.toString('base64'));
    expect(fromHex!.key.equals(key)).toBe(true);
    expect(fromB64!.id).toBe(fromHex!.id);
    expect(() => parseSecretKeys('short')).toThrow(/32-byte/);
    expect(() => parseSecretKeys('')).toThrow(/empty/);
    expect(() => parseSecretKeys(`a=${hexKey()},a=${hexKey()}`)).toThrow(/one id/);
  });
});
