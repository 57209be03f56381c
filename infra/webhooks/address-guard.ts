/**
 * The SSRF rule of API.md "Outbound webhooks": in production a webhook URL must be `https://` and
 * every address its host resolves to must be public. Checked when an endpoint is created or
 * changed AND at every delivery (a name may resolve elsewhere later: DNS rebinding); the sender
 * also connects only to addresses this guard passed (guardedLookup), so the check and the
 * connection cannot see two different answers. Outside production, or with
 * WEBHOOKS_ALLOW_PRIVATE=1, private and loopback targets over http are allowed (dev and tests).
 *
 * "Public" is ipaddr.js's `unicast` range: everything it names (private, loopback, link-local,
 * carrier-grade NAT, unique-local IPv6, IPv4-mapped and NAT64/6to4/Teredo forms that can carry an
 * IPv4 address, multicast, reserved, documentation, ...) is refused.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { promisify } from 'node:util';
import ipaddr from 'ipaddr.js';

export interface WebhookUrlPolicy {
  /** NODE_ENV=production and not WEBHOOKS_ALLOW_PRIVATE=1. */
  enforce: boolean;
}

export class WebhookUrlRefused extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'WebhookUrlRefused';
  }
}

export type ResolveAll = (hostname: string) => Promise<LookupAddress[]>;

const lookupAll = promisify(dnsLookup);
export const resolveAll: ResolveAll = (hostname) => lookupAll(hostname, { all: true, verbatim: true });

export function webhookUrlPolicy(config: { nodeEnv: string; webhooksAllowPrivate: boolean }): WebhookUrlPolicy {
  return { enforce: config.nodeEnv === 'production' && !config.webhooksAllowPrivate };
}

/** True only for a globally routable unicast address. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  const ip = ipaddr.parse(address);
  return ip.range() === 'unicast';
}

const bare = (hostname: string) => hostname.replace(/^\[|\]$/g, '');

/** The URL's shape alone (no DNS): scheme, no credentials, no fragment. */
export function checkUrlShape(raw: string, policy: WebhookUrlPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookUrlRefused('url is not a valid absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new WebhookUrlRefused('url must be an https:// URL');
  if (policy.enforce && url.protocol !== 'https:') throw new WebhookUrlRefused('url must be an https:// URL');
  if (url.username || url.password) throw new WebhookUrlRefused('url must not carry credentials');
  if (url.hash) throw new WebhookUrlRefused('url must not carry a fragment');
  return url;
}

/**
 * Checks `raw` under `policy`: the shape, then (when enforced) that the host, an address literal
 * or a name resolved to ALL its addresses, is public. Answers the URL and the addresses checked.
 */
export async function checkWebhookUrl(raw: string, policy: WebhookUrlPolicy, resolve: ResolveAll = resolveAll): Promise<{ url: URL; addresses: string[] }> {
  const url = checkUrlShape(raw, policy);
  if (!policy.enforce) return { url, addresses: [] };
  const host = bare(url.hostname);
  let addresses: string[];
  if (ipaddr.isValid(host)) {
    addresses = [host];
  } else {
    try {
      addresses = (await resolve(host)).map((a) => a.address);
    } catch {
      throw new WebhookUrlRefused('url host does not resolve');
    }
  }
  if (addresses.length === 0) throw new WebhookUrlRefused('url host does not resolve');
  if (!addresses.every(isPublicAddress)) throw new WebhookUrlRefused('url must resolve to public addresses only (no private, loopback or link-local address)');
  return { url, addresses };
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for net/tls.connect (undici's `connect.lookup`) that resolves like dns.lookup and
 * fails the connection when enforcement is on and any address is not public.
 */
export function guardedLookup(policy: WebhookUrlPolicy, resolve: ResolveAll = resolveAll) {
  return (hostname: string, options: { all?: boolean } | number | undefined, callback: LookupCallback): void => {
    const all = typeof options === 'object' && options !== null && options.all === true;
    resolve(bare(hostname)).then(
      (addresses) => {
        if (addresses.length === 0) return callback(Object.assign(new Error('no address'), { code: 'ENOTFOUND' }), []);
        if (policy.enforce && !addresses.every((a) => isPublicAddress(a.address))) {
          return callback(Object.assign(new WebhookUrlRefused('address not public'), { code: 'EADDRNOTPUBLIC' }), []);
        }
        if (all) return callback(null, addresses);
        callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, []),
    );
  };
}
