import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';
import type { Knex } from 'knex';
import { createKnex, migrateLatest } from '../../../src/db/knex';
import { DATA_DIR } from '../../dev/paths';
import { startLocalPostgres, type LocalPostgres } from '../../dev/postgres';
import { startTemporalDevServer, type TemporalDevServer } from '../../dev/temporal-server';
import { startSimulatedDialpad, type SimulatedDialpad } from '../../simulator';
import { EXAMPLE_OFFICE_ID } from './payloads';
import { deprioritise, freePort, spawnNodeScript, Teardown, type Child } from '../../lib/processes';
import { waitFor } from '../../lib/wait';
import { childPids, log, REAPING_PARENTS } from './util';

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
  /** The worker's Temporal SDK metrics (its TEMPORAL_METRICS_PORT), once it runs. */
  workerSdkMetricsUrl?: string;
  startIngress(extraEnv?: NodeJS.ProcessEnv, nodeArgs?: string[]): Promise<ChildProc & { url: string }>;
  startWorker(extraEnv?: NodeJS.ProcessEnv, nodeArgs?: string[]): Promise<ChildProc>;
  /** Any other Node script of ours, as a child process with the stack's environment. */
  spawnNode(name: string, script: string, env?: NodeJS.ProcessEnv): ChildProc;
  workerPollers(): Promise<number>;
  /** Process groups for CpuMeter: ours, Temporal's and Postgres's. */
  cpuGroups(): Record<string, () => number[]>;
  /**
   * With the ingress first (the default), puts a process behind the ingress (BACKGROUND_NICENESS):
   * the worker, Temporal and Postgres are, and so is an older commit's worker (e2e --compare).
   */
  behindIngress(pid: number): void;
  stop(): Promise<void>;
}

export type ChildProc = Child;

/** Any Node script of ours as a child, its output in LOG_DIR/<name>.log (started afresh). */
export function spawnNode(name: string, script: string, env: NodeJS.ProcessEnv, nodeArgs: string[] = []): ChildProc {
  return spawnNodeScript({
    name,
    script,
    nodeArgs,
    env: { ...process.env, ...env },
    logFile: join(LOG_DIR, `${name}.log`),
    logMode: 'w',
    stopGraceMs: 15_000,
  });
}

/**
 * The niceness of the worker, Temporal and Postgres when the ingress goes first. On a shared machine
 * the ingress must read every webhook within Dialpad's 5 s, to answer or shed it; the work behind
 * it is durable and catches up. CFS gives nice 0 about nine times the CPU share of nice 10.
 */
export const BACKGROUND_NICENESS = 10;

/** Polls until `check` holds; fails early if `child` exits. */
const ready = (what: string, check: () => Promise<boolean>, child: ChildProc) =>
  waitFor(what, check, { timeoutMs: 90_000, gone: child.exitReason, hint: () => `; see ${LOG_DIR}` });

export async function startBenchStack(
  opts: {
    logLevel?: string;
    /** false: every process at the same priority (`--flat-priority`), as before 2026-12-08. */
    ingressFirst?: boolean;
  } = {},
): Promise<BenchStack> {
  const ingressFirst = opts.ingressFirst ?? true;
  const postmasterPid = () =>
    Number(readFileSync(join(BENCH_DIR, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
  const behindIngress = (pid: number | undefined) => {
    if (ingressFirst && pid) deprioritise(pid, BACKGROUND_NICENESS);
  };
  const teardown = new Teardown({ onError: (e) => log(`stop: ${(e as Error).message}`) });
  try {
    mkdirSync(LOG_DIR, { recursive: true });
    log('starting Postgres (embedded, .data/bench/postgres)');
    const postgres = await startLocalPostgres({ dataDir: join(BENCH_DIR, 'postgres'), port: await freePort() });
    teardown.add(() => postgres.stop());
    await postgres.dropDatabase('bench');
    await postgres.createDatabase('bench');
    const databaseUrl = postgres.urlFor('bench');
    const db = createKnex(databaseUrl, { max: 10 });
    teardown.add(() => db.destroy());
    await migrateLatest(db);
    // Backends are forked from the postmaster and inherit its niceness; the ones running now too.
    const postmaster = postmasterPid();
    for (const pid of [postmaster, ...childPids(postmaster)]) behindIngress(pid);

    log('starting a Temporal dev server (in memory, headless)');
    const temporal = await startTemporalDevServer({
      port: await freePort(),
      // Its own counts of signals, workflow starts and tasks (the e2e's Temporal actions per call).
      metricsPort: await freePort(),
      namespace: NAMESPACE,
      logFile: join(LOG_DIR, 'temporal.log'),
      log: () => undefined,
    });
    teardown.add(() => temporal.stop());
    behindIngress(temporal.pid);
    log(
      ingressFirst
        ? `the ingress first: the worker, Temporal and Postgres at nice ${BACKGROUND_NICENESS} (--flat-priority: all equal)`
        : 'flat priority: the ingress, the worker, Temporal and Postgres equal',
    );
    const temporalConnection = await Connection.connect({ address: temporal.address });
    teardown.add(() => temporalConnection.close());

    // The default simulated company is the sync benchmark's: 2,000 users and 50,000 contacts.
    const sim = await startSimulatedDialpad({ seed: 'bench', requestLogSize: 100_000 });
    teardown.add(() => sim.close());

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
      behindIngress,
      cpuGroups: () => {
        const postmaster = postmasterPid();
        REAPING_PARENTS.add(postmaster);
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
        await ready('ingress', async () => (await fetch(`${url}/healthz`)).ok, child);
        stack.ingress = { ...child, url };
        return stack.ingress;
      },
      startWorker: async (extraEnv = {}, nodeArgs = []) => {
        const sdkPort = await freePort();
        const child = spawnNode(
          'worker',
          'src/worker.ts',
          { ...env, TEMPORAL_METRICS_PORT: String(sdkPort), ...extraEnv },
          nodeArgs,
        );
        await ready('worker', async () => (await workerPollers()) > 0, child);
        behindIngress(child.pid);
        stack.worker = child;
        stack.workerSdkMetricsUrl = `http://127.0.0.1:${sdkPort}/metrics`;
        return child;
      },
      stop: async () => {
        await stack.ingress?.stop();
        await stack.worker?.stop();
        await teardown.run();
      },
    };
    return stack;
  } catch (err) {
    await teardown.run();
    throw err;
  }
}
