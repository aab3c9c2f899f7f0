import { writeFileSync } from 'node:fs';
import type { CallEventSignal } from '../../../workflows/shared/call-event';
import { signalCallWorkflow } from '../../../src/ingress/signal';
import { validateCallEvent } from '../../../src/ingress/validate';
import { createTemporalClient } from '../../../src/temporal/connection';
import { bodyFactory } from '../lib/payloads';

/**
 * Baseline (a) of the ingress benchmark: the rate at which Temporal itself accepts the ingress's
 * work. CONCURRENCY loops, for DURATION_MS, each calling the product's signalCallWorkflow (the same
 * signalWithStart, arguments, search attributes and memo as the ingress) for a new call each time.
 */
async function main(): Promise<void> {
  const env = (name: string) => {
    const v = process.env[name];
    if (!v) throw new Error(`${name} is required`);
    return v;
  };
  const temporal = createTemporalClient({ address: env('TEMPORAL_ADDRESS'), namespace: env('TEMPORAL_NAMESPACE') });
  const concurrency = Number(env('CONCURRENCY'));
  const durationMs = Number(env('DURATION_MS'));
  const accountId = env('ACCOUNT_ID');
  const officeId = env('OFFICE_ID');
  const opts = {
    taskQueue: env('TEMPORAL_TASK_QUEUE'),
    aiWaitSeconds: Number(process.env.CALL_AI_WAIT_SECONDS ?? 900),
    aiFetchAttempts: 6,
    timeoutMs: 2_000,
  };
  const bodies = bodyFactory('unused', Number(process.env.SEED ?? 2));
  const next = (): CallEventSignal => ({
    deliveryId: null,
    accountId,
    officeId,
    event: validateCallEvent(JSON.parse(bodies.nextJson()) as Record<string, unknown>),
  });

  // Warm the connection so the first requests do not measure the handshake.
  await signalCallWorkflow(temporal.client, next(), opts);

  const latencies: number[] = [];
  let errors = 0;
  const cpuAtStart = process.cpuUsage();
  const started = performance.now();
  const until = started + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const sig = next();
        const t0 = performance.now();
        try {
          await signalCallWorkflow(temporal.client, sig, opts);
          latencies.push(performance.now() - t0);
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuAtStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  writeFileSync(env('OUT'), JSON.stringify({ ok: latencies.length, errors, elapsedMs, cpuSeconds, latencies }));
  await temporal.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`signal-loop failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
