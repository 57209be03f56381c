/**
 * A local SMTP server for development and tests: it accepts every message, keeps it in memory
 * (bounded) and serves it as JSON over HTTP so tests in other processes can read what the worker
 * sent. It is real SMTP end to end: the worker's nodemailer transport talks to it over TCP.
 *
 *   GET  /messages[?to=addr]  → {data: [{id, from, to, subject, text, html, date, attachments: [{filename, contentType, content}]}]}
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
  /** The HTML part; null when the mail has none. */
  html: string | null;
  date: string;
  attachments: SinkAttachment[];
}

export interface SmtpSink {
  smtpUrl: string;
  apiUrl: string;
  messages(): Promise<SinkMessage[]>;
  reset(): void;
  close(): Promise<void>;
}

const MAX_MESSAGES = 5_000;

export async function startSmtpSink(opts: { port?: number; apiPort?: number; host?: string } = {}): Promise<SmtpSink> {
  const host = opts.host ?? '127.0.0.1';
  // Messages are kept raw and parsed when first read: most are never read (a benchmark sends
  // hundreds), and parsing is the sink's main cost, on the same CPUs as the code under test.
  const stored: Array<{ id: number; to: string[]; raw: Buffer; parsed?: Promise<SinkMessage> }> = [];
  let nextId = 1;

  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (err: Error) => callback(err));
      stream.on('end', () => {
        stored.push({ id: nextId++, to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()), raw: Buffer.concat(chunks) });
        if (stored.length > MAX_MESSAGES) stored.splice(0, stored.length - MAX_MESSAGES);
        callback();
      });
    },
  });
  const read = (entry: (typeof stored)[number]): Promise<SinkMessage> =>
    (entry.parsed ??= simpleParser(entry.raw).then((mail) => ({
      id: entry.id,
      from: mail.from?.text ?? '',
      to: entry.to,
      subject: mail.subject ?? '',
      text: mail.text ?? '',
      html: mail.html || null,
      date: (mail.date ?? new Date()).toISOString(),
      attachments: mail.attachments.map((a) => ({ filename: a.filename ?? null, contentType: a.contentType, content: a.content.toString('utf8') })),
    })));
  const messages = (to?: string) => Promise.all((to ? stored.filter((m) => m.to.includes(to)) : stored).map(read));
  await new Promise<void>((resolve, reject) => {
    smtp.once('error', reject);
    smtp.listen(opts.port ?? 0, host, () => resolve());
  });
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  const api = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sink');
    if (req.method === 'GET' && url.pathname === '/messages') {
      messages(url.searchParams.get('to')?.toLowerCase()).then(
        (data) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data })),
        (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(err.message),
      );
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
    messages: () => messages(),
    reset: () => {
      stored.length = 0;
    },
    close: async () => {
      await new Promise<void>((resolve) => api.close(() => resolve()));
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    },
  };
}
