import { loadConfigOrExit } from '../config';
import { createLogger } from '../logger';
import { startLocalStack } from './stack';

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
      '  Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    const force = setTimeout(() => process.exit(1), 30_000);
    force.unref();
    stack
      .stop()
      .then(() => process.exit(0))
      .catch(() => process.exit(1));
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`npm run dev failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
