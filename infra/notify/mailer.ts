/**
 * Outgoing email over real SMTP (nodemailer). One transport per process, pooled: connections stay
 * open between messages (up to 5), so a mail costs one SMTP transaction instead of a TCP + SMTP
 * handshake each time (~4x less time per notification activity under load). `?pool=false` in
 * SMTP_URL turns pooling off.
 *
 * Timeouts (SMTP_URL's query may set others): nodemailer waits 2 min for a connection and 10 min
 * on a silent socket by default; here a server that stops answering is given up within
 * MAILER_WORST_CASE_MS, which the outbox's send lease (activities/notification.activities.ts)
 * must outlast so that no overlapping attempt sends the same mail again.
 */
import nodemailer from 'nodemailer';

const TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 };
/** Connect + greeting + one silent socket: the longest a stuck SMTP server holds a send. */
export const MAILER_WORST_CASE_MS = TIMEOUTS.connectionTimeout + TIMEOUTS.greetingTimeout + TIMEOUTS.socketTimeout;

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  /** The HTML alternative of the text part. */
  html?: string;
  /** An iCalendar document attached as invite.ics (and as the text/calendar alternative). */
  ics?: { content: string; method: 'REQUEST' | 'CANCEL' | 'PUBLISH' };
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
  close(): void;
}

export function createMailer(opts: { smtpUrl: string; from: string }): Mailer {
  const transport = nodemailer.createTransport(transportUrl(opts.smtpUrl), { from: opts.from });
  return {
    async send(mail) {
      const info = await transport.sendMail({
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        icalEvent: mail.ics ? { method: mail.ics.method, content: mail.ics.content, filename: 'invite.ics' } : undefined,
        attachments: mail.ics
          ? [{ filename: 'invite.ics', content: mail.ics.content, contentType: `text/calendar; method=${mail.ics.method}` }]
          : undefined,
      });
      return { messageId: String(info.messageId) };
    },
    close: () => transport.close(),
  };
}

/** nodemailer reads transport options from the URL's query (an options object with `url` drops the rest). */
function transportUrl(smtpUrl: string): string {
  const url = new URL(smtpUrl);
  for (const [name, value] of Object.entries({ pool: true, ...TIMEOUTS })) {
    if (!url.searchParams.has(name)) url.searchParams.set(name, String(value));
  }
  return url.toString();
}
