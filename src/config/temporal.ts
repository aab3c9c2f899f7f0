import { isIP } from 'node:net';

import { readTemporalSecurity, type TemporalSecurity } from '../temporal/security';
import { hostPort, optionalString, temporalName, type VarsOf } from './fields';

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
};

export interface TemporalConfig {
  address: string | undefined;
  namespace: string;
  taskQueue: string;
  /** TLS / API key for the Temporal frontend (TEMPORAL_API_KEY, TEMPORAL_TLS_*). */
  security: TemporalSecurity;
}

/** The frontend's address, namespace, task queue and security; problems are pushed, each naming its variable. */
export function readTemporal(v: VarsOf<typeof temporalFields>, problems: string[]): TemporalConfig {
  const security = readTemporalSecurity(v, problems);
  if ((security.tls || security.apiKey) && !v.TEMPORAL_ADDRESS)
    problems.push('TEMPORAL_ADDRESS: required with TEMPORAL_API_KEY or TEMPORAL_TLS_* (the secured frontend to reach)');
  return { address: v.TEMPORAL_ADDRESS, namespace: v.TEMPORAL_NAMESPACE, taskQueue: v.TEMPORAL_TASK_QUEUE, security };
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
