import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import underPressure from '@fastify/under-pressure';
import Fastify from 'fastify';

/**
 * Experiment (not part of `npm run bench`): where a delivery waits when a burst outruns the
 * ingress, and what each limit does about it. A Fastify process shaped like the ingress (an
 * in-flight cap of 64 answered 503 in onRequest; each admitted request costs CPU_MS of CPU and
 * 100 ms of waiting) takes RATE requests a second for 5 s from a client with Dialpad's 5 s timeout,
 * once per variant: Node's default listen backlog (511) or 4096, with or without shedding on
 * event-loop utilisation (interval mode, 200 ms samples). It prints, per variant, the answers, the
 * timeouts, the latency and how many connections the kernel dropped for a full accept queue
 * (TcpExtListenOverflows, machine-wide, so run it on a quiet machine).
 *
 *   npx tsx tools/bench/experiments/listen-backlog.ts            # RATE=600 CPU_MS=3
 *
 * What it showed (2 cores shared with other work, 3,000 requests each). At load average about 3
 * (a JavaScript draft of this script):
 * backlog 511: 727 to 1,241 timeouts, 4,028 to 9,357 overflows; backlog 4096: no timeout, no
 * overflow, 1,361 answered 200, p99 4.2 s (waiting in the accept queue, where no in-process limit
 * sees it); utilisation shedding at 0.97 as well: no timeout, p99 1.0 to 1.8 s, but 520 to 713
 * answered 200 (it refuses everything for a whole sample, then admits everything). At load average
 * 8.8 (other jobs): 511: 2,662 timeouts, 21,164 overflows; 4096: 2,364 timeouts, 556 overflows;
 * 4096 with utilisation 0.97: no timeout, p99 4.9 s, 196 answered 200. Hence the ingress's
 * LISTEN_BACKLOG (src/app.ts), and the utilisation limit left to the operator: it trades
 * throughput, so deliveries refused through all of Dialpad's retries, for timeouts.
 */
const RATE = Number(process.env.RATE ?? 600);
const SECONDS = 5;
const CPU_MS = Number(process.env.CPU_MS ?? 3);
const CAP = 64;

interface Variant {
  backlog: number;
  elu: number;
}

async function serve(variant: Variant): Promise<void> {
  const app = Fastify({ requestTimeout: 10_000, connectionTimeout: 10_000 });
  let inFlight = 0;
  const admitted = new WeakSet<object>();
  if (variant.elu > 0) {
    await app.register(underPressure, {
      maxEventLoopUtilization: variant.elu,
      eventLoopUtilizationMode: 'interval',
      sampleInterval: 200,
    });
  }
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.addHook('onRequest', (req, reply, done) => {
    if (inFlight >= CAP) {
      reply.code(503).send({ error: 'under_pressure' });
      return;
    }
    inFlight++;
    admitted.add(req);
    done();
  });
  app.addHook('onSend', (req, _reply, payload, done) => {
    if (admitted.delete(req)) inFlight--;
    done(null, payload);
  });
  app.post('/x', async () => {
    const until = Date.now() + CPU_MS;
    while (Date.now() < until) {
      /* the request's CPU */
    }
    await new Promise((r) => setTimeout(r, 100));
    return { ok: true };
  });
  await app.listen({ host: '127.0.0.1', port: 0, backlog: variant.backlog });
  process.send?.({ port: (app.server.address() as { port: number }).port });
}

async function load(port: number) {
  const tally = { ok: 0, shed: 0, timeouts: 0, other: 0, latencies: [] as number[] };
  const one = async () => {
    const started = Date.now();
    try {
      const res = await fetch(`http://127.0.0.1:${port}/x`, {
        method: 'POST',
        body: 'x'.repeat(1300),
        signal: AbortSignal.timeout(5_000),
      });
      await res.arrayBuffer();
      tally.latencies.push(Date.now() - started);
      if (res.status === 200) tally.ok++;
      else if (res.status === 503) tally.shed++;
      else tally.other++;
    } catch (err) {
      if ((err as Error).name === 'TimeoutError') tally.timeouts++;
      else tally.other++;
    }
  };
  const sent: Promise<void>[] = [];
  const start = Date.now();
  for (let i = 0; i < RATE * SECONDS; i++) {
    const wait = start + (i * 1000) / RATE - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    sent.push(one());
  }
  await Promise.all(sent);
  const l = tally.latencies.sort((a, b) => a - b);
  const q = (p: number) => l[Math.floor(p * (l.length - 1))] ?? NaN;
  return { ok: tally.ok, shed: tally.shed, timeouts: tally.timeouts, other: tally.other, p50: q(0.5), p99: q(0.99) };
}

function listenOverflows(): number {
  const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n');
  const names = lines.find((l) => l.startsWith('TcpExt:'))!.split(/\s+/);
  const values = lines.filter((l) => l.startsWith('TcpExt:'))[1]!.split(/\s+/);
  return Number(values[names.indexOf('ListenOverflows')]);
}

async function main(): Promise<void> {
  if (process.env.LISTEN_BACKLOG_SERVER) {
    await serve(JSON.parse(process.env.LISTEN_BACKLOG_SERVER) as Variant);
    return;
  }
  const variants: Variant[] = [
    { backlog: 511, elu: 0 },
    { backlog: 4096, elu: 0 },
    { backlog: 4096, elu: 0.97 },
  ];
  for (const v of variants) {
    const child: ChildProcess = fork(__filename, [], {
      env: { ...process.env, LISTEN_BACKLOG_SERVER: JSON.stringify(v) },
      execArgv: process.execArgv,
    });
    const port = await new Promise<number>((resolve) =>
      child.once('message', (m: { port: number }) => resolve(m.port)),
    );
    const before = listenOverflows();
    const result = await load(port);
    console.log(JSON.stringify({ ...v, ...result, listenOverflows: listenOverflows() - before }));
    child.kill();
    await new Promise((r) => child.once('exit', r));
  }
}

void main();
