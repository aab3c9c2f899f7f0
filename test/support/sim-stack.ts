import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp } from '../../src/app';
import type { Config } from '../../src/config';
import { createTemporalClient, type TemporalHandles } from '../../src/temporal/connection';
import { createDialpadClient } from '../../src/worker';
import { startSimulator, type RunningSimulator } from '../../tools/simulator/server';
import { createTestDatabase, type TestDatabase } from './db';
import { startTestWorker, testConfig, type RunningWorker } from './temporal';

/**
 * The real stack behind one account: the Dialpad simulator (its first office linked to the account),
 * a fresh database, an ingress built by the product's buildApp (relay off: tests that need it run it
 * by hand, test/support/relay.ts) and a worker against the simulator's API.
 */
export interface SimStack {
  sim: RunningSimulator;
  tdb: TestDatabase;
  config: Config;
  temporal: TemporalHandles;
  app: FastifyInstance;
  worker: RunningWorker;
  /** The simulator's first office, linked to the account. */
  office: string;
  close(): Promise<void>;
}

export async function startSimStack(opts: {
  seed: string;
  size: { offices: number; departments: number; callCenters: number; users: number; contacts: number };
  secret: string;
  accountName: string;
  env?: NodeJS.ProcessEnv;
}): Promise<SimStack> {
  // Stopped last-started first, also when a later step fails (so a failed start leaves nothing running).
  const started: Array<() => Promise<unknown>> = [];
  const close = async () => {
    for (const stop of started.splice(0).reverse()) await stop();
  };
  try {
    const sim = await startSimulator({ seed: opts.seed, size: opts.size });
    started.push(() => sim.close());
    const office = sim.state.company.offices[0]!.id;
    const tdb = await createTestDatabase();
    started.push(() => tdb.drop());
    const config = testConfig(tdb.url, {
      DIALPAD_WEBHOOK_SECRET: opts.secret,
      DIALPAD_API_KEY: 'simulator-key',
      DIALPAD_API_BASE_URL: sim.url,
      ...opts.env,
    });
    const temporal = createTemporalClient(config.temporal);
    started.push(() => temporal.close());
    const worker = await startTestWorker(
      config,
      tdb.db,
      createDialpadClient(config, tdb.db, pino({ level: 'silent' })),
    );
    started.push(() => worker.stop());
    const app = await buildApp({ config, db: tdb.db, temporal, relay: { disabled: true } });
    started.push(() => app.close());
    await tdb.db('accounts').insert({ name: opts.accountName, dialpad_office_id: office });
    return { sim, tdb, config, temporal, app, worker, office, close };
  } catch (err) {
    await close();
    throw err;
  }
}
