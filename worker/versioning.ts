/**
 * Worker Deployments (Temporal's worker versioning): with WORKER_DEPLOYMENT_NAME set, the worker
 * polls as version `<deployment>:<buildId>`, the build id being the hash of its workflow bundle
 * (worker/workflow-bundle.ts workflowBuildId), so identical code is one version and any change is
 * a new one. Workflows default to AUTO_UPGRADE; the short sagas are PINNED (workflows/versioning.ts).
 *
 * Which version receives new workflows is the deployment's Current Version, an operator decision
 * (`temporal worker deployment set-current-version`, README "Rolling deploy"). The only automatic
 * step: a deployment without any Current Version (its first boot) gets this worker's build, so a
 * fresh install works without a manual step. A worker never replaces a Current Version: an old
 * build restarting during a rollout must not take new work back.
 */
import type { NativeConnection, WorkerDeploymentOptions } from '@temporalio/worker';
import type { Logger } from '../infra/logger';

export function deploymentOptions(deploymentName: string, buildId: string): WorkerDeploymentOptions | undefined {
  if (!deploymentName) return undefined;
  return { version: { deploymentName, buildId }, useWorkerVersioning: true, defaultVersioningBehavior: 'AUTO_UPGRADE' };
}

export interface CurrentVersion {
  deploymentName: string;
  /** undefined: no Current Version (unversioned workers get new workflows) */
  buildId?: string;
}

/** The deployment's Current Version; undefined buildId when none is set or the deployment is unknown. */
export async function currentVersion(connection: NativeConnection, namespace: string, deploymentName: string): Promise<CurrentVersion> {
  try {
    const answer = await connection.workflowService.describeWorkerDeployment({ namespace, deploymentName });
    const current = answer.workerDeploymentInfo?.routingConfig?.currentDeploymentVersion;
    return { deploymentName, buildId: current?.buildId || undefined };
  } catch (error) {
    if ((error as { code?: number }).code === 5) return { deploymentName }; // NOT_FOUND: no worker has polled yet
    throw error;
  }
}

/** Makes `buildId` current. The server refuses until it has seen this version poll: retried for `withinMs`. */
export async function setCurrentVersion(
  connection: NativeConnection,
  input: { namespace: string; deploymentName: string; buildId: string; identity?: string; withinMs?: number },
): Promise<void> {
  const deadline = Date.now() + (input.withinMs ?? 30_000);
  for (;;) {
    try {
      await connection.workflowService.setWorkerDeploymentCurrentVersion({
        namespace: input.namespace,
        deploymentName: input.deploymentName,
        buildId: input.buildId,
        identity: input.identity ?? 'booking-worker',
      });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

/**
 * At worker start (beside polling): on a deployment with no Current Version yet, makes this build
 * current. Never throws; logs what it found or did.
 */
export async function adoptIfNoCurrentVersion(input: {
  connection: NativeConnection;
  namespace: string;
  deploymentName: string;
  buildId: string;
  logger: Logger;
}): Promise<void> {
  const { connection, namespace, deploymentName, buildId, logger } = input;
  try {
    const current = await currentVersion(connection, namespace, deploymentName);
    if (current.buildId) {
      logger.info({ deploymentName, buildId, currentBuildId: current.buildId }, current.buildId === buildId ? 'this build is the current version' : 'another build is the current version; this one takes new workflows once made current');
      return;
    }
    await setCurrentVersion(connection, { namespace, deploymentName, buildId });
    logger.info({ deploymentName, buildId }, 'no current version: this build made current');
  } catch (error) {
    logger.error({ err: error, deploymentName, buildId }, 'could not read or set the current worker deployment version');
  }
}
