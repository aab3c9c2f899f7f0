import type { Client } from '@temporalio/client';
import type { WorkerDeploymentConfig } from '../config/temporal';

/**
 * Where a versioned worker's build stands in its Worker Deployment (docs/operations.md, "Rolling
 * out workflow code"): current, ramping (with its percentage), or neither, in which case it takes
 * no new runs (a pinned run started on it still does).
 */
export type DeploymentStanding =
  | { standing: 'current' }
  | { standing: 'ramping'; percentage: number }
  | { standing: 'not current'; currentBuildId: string | null };

export async function deploymentStanding(
  client: Client,
  namespace: string,
  deployment: WorkerDeploymentConfig,
): Promise<DeploymentStanding> {
  let routing;
  try {
    const res = await client.workflowService.describeWorkerDeployment({
      namespace,
      deploymentName: deployment.deploymentName,
    });
    routing = res.workerDeploymentInfo?.routingConfig;
  } catch (err) {
    // The deployment exists once a versioned worker of it has polled.
    if ((err as { code?: number }).code === 5 /* NOT_FOUND */) return { standing: 'not current', currentBuildId: null };
    throw err;
  }
  if (routing?.currentDeploymentVersion?.buildId === deployment.buildId) return { standing: 'current' };
  if (routing?.rampingDeploymentVersion?.buildId === deployment.buildId)
    return { standing: 'ramping', percentage: routing.rampingVersionPercentage ?? 0 };
  return { standing: 'not current', currentBuildId: routing?.currentDeploymentVersion?.buildId ?? null };
}

/** The command that makes this build current, for the log line of a worker whose build is not. */
export function setCurrentCommand(deployment: WorkerDeploymentConfig): string {
  return `temporal worker deployment set-current-version --deployment-name ${deployment.deploymentName} --build-id ${deployment.buildId}`;
}
