/**
 * Every served route × every role × letter-case and trailing-slash variants, against the role
 * table of API.md ("Roles and keys"), written out here independently of api/access-policy.ts.
 * The routes come from the app's own route table (app.locals.routes), so a new route is walked
 * the moment it exists: a route the table below does not name falls under API.md's defaults
 * (manager: yes; support: reads; booking and public: no).
 *
 * Ids are made up, bodies empty: an allowed call answers 400/404/405/409/422/503 (nothing
 * changes), a refused one 403, and a path written in another case or with a trailing slash 404.
 */
import request from 'supertest';
import type { ServedRoute } from '../../api/app';
import { ADMIN_KEY, createCompany, createKey, startApiHarness, type ApiHarness } from './api-harness';

type Caller = 'admin' | 'manager' | 'booking' | 'support' | 'public' | 'none';
const CALLERS: Caller[] = ['admin', 'manager', 'booking', 'support', 'public', 'none'];

/** API.md's table for the booking and public roles: [method, template]. */
const CATALOG_READS = ['/v1/branches', '/v1/branches/:id', '/v1/services', '/v1/services/:id', '/v1/staff', '/v1/staff/:id'].map((t) => ['GET', t]);
const BOOKING_MAY = new Set(
  [
    ...CATALOG_READS,
    ['GET', '/v1/availability'], ['GET', '/v1/availability/explain'], ['GET', '/v1/availability/next'],
    ['POST', '/v1/reservations'], ['GET', '/v1/reservations/:id'], ['DELETE', '/v1/reservations/:id'],
    ['POST', '/v1/customers'], ['GET', '/v1/customers'], ['GET', '/v1/customers/:id'], ['PATCH', '/v1/customers/:id'],
    ['POST', '/v1/customers/find-or-create'],
    ['POST', '/v1/bookings'], ['GET', '/v1/bookings'], ['GET', '/v1/bookings/:id'],
    ['POST', '/v1/bookings/:id/reschedule'], ['POST', '/v1/bookings/:id/cancel'], ['POST', '/v1/bookings/:id/no-show'],
    ['POST', '/v1/bookings/:id/complete'], ['GET', '/v1/bookings/:id/notifications'],
    ['POST', '/v1/series'], ['GET', '/v1/series/:id'], ['POST', '/v1/series/:id/cancel'],
    ['POST', '/v1/waiting-list'], ['GET', '/v1/waiting-list'], ['GET', '/v1/waiting-list/:id'], ['DELETE', '/v1/waiting-list/:id'],
  ].map(([m, t]) => `${m} ${t}`),
);
const PUBLIC_MAY = new Set(
  [
    ...CATALOG_READS,
    ['GET', '/v1/availability'], ['GET', '/v1/availability/explain'], ['GET', '/v1/availability/next'],
    ['POST', '/v1/reservations'], ['GET', '/v1/reservations/:id'], ['DELETE', '/v1/reservations/:id'],
    ['POST', '/v1/public/bookings'],
  ].map(([m, t]) => `${m} ${t}`),
);
const SUPPORT_WRITES = new Set(['POST /v1/sync-failures/:id/retry', 'POST /v1/sync-failures/:id/resolve']);
/** API.md "The booking after confirmation": the self-service endpoints need no key (the token is the credential). */
const KEYLESS = new Set(
  [
    ['GET', '/v1/public/bookings/:token'], ['GET', '/v1/public/bookings/:token/availability'],
    ['POST', '/v1/public/bookings/:token/cancel'], ['POST', '/v1/public/bookings/:token/reschedule'], ['POST', '/v1/public/bookings/:token/review'],
    // The Cal.com webhook receiver: signed by the connected account instead (a made-up connection: 404).
    ['POST', '/v1/webhooks/calcom/:connectionId'],
  ].map(([m, t]) => `${m} ${t}`),
);

function expectedAllowed(caller: Caller, method: string, template: string): boolean {
  const admin = template.startsWith('/v1/admin/');
  if (KEYLESS.has(`${method === 'HEAD' ? 'GET' : method} ${template}`)) return true;
  const read = method === 'GET' || method === 'HEAD';
  const key = `${method === 'HEAD' ? 'GET' : method} ${template}`;
  switch (caller) {
    case 'admin': return admin;
    case 'manager': return !admin;
    case 'support': return !admin && (read || SUPPORT_WRITES.has(key));
    case 'booking': return BOOKING_MAY.has(key);
    case 'public': return PUBLIC_MAY.has(key);
    case 'none': return false;
  }
}

