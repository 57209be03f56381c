/**
 * Phone numbers in E.164 (API.md "Reservations, next free slots, phone lookup"), read by
 * libphonenumber-js (its metadata knows every country's trunk prefixes and lengths; a
 * hand-written reader would get them wrong). National spellings are read with the company's (or
 * branch's) country. "Possible" rather than "valid": fictional and brand-new number ranges must
 * still be storable; what is not even a possible number is a 400.
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import type { Db } from '../../infra/db/prisma';
import { invalid } from '../error-handler';

export const DEFAULT_COUNTRY = 'DE';

/** `+49 30 1234567`, `030 1234567`, `0049-30-1234567` (country DE) → `+49301234567`; null when not a phone number. */
export function toE164(raw: string, country: string = DEFAULT_COUNTRY): string | null {
  const parsed = parsePhoneNumberFromString(raw, country as CountryCode);
  return parsed && parsed.isPossible() ? parsed.number : null;
}

/** The number in E.164, or a 400 naming `path`. */
export function e164OrInvalid(raw: string, country: string, path: string): string {
  const e164 = toE164(raw, country);
  if (!e164) throw invalid([{ path, message: `Not a phone number (read with country ${country}); e.g. +49 30 1234567` }]);
  return e164;
}

/** The country national numbers of this company are read with (DE when unset). */
export async function companyCountry(db: Db, companyId: string): Promise<string> {
  const row = await db.company.findUnique({ where: { id: companyId }, select: { country: true } });
  return row?.country ?? DEFAULT_COUNTRY;
}
