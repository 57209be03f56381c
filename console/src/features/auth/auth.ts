/**
 * Who is signed in: the key (sessionStorage, lib/session.ts) and its role. The API has no
 * "who am I" endpoint, so the role is found once at sign-in by asking what the key may do
 * (see signIn) and kept beside the key; the API checks every request anyway.
 */
import { ApiProblem, createClient } from '../../lib/api-client';
import { ROLE_KEY } from '../../lib/console-client';
import { session } from '../../lib/session';

export type Role = 'manager' | 'booking' | 'support';

/** Whether the role check lets the key through (403 is the only "no"; 400 means it got past it). */
async function passes(call: () => Promise<unknown>): Promise<boolean> {
  try {
    await call();
    return true;
  } catch (error) {
    if (error instanceof ApiProblem && error.status === 403) return false;
    if (error instanceof ApiProblem && error.status === 400) return true;
    throw error;
  }
}

/**
 * Checks the key against the API and finds its role without changing anything: an empty key
 * creation (manager only; the role check answers before validation, so a manager gets 400), a
 * read of sync failures (support), of bookings (booking). Stores the key only when it authenticates.
 */
export async function signIn(key: string): Promise<Role> {
  const probe = createClient(() => key);
  let role: Role;
  if (await passes(() => probe.post('/v1/api-keys', {}))) role = 'manager';
  else if (await passes(() => probe.get('/v1/sync-failures', { limit: 1 }))) role = 'support';
  else if (await passes(() => probe.get('/v1/bookings', { limit: 1 }))) role = 'booking';
  else throw new Error('This key is publishable (role public): it belongs in a booking page link, not in the console.');
  session.signIn(key);
  sessionStorage.setItem(ROLE_KEY, role);
  return role;
}

export function useAuth() {
  const key = session.key();
  const role = (sessionStorage.getItem(ROLE_KEY) as Role | null) ?? 'booking';
  return {
    signedIn: key !== null,
    role,
    signOut() {
      session.signOut();
      sessionStorage.removeItem(ROLE_KEY);
    },
  };
}
