/**
 * helmet's default security headers, set on every response. helmet() is run ONCE, at startup,
 * against a recording response, and the middleware replays what it recorded: the same headers
 * with the same values, in the same order, as the library's defaults (a helmet upgrade changes
 * them here too).
 *
 * Hand-written because helmet's middleware chains one middleware per header (thirteen calls and
 * closures per request) to set values that never change with the request; replaying them is one
 * loop. Routes that need another policy still override a header afterwards (the console's CSP).
 */
import type { RequestHandler } from 'express';
import helmet from 'helmet';

type Recorded = { set: Array<[string, string]>; removed: string[] };

function recordHelmet(): Recorded {
  const recorded: Recorded = { set: [], removed: [] };
  const res = {
    setHeader(name: string, value: string | number | readonly string[]) {
      if (typeof value !== 'string') throw new Error(`helmet set ${name} to a non-string value; replaying it is not supported`);
      recorded.set.push([name, value]);
      return res;
    },
    removeHeader(name: string) {
      recorded.removed.push(name);
    },
  };
  let called = false;
  (helmet() as unknown as (req: object, res: object, next: (err?: unknown) => void) => void)({}, res, (err) => {
    if (err) throw err;
    called = true;
  });
  // helmet's defaults are synchronous and need nothing from the request: anything else is a change to look at.
  if (!called) throw new Error('helmet() did not finish synchronously; security headers cannot be precomputed');
  return recorded;
}

export function securityHeaders(): RequestHandler {
  const { set, removed } = recordHelmet();
  return (_req, res, next) => {
    for (let i = 0; i < removed.length; i++) res.removeHeader(removed[i]);
    for (let i = 0; i < set.length; i++) res.setHeader(set[i][0], set[i][1]);
    next();
  };
}
