/**
 * What `npm run build` leaves beside the compiled worker (dist/): the prebuilt workflow bundle and
 * build-info.json naming its build id. The worker prefers them to bundling at start.
 */
import fs from 'node:fs';
import path from 'node:path';

export const WORKFLOW_BUNDLE_FILE = 'workflow-bundle.js';
export const BUILD_INFO_FILE = 'build-info.json';

export interface BuildInfo {
  /** Worker Deployment build id: a hash of the workflow bundle (worker/workflow-bundle.ts workflowBuildId). */
  buildId: string;
  builtAt: string;
}

/** dist/ when this module runs compiled from there; for the sources (tsx) there is none. */
export function prebuilt(dir = path.resolve(__dirname, '..')): { codePath: string; info: BuildInfo } | undefined {
  const codePath = path.join(dir, WORKFLOW_BUNDLE_FILE);
  const infoPath = path.join(dir, BUILD_INFO_FILE);
  if (!fs.existsSync(codePath) || !fs.existsSync(infoPath)) return undefined;
  return { codePath, info: JSON.parse(fs.readFileSync(infoPath, 'utf8')) as BuildInfo };
}
