/**
 * A local Cal.com API v2 (bookings, `cal-api-version: 2024-08-13`) over plain node:http, for
 * development and tests. Serves create/get/list/reschedule/cancel with Cal.com's shapes, envelopes,
 * headers and quirks (see emulator.state.ts), plus the `/__control` API (emulator.control.ts).
 *
 * Version header: Cal.com silently routes a missing or unknown `cal-api-version` to the old
 * 2024-04-15 controller, whose shapes differ. The emulator does not serve that version; it answers
 * 400 instead so a client that forgets the header fails loudly in tests.
 * Auth: create/get/reschedule/cancel are public in Cal.com (a bearer token is optional but, when
 * sent, must be valid); listing requires one. A key is an account (emulator.accounts.ts): it sees
 * only its own bookings. `/v2/me`, `/v2/event-types` and `/v2/webhooks` need a key.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CALCOM_BOOKINGS_API_VERSION, CALCOM_BOOKINGS_API_VERSION_NEWEST } from '../calcom.types';
import { handleControl, isControlPath } from './emulator.control';
import { EmulatorHttpError, badRequest, faultError, notFound, unauthorized } from './emulator.errors';
import type { EmulatorOperation } from './emulator.faults';
import { EmulatorState } from './emulator.state';
import type { EmulatorAccount } from './emulator.accounts';
import { createWebhook, renderWebhook } from './emulator.webhooks';

export { EmulatorState } from './emulator.state';
export const DEFAULT_EMULATOR_API_KEY = 'cal_test_emulator_key';

export interface CalcomEmulatorOptions {
  port?: number;
  host?: string;
  apiKey?: string;
  /** Clock for "in the past" and upcoming/past listing; defaults to Date.now. */
  now?: () => number;
}

export interface CalcomEmulator {
  url: string;
  port: number;
  close(): Promise<void>;
  state: EmulatorState;
}

interface Route {
  operation: EmulatorOperation;
  uid?: string;
  authRequired: boolean;
  /** me / event-types / webhooks: which one, and the id in the path if any. */
  action?: 'me' | 'list-event-types' | 'get-event-type' | 'list-webhooks' | 'create-webhook' | 'delete-webhook';
  id?: string;
}

const SUPPORTED_VERSIONS = new Set([CALCOM_BOOKINGS_API_VERSION, CALCOM_BOOKINGS_API_VERSION_NEWEST]);
const MAX_BODY_BYTES = 1_000_000;
const MAX_LOG = 10_000;

function matchAccountRoute(method: string, parts: string[]): Route | null {
  const id = parts[2] === undefined ? undefined : decodeURIComponent(parts[2]);
  if (parts[1] === 'me' && parts.length === 2 && method === 'GET') return { operation: 'me', authRequired: true, action: 'me' };
  if (parts[1] === 'event-types' && method === 'GET') {
    if (parts.length === 2) return { operation: 'event-types', authRequired: true, action: 'list-event-types' };
    if (parts.length === 3) return { operation: 'event-types', authRequired: true, action: 'get-event-type', id };
  }
  if (parts[1] === 'webhooks') {
    if (parts.length === 2 && method === 'GET') return { operation: 'webhooks', authRequired: true, action: 'list-webhooks' };
    if (parts.length === 2 && method === 'POST') return { operation: 'webhooks', authRequired: true, action: 'create-webhook' };
    if (parts.length === 3 && method === 'DELETE') return { operation: 'webhooks', authRequired: true, action: 'delete-webhook', id };
  }
  return null;
}

function matchRoute(method: string, path: string): Route | null {
  const parts = path.replace(/\/+$/, '').split('/').slice(1);
  if (parts[0] === 'v2' && parts[1] !== 'bookings') return matchAccountRoute(method, parts);
  if (parts[0] !== 'v2' || parts[1] !== 'bookings') return null;
  const uid = parts[2] === undefined ? undefined : decodeURIComponent(parts[2]);
  if (parts.length === 2) {
    if (method === 'POST') return { operation: 'create', authRequired: false };
    if (method === 'GET') return { operation: 'list', authRequired: true };
  }
  if (parts.length === 3 && method === 'GET') return { operation: 'get', uid, authRequired: false };
  if (parts.length === 4 && method === 'POST' && parts[3] === 'reschedule') return { operation: 'reschedule', uid, authRequired: false };
  if (parts.length === 4 && method === 'POST' && parts[3] === 'cancel') return { operation: 'cancel', uid, authRequired: false };
  return null;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) reject(new EmulatorHttpError(413, 'Payload Too Large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badRequest(`Unexpected JSON body: ${(error as Error).message}`);
  }
}

