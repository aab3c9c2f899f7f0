import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';
import type { Knex } from 'knex';
import { createKnex, migrateLatest } from '../../../src/db/knex';
import { DATA_DIR, PROJECT_ROOT } from '../../dev/paths';
import { startLocalPostgres, type LocalPostgres } from '../../dev/postgres';
import { startTemporalDevServer, type TemporalDevServer } from '../../dev/temporal-server';
import { startSimulatedDialpad, type SimulatedDialpad } from '../../simulator';
import { EXAMPLE_OFFICE_ID } from './payloads';
import { childPids, freePort, log, sleep } from './util';

export const BENCH_DIR = join(DATA_DIR, 'bench');
export const LOG_DIR = join(BENCH_DIR, 'logs');
const NAMESPACE = 'default';

/**
 * The real stack for the benchmarks, all on loopback: an embedded Postgres (data in .data/bench),
 * a Temporal dev server in memory, the Dialpad simulator in this process, and the product's own
 * ingress (src/server.ts) and worker (src/worker.ts) as separate child processes, so each one's
 * CPU and memory can be measured.
 */
export interface BenchStack {
  databaseUrl: string;
  db: Knex;
  postgres: LocalPostgres;
  temporal: TemporalDevServer;
  temporalConnection: Connection;
  sim: SimulatedDialpad;
  secret: string;
  taskQueue: string;
  /** Account of the office in Dialpad's examples (the ingress benchmark's events). */
  exampleAccountId: string;
  /** Environment for the product processes (production mode: every service named explicitly). */
  env: NodeJS.ProcessEnv;
  ingress?: ChildProc & { url: string };
  worker?: ChildProc;
  startIngress(extraEnv?: NodeJS.ProcessEnv, nodeArgs?: string[]): Promise<ChildProc & { url: string }>;
  startWorker(extraEnv?: NodeJS.ProcessEnv, nodeArgs?: string[]): Promise<ChildProc>;
  /** Any other Node script of ours, as a child process with the stack's environment. */
  spawnNode(name: string, script: string, env?: NodeJS.ProcessEnv): ChildProc;
  workerPollers(): Promise<number>;
  /** Process groups for CpuMeter: ours, Temporal's and Postgres's. */
  cpuGroups(): Record<string, () => number[]>;
  stop(): Promise<void>;
}

export interface ChildProc {
  name: string;
  pid: number;
  proc: ChildProcess;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

const children = new Set<ChildProc>();
process.once('exit', () => {
  for (const c of children) c.proc.kill('SIGKILL');
});

export function spawnNode(name: string, script: string, env: NodeJS.ProcessEnv, nodeArgs: string[] = []): ChildProc {
  mkdirSync(LOG_DIR, { recursive: true });
  const out = openSync(join(LOG_DIR, `${name}.log`), 'w');
  const proc = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', out, out],
  });
  if (proc.pid === undefined) throw new Error(`could not start ${name}`);
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const child: ChildProc = {
    name,
    pid: proc.pid,
    proc,
    exited,
    stop: async () => {
      children.delete(child);
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      proc.kill('SIGTERM');
      await exited;
      clearTimeout(timer);
    },
  };
  children.add(child);
  return child;
}

async function waitFor(what: string, check: () => Promise<boolean>, child?: ChildProc, maxMs = 90_000): Promise<void> {
  const until = Date.now() + maxMs;
  let exitCode: number | null | undefined;
  void child?.exited.then((c) => (exitCode = c));
  while (Date.now() < until) {
    if (exitCode !== undefined) throw new Error(`${what}: process exited (${exitCode}); see ${LOG_DIR}`);
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    await sleep(200);
  }
  throw new Error(`${what} not ready after ${maxMs / 1000} s; see ${LOG_DIR}`);
}

