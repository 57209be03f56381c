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

/** A request's logger, made from the app's on first use (most requests never ask for it). */
function requestLogger(this: IncomingMessage & { [LOG]?: Logger; [BASE]?: Logger }): Logger {
  return (this[LOG] ??= this[BASE]!.child({ reqId: this.id }));
}
const BASE = Symbol('appLogger');

/**
 * The request's line, written when its response closes: 'close' follows 'finish' on a completed
 * response (writableFinished then true) and comes alone when the connection went first. One
 * listener, no closure per request: the request, the app's logger and the start time ride on the
 * response.
 */
const STARTED = Symbol('requestStarted');
type LoggedResponse = ServerResponse & { req: IncomingMessage & { [BASE]?: Logger }; [STARTED]: number };
function logLine(this: LoggedResponse): void {
  const req = this.req;
  const logger = req[BASE]!;
  const aborted = !this.writableFinished;
  const statusCode = this.statusCode;
  const level = aborted ? 'warn' : levelOf(statusCode);
  if (!logger.isLevelEnabled(level)) return;
  logger[level](
    { reqId: req.id, req: { id: req.id, method: req.method, url: (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url }, res: { statusCode }, responseTime: Math.round(performance.now() - this[STARTED]) },
    aborted ? 'request aborted' : 'request completed',
  );
}

export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const id = requestIdOf(req, res);
    (res as unknown as LoggedResponse)[STARTED] = performance.now();
    req.id = id;
    (req as IncomingMessage & { [BASE]?: Logger })[BASE] = logger;
    // An own accessor per request (not one on IncomingMessage.prototype: other servers in the
    // process have other loggers), built from a shared getter.
    Object.defineProperty(req, 'log', { configurable: true, get: requestLogger });
    res.on('close', logLine);
    next();
  };
}
