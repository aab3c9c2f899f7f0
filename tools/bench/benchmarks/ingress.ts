import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { postLoad, type LoadResult } from '../lib/load';
import { bodyFactory } from '../lib/payloads';
import { runSignalLoop, type SignalLoopResult } from '../lib/signal-baseline';
import { BENCH_DIR, type BenchStack } from '../lib/stack';
import { CpuMeter, distribution, log, round, RssSampler, waitForQuiet } from '../lib/util';
import { freePort } from '../../lib/processes';
import { sleep } from '../../lib/wait';
import type { BenchmarkOutput } from './types';

/**
 * Ingress throughput against (a) Temporal's own signalWithStart rate at the same concurrency and
 * (b) a Fastify route that only verifies the JWS; RSS of the ingress and worker processes during it.
 *
 * Every request is a new delivery (a new call id), so the whole path runs: verify, validate, route,
 * record in Postgres, signalWithStart, mark signalled; and the worker starts a workflow per call.
 * The worker runs during the signal baseline too, so both see the same competition for the CPU.
 */
export interface IngressOptions {
  connections: number;
  durationS: number;
  /** Also run the instrumented ingress (tools/bench/procs/ingress-traced.ts) to see where requests wait. */
  trace?: boolean;
}

export async function benchIngress(stack: BenchStack, opts: IngressOptions): Promise<BenchmarkOutput> {
  const worker = stack.worker ?? (await stack.startWorker());
  const ingress = stack.ingress ?? (await stack.startIngress());
  const settle = async (label: string, maxMs = 120_000) => {
    const r = await waitForQuiet([worker.pid, ...(stack.temporal.pid ? [stack.temporal.pid] : [])], { maxMs });
    log(`  ${label}: backlog worked off in ${(r.waitedMs / 1000).toFixed(1)} s${r.quiet ? '' : ' (gave up waiting)'}`);
    return r;
  };

  // (b) The framework-plus-crypto ceiling.
  const jwtSeconds = Math.min(20, opts.durationS);
  log(`ingress: JWT-only route, ${opts.connections} connections, ${jwtSeconds} s`);
  const jwtPort = await freePort();
  const jwt = stack.spawnNode('jwt-route', 'tools/bench/procs/jwt-route.ts', { PORT: String(jwtPort) });
  const jwtUrl = `http://127.0.0.1:${jwtPort}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${jwtUrl}/healthz`)).ok) break;
    } catch {
      if (i > 300) throw new Error('jwt-route did not start');
    }
    await sleep(100);
  }
  const jwtBodies = bodyFactory(stack.secret, 1);
  await postLoad({
    url: `${jwtUrl}/webhooks/dialpad`,
    connections: opts.connections,
    durationS: 2,
    nextBody: jwtBodies.nextBody,
  });
  const jwtCpu = new CpuMeter({ jwt: () => [jwt.pid] }).start();
  const jwtRun = await postLoad({
    url: `${jwtUrl}/webhooks/dialpad`,
    connections: opts.connections,
    durationS: jwtSeconds,
    nextBody: jwtBodies.nextBody,
  });
  const jwtCores = jwtCpu.stop();
  await jwt.stop();
  log(`  jwt route: ${jwtRun.rps.toFixed(0)} req/s`);

  // (a) Temporal's own rate: signalWithStart loops, bracketing the ingress run (before and after)
  // so that a Temporal that slows as its in-memory database fills does not favour either side.
  const signalRun = (seed: number, durationS: number): Promise<SignalLoopResult> =>
    runSignalLoop(stack, { seed, durationS, concurrency: opts.connections });

  // What the processes use with nothing to do (pollers, timers, the relay): subtracted before the
  // CPU per event is computed, so that a slower run is not charged more for standing still.
  await settle('before the baselines');
  const idleMeter = new CpuMeter(stack.cpuGroups()).start();
  await sleep(3_000);
  const idle = idleMeter.stop();
  log(`  idle cpu (cores): ${JSON.stringify(idle)}`);

  // The baselines need no soak: at most 15 s on each side of the ingress run.
  const half = Math.min(15, Math.max(5, Math.round(opts.durationS / 2)));
  log(`ingress: signalWithStart baseline (1/2), ${opts.connections} concurrent, ${half} s`);
  const signalA = await signalRun(2, half);
  log(`  signalWithStart: ${(signalA.ok / (signalA.elapsedMs / 1000)).toFixed(0)} /s`);
  await settle('after signal baseline 1/2');

  log(`ingress: POST /webhooks/dialpad, ${opts.connections} connections, ${opts.durationS} s`);
  const bodies = bodyFactory(stack.secret, 3);
  const sampler = new RssSampler({ ingress: ingress.pid, worker: worker.pid }, 500);
  let ingressRun: LoadResult;
  let ingressCpu: Record<string, number>;
  try {
    const cpu = new CpuMeter(stack.cpuGroups()).start();
    ingressRun = await postLoad({
      url: `${ingress.url}/webhooks/dialpad`,
      connections: opts.connections,
      durationS: opts.durationS,
      nextBody: bodies.nextBody,
    });
    ingressCpu = cpu.stop();
    log(`  cpu (cores): ${JSON.stringify(ingressCpu)}`);
    log(`  ingress: ${ingressRun.rps.toFixed(0)} req/s (${ingressRun.non2xx} non-2xx, ${ingressRun.errors} errors)`);
    // The worker works its backlog off more slowly than Temporal accepts signals (the ingress run
    // leaves minutes of it): the second baseline runs while it is still being worked off, as the
    // ingress run did for most of its five minutes.
    await settle('after ingress', 45_000);
  } finally {
    sampler.stop();
  }

  log(`ingress: signalWithStart baseline (2/2), ${opts.connections} concurrent, ${half} s`);
  const signalB = await signalRun(4, half);
  log(`  signalWithStart: ${(signalB.ok / (signalB.elapsedMs / 1000)).toFixed(0)} /s`);
  const trace = opts.trace ? (await settle('after signal baseline 2/2'), await tracedRun(stack, opts, settle)) : {};

  // CPU per accepted event, by process: what each one costs whatever else the machine is doing.
  const perEvent = (cores: Record<string, number>, seconds: number, events: number) =>
    Object.fromEntries(
      Object.entries(cores)
        .filter(([k]) => k !== 'machine' && k !== 'runner')
        .map(([k, v]) => [k, round((Math.max(0, v - (idle[k] ?? 0)) * seconds * 1000) / Math.max(1, events), 2)]),
    );
  const ingressSeconds = ingressRun.elapsedMs / 1000;
  const cpuPerRequest = perEvent(ingressCpu, ingressSeconds, ingressRun.ok);
  const cpuPerSignal = perEvent(
    Object.fromEntries(
      Object.keys(signalA.cores).map((k) => [
        k,
        ((signalA.cores[k] ?? 0) * signalA.elapsedMs + (signalB.cores[k] ?? 0) * signalB.elapsedMs) /
          (signalA.elapsedMs + signalB.elapsedMs),
      ]),
    ),
    (signalA.elapsedMs + signalB.elapsedMs) / 1000,
    signalA.ok + signalB.ok,
  );
  log(`  cpu ms per ingress request: ${JSON.stringify(cpuPerRequest)}`);
  log(`  cpu ms per signalWithStart: ${JSON.stringify(cpuPerSignal)}`);
  const otherLoad = round(
    (ingressCpu.machine ?? 0) -
      Object.entries(ingressCpu)
        .filter(([k]) => k !== 'machine')
        .reduce((a, [, v]) => a + v, 0),
    2,
  );

  const signalOk = signalA.ok + signalB.ok;
  const signalRps = signalOk / ((signalA.elapsedMs + signalB.elapsedMs) / 1000);
  const signalLat = [...signalA.latencies, ...signalB.latencies];
  const ing = distribution(ingressRun.latencies);
  const sig = distribution(signalLat);
  const jw = distribution(jwtRun.latencies);

  return {
    keys: {
      ingress_rps: round(ingressRun.rps, 1),
      ingress_p50_ms: round(ing.p50),
      ingress_p99_ms: round(ing.p99),
      ingress_baseline_signal_rps: round(signalRps, 1),
      ingress_ratio: round(ingressRun.rps / signalRps, 3),
      jwt_route_rps: round(jwtRun.rps, 1),
      ingress_rss_mb: round(sampler.peak('ingress'), 1),
      worker_rss_mb: round(sampler.peak('worker'), 1),
    },
    extra: {
      ingress_connections: opts.connections,
      ingress_duration_s: opts.durationS,
      ingress_non2xx: ingressRun.non2xx,
      ingress_errors: ingressRun.errors + ingressRun.timeouts,
      ingress_baseline_signal_p50_ms: round(sig.p50),
      ingress_baseline_signal_p99_ms: round(sig.p99),
      ingress_baseline_signal_errors: signalA.errors + signalB.errors,
      ingress_baseline_signal_rps_before: round(signalA.ok / (signalA.elapsedMs / 1000), 1),
      ingress_baseline_signal_rps_after: round(signalB.ok / (signalB.elapsedMs / 1000), 1),
      jwt_route_p50_ms: round(jw.p50),
      jwt_route_p99_ms: round(jw.p99),
      ingress_vs_jwt_route: round(ingressRun.rps / jwtRun.rps, 3),
      ingress_rss_growth_mb: round(sampler.growth('ingress'), 1),
      worker_rss_growth_mb: round(sampler.growth('worker'), 1),
      ...Object.fromEntries(Object.entries(ingressCpu).map(([k, v]) => [`ingress_cpu_cores_${k}`, v])),
      ingress_cpu_cores_not_ours: otherLoad,
      ...Object.fromEntries(Object.entries(cpuPerRequest).map(([k, v]) => [`ingress_cpu_ms_per_request_${k}`, v])),
      ...Object.fromEntries(
        Object.entries(cpuPerSignal).map(([k, v]) => [`ingress_baseline_cpu_ms_per_signal_${k}`, v]),
      ),
      // On a machine where every process shares the CPU, throughput goes as 1 / CPU per event: the
      // ratio the ingress would reach if only CPU mattered, whatever else runs on the machine.
      ingress_cpu_ratio: round(
        Object.values(cpuPerSignal).reduce((a, b) => a + b, 0) /
          Object.values(cpuPerRequest).reduce((a, b) => a + b, 0),
        3,
      ),
      jwt_route_cpu_ms_per_request: round(((jwtCores.jwt ?? 0) * jwtRun.elapsedMs) / Math.max(1, jwtRun.ok), 3),
      ...trace,
    },
    distributions: {
      ingress: ingressRun.latencies,
      'signalWithStart baseline': signalLat,
      'JWT-only route': jwtRun.latencies,
    },
    series: { rss: sampler.samples },
  };
}

