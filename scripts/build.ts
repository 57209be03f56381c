/**
 * `npm run build`: the production output in dist/, what the Docker image runs with plain node.
 *   1. every source file of the runtime layers (domain, workflows, activities, api, worker, infra,
 *      generated Prisma client, scripts/migrate.ts) transpiled one-to-one to CommonJS by esbuild
 *      (the layout is kept, so __dirname-relative paths behave as in the sources). Types are
 *      checked by `npm run typecheck`, not here: esbuild only strips them, in about a second.
 *   2. prisma/migrations copied to dist/prisma/migrations (scripts/migrate.js reads them).
 *   3. the workflow bundle built once: dist/workflow-bundle.js, loaded by the worker with
 *      `workflowBundle: { codePath }` (no bundling at worker start), and dist/build-info.json
 *      with the build id derived from the bundle's hash (worker/versioning.ts).
 *   4. the console (console/dist, built by `npm run console:build` before this script when run as
 *      `npm run build`) copied to dist/console/dist, where infra/config.ts looks for it.
 * Needs the dev dependencies (esbuild); the result needs only the production ones.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { createLogger } from '../infra/logger';
import { loadConfig } from '../infra/config';
import { bundleWorkflows, workflowBuildId } from '../worker/workflow-bundle';
import { BUILD_INFO_FILE, WORKFLOW_BUNDLE_FILE, type BuildInfo } from '../worker/build-info';

const ROOT = path.resolve(__dirname, '..');
const DIST = path.join(ROOT, 'dist');
const LAYERS = ['domain', 'workflows', 'activities', 'api', 'worker', 'infra', 'generated'];
const EXTRA_ENTRIES = ['scripts/migrate.ts'];

function sources(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return /\.ts$/.test(entry.name) && !/\.(test|d)\.ts$/.test(entry.name) && !entry.name.includes('test-helpers') ? [full] : [];
  });
}

export async function buildDist(outDir = DIST): Promise<BuildInfo> {
  const started = Date.now();
  const logger = createLogger(loadConfig(), 'build');
  fs.rmSync(outDir, { recursive: true, force: true });
  const entryPoints = [...LAYERS.flatMap((layer) => sources(path.join(ROOT, layer))), ...EXTRA_ENTRIES.map((f) => path.join(ROOT, f))];
  if (!fs.existsSync(path.join(ROOT, 'generated', 'prisma'))) throw new Error('generated/prisma is missing: run `npm run db:generate` first');
  await build({ entryPoints, outdir: outDir, outbase: ROOT, format: 'cjs', platform: 'node', target: 'node20', sourcemap: true, logLevel: 'warning' });
  fs.cpSync(path.join(ROOT, 'prisma', 'migrations'), path.join(outDir, 'prisma', 'migrations'), { recursive: true });

  const code = await bundleWorkflows(logger);
  fs.writeFileSync(path.join(outDir, WORKFLOW_BUNDLE_FILE), code);
  const info: BuildInfo = { buildId: workflowBuildId(code), builtAt: new Date().toISOString() };
  fs.writeFileSync(path.join(outDir, BUILD_INFO_FILE), `${JSON.stringify(info, null, 2)}\n`);
  const consoleDist = path.join(ROOT, 'console', 'dist');
  if (fs.existsSync(path.join(consoleDist, 'index.html'))) fs.cpSync(consoleDist, path.join(outDir, 'console', 'dist'), { recursive: true });
  logger.info({ files: entryPoints.length, buildId: info.buildId, ms: Date.now() - started }, 'dist built');
  return info;
}

if (require.main === module) {
  // The console first (installs console/'s packages if needed; skipped when up to date).
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'console-build.mjs')], { stdio: 'inherit' });
  buildDist(process.argv[2] ? path.resolve(process.argv[2]) : DIST).then(
    (info) => console.log(`dist/ built, build id ${info.buildId}`),
    (error: Error) => {
      console.error(`build failed: ${error.stack ?? error.message}`);
      process.exit(1);
    },
  );
}
