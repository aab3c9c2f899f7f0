/**
 * Temporal's own counts of the work a phase of the e2e benchmark caused, read from two Prometheus
 * endpoints before and after the phase:
 *
 * - the Temporal dev server's (`temporal server start-dev --metrics-port`), namespace `default`:
 *   `service_requests` of the frontend by operation (signals, signalWithStart, workflow and activity
 *   task completions) and the history service's `persistence_requests{operation="CreateWorkflowExecution"}`
 *   (every new workflow run, whether from StartWorkflowExecution or a signalWithStart that found none);
 * - the worker's Temporal SDK endpoint (TEMPORAL_METRICS_PORT): local activities, which run inside
 *   a workflow task and are no server round trip of their own, and the SDK's own count of workflow
 *   tasks and activities executed, as a cross-check.
 */

export interface TemporalCounts {
  signalWithStart: number;
  signals: number;
  workflowStarts: number;
  workflowTasks: number;
  activityTasks: number;
  /** Worker SDK: local activities started (`temporal_local_activity_total`). */
  localActivities: number;
  /** Worker SDK: workflow tasks and activities executed (histogram counts). */
  sdkWorkflowTasks: number;
  sdkActivities: number;
}

type Sample = { name: string; labels: Record<string, string>; value: number };

export function parsePrometheus(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[3] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[4]) });
  }
  return out;
}

function sum(samples: Sample[], name: string, where: Record<string, string | string[]> = {}): number {
  return samples
    .filter(
      (s) =>
        s.name === name &&
        Object.entries(where).every(([k, v]) => (Array.isArray(v) ? v.includes(s.labels[k]!) : s.labels[k] === v)),
    )
    .reduce((a, s) => a + (Number.isFinite(s.value) ? s.value : 0), 0);
}

async function scrape(url: string | undefined): Promise<Sample[] | null> {
  if (!url) return null;
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    return r.ok ? parsePrometheus(await r.text()) : null;
  } catch {
    return null;
  }
}

const NAN_COUNTS: TemporalCounts = {
  signalWithStart: NaN,
  signals: NaN,
  workflowStarts: NaN,
  workflowTasks: NaN,
  activityTasks: NaN,
  localActivities: NaN,
  sdkWorkflowTasks: NaN,
  sdkActivities: NaN,
};

/** The counts so far (NaN for an endpoint that could not be read). */
export async function readTemporalCounts(serverUrl: string | undefined, workerUrl: string | undefined) {
  const [server, worker] = await Promise.all([scrape(serverUrl), scrape(workerUrl)]);
  const c: TemporalCounts = { ...NAN_COUNTS };
  if (server) {
    const fe = (ops: string[]) =>
      sum(server, 'service_requests', { namespace: 'default', service_name: 'frontend', operation: ops });
    c.signalWithStart = fe(['SignalWithStartWorkflowExecution']);
    c.signals = fe(['SignalWorkflowExecution']);
    c.workflowStarts = sum(server, 'persistence_requests', {
      namespace: 'default',
      service_name: 'history',
      operation: 'CreateWorkflowExecution',
    });
    c.workflowTasks = fe(['RespondWorkflowTaskCompleted', 'RespondWorkflowTaskFailed']);
    c.activityTasks = fe([
      'RespondActivityTaskCompleted',
      'RespondActivityTaskFailed',
      'RespondActivityTaskCanceled',
      'RespondActivityTaskCompletedById',
      'RespondActivityTaskFailedById',
      'RespondActivityTaskCanceledById',
    ]);
  }
  if (worker) {
    c.localActivities =
      sum(worker, 'temporal_local_activity_total') + sum(worker, 'temporal_local_activity_total_total');
    c.sdkWorkflowTasks = sum(worker, 'temporal_workflow_task_execution_latency_count');
    c.sdkActivities = sum(worker, 'temporal_activity_execution_latency_count');
  }
  return c;
}

export function diffCounts(before: TemporalCounts, after: TemporalCounts): TemporalCounts {
  const out = { ...NAN_COUNTS };
  for (const k of Object.keys(out) as (keyof TemporalCounts)[]) out[k] = after[k] - before[k];
  return out;
}

/**
 * Temporal actions per conversation: signals (signalWithStart and plain signals) + workflow runs
 * started + workflow tasks completed + activity tasks completed, all from the server's counts.
 */
export function actionsPerCall(c: TemporalCounts, conversations: number): number {
  return (c.signalWithStart + c.signals + c.workflowStarts + c.workflowTasks + c.activityTasks) / conversations;
}

/** The per-call breakdown for `extra`, keys prefixed. */
export function countsExtra(prefix: string, c: TemporalCounts, conversations: number): Record<string, number> {
  const r = (n: number) => (Number.isFinite(n) ? Number((n / conversations).toFixed(2)) : NaN);
  return {
    [`${prefix}temporal_actions_per_call`]: r(actionsPerCall(c, 1)),
    [`${prefix}temporal_signal_with_start_per_call`]: r(c.signalWithStart),
    [`${prefix}temporal_signals_per_call`]: r(c.signals),
    [`${prefix}temporal_workflow_starts_per_call`]: r(c.workflowStarts),
    [`${prefix}temporal_workflow_tasks_per_call`]: r(c.workflowTasks),
    [`${prefix}temporal_activity_tasks_per_call`]: r(c.activityTasks),
    [`${prefix}temporal_local_activities_per_call`]: r(c.localActivities),
    [`${prefix}temporal_sdk_workflow_tasks_per_call`]: r(c.sdkWorkflowTasks),
    [`${prefix}temporal_sdk_activities_per_call`]: r(c.sdkActivities),
  };
}