/** Where the ingress's requests wait: Postgres pool, each query, signalWithStart (p50 / p99, ms). */
async function tracedRun(
  stack: BenchStack,
  opts: IngressOptions,
  settle: (label: string) => Promise<unknown>,
): Promise<Record<string, number>> {
  const port = await freePort();
  const out = join(BENCH_DIR, 'ingress-trace.json');
  rmSync(out, { force: true });
  const profile = join(BENCH_DIR, 'profiles', 'ingress-serving.cpuprofile');
  mkdirSync(dirname(profile), { recursive: true });
  rmSync(profile, { force: true });
  const child = stack.spawnNode('ingress-traced', 'tools/bench/procs/ingress-traced.ts', {
    PORT: String(port),
    TRACE_OUT: out,
    PROFILE_OUT: profile,
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      if (i > 300) throw new Error('ingress-traced did not start');
    }
    await sleep(100);
  }
  const durationS = Math.min(10, opts.durationS);
  log(`ingress: traced ingress, ${opts.connections} connections, ${durationS} s`);
  const run = await postLoad({
    url: `${url}/webhooks/dialpad`,
    connections: opts.connections,
    durationS,
    nextBody: bodyFactory(stack.secret, 5).nextBody,
  });
  await child.stop();
  await settle('after traced ingress');
  const timings = JSON.parse(readFileSync(out, 'utf8')) as Record<string, number[]>;
  const result: Record<string, number> = {
    ingress_trace_rps: round(run.rps, 1),
    ingress_trace_cpu_ms_per_request: round(((timings.cpu_seconds?.[0] ?? Number.NaN) * 1000) / run.ok, 2),
  };
  delete timings.cpu_seconds;
  if (existsSync(profile))
    log(`  CPU profile of the serving ingress: ${profile} (tsx tools/bench/profile-summary.ts <file>)`);
  for (const [k, v] of Object.entries(timings)) {
    const d = distribution(v);
    result[`ingress_trace_${k}_p50_ms`] = round(d.p50);
    result[`ingress_trace_${k}_p99_ms`] = round(d.p99);
    result[`ingress_trace_${k}_mean_ms`] = round(d.mean);
  }
  log(
    `  traced: ${Object.entries(result)
      .map(([k, v]) => `${k.replace('ingress_trace_', '')}=${v}`)
      .join(' ')}`,
  );
  return result;
}
