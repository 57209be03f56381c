/** The signed-in console's API client: the session's key as bearer; a 401 signs out. */
import { createClient, type Client } from './api-client';
import { session } from './session';
import { typedClient, type TypedClient } from './typed-api';

export const ROLE_KEY = 'booking-console.role';

export const consoleClient: Client = createClient(
  () => session.key(),
  () => {
    // A revoked or unknown key: back to the sign-in form on the next render.
    session.signOut();
    sessionStorage.removeItem(ROLE_KEY);
  },
);

/** The signed-in key's role as found at sign-in (features/auth), for showing only what it may do. */
export function currentRole(): string | null {
  return sessionStorage.getItem(ROLE_KEY);
}

/** The same session as a typed client (lib/typed-api.ts): new pages use this one. */
export const consoleApi: TypedClient = typedClient(
  () => session.key(),
  () => {
    session.signOut();
    sessionStorage.removeItem(ROLE_KEY);
  },
);
