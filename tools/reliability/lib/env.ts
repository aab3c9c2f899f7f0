import { randomBytes } from 'node:crypto';
import { appendFileSync, createWriteStream, mkdirSync, readFileSync, rmSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { Knex } from 'knex';
import { createKnex, migrateLatest } from '../../../src/db/knex';
import { DATA_DIR } from '../../dev/paths';
import { startLocalPostgres, type LocalPostgres } from '../../dev/postgres';
import { startTemporalDevServer, type TemporalDevServer } from '../../dev/temporal-server';
import { startSimulator, type RunningSimulator } from '../../simulator';
import type { ReliabilityOptions } from './options';
import { freePort, Teardown, waitForHttp, waitForLogLine } from '../../lib/processes';
import { Service } from './proc';

/** Everything the scenarios run against: real Postgres, real Temporal, the worker and ingress processes. */
export interface ReliabilityEnv {
  options: ReliabilityOptions;
  dir: string;
  logsDir: string;
  secrets: { webhookSecret: string; apiToken: string; adminToken: string; apiKey: string; databaseUrl: string };
  postgres: LocalPostgres;
  databaseUrl: string;
  /** The runner's own connection, for checks. */
  db: Knex;
  temporal: TemporalDevServer;
  temporalClient: Client;
  sim: RunningSimulator;
  worker: Service;
  ingress: Service;
  ingressUrl: string;
  webhookUrl: string;
  taskQueue: string;
  /** Office id → account id, one account per simulated office. */
  accounts: Map<string, string>;
  /** An account linked to an office of its own, for the hostile-but-valid events. */
  hostileOffice: { officeId: string; accountId: string };
  note(msg: string): void;
  stop(): Promise<void>;
}

export const RELIABILITY_DIR = join(DATA_DIR, 'reliability');
const DATABASE = 'reliability';

export async function startEnv(options: ReliabilityOptions): Promise<ReliabilityEnv> {
  const dir = RELIABILITY_DIR;
  const logsDir = join(dir, 'logs');
  rmSync(logsDir, { recursive: true, force: true });
  rmSync(join(dir, 'temporal'), { recursive: true, force: true });
  mkdirSync(logsDir, { recursive: true });
  const runnerLog = join(logsDir, 'runner.log');
  const note = (msg: string) => {
    const line = `[${new Date().toISOString().slice(11, 23)}] ${msg}`;
    process.stdout.write(`${line}\n`);
    try {
      appendFileSync(runnerLog, `${line}\n`);
    } catch {
      // the console has it
    }
  };
  const teardown = new Teardown({
    stepTimeoutMs: 30_000,
    onError: (err) => note(`error while stopping: ${String(err)}`),
  });

  try {
    const pgLog: WriteStream = createWriteStream(join(logsDir, 'postgres.log'), { flags: 'a' });
    teardown.add(async () => pgLog.end());
    note('starting Postgres (embedded)');
    const postgres = await startLocalPostgres({
      dataDir: join(dir, 'postgres'),
      port: await freePort(),
      log: (m) => pgLog.write(`${m}\n`),
    });
    // If the runner dies without stopping it, stop our Postgres (by the pid in its own pid file).
    const pgPidFile = join(dir, 'postgres', 'postmaster.pid');
    const killPostgres = () => {
      try {
        const pid = Number(readFileSync(pgPidFile, 'utf8').split('\n')[0]);
        if (Number.isInteger(pid) && pid > 0) process.kill(pid, 'SIGINT');
      } catch {
        // not running
      }
    };
    process.once('exit', killPostgres);
    teardown.add(async () => {
      process.removeListener('exit', killPostgres);
      await postgres.stop();
    });
    await postgres.dropDatabase(DATABASE);
    await postgres.createDatabase(DATABASE);
    const databaseUrl = postgres.urlFor(DATABASE);
    const db = createKnex(databaseUrl, { max: 6 });
    teardown.add(() => db.destroy());
    await migrateLatest(db);

    note('starting Temporal (dev server, file database)');
    const temporal = await startTemporalDevServer({
      port: await freePort(),
      namespace: 'default',
      dbFile: join(dir, 'temporal', 'temporal.db'),
      // WAL: every commit survives the server being killed (only a power cut could lose the last
      // ones), without the rollback journal's fsyncs that cap the server at a few tasks a second.
      sqlitePragmas: { journal_mode: 'wal', synchronous: 'normal' },
      logFile: join(logsDir, 'temporal-server.log'),
      log: (m) => note(`temporal: ${m}`),
    });
    teardown.add(() => temporal.stop());
    const connection = Connection.lazy({ address: temporal.address, connectTimeout: 2_000 });
    teardown.add(() => connection.close());
    const temporalClient = new Client({ connection, namespace: 'default' });

    const secrets = {
      webhookSecret: `whsec-${randomBytes(24).toString('base64url')}`,
      apiToken: `api-${randomBytes(24).toString('base64url')}`,
      adminToken: `adm-${randomBytes(24).toString('base64url')}`,
      apiKey: `dpk-${randomBytes(18).toString('base64url')}`,
      databaseUrl,
    };

    const sim = await startSimulator({ seed: 'reliability', apiKey: secrets.apiKey });
    teardown.add(() => sim.close());

    const accounts = new Map<string, string>();
    for (const office of sim.state.company.offices) {
      const [row] = await db('accounts')
        .insert({ name: `Reliability: ${office.name}`, dialpad_office_id: office.id })
        .returning('id');
      accounts.set(office.id, String((row as { id: string }).id));
    }
    const hostileOfficeId = '9000000000000001';
    const [hostileRow] = await db('accounts')
      .insert({ name: 'Reliability: hostile input', dialpad_office_id: hostileOfficeId })
      .returning('id');

    const taskQueue = `reliability-${randomBytes(4).toString('hex')}`;
    const ingressPort = await freePort();
    const childEnv: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: taskQueue,
      DIALPAD_API_KEY: secrets.apiKey,
      DIALPAD_API_BASE_URL: sim.url,
      DIALPAD_WEBHOOK_SECRET: secrets.webhookSecret,
      API_TOKEN: secrets.apiToken,
      ADMIN_TOKEN: secrets.adminToken,
      HOST: '127.0.0.1',
      PORT: String(ingressPort),
      LOG_LEVEL: 'info',
      CALL_AI_WAIT_SECONDS: String(options.aiWaitSeconds),
    };

    const worker = new Service({
      name: 'worker',
      entry: 'src/worker.ts',
      env: childEnv,
      logFile: (n) => join(logsDir, `worker-${n}.log`),
      ready: (file, alive) => waitForLogLine(file, /"msg":"worker started"/, alive, 120_000),
      note,
    });
    note('starting the worker process (src/worker.ts)');
    await worker.start();
    teardown.add(() => worker.stop());

    const ingressUrl = `http://127.0.0.1:${ingressPort}`;
    const ingress = new Service({
      name: 'ingress',
      entry: 'src/server.ts',
      env: childEnv,
      logFile: (n) => join(logsDir, `ingress-${n}.log`),
      ready: (file, alive) => waitForHttp(`${ingressUrl}/healthz`, alive, 60_000, file),
      note,
    });
    note('starting the ingress process (src/server.ts)');
    await ingress.start();
    teardown.add(() => ingress.stop());

    return {
      options,
      dir,
      logsDir,
      secrets,
      postgres,
      databaseUrl,
      db,
      temporal,
      temporalClient,
      sim,
      worker,
      ingress,
      ingressUrl,
      webhookUrl: `${ingressUrl}/webhooks/dialpad`,
      taskQueue,
      accounts,
      hostileOffice: { officeId: hostileOfficeId, accountId: String((hostileRow as { id: string }).id) },
      note,
      stop: teardown.run,
    };
  } catch (err) {
    await teardown.run();
    throw err;
  }
}
