import { isIP } from 'node:net';
import { z } from 'zod';

import { readTemporalSecurity, type TemporalSecurity } from '../temporal/security';
import { emptyToUndefined, hostPort, optionalString, temporalName, type VarsOf } from './fields';

/** The Temporal frontend and how to reach it: unset TEMPORAL_ADDRESS in dev means a dev server. */
export const temporalFields = {
  TEMPORAL_ADDRESS: hostPort,
  TEMPORAL_NAMESPACE: temporalName('expected a Temporal namespace name', 'default'),
  TEMPORAL_TASK_QUEUE: temporalName('expected a task queue name (letters, digits, . _ -)', 'navigator-dialpad'),
  TEMPORAL_API_KEY: optionalString,
  TEMPORAL_TLS_CERT: optionalString,
  TEMPORAL_TLS_KEY: optionalString,
  TEMPORAL_TLS_CA: optionalString,
  TEMPORAL_TLS_SERVER_NAME: optionalString,
  TEMPORAL_WORKER_BUILD_ID: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(
        /^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,127}$/,
        'expected a build id such as a git commit or an image tag (letters, digits, _ . + -; at most 128)',
      )
      .optional(),
  ),
  TEMPORAL_DEPLOYMENT_NAME: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/, 'expected a deployment name (letters, digits, _ -; no dots)')
      .default('navigator-dialpad'),
  ),
};

/**
 * The worker's Temporal Worker Deployment Version (docs/operations.md, "Rolling out workflow code"):
 * every task queue's worker of the process polls as `<deploymentName>` / `<buildId>`. Undefined
 * (TEMPORAL_WORKER_BUILD_ID unset) is an unversioned worker, as before versioning.
 */
export interface WorkerDeploymentConfig {
  deploymentName: string;
  buildId: string;
}

export interface TemporalConfig {
  address: string | undefined;
  namespace: string;
  taskQueue: string;
  /** TLS / API key for the Temporal frontend (TEMPORAL_API_KEY, TEMPORAL_TLS_*). */
  security: TemporalSecurity;
  /** TEMPORAL_WORKER_BUILD_ID / TEMPORAL_DEPLOYMENT_NAME; undefined: an unversioned worker. */
  deployment: WorkerDeploymentConfig | undefined;
}

/** The frontend's address, namespace, task queue and security; problems are pushed, each naming its variable. */
export function readTemporal(v: VarsOf<typeof temporalFields>, problems: string[]): TemporalConfig {
  const security = readTemporalSecurity(v, problems);
  if ((security.tls || security.apiKey) && !v.TEMPORAL_ADDRESS)
    problems.push('TEMPORAL_ADDRESS: required with TEMPORAL_API_KEY or TEMPORAL_TLS_* (the secured frontend to reach)');
  return {
    address: v.TEMPORAL_ADDRESS,
    namespace: v.TEMPORAL_NAMESPACE,
    taskQueue: v.TEMPORAL_TASK_QUEUE,
    security,
    deployment: v.TEMPORAL_WORKER_BUILD_ID
      ? { deploymentName: v.TEMPORAL_DEPLOYMENT_NAME, buildId: v.TEMPORAL_WORKER_BUILD_ID }
      : undefined,
  };
}

/**
 * The address the Temporal SDK's Prometheus exporter binds (a socket address: an IP, not a name;
 * `localhost` is taken as 127.0.0.1), or undefined when `host` is not one.
 */
export function bindHost(host: string): string | undefined {
  if (host === 'localhost') return '127.0.0.1';
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const kind = isIP(bare);
  if (kind === 4) return bare;
  if (kind === 6) return `[${bare}]`;
  return undefined;
}
