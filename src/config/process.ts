import { z } from 'zod';

import {
  boundedWholeNumber,
  durationSeconds,
  emptyToUndefined,
  LOG_LEVELS,
  optionalPort,
  optionalString,
  otlpEndpoint,
  port,
  token,
  type VarsOf,
} from './fields';
import { bindHost } from './temporal';

/**
 * What the processes themselves run with: the ingress's HTTP listener, metrics and tokens, the
 * worker's call-run tuning and sticky cache, tracing, and the dev stack's local ports.
 */

export const serverFields = {
  HOST: z.preprocess(emptyToUndefined, z.string().min(1).default('127.0.0.1')),
  PORT: port(8787),
  METRICS_PORT: optionalPort(),
  METRICS_HOST: optionalString,
  TEMPORAL_METRICS_PORT: optionalPort(),
  API_TOKEN: token,
  ADMIN_TOKEN: token,
  LOG_LEVEL: z.preprocess(
    emptyToUndefined,
    z.enum(LOG_LEVELS, { message: `expected one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  ),
};

export const callRunFields = {
  CALL_AI_WAIT_SECONDS: durationSeconds(900),
  CALL_DB_RETRY_BUDGET_SECONDS: boundedWholeNumber(
    /^[1-9]\d{0,4}$/,
    'expected a whole number of seconds from 1 to 99999',
    120,
  ),
  CALL_AI_FETCH_ATTEMPTS: boundedWholeNumber(/^[1-9]\d?$/, 'expected a whole number from 1 to 99', 6),
};

export const tracingFields = {
  OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint,
  OTEL_SERVICE_NAME: optionalString,
};

export const workerFields = {
  TEMPORAL_MAX_CACHED_WORKFLOWS: boundedWholeNumber(
    /^[1-9]\d{0,5}$/,
    'expected a whole number of workflows from 1 to 999999',
    undefined,
  ),
};

/** The dev stack's simulated traffic. */
export const simulatorFields = {
  DEV_SIMULATED_CALLS_PER_MINUTE: boundedWholeNumber(/^\d{1,4}$/, 'expected a whole number of calls per minute', 4),
};

/** The dev stack's local Temporal CLI and ports. */
export const devFields = {
  TEMPORAL_CLI_PATH: optionalString,
  TEMPORAL_UI_PORT: port(8233),
  DEV_POSTGRES_PORT: port(54329),
  DEV_TEMPORAL_PORT: port(7233),
};

type ServerVars = VarsOf<typeof serverFields>;

/** /metrics and the SDK's metrics each need a port of their own, off the public one. */
export function checkMetricsPorts(v: ServerVars, problems: string[]): void {
  if (v.METRICS_PORT !== undefined && v.METRICS_PORT === v.PORT && (v.METRICS_HOST ?? v.HOST) === v.HOST)
    problems.push('METRICS_PORT: must differ from PORT (the point is to keep /metrics off the public port)');
  if (v.TEMPORAL_METRICS_PORT !== undefined) {
    const metricsHost = v.METRICS_HOST ?? v.HOST;
    if (v.TEMPORAL_METRICS_PORT === v.METRICS_PORT)
      problems.push('TEMPORAL_METRICS_PORT: must differ from METRICS_PORT (both are served on METRICS_HOST)');
    else if (v.TEMPORAL_METRICS_PORT === v.PORT && metricsHost === v.HOST)
      problems.push('TEMPORAL_METRICS_PORT: must differ from PORT (the SDK metrics belong on the internal network)');
    else if (bindHost(metricsHost) === undefined)
      problems.push(
        `TEMPORAL_METRICS_PORT: the SDK binds to an IP address, and ${v.METRICS_HOST ? 'METRICS_HOST' : 'HOST'} is ${JSON.stringify(metricsHost)} (use e.g. 0.0.0.0 or 127.0.0.1)`,
      );
  }
}
