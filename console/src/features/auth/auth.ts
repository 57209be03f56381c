/**
 * Who is signed in: the key (sessionStorage, lib/session.ts) and its role. The API has no
 * "who am I" endpoint, so the role is found once at sign-in by asking what the key may read
 * (api keys: manager; sync failures: support; else booking) and kept beside the key.
 */
import { ApiProblem, createClient, type Client } from '../../lib/api-client';
import { ROLE_KEY } from '../../lib/console-client';
import { session } from '../../lib/session';

export type Role = 'manager' | 'booking' | 'support';

async function allowed(client: Client, path: string): Promise<boolean> {
  try {
    await client.get(path, { limit: 1 });
    return true;
  } catch (error) {
    if (error instanceof ApiProblem && error.status === 403) return false;
    throw error;
  }
}

/** Checks the key against the API; stores it only when it authenticates. */
export async function signIn(key: string): Promise<Role> {
  const probe = createClient(() => key);
  const role: Role = (await allowed(probe, '/v1/api-keys')) ? 'manager' : (await allowed(probe, '/v1/sync-failures')) ? 'support' : 'booking';
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
