import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { Client, Connection, type WorkflowClientInterceptor } from '@temporalio/client';
import { buildApp } from '../../../src/app';
import { loadConfigOrExit } from '../../../src/config';
import { createKnex } from '../../../src/db/knex';
import { loggerOptions } from '../../../src/logger';
import type { TemporalHandles } from '../../../src/temporal/connection';

/**
 * The ingress exactly as src/server.ts builds it, plus timing of where each request waits: the
 * Postgres pool, each Postgres query (by kind) and signalWithStart. Written to TRACE_OUT on SIGTERM.
 * Diagnostic only (`npm run bench -- ingress --trace`); the benchmark's figures come from src/server.ts.
 */
const timings: Record<string, number[]> = {};
const record = (k: string, ms: number) => (timings[k] ??= []).push(ms);

async function main(): Promise<void> {
  const config = loadConfigOrExit('production');
  const db = createKnex(config.databaseUrl!);
  const started = new Map<string, number>();
  db.on('query', (q: { __knexQueryUid: string }) => started.set(q.__knexQueryUid, performance.now()));
  db.on('query-response', (_r: unknown, q: { __knexQueryUid: string; sql: string }) => {
    const t = started.get(q.__knexQueryUid);
    started.delete(q.__knexQueryUid);
    if (t === undefined) return;
    const sql = q.sql.toLowerCase();
    const kind = sql.startsWith('insert into "dialpad_webhook_deliveries"')
      ? 'pg_record_insert'
      : sql.includes('from "accounts"')
        ? 'pg_route_select'
        : sql.startsWith('update "dialpad_webhook_deliveries"')
          ? 'pg_mark_signalled'
          : 'pg_other';
    record(kind, performance.now() - t);
  });
  const pool = (db.client as { pool: NodeJS.EventEmitter }).pool;
  const acquire = new Map<number, number>();
  pool.on('acquireRequest', (id: number) => acquire.set(id, performance.now()));
  pool.on('acquireSuccess', (id: number) => {
    const t = acquire.get(id);
    acquire.delete(id);
    if (t !== undefined) record('pg_pool_wait', performance.now() - t);
  });

  const interceptor: WorkflowClientInterceptor = {
    async signalWithStart(input, next) {
      const t = performance.now();
      try {
        return await next(input);
      } finally {
        record('temporal_signal_with_start', performance.now() - t);
      }
    },
  };
  const connection = Connection.lazy({ address: config.temporal.address!, connectTimeout: 2_000, interceptors: [] });
  const temporal: TemporalHandles = {
    client: new Client({ connection, namespace: config.temporal.namespace, interceptors: { workflow: [interceptor] } }),
    connection,
    probe: connection,
    close: async () => connection.close(),
  };
  const app = await buildApp({ config, db, temporal, logger: loggerOptions(config.logLevel, 'ingress') });
  app.addHook('onResponse', async (req, reply) => {
    if (req.url.startsWith('/webhooks/')) record('request_total', reply.elapsedTime);
  });
  // A CPU profile of the serving process only (no start-up): from the first webhook on.
  const session = process.env.PROFILE_OUT ? new Session() : undefined;
  let profiling = false;
  if (session) {
    session.connect();
    app.addHook('onRequest', async (req) => {
      if (profiling || !req.url.startsWith('/webhooks/')) return;
      profiling = true;
      session.post('Profiler.enable', () => session.post('Profiler.start'));
    });
  }
  await app.listen({ host: config.http.host, port: config.http.port });
  const cpuAtStart = process.cpuUsage();
  process.once('SIGTERM', () => {
    const cpu = process.cpuUsage(cpuAtStart);
    timings.cpu_seconds = [(cpu.user + cpu.system) / 1e6];
    writeFileSync(process.env.TRACE_OUT!, JSON.stringify(timings));
    const close = () =>
      void app
        .close()
        .then(async () => {
          await temporal.close();
          await db.destroy();
        })
        .finally(() => process.exit(0));
    if (!session || !profiling) return close();
    session.post('Profiler.stop', (err, res) => {
      if (!err) writeFileSync(process.env.PROFILE_OUT!, JSON.stringify(res.profile));
      close();
    });
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`ingress-traced failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
