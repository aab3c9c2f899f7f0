import { postLoad } from '../lib/load';
import { bodyFactory } from '../lib/payloads';
import { startBenchStack } from '../lib/stack';
import { log, round, RssSampler, waitForQuiet } from '../lib/util';
import { sleep } from '../../lib/wait';

/**
 * `tsx tools/bench/experiments/worker-memory.ts [seconds] [max…]`: the worker's RSS under the same
 * ingress load with the SDK's default sticky cache (sized from the heap limit: about 2,300
 * workflows with a 4 GB heap) and with `maxCachedWorkflows` set, one after the other, each with a
 * fresh worker process behind the same ingress.
 */
async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 90);
  const variants = process.argv.slice(3).length ? process.argv.slice(3) : ['sdk-default', '500'];
  const stack = await startBenchStack();
  try {
    const ingress = await stack.startIngress();
    for (const [i, v] of variants.entries()) {
      const worker = stack.spawnNode(`worker-cache-${v}`, 'tools/bench/experiments/worker-cache.ts', {
        MAX_CACHED_WORKFLOWS: v,
      });
      // Describing the task queue still lists the previous worker's pollers for a while: give the
      // new one time to bundle the workflows and start polling.
      await sleep(10_000);
      while ((await stack.workerPollers().catch(() => 0)) === 0) await sleep(200);
      const sampler = new RssSampler({ worker: worker.pid }, 1000);
      const run = await postLoad({
        url: `${ingress.url}/webhooks/dialpad`,
        connections: 16,
        durationS: seconds,
        nextBody: bodyFactory(stack.secret, 40 + i).nextBody,
      });
      await waitForQuiet([worker.pid, ...(stack.temporal.pid ? [stack.temporal.pid] : [])], { maxMs: 120_000 });
      sampler.stop();
      const s = sampler.samples.map((x) => x.mb.worker ?? Number.NaN);
      log(
        `maxCachedWorkflows ${v}: ${run.ok} webhooks at ${run.rps.toFixed(1)}/s; worker RSS start ${round(s[0]!, 0)} MB, ` +
          `peak ${round(sampler.peak('worker'), 0)} MB, end ${round(s[s.length - 1]!, 0)} MB; by minute: ` +
          s
            .filter((_, j) => j % 30 === 0)
            .map((x) => round(x, 0))
            .join(' '),
      );
      await worker.stop();
    }
  } finally {
    await stack.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
