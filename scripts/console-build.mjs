// `npm run console:build`: installs console/'s own packages when missing or older than its lock
// file (npm ci there; the root install stays as it was), then builds the SPA with Vite into
// console/dist unless dist is newer than every source file. `--force` always builds.
// Plain Node, no dependencies: scripts/dev.ts and scripts/test.ts run it before the API starts.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CONSOLE = path.join(ROOT, 'console');
const DIST_INDEX = path.join(CONSOLE, 'dist', 'index.html');

const mtime = (file) => {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
};

function newestSource(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : (mtime(full) ?? 0));
  }
  return newest;
}

function run(cmd, args) {
  // NODE_ENV=production whatever the caller runs under (dev, test): Vite and React build for production.
  const env = { ...process.env, NODE_ENV: 'production', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
  const result = spawnSync(cmd, args, { cwd: CONSOLE, stdio: 'inherit', env });
  if (result.status !== 0) {
    console.error(`[console] ${cmd} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
}

const installed = mtime(path.join(CONSOLE, 'node_modules', '.package-lock.json'));
const lock = mtime(path.join(CONSOLE, 'package-lock.json'));
if (installed === undefined || (lock !== undefined && lock > installed)) {
  console.log('[console] installing the console packages (npm ci in console/)');
  // Vite and TypeScript are devDependencies of the console; a production build (NODE_ENV=production) needs them too.
  run('npm', ['ci', '--include=dev', '--no-audit', '--no-fund']);
}
const built = mtime(DIST_INDEX);
if (process.argv.includes('--force') || built === undefined || newestSource(CONSOLE) > built) {
  console.log('[console] building console/dist (vite build)');
  run('npm', ['run', 'build']);
} else {
  console.log('[console] console/dist is up to date');
}
