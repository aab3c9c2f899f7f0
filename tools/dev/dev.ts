import { loadConfigOrExit } from '../../src/config';
import { createLogger } from '../../src/logger';
import { startLocalStack, type LocalStack } from './stack';

/** `npm run dev`: the whole system with embedded defaults and no configuration. */
async function main(): Promise<void> {
  const config = loadConfigOrExit('dev');
  const log = createLogger(config.logLevel, 'dev');
  const started = Date.now();
  const stack = await startLocalStack({ config, log });

  const redactedDb = stack.databaseUrl.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
  process.stdout.write(
    [
      '',
      `Navigator ⇄ Dialpad is running (started in ${((Date.now() - started) / 1000).toFixed(1)} s)`,
      `  Ingress      ${stack.ingressUrl}   (POST /webhooks/dialpad, GET /readyz, GET /metrics)`,
      `  Temporal UI  ${stack.temporalUiUrl ?? '(external Temporal: ' + stack.temporalAddress + ')'}`,
      `  Temporal     ${stack.temporalAddress}`,
      `  Database     ${redactedDb}`,
      ...(stack.simulator
        ? [
            `  Dialpad      simulator at ${stack.simulator.url} (set DIALPAD_API_KEY to use Dialpad itself)`,
            `  Calls        ${config.dev.simulatedCallsPerMinute} simulated calls a minute (DEV_SIMULATED_CALLS_PER_MINUTE)`,
          ]
        : []),
      '  Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );

  const trickle = stack.simulator ? startCallTrickle(stack, config.dev.simulatedCallsPerMinute) : undefined;

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    const force = setTimeout(() => process.exit(1), 60_000);
    force.unref();
    Promise.resolve(trickle?.stop())
      .then(() => stack.stop())
      .then(() => process.exit(0))
      .catch(() => process.exit(1));
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

/** A steady trickle of realistic simulated calls through the real ingress, so there is traffic to see. */
function startCallTrickle(stack: LocalStack, perMinute: number): { stop(): Promise<void> } {
  if (perMinute <= 0 || !stack.simulator) return { stop: async () => undefined };
  const controller = new AbortController();
  const sim = stack.simulator;
  const loop = (async () => {
    while (!controller.signal.aborted) {
      try {
        const result = await sim.emit({
          calls: 1,
          rate: 1,
          target: `${stack.ingressUrl}/webhooks/dialpad`,
          secret: stack.config.dialpad.webhookSecret!,
          duplicates: 0.1,
          shuffle: true,
          // "Minutes later" Ai events arrive within seconds.
          timeScale: 0.02,
          signal: controller.signal,
          keepDeliveries: false,
        });
        stack.log.info({ kind: result.conversations[0]?.kind, sent: result.summary.sent }, 'simulated call delivered');
      } catch (err) {
        if (!controller.signal.aborted) stack.log.warn({ err: (err as Error).message }, 'simulated call failed');
      }
      await new Promise((r) => setTimeout(r, 60_000 / perMinute).unref());
    }
  })();
  return {
    stop: async () => {
      controller.abort();
      await loop.catch(() => undefined);
    },
  };
}

main().catch((err: unknown) => {
  process.stderr.write(`npm run dev failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
