/**
 * A local SMS provider for development and tests: it answers the Twilio Messages API the SMS
 * adapter speaks (`POST /2010-04-01/Accounts/:sid/Messages.json`, form-encoded To/From/Body, basic
 * auth whose user is that account sid; 201 `{sid, status: "queued", to, from, body, date_created}`)
 * and lists what it got:
 *
 *   GET  /messages[?to=+49...]  → {data: [{to, from, body, sentAt}]}
 *   POST /reset                 → forget everything
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';

export interface SinkSms {
  sid: string;
  to: string;
  from: string;
  body: string;
  sentAt: string;
}

export interface SmsSink {
  url: string;
  messages(): SinkSms[];
  close(): Promise<void>;
}

const MAX_MESSAGES = 5_000;
const MESSAGES_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/;

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > 64 * 1024) req.destroy(new Error('body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const json = (res: http.ServerResponse, status: number, body: unknown) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

export async function startSmsSink(opts: { port?: number; host?: string } = {}): Promise<SmsSink> {
  const host = opts.host ?? '127.0.0.1';
  const stored: SinkSms[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sink');
    const account = MESSAGES_PATH.exec(url.pathname);
    if (req.method === 'POST' && account) {
      const [user] = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString('utf8').split(':');
      if (user !== decodeURIComponent(account[1])) {
        json(res, 401, { code: 20003, message: 'Authenticate', status: 401 });
        return;
      }
      void readBody(req).then((raw) => {
        const form = new URLSearchParams(raw);
        const [to, from, body] = [form.get('To'), form.get('From'), form.get('Body')];
        if (!to || !from || !body) {
          json(res, 400, { code: 21604, message: 'A To, From and Body are required', status: 400 });
          return;
        }
        const sms = { sid: `SM${randomBytes(16).toString('hex')}`, to, from, body, sentAt: new Date().toISOString() };
        stored.push(sms);
        if (stored.length > MAX_MESSAGES) stored.splice(0, stored.length - MAX_MESSAGES);
        json(res, 201, { sid: sms.sid, status: 'queued', to, from, body, date_created: new Date(sms.sentAt).toUTCString() });
      }, () => json(res, 400, { message: 'unreadable body' }));
    } else if (req.method === 'GET' && url.pathname === '/messages') {
      const to = url.searchParams.get('to');
      json(res, 200, { data: to ? stored.filter((m) => m.to === to) : stored });
    } else if (req.method === 'POST' && url.pathname === '/reset') {
      stored.length = 0;
      res.writeHead(204).end();
    } else {
      json(res, 404, { message: 'not found' });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    messages: () => [...stored],
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