let h: ApiHarness;
let routes: ServedRoute[];
const auth: Record<Caller, Record<string, string>> = { admin: {}, manager: {}, booking: {}, support: {}, public: {}, none: {} };

beforeAll(async () => {
  // Thousands of requests in seconds: the rate limits are another test's subject.
  h = await startApiHarness({ rateLimit: false });
  routes = h.app.locals.routes as ServedRoute[];
  const company = await createCompany(h.app, 'Route Matrix Co');
  auth.admin = { Authorization: `Bearer ${ADMIN_KEY}` };
  auth.manager = company.auth;
  auth.booking = await createKey(h.app, company, 'booking');
  auth.support = await createKey(h.app, company, 'support');
  auth.public = await createKey(h.app, company, 'public');
});
afterAll(() => h.close());

const fill = (template: string) => template.replace(/:[A-Za-z0-9_]+/g, 'zz_missing_1');

function call(method: string, path: string, caller: Caller, body: object = {}) {
  const agent = request(h.app);
  const req = (agent[method.toLowerCase() as 'get'] as (url: string) => request.Test)(path).set(auth[caller]);
  return method === 'GET' || method === 'HEAD' || method === 'DELETE' ? req : req.send(body);
}

/** Letter-case and trailing-slash spellings of a path that no route serves. */
function variants(path: string): string[] {
  const segments = path.split('/');
  const capitalised = segments.map((s, i) => (i === 2 && s ? s[0].toUpperCase() + s.slice(1) : s)).join('/');
  return [path.replace('/v1/', '/V1/'), path.toUpperCase(), capitalised, `${path}/`];
}

describe('every served route × every role', () => {
  it('the route table is the app\'s own and includes the admin route', () => {
    expect(routes.length).toBeGreaterThan(30);
    // Every keyless route is served (the set above is not stale).
    for (const key of KEYLESS) expect(routes.some((r) => key === `${[...r.methods].find((m) => key.startsWith(`${m} `))} ${r.template}`)).toBe(true);
    expect(routes.map((r) => r.template)).toContain('/v1/admin/companies');
    expect(routes.map((r) => r.template)).toContain('/v1/api-keys/:id');
  });

  it('answers as API.md\'s role table says, for exact paths', async () => {
    const wrong: string[] = [];
    for (const { template, methods } of routes) {
      for (const method of [...methods].filter((m) => m !== 'HEAD')) {
        for (const caller of CALLERS) {
          const res = await call(method, fill(template), caller);
          const allowed = expectedAllowed(caller, method, template);
          const keyless = KEYLESS.has(`${method} ${template}`);
          // A keyless route with a made-up token: 404 (or 400 for an empty body) for every caller, a key or none.
          const ok = keyless
            ? [400, 404].includes(res.status)
            : caller === 'none'
            ? res.status === 401
            : allowed ? ![401, 403].includes(res.status) && (res.status < 500 || res.status === 503) : res.status === 403;
          if (!ok) wrong.push(`${caller} ${method} ${template}: ${res.status} (expected ${allowed ? 'allowed' : caller === 'none' ? '401' : '403'})`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('another letter case or a trailing slash is a 404 for every key (and never reaches a handler)', async () => {
    const wrong: string[] = [];
    // A valid company body: a variant that reached the admin handler would create this company.
    const marker = `variant-${Date.now()}-${Math.random()}`;
    for (const { template, methods } of routes) {
      for (const method of [...methods].filter((m) => m !== 'HEAD')) {
        for (const path of variants(fill(template))) {
          for (const caller of CALLERS) {
            const res = await call(method, path, caller, { name: marker });
            // Without a key a path under /v1 is refused before routing (401) and elsewhere is a 404.
            const ok = caller === 'none' ? [401, 404].includes(res.status) : res.status === 404;
            if (!ok) wrong.push(`${caller} ${method} ${path}: ${res.status}`);
          }
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(await h.db.company.count({ where: { name: marker } })).toBe(0);
  });
});

describe('the letter-case escalation of the probe', () => {
  it('POST /V1/admin/companies or /v1/ADMIN/companies with a manager key creates no company', async () => {
    for (const path of ['/V1/admin/companies', '/v1/ADMIN/companies', '/v1/Admin/Companies', '/v1/admin/companies/']) {
      const res = await request(h.app).post(path).set(auth.manager).send({ name: 'Escalated' });
      expect(res.status).toBe(404);
      expect(res.body.apiKey).toBeUndefined();
    }
    expect((await request(h.app).post('/v1/admin/companies').set(auth.manager).send({ name: 'Escalated' })).status).toBe(403);
    expect(await h.db.company.count({ where: { name: 'Escalated' } })).toBe(0);
  });
});
