import { ID_PATTERN, newId } from './ids';

describe('newId', () => {
  test('prefix, underscore and 16 lower-case base32 characters', () => {
    const id = newId('bkg');
    expect(id).toMatch(/^bkg_[a-z2-7]{16}$/);
    expect(id).toMatch(ID_PATTERN);
    expect(newId('custom')).toMatch(/^custom_[a-z2-7]{16}$/);
  });

  test('10 000 ids are distinct and use the whole alphabet', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newId('x')));
    expect(ids.size).toBe(10_000);
    const chars = new Set([...ids].join('').replace(/x_/g, ''));
    expect(chars.size).toBe(32);
  });
});
