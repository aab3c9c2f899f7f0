import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app';
import type { Config } from '../../src/config';
import { createTemporalClient, type TemporalHandles } from '../../src/temporal/connection';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { startTestWorker, testConfig, type RunningWorker } from '../support/temporal';

export const API_TOKEN = 'api-token-0123456789abcdef';
export const ADMIN_TOKEN = 'admin-token-0123456789abcdef';

export interface ApiHarness {
  tdb: TestDatabase;
  config: Config;
  temporal: TemporalHandles;
  app: FastifyInstance;
  /** A request with Navigator's bearer token. */
  api(opts: InjectOptions): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/**
 * The real application on its own migrated database; the relay is off (no webhooks here). With
 * `worker`, a real worker on the app's task queue runs the workflows some routes start.
 */
export async function startApi(opts: { worker?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<ApiHarness> {
  const tdb = await createTestDatabase();
  const config = testConfig(tdb.url, { API_TOKEN, ADMIN_TOKEN, ...opts.env });
  const temporal = createTemporalClient(config.temporal);
  const app = await buildApp({ config, db: tdb.db, temporal, relay: { disabled: true } });
  const worker: RunningWorker | undefined = opts.worker ? await startTestWorker(config, tdb.db) : undefined;
  return {
    tdb,
    config,
    temporal,
    app,
    api: (opts) => app.inject({ ...opts, headers: { authorization: `Bearer ${API_TOKEN}`, ...(opts.headers ?? {}) } }),
    close: async () => {
      await app.close();
      await worker?.stop();
      await temporal.close();
      await tdb.drop();
    },
  };
}
