/**
 * What the calendar-connection routes need from AppDeps (module augmentation, optional): the
 * per-connection Cal.com clients. Without it one is built from the config (memoized per deps), so
 * tests and tools that assemble AppDeps by hand keep working.
 */
import { createCalcomConnections, type CalcomConnections } from '../../infra/calcom/calcom.connections';
import { createSecretBox } from '../../infra/secrets/secret-box';
import type { AppDeps } from '../app-deps';

declare module '../app-deps' {
  interface AppDeps {
    /** Cal.com clients per calendar connection (each company's own account). */
    calendarConnections?: CalcomConnections;
  }
}

const built = new WeakMap<AppDeps, CalcomConnections>();

export function calendarConnectionsOf(deps: AppDeps): CalcomConnections {
  if (deps.calendarConnections) return deps.calendarConnections;
  let connections = built.get(deps);
  if (!connections) {
    connections = createCalcomConnections({ secrets: createSecretBox(deps.config.calendarSecretKey), timeoutMs: 5_000 });
    built.set(deps, connections);
  }
  return connections;
}
