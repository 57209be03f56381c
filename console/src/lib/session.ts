/**
 * The signed-in company key. Kept in sessionStorage only (gone when the tab closes, never in
 * localStorage, cookies or a URL), sent as a bearer token by lib/api-client.ts.
 */
const KEY = 'booking-console.key';

export const session = {
  key(): string | null {
    return sessionStorage.getItem(KEY);
  },
  signIn(key: string): void {
    sessionStorage.setItem(KEY, key);
  },
  signOut(): void {
    sessionStorage.removeItem(KEY);
  },
};
