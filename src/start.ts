import { loadConfigOrExit } from './config';
import { closeOnSignals, exitOnStartFailure, startIngress } from './server';
import { tracingFromConfig } from './telemetry/tracing';
import { runWorkerProcess } from './worker';

/** `npm start`: ingress and worker in one process against configured services. */
async function main(): Promise<void> {
  const config = loadConfigOrExit('production');
  // One tracer provider per process: the ingress and the worker below share this one.
  const tracing = tracingFromConfig(config, 'navigator-dialpad');
  const app = await startIngress(config);
  const worker = runWorkerProcess(config);
  closeOnSignals(async () => {
    await app.close();
    await worker;
    await tracing?.shutdown();
  });
  await worker;
}

main().catch((err: unknown) => exitOnStartFailure('navigator-dialpad', err));
