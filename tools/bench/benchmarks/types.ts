/** What each benchmark hands back to the runner. */
export interface BenchmarkOutput {
  /** The keys (latest.json's top level). */
  keys: Record<string, number>;
  /** Context: the numbers behind the keys, and extra baselines. */
  extra: Record<string, number | string | boolean>;
  /** Raw latency samples (ms) for the chart, by series name. */
  distributions?: Record<string, number[]>;
  series?: Record<string, unknown>;
  notes?: string[];
}
