import { loadConfigOrExit } from './config';
import { closeOnSignals, exitOnStartFailure, startIngress } from './server';
import { runWorkerProcess } from './worker';

/** `npm start`: ingress and worker in one process against configured services. */
async function main(): Promise<void> {
  const config = loadConfigOrExit('production');
  const app = await startIngress(config);
  const worker = runWorkerProcess(config);
  closeOnSignals(async () => {
    await app.close();
    await worker;
  });
  await worker;
}

main().catch((err: unknown) => exitOnStartFailure('navigator-dialpad', err));
