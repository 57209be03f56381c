/**
 * The workflow bundle the worker runs: bundleWorkflowCode of workflows/index.ts, cached on disk by
 * a hash of the workflow and domain sources and the lock file. Bundling costs 10-20 s of CPU on a
 * small machine; with the cache a second `npm run dev` starts its worker in about a second. The
 * cache is an optimisation only: when the folder is not writable the fresh bundle is used as is.
 * The test harness (test/harness/temporal.ts bundleOnce) loads its bundles through here too.
 * Compiled (dist/, `npm run build`) the worker loads the bundle built at build time instead and
 * never bundles at start (resolveWorkflowBundle).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, type WorkflowBundle, type WorkflowBundleOption } from '@temporalio/worker';
import type { Logger } from '../infra/logger';
import { prebuilt } from './build-info';

const ROOT = path.resolve(__dirname, '..');
export const WORKFLOWS_PATH = require.resolve('../workflows');
/**
 * Workflow interceptor modules baked into every bundle: business metrics, and OpenTelemetry
 * (workflow spans, trace context into activities; its span sink is registered by booking-worker.ts),
 * loaded only by traced runs (workflows/tracing.interceptors.ts: memory per cached workflow).
 */
export const WORKFLOW_INTERCEPTOR_MODULES = [require.resolve('../workflows/metrics.interceptors'), require.resolve('../workflows/tracing.interceptors')];
const KEEP_NEWEST = 3;

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
  hash.update(fs.readFileSync(__filename)); // the interceptor modules listed here are in the bundle too
  const lock = path.join(ROOT, 'package-lock.json');
  if (fs.existsSync(lock)) hash.update(fs.readFileSync(lock));
  return hash.digest('hex').slice(0, 16);
}

/** The Worker Deployment build id of a bundle: its content hash, so equal code means an equal id. */
export function workflowBuildId(code: string): string {
  return createHash('sha256').update(code).digest('hex').slice(0, 16);
}

/** A fresh bundle of workflows/index.ts (no cache); `npm run build` writes it to dist/. */
export async function bundleWorkflows(logger: Logger): Promise<string> {
  const started = Date.now();
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES, logger: bundlerLogger(logger) });
  logger.info({ ms: Date.now() - started }, 'workflows bundled');
  return code;
}

export interface ResolvedBundle {
  bundle: WorkflowBundleOption;
  buildId: string;
  source: 'prebuilt' | 'cache' | 'bundled';
}

/**
 * What the worker runs: the prebuilt dist/workflow-bundle.js when running compiled (`npm run
 * build`, the Docker image) loaded by path, else the (cached) bundle of the sources.
 */
export async function resolveWorkflowBundle(logger: Logger): Promise<ResolvedBundle> {
  const built = prebuilt();
  if (built) {
    logger.info({ codePath: built.codePath, buildId: built.info.buildId }, 'prebuilt workflow bundle');
    return { bundle: { codePath: built.codePath }, buildId: built.info.buildId, source: 'prebuilt' };
  }
  const cached = fs.existsSync(cacheFileOf(DEFAULT_CACHE_DIR));
  const { code } = (await loadWorkflowBundle(logger)) as { code: string };
  return { bundle: { code }, buildId: workflowBuildId(code), source: cached ? 'cache' : 'bundled' };
}

const DEFAULT_CACHE_DIR = path.join(ROOT, '.data', 'worker-bundles');
const cacheFileOf = (cacheDir: string) => path.join(cacheDir, `${sourceHash()}.js`);

export async function loadWorkflowBundle(logger: Logger, cacheDir = DEFAULT_CACHE_DIR): Promise<WorkflowBundle> {
  const cacheFile = cacheFileOf(cacheDir);
  if (fs.existsSync(cacheFile)) {
    logger.info({ cacheFile: path.relative(ROOT, cacheFile) }, 'workflow bundle from cache');
    return { code: fs.readFileSync(cacheFile, 'utf8') };
  }
  const code = await bundleWorkflows(logger);
  try {
    fs.mkdirSync(cacheDir, { recursive: true });
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, code);
    fs.renameSync(tmp, cacheFile);
    const byAge = fs
      .readdirSync(cacheDir)
      .filter((name) => name.endsWith('.js'))
      .map((name) => path.join(cacheDir, name))
      .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
    for (const old of byAge.slice(KEEP_NEWEST)) fs.rmSync(old, { force: true });
  } catch (error) {
    logger.warn({ err: (error as Error).message }, 'could not cache the workflow bundle');
  }
  return { code };
}

/** webpack's progress lines at debug; warnings and errors stay visible. */
function bundlerLogger(logger: Logger) {
  return {
    trace: (message: string, meta?: Record<string, unknown>) => logger.trace(meta ?? {}, message),
    debug: (message: string, meta?: Record<string, unknown>) => logger.debug(meta ?? {}, message),
    info: (message: string, meta?: Record<string, unknown>) => logger.debug(meta ?? {}, message),
    log: (_level: string, message: string, meta?: Record<string, unknown>) => logger.debug(meta ?? {}, message),
    warn: (message: string, meta?: Record<string, unknown>) => logger.warn(meta ?? {}, message),
    error: (message: string, meta?: Record<string, unknown>) => logger.error(meta ?? {}, message),
  };
}
