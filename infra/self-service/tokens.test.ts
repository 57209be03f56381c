import { manageUrl, signBookingToken, verifyBookingToken } from './tokens';

const SECRET = 'test-self-service-secret';
const now = new Date('2026-12-03T08:00:00.000Z');
const expiresAt = new Date('2026-12-04T10:45:00.123Z');
const bookingId = 'bkg_k3j9x2m4q8r1t5vw';

describe('self-service booking tokens', () => {
  const token = signBookingToken({ bookingId, expiresAt }, SECRET);

  it('round-trips the booking id and the exact expiry', () => {
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(verifyBookingToken(token, SECRET, now)).toEqual({ bookingId, expiresAt });
  });

  it('is URL-safe and short enough for a text message link', () => {
    expect(encodeURIComponent(token)).toBe(token);
    expect(token.length).toBeLessThan(100);
  });

  it('refuses an expired token (expiry is exclusive)', () => {
    expect(verifyBookingToken(token, SECRET, expiresAt)).toBeUndefined();
    expect(verifyBookingToken(token, SECRET, new Date(expiresAt.getTime() - 1))).toBeDefined();
  });

  it('refuses a token signed with another secret', () => {
    expect(verifyBookingToken(signBookingToken({ bookingId, expiresAt }, 'other'), SECRET, now)).toBeUndefined();
    expect(verifyBookingToken(token, '', now)).toBeUndefined();
  });

  it('refuses a token whose payload was changed (other booking, later expiry)', () => {
    const [, sig] = token.split('.');
    const otherBooking = Buffer.from(`bkg_aaaaaaaaaaaaaaaa.${expiresAt.getTime().toString(36)}`).toString('base64url');
    const later = Buffer.from(`${bookingId}.${(expiresAt.getTime() + 86_400_000).toString(36)}`).toString('base64url');
    expect(verifyBookingToken(`${otherBooking}.${sig}`, SECRET, now)).toBeUndefined();
    expect(verifyBookingToken(`${later}.${sig}`, SECRET, now)).toBeUndefined();
  });

  it.each([
    ['empty', ''],
    ['no dot', 'abc'],
    ['three parts', 'a.b.c'],
    ['flipped last signature char', (() => { const t = signBookingToken({ bookingId, expiresAt }, SECRET); return t.slice(0, -1) + (t.endsWith('A') ? 'B' : 'A'); })()],
    ['truncated signature', (() => { const t = signBookingToken({ bookingId, expiresAt }, SECRET); return t.slice(0, -2); })()],
    ['non base64url characters', 'ab+c.de/f'],
    ['a very long string', 'a'.repeat(5000) + '.' + 'b'.repeat(43)],
    ['percent-encoded', encodeURIComponent('a.b%')],
  ])('refuses a malformed token (%s)', (_label, bad) => {
    expect(verifyBookingToken(bad, SECRET, now)).toBeUndefined();
  });

  it('refuses a correctly signed payload without an expiry', () => {
    const { createHmac } = jest.requireActual<typeof import('node:crypto')>('node:crypto');
    const payload = Buffer.from(bookingId).toString('base64url');
    const sig = createHmac('sha256', SECRET).update('bt1.' + payload).digest('base64url');
    expect(verifyBookingToken(`${payload}.${sig}`, SECRET, now)).toBeUndefined();
  });

  it('refuses to sign without a secret or with an invalid date', () => {
    expect(() => signBookingToken({ bookingId, expiresAt }, '')).toThrow();
    expect(() => signBookingToken({ bookingId, expiresAt: new Date('nope') }, SECRET)).toThrow();
  });

  it('builds the manage URL under the public base URL', () => {
    expect(manageUrl('https://book.example.com', token)).toBe(`https://book.example.com/b/${token}`);
  });
});
