import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { EXAMPLE_OFFICE_ID, bodyFactory } from '../lib/payloads';
import { postLoad } from '../lib/load';
import { BENCH_DIR, startBenchStack, type BenchStack } from '../lib/stack';
import { distribution, log, round, waitForQuiet } from '../lib/util';
import { freePort } from '../../lib/processes';
import { sleep } from '../../lib/wait';

/**
 * `tsx tools/bench/experiments/ingress-variants.ts [rounds] [seconds]`: the ingress route as it is
 * against the proposed variants (tools/bench/experiments/ingress-variant.ts) and the signalWithStart
 * baseline, in rotating order over several rounds so that a machine whose load drifts favours
 * none of them. Prints throughput, latency and the ratio to the baseline per variant.
 */
const VARIANTS = ['current', 'fused', 'parallel'] as const;

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 3);
  const seconds = Number(process.argv[3] ?? 10);
  const connections = 16;
  const stack = await startBenchStack();
  try {
    const worker = await stack.startWorker();
    const settle = () =>
      waitForQuiet([worker.pid, ...(stack.temporal.pid ? [stack.temporal.pid] : [])], { maxMs: 180_000 });
    const results: Record<string, { rps: number[]; lat: number[] }> = {};
    const add = (k: string, rps: number, lat: number[]) => {
      results[k] ??= { rps: [], lat: [] };
      results[k].rps.push(rps);
      results[k].lat.push(...lat);
    };
    let seed = 10;
    for (let r = 0; r < rounds; r++) {
      const order = [...VARIANTS.slice(r % VARIANTS.length), ...VARIANTS.slice(0, r % VARIANTS.length), 'signal'];
      for (const v of order) {
        seed++;
        if (v === 'signal') {
          const s = await signal(stack, connections, seconds, seed);
          add('signal', s.rps, s.lat);
          log(`round ${r + 1} signal: ${s.rps.toFixed(1)}/s`);
        } else {
          const port = await freePort();
          const child = stack.spawnNode(`variant-${v}`, 'tools/bench/experiments/ingress-variant.ts', {
            PORT: String(port),
            VARIANT: v,
          });
          const url = `http://127.0.0.1:${port}`;
          for (;;) {
            try {
              if ((await fetch(`${url}/healthz`)).ok) break;
            } catch {
              // starting
            }
            await sleep(100);
          }
          const run = await postLoad({
            url: `${url}/webhooks/dialpad`,
            connections,
            durationS: seconds,
            nextBody: bodyFactory(stack.secret, seed).nextBody,
          });
          await child.stop();
          add(v, run.rps, run.latencies);
          log(`round ${r + 1} ${v}: ${run.rps.toFixed(1)} req/s (non-2xx ${run.non2xx})`);
        }
        await settle();
      }
    }
    const base = results.signal!.rps.reduce((a, b) => a + b, 0) / results.signal!.rps.length;
    console.log('\nvariant     req/s (mean of rounds)  ratio to signalWithStart  p50 ms   p99 ms');
    for (const [k, v] of Object.entries(results)) {
      const mean = v.rps.reduce((a, b) => a + b, 0) / v.rps.length;
      const d = distribution(v.lat);
      console.log(
        `${k.padEnd(10)}  ${String(round(mean, 1)).padEnd(22)}  ${String(round(mean / base, 3)).padEnd(24)}  ${String(round(d.p50)).padEnd(7)}  ${round(d.p99)}   rounds: ${v.rps.map((x) => x.toFixed(0)).join(' ')}`,
      );
    }
  } finally {
    await stack.stop();
  }
}

async function signal(stack: BenchStack, concurrency: number, seconds: number, seed: number) {
  const out = join(BENCH_DIR, `variants-signal-${seed}.json`);
  rmSync(out, { force: true });
  const child = stack.spawnNode('signal-loop', 'tools/bench/procs/signal-loop.ts', {
    CONCURRENCY: String(concurrency),
    DURATION_MS: String(seconds * 1000),
    ACCOUNT_ID: stack.exampleAccountId,
    OFFICE_ID: EXAMPLE_OFFICE_ID,
    SEED: String(seed),
    OUT: out,
  });
  await child.exited;
  const r = JSON.parse(readFileSync(out, 'utf8')) as { ok: number; elapsedMs: number; latencies: number[] };
  return { rps: r.ok / (r.elapsedMs / 1000), lat: r.latencies };
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
