import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp } from '../../src/app';
import type { Config } from '../../src/config';
import type { DialpadClient } from '../../src/dialpad/client';
import { opsDialpadClient, type Actor } from '../../src/ops';
import { scheduleId, type ScheduleKindName as ScheduleKind } from '../../src/schedules';
import { emitCalls, type EmitOptions, type EmitResult } from '../../tools/simulator/emitter';
import { startSimulator, type RunningSimulator, type StartSimulatorOptions } from '../../tools/simulator/server';
import { createTemporalClient, type TemporalHandles } from '../../src/temporal/connection';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { startTestWorker, testConfig, type RunningWorker } from '../support/temporal';
import { callWorkflowId } from '../../workflows/shared/ids';
import { relayPending } from '../support/relay';

export const SECRET = 'ops-test-webhook-secret-0123456789-abcdefghij';
export const API_TOKEN = 'ops-api-token-0123456789abcdef';
export const ADMIN_TOKEN = 'ops-admin-token-0123456789abcdef';
export const TEST_ACTOR: Actor = { actor: 'test', sourceAddress: null };

/** A small simulated company with Dialpad Ai off, so calls end without minutes of Ai fetching. */
export const SMALL = { offices: 2, departments: 2, callCenters: 1, users: 12, contacts: 20 };

export interface OpsStack {
  sim: RunningSimulator;
  tdb: TestDatabase;
  config: Config;
  temporal: TemporalHandles;
  app: FastifyInstance;
  worker: RunningWorker | null;
  dialpad: DialpadClient;
  /** The ingress's webhook URL, as registered in the simulator. */
  hookUrl: string;
  close(): Promise<void>;
}

/**
 * The real stack for operations tests: a migrated database, the ingress listening on a port (so
 * the simulator can deliver to it), a worker on its own task queue, and the Dialpad simulator as
 * Dialpad. The relay is driven by hand (`app.deliveryRelay.runOnce()`).
 */
export async function startOpsStack(
  opts: { sim?: StartSimulatorOptions; env?: NodeJS.ProcessEnv; worker?: boolean } = {},
): Promise<OpsStack> {
  const sim = await startSimulator({ seed: 'ops', size: SMALL, aiOfficeIds: [], ...opts.sim });
  const tdb = await createTestDatabase();
  const config = testConfig(tdb.url, {
    DIALPAD_WEBHOOK_SECRET: SECRET,
    DIALPAD_API_KEY: 'simulator-key',
    DIALPAD_API_BASE_URL: sim.url,
    API_TOKEN,
    ADMIN_TOKEN,
    CALL_AI_WAIT_SECONDS: '1',
    ...opts.env,
  });
  const temporal = createTemporalClient(config.temporal);
  const app = await buildApp({ config, db: tdb.db, temporal, relay: { disabled: true } });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const dialpad = opsDialpadClient(config, tdb.db, pino({ level: 'silent' }))!;
  const worker = opts.worker === false ? null : await startTestWorker(config, tdb.db, dialpad);
  return {
    sim,
    tdb,
    config,
    temporal,
    app,
    worker,
    dialpad,
    hookUrl: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/webhooks/dialpad`,
    close: async () => {
      await app.close();
      await worker?.stop();
      await temporal.close();
      await tdb.drop();
      await sim.close();
    },
  };
}

export async function createAccount(s: OpsStack, name: string, officeId: string | null): Promise<string> {
  const [row] = await s.tdb.db('accounts').insert({ name, dialpad_office_id: officeId }).returning('id');
  return (row as { id: string }).id;
}

/** Calls placed and delivered as Dialpad would, then every leg's call workflow run to its end. */
export async function emitAndSettle(
  s: OpsStack,
  options: Partial<EmitOptions> & { seed: string },
): Promise<EmitResult> {
  const result = await emitCalls({
    calls: 2,
    rate: 20,
    kinds: ['inbound_answered', 'inbound_missed'],
    simulator: s.sim.state,
    timeScale: 0.005,
    retryScale: 0.05,
    ...options,
  });
  await relayPending(s.app, s.tdb.db);
  for (const d of result.deliveries) {
    if (d.outcome === 'delivered') await s.temporal.client.workflow.getHandle(callWorkflowId(d.callId)).result();
  }
  return result;
}

/** How many runs a workflow id has had. */
export async function runsOf(s: OpsStack, workflowId: string): Promise<number> {
  let n = 0;
  for await (const _ of s.temporal.client.workflow.list({ query: `WorkflowId = "${workflowId}"` })) n++;
  return n;
}

export { waitFor } from '../support/wait';

export async function simRequest(
  sim: RunningSimulator,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: any }> {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: {
      authorization: 'Bearer simulator-key',
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/**
 * A stand-in for one of the sync's schedules: the contract id, and as its action a short workflow
 * of our own (a one-second backfill), so a triggered run finishes — or fails, with a fault injected
 * in the simulator — without depending on the sync's code.
 */
export async function createStandInSchedule(
  s: OpsStack,
  kind: ScheduleKind,
  accountId: string,
  officeId: string,
): Promise<string> {
  const id = scheduleId(kind, accountId);
  const at = Date.now() - 60_000;
  await s.temporal.client.schedule.create({
    scheduleId: id,
    spec: { intervals: [{ every: '1 day' }] },
    action: {
      type: 'startWorkflow',
      workflowType: 'backfillWorkflow',
      workflowId: `${id}-run`,
      taskQueue: s.config.temporal.taskQueue,
      args: [{ accountId, officeId, fromMs: at, toMs: at + 1000, aiWaitSeconds: 1, requestedBy: 'test schedule' }],
    },
  });
  return id;
}
