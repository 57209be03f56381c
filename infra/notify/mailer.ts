/** Outgoing email over real SMTP (nodemailer). One transport per process, pooled. */
import nodemailer from 'nodemailer';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  /** An iCalendar document attached as invite.ics (and as the text/calendar alternative). */
  ics?: { content: string; method: 'REQUEST' | 'CANCEL' | 'PUBLISH' };
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
  close(): void;
}

export function createMailer(opts: { smtpUrl: string; from: string }): Mailer {
  const transport = nodemailer.createTransport(opts.smtpUrl, { from: opts.from });
  return {
    async send(mail) {
      const info = await transport.sendMail({
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
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
