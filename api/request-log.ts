/**
 * Request logging: one line per request when its response finishes (or the connection closes
 * first), at info for 2xx/3xx, warn for 4xx, error for 5xx, with the request id, method, URL,
 * status and response time. `req.log` is a child logger bound to the request id, built only when a
 * handler asks for it.
 *
 * Replaces pino-http, which built two child loggers per request (serializing the request at once)
 * and serialized every response header into the line: on a cached availability search that was
 * more CPU than the search itself. The line keeps pino-http's shape (`req`, `res.statusCode`,
 * `responseTime`, "request completed").
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { requestIdOf } from './request-id';

declare module 'http' {
  interface IncomingMessage {
    /** The request id (X-Request-Id), set by requestLog(). */
    id: string;
    /** A logger bound to this request's id. */
    log: Logger;
  }
}

const LOG = Symbol('requestLogger');

function levelOf(statusCode: number): 'info' | 'warn' | 'error' {
  return statusCode >= 500 ? 'error' : statusCode >= 400 ? 'warn' : 'info';
}

export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const id = requestIdOf(req, res);
    const started = performance.now();
    req.id = id;
    Object.defineProperty(req, 'log', {
      configurable: true,
      get(this: IncomingMessage & { [LOG]?: Logger }) {
        return (this[LOG] ??= logger.child({ reqId: id }));
      },
    });
    let done = false;
    const finished = (response: ServerResponse, aborted: boolean) => {
      if (done) return;
      done = true;
      const statusCode = response.statusCode;
      const level = aborted ? 'warn' : levelOf(statusCode);
      if (!logger.isLevelEnabled(level)) return;
      logger[level](
        { reqId: id, req: { id, method: req.method, url: req.originalUrl }, res: { statusCode }, responseTime: Math.round(performance.now() - started) },
        aborted ? 'request aborted' : 'request completed',
      );
    };
    res.once('finish', () => finished(res, false));
    res.once('close', () => finished(res, !res.writableFinished));
    next();
  };
}
