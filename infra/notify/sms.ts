/**
 * Outgoing SMS through an HTTP provider speaking the Twilio Messages API: `POST
 * {SMS_URL}/2010-04-01/Accounts/{SMS_ACCOUNT_SID}/Messages.json`, form-encoded `To`, `From`,
 * `Body`, HTTP basic auth (account sid : auth token); 201 with the message `sid`. In dev and tests
 * SMS_URL is the local SMS sink (infra/notify/sms-sink.ts), which answers the same way.
 * Hand-written over undici (already the Cal.com client's transport) instead of the `twilio` SDK:
 * one form POST, and the SDK cannot be pointed at the local sink by a base URL.
 * The request is bounded by SMS_TIMEOUT_MS, which the outbox's send lease must outlast.
 */
import { request } from 'undici';

export const SMS_TIMEOUT_MS = 10_000;

export interface OutgoingSms {
  /** E.164 number */
  to: string;
  body: string;
}

export interface SmsSender {
  send(sms: OutgoingSms): Promise<{ sid: string }>;
}

export interface SmsOptions {
  url: string;
  accountSid: string;
  authToken: string;
  from: string;
}

export class SmsRejected extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function createSmsSender(opts: SmsOptions): SmsSender {
  const endpoint = new URL(`/2010-04-01/Accounts/${encodeURIComponent(opts.accountSid)}/Messages.json`, opts.url).toString();
  const authorization = `Basic ${Buffer.from(`${opts.accountSid}:${opts.authToken}`).toString('base64')}`;
  return {
    async send(sms) {
      const res = await request(endpoint, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ To: sms.to, From: opts.from, Body: sms.body }).toString(),
        headersTimeout: SMS_TIMEOUT_MS,
        bodyTimeout: SMS_TIMEOUT_MS,
        signal: AbortSignal.timeout(SMS_TIMEOUT_MS),
      });
      const text = await res.body.text();
      if (res.statusCode < 200 || res.statusCode >= 300) {
        // Twilio's error body is {code, message, status}; its text stays in the outbox row only.
        throw new SmsRejected(res.statusCode, `SMS provider answered ${res.statusCode}: ${text.slice(0, 300)}`);
      }
      const sid = (JSON.parse(text) as { sid?: string }).sid;
      return { sid: sid ?? 'unknown' };
    },
  };
}
