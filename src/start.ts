import { loadConfigOrExit } from './config';
import { createMetrics, createWorkerMetrics } from './telemetry/metrics';
import { closeOnSignals, exitOnStartFailure, startIngress } from './server';
import { tracingFromConfig } from './telemetry/tracing';
import { installTemporalRuntime } from './temporal/runtime';
import { runWorkerProcess } from './worker';

/**
 * `npm start`: ingress and worker in one process against configured services. One registry holds
 * both sides' metrics (served where the ingress serves them); the Temporal SDK's are on
 * TEMPORAL_METRICS_PORT.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit('production');
  // One tracer provider per process: the ingress and the worker below share this one.
  const tracing = tracingFromConfig(config, 'navigator-dialpad');
  installTemporalRuntime(config);
  const metrics = createMetrics();
  const app = await startIngress(config, { metrics });
  const worker = runWorkerProcess(config, { metrics: createWorkerMetrics({ registry: metrics.registry }) });
  closeOnSignals(async () => {
    await app.close();
    await worker;
    await tracing?.shutdown();
  });
  await worker;
}

main().catch((err: unknown) => exitOnStartFailure('navigator-dialpad', err));
