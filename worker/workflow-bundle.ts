/**
 * The workflow bundle the worker runs: bundleWorkflowCode of workflows/index.ts, cached on disk by
 * a hash of the workflow and domain sources and the lock file. Bundling costs 10-20 s of CPU on a
 * small machine; with the cache a second `npm run dev` starts its worker in about a second. The
 * cache is an optimisation only: when the folder is not writable the fresh bundle is used as is.
 * The test harness (test/harness/temporal.ts bundleOnce) loads its bundles through here too.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import type { Logger } from '../infra/logger';

const ROOT = path.resolve(__dirname, '..');
export const WORKFLOWS_PATH = require.resolve('../workflows');
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
  const lock = path.join(ROOT, 'package-lock.json');
  if (fs.existsSync(lock)) hash.update(fs.readFileSync(lock));
  return hash.digest('hex').slice(0, 16);
}

export async function loadWorkflowBundle(logger: Logger, cacheDir = path.join(ROOT, '.data', 'worker-bundles')): Promise<WorkflowBundle> {
  const cacheFile = path.join(cacheDir, `${sourceHash()}.js`);
  if (fs.existsSync(cacheFile)) {
    logger.info({ cacheFile: path.relative(ROOT, cacheFile) }, 'workflow bundle from cache');
    return { code: fs.readFileSync(cacheFile, 'utf8') };
  }
  const started = Date.now();
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: bundlerLogger(logger) });
  logger.info({ ms: Date.now() - started }, 'workflows bundled');
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
