/**
 * A local SMTP server for development and tests: it accepts every message, keeps it in memory
 * (bounded) and serves it as JSON over HTTP so tests in other processes can read what the worker
 * sent. It is real SMTP end to end: the worker's nodemailer transport talks to it over TCP.
 *
 *   GET  /messages[?to=addr]  → {data: [{id, from, to, subject, text, date, attachments: [{filename, contentType, content}]}]}
 *   POST /reset               → forget everything
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface SinkAttachment {
  filename: string | null;
  contentType: string;
  content: string;
}

export interface SinkMessage {
  id: number;
  from: string;
  to: string[];
  subject: string;
  text: string;
  date: string;
  attachments: SinkAttachment[];
}

export interface SmtpSink {
  smtpUrl: string;
  apiUrl: string;
  messages(): SinkMessage[];
  reset(): void;
  close(): Promise<void>;
}

const MAX_MESSAGES = 5_000;

export async function startSmtpSink(opts: { port?: number; apiPort?: number; host?: string } = {}): Promise<SmtpSink> {
  const host = opts.host ?? '127.0.0.1';
  const stored: SinkMessage[] = [];
  let nextId = 1;

  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          stored.push({
            id: nextId++,
            from: mail.from?.text ?? '',
            to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
            subject: mail.subject ?? '',
            text: mail.text ?? '',
            date: (mail.date ?? new Date()).toISOString(),
            attachments: mail.attachments.map((a) => ({
              filename: a.filename ?? null,
              contentType: a.contentType,
              content: a.content.toString('utf8'),
            })),
          });
          if (stored.length > MAX_MESSAGES) stored.splice(0, stored.length - MAX_MESSAGES);
          callback();
        })
        .catch((err: Error) => callback(err));
    },
  });
  await new Promise<void>((resolve, reject) => {
    smtp.once('error', reject);
    smtp.listen(opts.port ?? 0, host, () => resolve());
  });
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  const api = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sink');
    if (req.method === 'GET' && url.pathname === '/messages') {
      const to = url.searchParams.get('to')?.toLowerCase();
      const data = to ? stored.filter((m) => m.to.includes(to)) : stored;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data }));
    } else if (req.method === 'POST' && url.pathname === '/reset') {
      stored.length = 0;
      res.writeHead(204).end();
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => api.listen(opts.apiPort ?? 0, host, () => resolve()));
  const apiPort = (api.address() as AddressInfo).port;

  return {
    smtpUrl: `smtp://${host}:${smtpPort}`,
    apiUrl: `http://${host}:${apiPort}`,
    messages: () => [...stored],
    reset: () => {
      stored.length = 0;
    },
    close: async () => {
      await new Promise<void>((resolve) => api.close(() => resolve()));
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    },
  };
}
