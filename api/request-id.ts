/**
 * Request ids: an incoming `X-Request-Id` is kept when it looks like an id (so a caller's trace id
 * follows the request), otherwise a UUID is made; it is echoed in the response and attached to
 * every log line of the request by api/request-log.ts.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdOf(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers['x-request-id'];
  const id = typeof incoming === 'string' && SAFE_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}
