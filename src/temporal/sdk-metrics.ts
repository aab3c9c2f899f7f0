/**
 * The Temporal SDK metrics (TEMPORAL_METRICS_PORT) the dashboard and the alert rules use, exactly
 * as a worker of this SDK (1.24, durations in seconds: src/temporal/runtime.ts) serves them.
 * test/ops/worker-metrics.test.ts checks that a real worker process serves every one of them;
 * test/ops/observability.test.ts that deploy/ uses no other SDK name. The sticky cache and slot
 * figures are the ones Temporal's worker performance guide tunes by.
 *
 * Labels: namespace, task_queue and service_name on all; workflow_type on the workflow outcomes
 * and cache hits; activity_type on activity failures; worker_type (WorkflowWorker,
 * ActivityWorker, LocalActivityWorker) on slots; poller_type (workflow_task,
 * sticky_workflow_task, activity_task) on pollers.
 */
export const TEMPORAL_SDK_METRICS = [
  // The sticky (workflow) cache: a hit runs the task on the cached workflow, a miss replays its
  // whole history; forced evictions make room in a full cache.
  'temporal_sticky_cache_hit',
  'temporal_sticky_cache_miss',
  'temporal_sticky_cache_size',
  'temporal_sticky_cache_total_forced_eviction',
  // How long tasks wait in Temporal's queue for a worker (too long: too few workers or slots).
  'temporal_workflow_task_schedule_to_start_latency_bucket',
  'temporal_workflow_task_schedule_to_start_latency_count',
  'temporal_workflow_task_schedule_to_start_latency_sum',
  'temporal_activity_schedule_to_start_latency_bucket',
  'temporal_activity_schedule_to_start_latency_count',
  'temporal_activity_schedule_to_start_latency_sum',
  // Task slots: available near 0 means the worker runs as much as it is allowed to.
  'temporal_worker_task_slots_available',
  'temporal_worker_task_slots_used',
  'temporal_num_pollers',
  // Outcomes.
  'temporal_workflow_completed',
  'temporal_workflow_failed',
  'temporal_activity_execution_failed',
  'temporal_activity_execution_latency_bucket',
  'temporal_workflow_task_execution_latency_bucket',
] as const;

/**
 * Counters the SDK serves only once they have counted something: a cache miss needs a task for a
 * run the worker no longer holds, a forced eviction a full cache, and neither can be caused on
 * demand. The dashboard uses them; the worker test accepts their absence after its short scenario.
 */
export const TEMPORAL_SDK_METRICS_WHEN_COUNTED: readonly string[] = [
  'temporal_sticky_cache_miss',
  'temporal_sticky_cache_total_forced_eviction',
];
