/**
 * Temporal for suites. One environment and one workflow bundle per test file (Jest gives every
 * file its own module registry), torn down by an afterAll this module registers itself, so no
 * native handle outlives its file and Jest exits on its own.
 *
 * - getTestEnv(): the shared dev server started by `npm test` or the global setup
 *   (createFromExistingServer: no start-up deadline, Update and search attributes work).
 * - getTimeSkippingEnv(): the Java time-skipping server from .tools (existing-path: no download),
 *   for timers measured in days. It does not skip time while waiting on an Update.
 * - bundleOnce(): bundleWorkflowCode of workflows/index.ts, also cached on disk by a hash of the
 *   workflow and domain sources, because bundling costs ~2 s of CPU per file on 2 cores.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import { ensureTimeSkippingServer } from '../../scripts/lib/toolchain';
import { testEnv } from './env';

const ROOT = path.resolve(__dirname, '..', '..');
const BUNDLE_CACHE_DIR = path.join(ROOT, '.data', 'workflow-bundles');

let existing: Promise<TestWorkflowEnvironment> | undefined;
let timeSkipping: Promise<TestWorkflowEnvironment> | undefined;
let bundle: Promise<WorkflowBundle> | undefined;

/** The shared Temporal dev server (address from TEMPORAL_ADDRESS), one environment per test file. */
export function getTestEnv(): Promise<TestWorkflowEnvironment> {
  const { temporalAddress, temporalNamespace } = testEnv();
  existing ??= TestWorkflowEnvironment.createFromExistingServer({ address: temporalAddress, namespace: temporalNamespace });
  return existing;
}

/** A time-skipping test server of its own for this test file. */
export function getTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  timeSkipping ??= (async () => {
    const serverPath = await ensureTimeSkippingServer();
    const create = () => TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: serverPath } } });
    // The SDK gives the server 5 s to start; on a busy 2-core machine try once more.
    return create().catch(() => create());
  })();
  return timeSkipping;
}

/** Tears down whichever environments this file created. Registered as afterAll automatically. */
export async function teardownTestEnvs(): Promise<void> {
  const envs = [existing, timeSkipping];
  existing = undefined;
  timeSkipping = undefined;
  await Promise.all(envs.map(async (env) => (env ? (await env).teardown() : undefined)));
}

function sourceHash(): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(ts|js|json)$/.test(entry.name) && !entry.name.endsWith('.test.ts')) {
        hash.update(path.relative(ROOT, full)).update('\0').update(fs.readFileSync(full)).update('\0');
      }
    }
  };
  walk(path.join(ROOT, 'workflows'));
  walk(path.join(ROOT, 'domain'));
  hash.update(fs.readFileSync(path.join(ROOT, 'package-lock.json')));
  return hash.digest('hex').slice(0, 16);
}

/** The workflow bundle of workflows/index.ts, built at most once per file and reused across runs. */
export function bundleOnce(): Promise<WorkflowBundle> {
  bundle ??= (async () => {
    const cacheFile = path.join(BUNDLE_CACHE_DIR, `${sourceHash()}.js`);
    if (fs.existsSync(cacheFile)) return { code: fs.readFileSync(cacheFile, 'utf8') };
    const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quietLogger });
    fs.mkdirSync(BUNDLE_CACHE_DIR, { recursive: true });
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, code);
    fs.renameSync(tmp, cacheFile);
    // Keep only the newest few bundles.
    const old = fs.readdirSync(BUNDLE_CACHE_DIR).map((f) => path.join(BUNDLE_CACHE_DIR, f)).sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
    for (const file of old.slice(5)) fs.rmSync(file, { force: true });
    return { code };
  })();
  return bundle;
}

const noop = () => {};
/** The bundler logs webpack progress at info; only warnings and errors matter in test output. */
const quietLogger = {
  trace: noop,
  debug: noop,
  info: noop,
  log: noop,
  warn: (message: string, meta?: Record<string, unknown>) => console.warn(message, meta ?? ''),
  error: (message: string, meta?: Record<string, unknown>) => console.error(message, meta ?? ''),
};

if (typeof afterAll === 'function') {
  afterAll(teardownTestEnvs);
}
