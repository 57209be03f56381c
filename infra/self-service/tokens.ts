/**
 * Self-service booking tokens (API.md "The booking after confirmation"): the `/b/<token>` links
 * in mails and texts, and the `:token` of `/v1/public/bookings/:token/...`.
 *
 * A token is `<payload>.<signature>`: the payload is base64url of `<bookingId>.<expiresAt ms in
 * base 36>`, the signature base64url of HMAC-SHA256(SELF_SERVICE_SECRET, "bt1." + payload).
 * A forged, tampered or expired token is rejected here, without any database lookup; the
 * signature is compared in constant time. Whoever holds a valid token may act on that one
 * booking only, until `expiresAt`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface BookingTokenClaims {
  bookingId: string;
  expiresAt: Date;
}

/** Domain separation: a signature made for another purpose with the same secret never verifies here. */
const CONTEXT = 'bt1.';
const SEGMENT = /^[A-Za-z0-9_-]+$/;
/** Tokens longer than this are refused before any work (ids are short; a token is well under 200). */
const MAX_TOKEN_LENGTH = 512;

function signature(payload: string, secret: string): Buffer {
  return createHmac('sha256', secret).update(CONTEXT + payload).digest();
}

export function signBookingToken({ bookingId, expiresAt }: { bookingId: string; expiresAt: Date }, secret: string): string {
  if (!secret) throw new Error('signBookingToken: empty secret');
  if (!bookingId) throw new Error('signBookingToken: empty bookingId');
  const ms = expiresAt.getTime();
  if (!Number.isFinite(ms) || ms < 0) throw new Error('signBookingToken: invalid expiresAt');
  const payload = Buffer.from(`${bookingId}.${ms.toString(36)}`, 'utf8').toString('base64url');
  return `${payload}.${signature(payload, secret).toString('base64url')}`;
}

/** The token's claims when its signature is ours and it has not expired at `now`; else undefined. */
export function verifyBookingToken(token: string, secret: string, now: Date = new Date()): BookingTokenClaims | undefined {
  if (!secret || typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return undefined;
  const parts = token.split('.');
  if (parts.length !== 2) return undefined;
  const [payload, sig] = parts as [string, string];
  if (!SEGMENT.test(payload) || !SEGMENT.test(sig)) return undefined;
  const expected = signature(payload, secret);
  const given = Buffer.from(sig, 'base64url');
  // Same length first (timingSafeEqual demands it; the length of a SHA-256 MAC is no secret).
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  // Canonical encoding only: one token per claim set (no alternative spellings of the signature).
  if (given.toString('base64url') !== sig) return undefined;
  const body = Buffer.from(payload, 'base64url').toString('utf8');
  const dot = body.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const ms = parseInt(body.slice(dot + 1), 36);
  if (!Number.isSafeInteger(ms)) return undefined;
  const expiresAt = new Date(ms);
  if (expiresAt.getTime() <= now.getTime()) return undefined;
  return { bookingId: body.slice(0, dot), expiresAt };
}

/** The customer-facing self-service page of a booking (served by the console at /b/:token). */
export function manageUrl(publicBaseUrl: string, token: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}/b/${token}`;
}
