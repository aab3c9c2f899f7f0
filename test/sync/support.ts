import { randomBytes } from 'node:crypto';
import type { Client, Connection } from '@temporalio/client';
import pino from 'pino';
import type { Config } from '../../src/config';
import { DialpadClient, type DialpadClientOptions } from '../../src/dialpad/client';
import { PostgresRateLimiter } from '../../src/dialpad/pg-rate-limiter';
import type { RecordedRequest } from '../../tools/simulator/state';
import { startSimulator, type RunningSimulator, type StartSimulatorOptions } from '../../tools/simulator/server';
import { contactSyncWorkflow, directorySyncWorkflow } from '../../workflows';
import type { ContactSyncProgress, ContactSyncWorkflowInput, DirectorySyncResult } from '../../workflows/shared';
import { taskQueuesOf } from '../../workflows/shared/task-queues';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { startTestWorker, temporalClient, testConfig, type RunningWorker } from '../support/temporal';

/**
 * The real stack for sync tests: a Dialpad simulator, a fresh migrated database, a worker on its own
 * task queue whose Dialpad client is the production one (Postgres-shared rate limiter, Dialpad's
 * real limits) pointed at the simulator, and an account linked to one of the simulator's offices.
 */
export interface SyncStack {
  sim: RunningSimulator;
  tdb: TestDatabase;
  config: Config;
  temporal: { client: Client; connection: Connection };
  dialpad: DialpadClient;
  worker: RunningWorker;
  accountId: string;
  officeId: string;
  close(): Promise<void>;
}

export async function startSyncStack(
  options: {
    sim?: StartSimulatorOptions;
    /** Client options for tests that must not wait Dialpad's real 429 backoff. */
    client?: Partial<DialpadClientOptions>;
    defaultRegion?: string;
    /** Start without a worker (tests that drive workers themselves). */
    noWorker?: boolean;
    env?: NodeJS.ProcessEnv;
  } = {},
): Promise<SyncStack> {
  const sim = await startSimulator(options.sim ?? {});
  const tdb = await createTestDatabase();
  const config = testConfig(tdb.url, {
    DIALPAD_API_KEY: 'simulator-key',
    DIALPAD_API_BASE_URL: sim.url,
    ...options.env,
  });
  const dialpad = new DialpadClient({
    apiKey: 'simulator-key',
    baseUrl: sim.url,
    rateLimiter: new PostgresRateLimiter(tdb.db),
    logger: pino({ level: 'silent' }),
    ...options.client,
  });
  const temporal = await temporalClient();
  const worker = options.noWorker
    ? { worker: undefined as never, stop: async () => undefined }
    : await startTestWorker(config, tdb.db, dialpad);
  const officeId = sim.state.company.offices[0]!.id;
  const [account] = await tdb
    .db('accounts')
    .insert({ name: 'Sync test', dialpad_office_id: officeId, default_region: options.defaultRegion ?? 'US' })
    .returning('id');
  const accountId = (account as { id: string }).id;
  return {
    sim,
    tdb,
    config,
    temporal,
    dialpad,
    worker,
    accountId,
    officeId,
    close: async () => {
      await worker.stop();
      await temporal.connection.close();
      await tdb.drop();
      await sim.close();
    },
  };
}

export function uniqueId(prefix: string): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

/** The sync queue (`<TEMPORAL_TASK_QUEUE>-sync`), where the schedules start the syncs. */
const syncQueue = (s: SyncStack) => taskQueuesOf(s.config.temporal.taskQueue).sync;

export function runDirectorySync(s: SyncStack): Promise<DirectorySyncResult> {
  return s.temporal.client.workflow.execute(directorySyncWorkflow, {
    taskQueue: syncQueue(s),
    workflowId: uniqueId(`test-directory-sync-${s.accountId}`),
    args: [{ accountId: s.accountId }],
  });
}

export function runContactSync(
  s: SyncStack,
  input: Partial<ContactSyncWorkflowInput> = {},
  workflowId = uniqueId(`test-contact-sync-${s.accountId}`),
): Promise<ContactSyncProgress> {
  return s.temporal.client.workflow.execute(contactSyncWorkflow, {
    taskQueue: syncQueue(s),
    workflowId,
    args: [{ accountId: s.accountId, ...input }],
  });
}

/** The simulator's request log, in arrival order. */
export function requests(
  s: SyncStack,
  filter: { since?: number; method?: string; path?: string } = {},
): RecordedRequest[] {
  return s.sim.state.requests.filter(
    (r) =>
      r.seq > (filter.since ?? 0) &&
      (!filter.method || r.method === filter.method) &&
      (!filter.path ||
        (filter.path.endsWith('*') ? r.path.startsWith(filter.path.slice(0, -1)) : r.path === filter.path)),
  );
}

/** One page of a list: which list (owner) and where in it (cursor). */
export function pageKey(r: RecordedRequest): string {
  const q = r.query as Record<string, string | undefined>;
  return `${q.owner_id ?? ''}|${q.cursor ?? ''}`;
}

export function lastSeq(s: SyncStack): number {
  return s.sim.state.requests.at(-1)?.seq ?? 0;
}

/** Calls the simulator's Dialpad API as someone editing in Dialpad would. */
export async function dialpadApi(s: SyncStack, method: string, path: string, body?: unknown): Promise<unknown> {
  // The simulator's company-wide limit also counts the sync that just ran: like any client, wait
  // out a 429 and try again (a person editing in Dialpad would not see the API's limit at all).
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(`${s.sim.url}${path}`, {
      method,
      headers: {
        authorization: 'Bearer simulator-key',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json: unknown = await res.json();
    if (res.status === 429 && attempt < 20) {
      const retryAfter = Number(res.headers.get('retry-after'));
      await new Promise((r) => setTimeout(r, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : 250));
      continue;
    }
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  }
}

/** Every contact the simulator would list for the office: shared ones and its users' local ones. */
export function officeContacts(s: SyncStack) {
  const owners = new Set(s.sim.state.company.users.filter((u) => u.officeId === s.officeId).map((u) => u.id));
  return [...s.sim.state.contacts.all()].filter(
    (c) => c.type === 'shared' || (c.ownerId !== null && owners.has(c.ownerId)),
  );
}
