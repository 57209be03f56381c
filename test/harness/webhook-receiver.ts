/**
 * A local HTTP receiver for outbound webhooks: records every request (headers, raw body, path)
 * and answers per path: `/ok` 204, `/flaky` 500 for the first two attempts of each webhook-id
 * then 200, `/redirect` 302 to /ok (must not be followed), anything else 404.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  path: string;
  headers: Record<string, string>;
  body: string;
  status: number;
}

export interface WebhookReceiver {
  url(path: string): string;
  received: ReceivedWebhook[];
  on(path: string): ReceivedWebhook[];
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const flakySeen = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0]!;
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]));
      let status = 404;
      if (path === '/ok') status = 204;
      else if (path === '/flaky') {
        const id = headers['webhook-id'] ?? '';
        const seen = (flakySeen.get(id) ?? 0) + 1;
        flakySeen.set(id, seen);
        status = seen <= 2 ? 500 : 200;
      } else if (path === '/redirect') {
        res.setHeader('location', '/ok');
        status = 302;
      }
      received.push({ path, headers, body: Buffer.concat(chunks).toString('utf8'), status });
      res.statusCode = status;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    received,
    on: (path) => received.filter((r) => r.path === path),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
