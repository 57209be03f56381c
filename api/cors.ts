/**
 * CORS for /v1: a `public` key is "publishable, safe to embed in a web page" (API.md "Auth"), and
 * the page that embeds it (the company's own site) is usually on another origin than the API. Every
 * key travels in the Authorization header, never in a cookie, so no browser sends one on its own:
 * any origin may call, without credentials (`*`), and the key's role decides as for any client.
 *
 * - A preflight (OPTIONS with Origin and Access-Control-Request-Method) is answered 204 here, before
 *   the rate limits and the key check (a browser sends it without the Authorization header).
 * - Every other /v1 answer to a request with an Origin allows it and exposes the headers the
 *   contract names (rate limits, Retry-After, X-Cache, Idempotent-Replayed, ...).
 * OPTIONS without those headers is not a preflight and keeps its 405 with Allow.
 */
import type { RequestHandler } from 'express';

const ALLOW_METHODS = 'GET, HEAD, POST, PATCH, DELETE';
const ALLOW_HEADERS = 'Authorization, Content-Type, Idempotency-Key, X-Request-Id';
const EXPOSE_HEADERS = [
  'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'Retry-After', 'X-Cache', 'X-Calendar-Status',
  'Idempotent-Replayed', 'X-Request-Id', 'WWW-Authenticate', 'Allow', 'ETag', 'RateLimit-Policy', 'Location',
].join(', ');
const PREFLIGHT_MAX_AGE_SECONDS = '600';

export function corsForV1(isV1: (url: string) => boolean): RequestHandler {
  return (req, res, next) => {
    if (!req.headers.origin || !isV1(req.url)) return next();
    res.setHeader('Access-Control-Allow-Origin', '*');
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
      res.setHeader('Access-Control-Allow-Methods', ALLOW_METHODS);
      res.setHeader('Access-Control-Allow-Headers', ALLOW_HEADERS);
      res.setHeader('Access-Control-Max-Age', PREFLIGHT_MAX_AGE_SECONDS);
      res.status(204).end();
      return;
    }
    res.setHeader('Access-Control-Expose-Headers', EXPOSE_HEADERS);
    next();
  };
}