export async function startBenchStack(opts: { logLevel?: string } = {}): Promise<BenchStack> {
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const s of stops.reverse()) await s().catch((e: unknown) => log(`stop: ${(e as Error).message}`));
  };
  try {
    mkdirSync(LOG_DIR, { recursive: true });
    log('starting Postgres (embedded, .data/bench/postgres)');
    const postgres = await startLocalPostgres({ dataDir: join(BENCH_DIR, 'postgres'), port: await freePort() });
    stops.push(() => postgres.stop());
    await postgres.dropDatabase('bench');
    await postgres.createDatabase('bench');
    const databaseUrl = postgres.urlFor('bench');
    const db = createKnex(databaseUrl, { max: 10 });
    stops.push(() => db.destroy());
    await migrateLatest(db);

    log('starting a Temporal dev server (in memory, headless)');
    const temporal = await startTemporalDevServer({
      port: await freePort(),
      namespace: NAMESPACE,
      logFile: join(LOG_DIR, 'temporal.log'),
      log: () => undefined,
    });
    stops.push(() => temporal.stop());
    const temporalConnection = await Connection.connect({ address: temporal.address });
    stops.push(() => temporalConnection.close());

    // The default simulated company is the sync benchmark's: 2,000 users and 50,000 contacts.
    const sim = await startSimulatedDialpad({ seed: 'bench', requestLogSize: 100_000 });
    stops.push(() => sim.close());

    for (const office of sim.state.company.offices) {
      await db('accounts').insert({ name: `Bench: ${office.name}`, dialpad_office_id: office.id });
    }
    const [example] = await db('accounts')
      .insert({ name: 'Bench: examples office', dialpad_office_id: EXAMPLE_OFFICE_ID })
      .returning('id');
    const exampleAccountId = String((example as { id: string }).id);

    const secret = randomBytes(32).toString('base64url');
    const taskQueue = `bench-${randomBytes(4).toString('hex')}`;
    const env: NodeJS.ProcessEnv = {
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: NAMESPACE,
      TEMPORAL_TASK_QUEUE: taskQueue,
      DIALPAD_API_KEY: 'bench-simulator-key',
      DIALPAD_API_BASE_URL: sim.url,
      DIALPAD_WEBHOOK_SECRET: secret,
      HOST: '127.0.0.1',
      API_TOKEN: randomBytes(24).toString('hex'),
      ADMIN_TOKEN: randomBytes(24).toString('hex'),
      LOG_LEVEL: opts.logLevel ?? 'info',
    };

    const workerPollers = async () => {
      let pollers = 0;
      for (const type of [
        proto.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        proto.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
      ]) {
        const r = await temporalConnection.workflowService.describeTaskQueue({
          namespace: NAMESPACE,
          taskQueue: { name: taskQueue },
          taskQueueType: type,
        });
        if ((r.pollers?.length ?? 0) === 0) return 0;
        pollers += r.pollers?.length ?? 0;
      }
      return pollers;
    };

    const stack: BenchStack = {
      databaseUrl,
      db,
      postgres,
      temporal,
      temporalConnection,
      sim,
      secret,
      taskQueue,
      exampleAccountId,
      env,
      spawnNode: (name, script, extra = {}) => spawnNode(name, script, { ...env, ...extra }),
      workerPollers,
      cpuGroups: () => {
        const postmaster = Number(readFileSync(join(BENCH_DIR, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
        return {
          runner: () => [process.pid],
          ingress: () => (stack.ingress ? [stack.ingress.pid] : []),
          worker: () => (stack.worker ? [stack.worker.pid] : []),
          temporal: () => (temporal.pid ? [temporal.pid] : []),
          postgres: () => [postmaster, ...childPids(postmaster)],
        };
      },
      startIngress: async (extraEnv = {}, nodeArgs = []) => {
        const port = await freePort();
        const child = spawnNode('ingress', 'src/server.ts', { ...env, PORT: String(port), ...extraEnv }, nodeArgs);
        const url = `http://127.0.0.1:${port}`;
        await waitFor('ingress', async () => (await fetch(`${url}/healthz`)).ok, child);
        stack.ingress = { ...child, url };
        return stack.ingress;
      },
      startWorker: async (extraEnv = {}, nodeArgs = []) => {
        const child = spawnNode('worker', 'src/worker.ts', { ...env, ...extraEnv }, nodeArgs);
        await waitFor('worker', async () => (await workerPollers()) > 0, child);
        stack.worker = child;
        return child;
      },
      stop: async () => {
        await stack.ingress?.stop();
        await stack.worker?.stop();
        await stopAll();
      },
    };
    return stack;
  } catch (err) {
    await stopAll();
    throw err;
  }
}