export async function startCalcomEmulator(options: CalcomEmulatorOptions = {}): Promise<CalcomEmulator> {
  const apiKey = options.apiKey ?? DEFAULT_EMULATOR_API_KEY;
  const state = new EmulatorState(options.now, apiKey);
  const sleepers = new Map<NodeJS.Timeout, (finished: boolean) => void>();
  let closing = false;

  /** Resolves true after ms, or false at once if the emulator is closing. */
  const sleep = (ms: number): Promise<boolean> =>
    new Promise((resolve) => {
      if (closing) return resolve(false);
      if (ms <= 0) return resolve(true);
      const timer = setTimeout(() => {
        sleepers.delete(timer);
        resolve(true);
      }, ms);
      sleepers.set(timer, resolve);
    });

  const log = (req: IncomingMessage, operation: string, path: string, outcome: number | 'dropped', fault?: string) => {
    state.requests.push({ at: new Date(state.now()).toISOString(), operation, method: req.method ?? 'GET', path, outcome, ...(fault && { fault }) });
    if (state.requests.length > MAX_LOG) state.requests.splice(0, state.requests.length - MAX_LOG);
  };

  const send = (res: ServerResponse, status: number, body: unknown, extraHeaders: Record<string, string> = {}) => {
    if (res.destroyed || res.writableEnded) return;
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...extraHeaders });
    res.end(JSON.stringify(body));
  };

  const sendError = (res: ServerResponse, path: string, error: unknown) => {
    const httpError = error instanceof EmulatorHttpError ? error : new EmulatorHttpError(500, 'There was an error, please try again later.', 'prisma', 'INTERNAL_SERVER_ERROR');
    const headers: Record<string, string> = {};
    if (httpError.status === 429 || httpError.status === 503) headers['retry-after'] = String(state.faults.current.retryAfterSec);
    send(res, httpError.status, httpError.body(path, new Date(state.now())), headers);
    return httpError.status;
  };

  /** The calling account (null: no key sent on a public endpoint). */
  function checkHeaders(req: IncomingMessage, route: Route): EmulatorAccount | null {
    const version = req.headers['cal-api-version'];
    if (route.action === undefined && (typeof version !== 'string' || !SUPPORTED_VERSIONS.has(version))) {
      throw badRequest(
        `cal-api-version header ${version === undefined ? 'missing' : `"${String(version)}" not supported`}: this emulator serves bookings ` +
          `${CALCOM_BOOKINGS_API_VERSION} and ${CALCOM_BOOKINGS_API_VERSION_NEWEST} only (Cal.com would fall back to 2024-04-15 shapes)`,
      );
    }
    const header = req.headers.authorization;
    if (header === undefined) {
      if (route.authRequired) throw unauthorized('ApiAuthGuard - No authentication method provided');
      return null;
    }
    const token = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
    const account = token === undefined ? undefined : state.accounts.byApiKey(token);
    if (!account) throw unauthorized('ApiAuthStrategy - api key - Invalid API Key');
    return account;
  }

  function perform(req: IncomingMessage, route: Route, query: URLSearchParams, rawBody: string): { status: number; body: unknown } {
    const caller = checkHeaders(req, route);
    const body = parseJson(rawBody);
    const ok = (status: number, data: unknown) => ({ status, body: { status: 'success', data } });
    switch (route.operation) {
      case 'create':
        return ok(201, state.createBooking(body, caller));
      case 'get':
        return ok(200, state.getBooking(route.uid as string, caller));
      case 'list': {
        const { data, pagination } = state.listBookings(query, caller);
        return { status: 200, body: { status: 'success', data, pagination } };
      }
      case 'reschedule':
        return ok(201, state.rescheduleBooking(route.uid as string, body, caller));
      case 'cancel':
        return ok(200, state.cancelBooking(route.uid as string, body, caller));
      case 'me':
      case 'event-types':
      case 'webhooks':
        return performAccount(route, caller as EmulatorAccount, body);
    }
  }

  function performAccount(route: Route, account: EmulatorAccount, body: unknown): { status: number; body: unknown } {
    const ok = (status: number, data: unknown) => ({ status, body: { status: 'success', data } });
    switch (route.action) {
      case 'me':
        return ok(200, state.me(account));
      case 'list-event-types':
        return ok(200, state.listEventTypes(account));
      case 'get-event-type': {
        const id = Number(route.id);
        if (!Number.isInteger(id) || id < 1) throw badRequest(['eventTypeId must be a positive integer']);
        return ok(200, state.getEventType(id, account));
      }
      case 'list-webhooks':
        return ok(200, account.webhooks.map(renderWebhook));
      case 'create-webhook':
        return ok(201, renderWebhook(createWebhook(account, body, state.now())));
      case 'delete-webhook': {
        const index = account.webhooks.findIndex((w) => w.id === route.id);
        if (index < 0) throw notFound(`Webhook with id ${route.id} not found`);
        const [removed] = account.webhooks.splice(index, 1);
        return ok(200, renderWebhook(removed!));
      }
      default:
        throw notFound('Cannot serve this path');
    }
  }

  /** Runs the operation; errors become Cal.com error answers. Returns the status for the log. */
  function performAndAnswer(req: IncomingMessage, res: ServerResponse | null, route: Route, path: string, query: URLSearchParams, rawBody: string): number {
    try {
      const answer = perform(req, route, query, rawBody);
      if (res) send(res, answer.status, answer.body);
      return answer.status;
    } catch (error) {
      if (res) return sendError(res, path, error);
      return error instanceof EmulatorHttpError ? error.status : 500;
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('x-request-id', randomUUID());
    const url = new URL(req.url ?? '/', 'http://emulator.local');
    const method = req.method ?? 'GET';
    const path = url.pathname;
    let rawBody: string;
    try {
      rawBody = await readBody(req);
    } catch (error) {
      sendError(res, path, error);
      return;
    }

    if (isControlPath(path)) {
      try {
        const answer = handleControl(state, method, path, parseJson(rawBody));
        send(res, answer.status, answer.body);
      } catch (error) {
        sendError(res, path, error);
      }
      return;
    }

    const route = matchRoute(method, path);
    if (!route) {
      log(req, 'unknown', path, sendError(res, path, notFound(`Cannot ${method} ${path}`)));
      return;
    }
    if (!(await sleep(state.faults.latencyFor(route.operation)))) return void req.socket.destroy();
    const action = state.faults.decide(route.operation);
    switch (action.kind) {
      case 'pass':
        log(req, route.operation, path, performAndAnswer(req, res, route, path, url.searchParams, rawBody));
        return;
      case 'error':
        log(req, route.operation, path, sendError(res, path, faultError(action.status)), `error ${action.status}`);
        return;
      case 'hang': {
        const finished = await sleep(action.ms);
        if (!finished || action.then === 'drop') {
          log(req, route.operation, path, 'dropped', 'timeout');
          req.socket.destroy();
          return;
        }
        log(req, route.operation, path, performAndAnswer(req, res, route, path, url.searchParams, rawBody), 'timeout (answered late)');
        return;
      }
      case 'lose': {
        // The operation takes effect in "Cal.com"; only the answer is lost on the way back.
        const status = performAndAnswer(req, null, route, path, url.searchParams, rawBody);
        log(req, route.operation, path, 'dropped', `lose_response (performed: ${status})`);
        await sleep(action.ms);
        req.socket.destroy();
        return;
      }
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      sendError(res, req.url ?? '/', error);
    });
  });
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    state,
    close: () =>
      new Promise<void>((resolve, reject) => {
        closing = true;
        for (const [timer, wake] of sleepers) {
          clearTimeout(timer);
          wake(false);
        }
        sleepers.clear();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
