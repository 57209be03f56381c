/**
 * Cal.com signs each delivery with `X-Cal-Signature-256`: the hex HMAC-SHA256 of the raw body
 * with the webhook's secret. Compared in constant time over equal-length digests, so neither the
 * length nor the content of a guess leaks through timing.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const HEX_SHA256 = /^[0-9a-f]{64}$/i;

export function signWebhookBody(raw: Buffer | string, secret: string): string {
  return createHmac('sha256', secret).update(raw).digest('hex');
}

export function verifyWebhookSignature(raw: Buffer, header: string | undefined, secret: string): boolean {
  const expected = Buffer.from(signWebhookBody(raw, secret), 'hex');
  const given = header?.trim() ?? '';
  // Malformed headers are compared too (against a zero digest), so all refusals cost alike.
  const presented = HEX_SHA256.test(given) ? Buffer.from(given, 'hex') : Buffer.alloc(expected.length);
  return timingSafeEqual(presented, expected) && HEX_SHA256.test(given);
}
