/**
 * The sender against local HTTP servers: a signed POST verified with the standardwebhooks
 * library, a receiver that never answers ends as a timeout, a redirect is not followed, and under
 * the production rule a loopback target is refused before any connection (literal and by name).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { createWebhookSender, newWebhookSecret } from './webhook-sender';

let server: http.Server;
let base: string;
const seen: Array<{ path: string; headers: http.IncomingHttpHeaders; body: string }> = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', headers: req.headers, body });
      if (req.url === '/hang') return; // never answers
      if (req.url === '/moved') {
        res.writeHead(307, { location: '/ok' }).end();
        return;
      }
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const message = (path: string, secret = newWebhookSecret()) => ({ id: 'whd_test', url: `${base}${path}`, secret, body: JSON.stringify({ type: 'booking.confirmed', timestamp: '2027-01-01T10:00:00+01:00', data: { id: 'bkg_1' } }) });

test('a 2xx is delivered; the receiver verifies the signature with standardwebhooks', async () => {
  const sender = createWebhookSender({ policy: { enforce: false } });
  const m = message('/ok');
  await expect(sender.send(m)).resolves.toEqual({ ok: true, statusCode: 200 });
  const got = seen.find((s) => s.path === '/ok')!;
  expect(new Webhook(m.secret).verify(got.body, got.headers as Record<string, string>)).toEqual(JSON.parse(m.body));
  expect(got.headers['webhook-id']).toBe('whd_test');
  await sender.close();
});

test('a receiver that never answers is a timeout; a redirect is a failed attempt, not followed', async () => {
  const sender = createWebhookSender({ policy: { enforce: false }, timeoutMs: 300 });
  await expect(sender.send(message('/hang'))).resolves.toEqual({ ok: false, statusCode: null, error: 'timeout' });
  const okBefore = seen.filter((s) => s.path === '/ok').length;
  await expect(sender.send(message('/moved'))).resolves.toEqual({ ok: false, statusCode: 307, error: 'redirect 307 not followed' });
  expect(seen.filter((s) => s.path === '/ok').length).toBe(okBefore);
  await sender.close();
});

test('under the production rule nothing is sent to a loopback address, literal or by name', async () => {
  const sender = createWebhookSender({ policy: { enforce: true } });
  const before = seen.length;
  const https = base.replace('http:', 'https:');
  await expect(sender.send({ ...message('/ok'), url: `${https}/ok` })).resolves.toMatchObject({ ok: false, statusCode: null, error: expect.stringMatching(/^refused/) });
  await expect(sender.send({ ...message('/ok'), url: `${https.replace('127.0.0.1', 'localhost')}/ok` })).resolves.toMatchObject({ ok: false, error: expect.stringMatching(/^refused/) });
  await expect(sender.send(message('/ok'))).resolves.toMatchObject({ ok: false, error: expect.stringMatching(/https/) });
  expect(seen.length).toBe(before);
  await sender.close();
});

test('the connect-time guard refuses a name that passed the check but now resolves privately (DNS rebinding)', async () => {
  let calls = 0;
  // First answer (the check) public, then (the connection's own lookup) loopback.
  const rebinding = async () => [{ address: calls++ === 0 ? '93.184.215.14' : '127.0.0.1', family: 4 }];
  const sender = createWebhookSender({ policy: { enforce: true }, resolve: rebinding, timeoutMs: 2_000 });
  const port = new URL(base).port;
  const before = seen.length;
  const outcome = await sender.send({ ...message('/ok'), url: `https://rebind.example.test:${port}/ok` });
  expect(outcome).toEqual({ ok: false, statusCode: null, error: 'refused: address not public' });
  expect(calls).toBeGreaterThanOrEqual(2);
  expect(seen.length).toBe(before);
  await sender.close();
});
