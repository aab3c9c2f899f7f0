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

/** Slots per task queue's worker: workflow tasks and activities it runs at once. */
export interface WorkerSlots {
  calls: { workflowTasks: number; activities: number };
  dialpad: { activities: number };
  sync: { workflowTasks: number; activities: number };
}

/**
 * Per worker process (src/temporal/workers.ts), chosen so the live calls always have room:
 * - calls: 40 workflow tasks (the SDK's default, what the benchmarks ran with); 20 activities, as
 *   its own activities are few (retro-match of a record, steps of runs older than local activities);
 * - dialpad: 20 activities. A fetch mostly waits for Dialpad's company-wide budget (20 requests/s,
 *   12 recaps a minute), and more slots would only move that wait from the queue into the process;
 * - sync: 10 workflow tasks, 4 activities. Syncs, backfill windows and sweeps are long and few; the
 *   Dialpad budget, not slots, bounds how fast they go, and each slot is a Postgres connection.
 */
export const DEFAULT_WORKER_SLOTS: WorkerSlots = {
  calls: { workflowTasks: 40, activities: 20 },
  dialpad: { activities: 20 },
  sync: { workflowTasks: 10, activities: 4 },
};

const slots = (fallback: number, min: 1 | 2) =>
  boundedWholeNumber(
    min === 1 ? /^[1-9]\d{0,3}$/ : /^(?:[2-9]|[1-9]\d{1,3})$/,
    `expected a whole number of slots from ${min} to 9999`,
    fallback,
  );

/**
 * The worker process: its sticky cache and each task queue's worker's slots (DEFAULT_WORKER_SLOTS).
 * A workflow worker needs at least 2 workflow-task slots (the SDK's rule with a sticky cache).
 */
export const workerFields = {
  TEMPORAL_MAX_CACHED_WORKFLOWS: boundedWholeNumber(
    /^[1-9]\d{0,5}$/,
    'expected a whole number of workflows from 1 to 999999',
    undefined,
  ),
  WORKER_CALLS_WORKFLOW_SLOTS: slots(DEFAULT_WORKER_SLOTS.calls.workflowTasks, 2),
  WORKER_CALLS_ACTIVITY_SLOTS: slots(DEFAULT_WORKER_SLOTS.calls.activities, 1),
  WORKER_DIALPAD_ACTIVITY_SLOTS: slots(DEFAULT_WORKER_SLOTS.dialpad.activities, 1),
  WORKER_SYNC_WORKFLOW_SLOTS: slots(DEFAULT_WORKER_SLOTS.sync.workflowTasks, 2),
  WORKER_SYNC_ACTIVITY_SLOTS: slots(DEFAULT_WORKER_SLOTS.sync.activities, 1),
};

type WorkerVars = VarsOf<typeof workerFields>;

/** The slots from WORKER_*_SLOTS (each validated by its field). */
export function readWorkerSlots(v: WorkerVars): WorkerSlots {
  return {
    calls: { workflowTasks: v.WORKER_CALLS_WORKFLOW_SLOTS, activities: v.WORKER_CALLS_ACTIVITY_SLOTS },
    dialpad: { activities: v.WORKER_DIALPAD_ACTIVITY_SLOTS },
    sync: { workflowTasks: v.WORKER_SYNC_WORKFLOW_SLOTS, activities: v.WORKER_SYNC_ACTIVITY_SLOTS },
  };
}

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
