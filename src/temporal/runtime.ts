import { Runtime } from '@temporalio/worker';
import { bindHost, type Config } from '../config';

/**
 * The Temporal SDK's own metrics (sticky cache, schedule-to-start latencies, task slots, pollers,
 * workflow and activity outcomes), served in Prometheus text by the SDK itself on
 * METRICS_HOST:TEMPORAL_METRICS_PORT at `/metrics`. Off when TEMPORAL_METRICS_PORT is unset.
 *
 * The Runtime can be installed once per process, before the first NativeConnection; a worker
 * process calls this first thing (src/worker.ts, src/start.ts). Durations are in seconds, like
 * every other latency on the dashboard.
 */
let installed: string | undefined;

export function installTemporalRuntime(config: Pick<Config, 'metrics'>): string | undefined {
  const port = config.metrics.temporalPort;
  if (port === undefined) return undefined;
  const host = bindHost(config.metrics.host);
  // loadConfig refuses this already; kept for callers that build a Config by hand.
  if (host === undefined) throw new Error(`TEMPORAL_METRICS_PORT: ${config.metrics.host} is not an IP address`);
  const bindAddress = `${host}:${port}`;
  if (installed === bindAddress) return bindAddress;
  if (installed !== undefined) throw new Error(`the Temporal runtime is already installed with ${installed}`);
  Runtime.install({
    telemetryOptions: {
      metrics: { prometheus: { bindAddress, useSecondsForDurations: true } },
    },
  });
  installed = bindAddress;
  return bindAddress;
}
