/**
 * The console (console/, a React SPA built by Vite into CONSOLE_DIR) served by the API process:
 * - GET /console/config.json: what the browser needs to know and may know (Temporal UI link base);
 * - /console/assets/*: hashed files, cached for a year, in Brotli or gzip when the browser takes it;
 * - /console, /console/*, /book/:branchId, /b/:token: index.html (the SPA routes in the browser),
 *   never cached, so a new build is picked up at once.
 * Every answer here has a Content-Security-Policy of its own: scripts, styles, data and images
 * from this origin only (inline style attributes allowed for the chart library's SVG), no frames,
 * no plugins. No key is needed: the app asks for one (kept in the tab's sessionStorage), and the
 * API checks it on every /v1 request as usual.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Express, RequestHandler } from 'express';
import expressStaticGzip from 'express-static-gzip';
import helmet from 'helmet';
import type { AppDeps } from '../app-deps';

export const CONSOLE_PATHS = ['/console', '/console/*rest', '/book/:branchId', '/b/:token'];

export function registerConsole(app: Express, deps: Pick<AppDeps, 'config'>): void {
  const { consoleDir, temporalUiUrl, temporalNamespace, nodeEnv } = deps.config;
  const csp = helmet.contentSecurityPolicy({
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      // Plain http on 127.0.0.1 in development and tests; behind TLS in production.
      ...(nodeEnv === 'production' ? { upgradeInsecureRequests: [] } : {}),
    },
  });

  app.get('/console/config.json', csp, (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json({ temporalUiUrl, temporalNamespace });
  });
  // The build's Brotli/gzip copies (console/vite.config.ts) to browsers that take them, with Vary:
  // the customer booking page's scripts are ~450 KB as built, ~125 KB in Brotli.
  app.use(
    '/console/assets',
    csp,
    expressStaticGzip(path.join(consoleDir, 'assets'), { enableBrotli: true, orderPreference: ['br', 'gzip'], index: false, serveStatic: { immutable: true, maxAge: '365d', index: false } }),
  );

  const indexFile = path.join(consoleDir, 'index.html');
  const spa: RequestHandler = (req, res, next) => {
    // A missing asset falls through to the API's 404, never to index.html.
    if ((req.method !== 'GET' && req.method !== 'HEAD') || req.path.startsWith('/console/assets/')) return next();
    fs.readFile(indexFile, (error, html) => {
      if (error) {
        res
          .status(503)
          .type('application/problem+json')
          .json({ type: 'about:blank', title: 'Console not built', status: 503, code: 'dependency_unavailable', detail: 'The console is not built: run `npm run console:build`.' });
        return;
      }
      res.setHeader('Cache-Control', 'no-cache');
      res.type('html').send(html);
    });
  };
  for (const route of CONSOLE_PATHS) app.get(route, csp, spa);
}
