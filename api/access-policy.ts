/**
 * Who may call what (API.md "Roles and keys"), in one table so a new route is covered the moment
 * it exists. Checked by the auth middleware after the key is known and before any handler runs.
 *
 * The policy is asked about the ROUTE TEMPLATE the router will run ('/v1/customers/:id/block'),
 * never about the raw request path: routing is case-sensitive and strict (api/app.ts), and the
 * template is found with the same rules, so the router and the policy cannot disagree about a
 * path (`/V1/admin/...` is served by nothing, hence a 404 for everyone).
 *
 * - The platform admin key may call only /v1/admin/*; company keys never may.
 * - manager: everything of its company.
 * - booking: catalog reads (public fields), availability, reservations, customers (no block or
 *   unblock; PATCH limited to name/phone/language/timezone in the handler), bookings and their
 *   actions (not approve/decline), series, waiting list.
 * - support: reads (GET/HEAD) of everything, plus the writes listed for it.
 * - public: catalog reads (public fields), availability, reservations, POST /v1/public/bookings.
 * Routes not named here are manager-only (support may read them): default deny.
 *
 * Keyless routes (KEYLESS_ROUTES) need no key at all: the customer's self-service endpoints
 * `/v1/public/bookings/:token[/...]`, where the signed token is the credential and names the one
 * booking (and thereby the company) they may touch; and the Cal.com webhook receiver, whose
 * requests are signed (HMAC) by the connected account. A key sent along is ignored there.
 */
export const ROLES = ['manager', 'booking', 'support', 'public'] as const;
export type Role = (typeof ROLES)[number];

export type Principal =
  | { kind: 'admin' }
  | { kind: 'company'; companyId: string; role: Role; keyId: string };

type Rule = { methods: readonly string[] | '*'; template: string | RegExp };

const READ = ['GET', 'HEAD'] as const;
const ANY = '*';

/** Catalog reads open to the booking and public roles (they see public fields only). */
const CATALOG_READS: Rule[] = ['/v1/branches', '/v1/branches/:id', '/v1/services', '/v1/services/:id', '/v1/staff', '/v1/staff/:id']
  .map((template) => ({ methods: READ, template }));

const AVAILABILITY_AND_RESERVATIONS: Rule[] = [
  { methods: READ, template: /^\/v1\/availability(\/|$)/ },
  { methods: ANY, template: /^\/v1\/reservations(\/|$)/ },
];

const RULES: Record<Exclude<Role, 'manager'>, Rule[]> = {
  booking: [
    ...CATALOG_READS,
    ...AVAILABILITY_AND_RESERVATIONS,
    { methods: ['GET', 'HEAD', 'POST'], template: '/v1/customers' },
    { methods: ['POST'], template: '/v1/customers/find-or-create' },
    { methods: ['GET', 'HEAD', 'PATCH'], template: '/v1/customers/:id' },
    { methods: ANY, template: /^\/v1\/bookings(\/|$)(?!.*\/(approve|decline)$)/ },
    { methods: ANY, template: /^\/v1\/series(\/|$)/ },
    { methods: ANY, template: /^\/v1\/waiting-list(\/|$)/ },
  ],
  support: [
    { methods: READ, template: /^\/v1\// },
    { methods: ['POST'], template: '/v1/sync-failures/:id/retry' },
    { methods: ['POST'], template: '/v1/sync-failures/:id/resolve' },
    // The Temporal UI's codec server (api/codec): decoded workflow payloads for operators.
    { methods: ['POST'], template: '/codec/decode' },
    { methods: ['POST'], template: '/codec/encode' },
  ],
  public: [
    ...CATALOG_READS,
    ...AVAILABILITY_AND_RESERVATIONS,
    { methods: ['POST'], template: '/v1/public/bookings' },
  ],
};

/**
 * Served without any key: the token in the path is the credential (api/public-bookings), or the
 * request is signed by its caller (Cal.com webhooks, api/calendar-webhooks). No principal is set;
 * the per-address rate limits still apply.
 */
const KEYLESS_ROUTES: Rule[] = [
  { methods: ANY, template: /^\/v1\/public\/bookings\/:token(\/[a-z-]+)?$/ },
  { methods: ['POST'], template: '/v1/webhooks/calcom/:connectionId' },
];

export function isKeyless(method: string, template: string): boolean {
  return KEYLESS_ROUTES.some((rule) => matches(rule, method.toUpperCase(), template));
}

const matches = (rule: Rule, method: string, template: string) =>
  (rule.methods === ANY || rule.methods.includes(method)) &&
  (typeof rule.template === 'string' ? rule.template === template : rule.template.test(template));

export const isAdminPath = (template: string) => template === '/v1/admin' || template.startsWith('/v1/admin/');

/** Whether `principal` may call `method` on the route `template` (as written in its defineRoute). */
export function isAllowed(principal: Principal, method: string, template: string): boolean {
  const upper = method.toUpperCase();
  if (principal.kind === 'admin') return isAdminPath(template);
  if (isAdminPath(template)) return false;
  if (principal.role === 'manager') return true;
  const rules = RULES[principal.role] as Rule[] | undefined;
  return rules?.some((rule) => matches(rule, upper, template)) ?? false;
}

/** Staff e-mails and calendar (Cal.com) ids are for managers and support only. */
export function seesPrivateCatalogFields(principal: Principal): boolean {
  return principal.kind === 'company' && (principal.role === 'manager' || principal.role === 'support');
}

/** Catalog fields booking and public keys never see (API.md: "public fields: no email, no Cal.com ids"). */
export const PRIVATE_CATALOG_FIELDS = ['email', 'calcomUserId', 'calcomEventTypeId', 'calendarConnectionId'] as const;

/** A catalog answer (branch, service, staff member) as `principal` may see it. */
export function catalogView<T extends object>(principal: Principal, entity: T): T {
  if (seesPrivateCatalogFields(principal)) return entity;
  const copy = { ...entity } as Record<string, unknown>;
  for (const field of PRIVATE_CATALOG_FIELDS) delete copy[field];
  return copy as unknown as T;
}

/** Customer fields a booking key may change (API.md: not email, not the block). */
export const BOOKING_ROLE_CUSTOMER_FIELDS = ['name', 'phone', 'language', 'timezone'] as const;
