/**
 * Sends one webhook message the Standard Webhooks way (https://www.standardwebhooks.com): headers
 * `webhook-id` (the delivery id, the same on every retry, so receivers can deduplicate),
 * `webhook-timestamp` (seconds, this attempt) and `webhook-signature: v1,<base64 HMAC-SHA256>`
 * made by the `standardwebhooks` package over `id.timestamp.body` with the endpoint's `whsec_`
 * secret. Any 2xx is delivered; anything else (3xx included: redirects are never followed, a
 * redirect could lead past the address guard), a timeout or a refused address is a failed attempt.
 * Connections go only to addresses the guard passed (address-guard.ts guardedLookup).
 */
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { Agent, request } from 'undici';
import { checkWebhookUrl, guardedLookup, WebhookUrlRefused, type ResolveAll, type WebhookUrlPolicy } from './address-guard';

export interface WebhookMessage {
  id: string;
  url: string;
  secret: string;
  /** The JSON body, already serialized (what is signed is exactly what is sent). */
  body: string;
}

export type SendOutcome =
  | { ok: true; statusCode: number }
  | { ok: false; statusCode: number | null; error: string };

export interface WebhookSender {
  send(message: WebhookMessage): Promise<SendOutcome>;
  close(): Promise<void>;
}

/** A fresh endpoint secret: `whsec_` + base64 of 32 random bytes (Standard Webhooks' format). */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

export function signWebhook(message: Pick<WebhookMessage, 'id' | 'secret' | 'body'>, at: Date): Record<string, string> {
  const signature = new Webhook(message.secret).sign(message.id, at, message.body);
  return { 'webhook-id': message.id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signature };
}

const MAX_RESPONSE_BYTES = 64 * 1024;

export function createWebhookSender(options: { policy: WebhookUrlPolicy; timeoutMs?: number; resolve?: ResolveAll; clock?: () => Date }): WebhookSender {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const clock = options.clock ?? (() => new Date());
  const agent = new Agent({
    connect: { lookup: guardedLookup(options.policy, options.resolve) as never, timeout: timeoutMs },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    keepAliveTimeout: 4_000,
  });
  return {
    async send(message) {
      try {
        await checkWebhookUrl(message.url, options.policy, options.resolve);
      } catch (error) {
        if (error instanceof WebhookUrlRefused) return { ok: false, statusCode: null, error: `refused: ${error.reason}` };
        throw error;
      }
      try {
        const response = await request(message.url, {
          method: 'POST',
          dispatcher: agent,
          headers: { 'content-type': 'application/json', 'user-agent': 'booking-webhooks/1', ...signWebhook(message, clock()) },
          body: message.body,
          signal: AbortSignal.timeout(timeoutMs),
        });
        await drain(response.body);
        const statusCode = response.statusCode;
        if (statusCode >= 200 && statusCode < 300) return { ok: true, statusCode };
        return { ok: false, statusCode, error: statusCode >= 300 && statusCode < 400 ? `redirect ${statusCode} not followed` : `HTTP ${statusCode}` };
      } catch (error) {
        return { ok: false, statusCode: null, error: describe(error) };
      }
    },
    close: () => agent.close(),
  };
}

async function drain(body: AsyncIterable<Buffer> & { destroy(): void }): Promise<void> {
  let read = 0;
  for await (const chunk of body) {
    read += chunk.length;
    if (read > MAX_RESPONSE_BYTES) {
      body.destroy();
      return;
    }
  }
}

/** A short, host-free reason (stored on the delivery, shown to nobody but support). */
function describe(error: unknown): string {
  const err = error as { name?: string; code?: string; cause?: { code?: string } };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError' || err?.code === 'UND_ERR_HEADERS_TIMEOUT' || err?.code === 'UND_ERR_CONNECT_TIMEOUT') return 'timeout';
  if (err?.code === 'EADDRNOTPUBLIC' || err?.cause?.code === 'EADDRNOTPUBLIC') return 'refused: address not public';
  return err?.code ?? err?.cause?.code ?? 'connection failed';
}
