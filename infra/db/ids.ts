/**
 * Application-generated ids: a readable type prefix and 16 random base32 characters (80 bits
 * from the CSPRNG), e.g. `bkg_k3j9x2m4q8r1t5vw`. URL-safe, lower-case, and easy to tell apart in
 * logs and in Temporal workflow ids. Not sortable by time on purpose: ids leak no creation order.
 */
import { randomBytes } from 'node:crypto';

export type IdPrefix =
  | 'cmp' | 'key' | 'br' | 'res' | 'stf' | 'off' | 'svc' | 'cus' | 'bkg' | 'his' | 'syf' | 'idem' | 'wl' | 'ser' | 'occ' | 'ntf' | 'srch' | 'rev';

// RFC 4648 base32 alphabet in lower case without padding; 32 symbols, so each byte's low 5 bits map uniformly.
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const RANDOM_CHARS = 16;

// `string & {}` keeps editor completion for the known prefixes while accepting others.
export function newId(prefix: IdPrefix | (string & {})): string {
  const bytes = randomBytes(RANDOM_CHARS);
  let out = '';
  for (const byte of bytes) out += ALPHABET[byte & 31];
  return `${prefix}_${out}`;
}

export const ID_PATTERN = /^[a-z]+_[a-z2-7]{16}$/;
