/**
 * The language of a customer message (API.md "The booking after confirmation"): the customer's
 * `language` when it is one we write, else the branch's `defaultLanguage`, else English. Tags are
 * read by their primary subtag, case-insensitively (`de-AT`, `DE` → `de`).
 */
export const MESSAGE_LANGUAGES = ['de', 'en'] as const;
export type MessageLanguage = (typeof MESSAGE_LANGUAGES)[number];

function supported(tag: string | null | undefined): MessageLanguage | undefined {
  const primary = (tag ?? '').trim().toLowerCase().split(/[-_]/)[0];
  return (MESSAGE_LANGUAGES as readonly string[]).includes(primary) ? (primary as MessageLanguage) : undefined;
}

export function messageLanguage(customerLanguage: string | null | undefined, branchDefault: string | null | undefined): MessageLanguage {
  return supported(customerLanguage) ?? supported(branchDefault) ?? 'en';
}
