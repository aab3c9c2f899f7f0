import Fastify from 'fastify';
import type { AppDeps } from '../../../src/app';
import { loadConfigOrExit } from '../../../src/config';
import { createKnex } from '../../../src/db/knex';
import {
  ACTED_ON_STATES,
  dedupeKey,
  type CallEventSignal,
  type CallLegEvent,
} from '../../../workflows/shared/call-event';
import { DeliveryStore } from '../../../src/ingress/delivery-repository';
import { officeFromEvent, routeEvent, type Route } from '../../../src/ingress/routing';
import { AcceptancePolicy } from '../../../src/ingress/acceptance';
import { signalCallWorkflow } from '../../../src/ingress/signal';
import { validateCallEvent } from '../../../src/ingress/validate';
import { createVerifier, WebhookRejection } from '../../../src/ingress/verify';
import { loggerOptions } from '../../../src/logger';
import { createMetrics } from '../../../src/telemetry/metrics';
import { webhookRoutes } from '../../../src/routes/webhooks';
import { createTemporalClient } from '../../../src/temporal/connection';

/**
 * Experiment (not part of `npm run bench`): the webhook route as it is (VARIANT=current, the
 * product's own webhookRoutes) and two proposed changes, in the same minimal Fastify process, so
 * `tools/bench/experiments/ingress-variants.ts` can compare them under the same load.
 *
 * - fused: routing and recording in one statement (one round trip instead of two), then the
 *   product's acceptance policy (src/ingress/acceptance.ts).
 * - parallel: route (a read), then record (a durable write) and signalWithStart at the same time;
 *   the answer waits for both, so "2xx once durably accepted" holds. A duplicate is signalled
 *   too (the workflow ignores a repeated event); deliveryId is not sent (only the Postgres-down
 *   path of recordCallEvent reads it).
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit('production');
  const db = createKnex(config.databaseUrl!);
  const temporal = createTemporalClient(config.temporal);
  const app = Fastify({
    logger: loggerOptions(config.logLevel, 'ingress'),
    requestTimeout: 10_000,
    connectionTimeout: 10_000,
    bodyLimit: 256 * 1024,
    genReqId: () => `req-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
  });
  const deps: AppDeps = { config, db, temporal, metrics: createMetrics(), log: app.log };
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.addHook('onResponse', async (req, reply) => {
    deps.metrics.httpRequestDuration.observe(
      { method: req.method, route: req.routeOptions.url ?? 'unknown', status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  const variant = process.env.VARIANT ?? 'current';
  if (variant === 'current') await app.register(async (scope) => webhookRoutes(scope, deps));
  else await app.register(async (scope) => variantRoutes(scope, deps, variant as 'fused' | 'parallel'));
  await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) });
  process.once('SIGTERM', () => {
    void app
      .close()
      .then(async () => {
        await temporal.close();
        await db.destroy();
      })
      .finally(() => process.exit(0));
  });
}

async function variantRoutes(
  app: import('fastify').FastifyInstance,
  deps: AppDeps,
  variant: 'fused' | 'parallel',
): Promise<void> {
  const { config, db } = deps;
  const verify = createVerifier({ secret: config.dialpad.webhookSecret, allowUnsigned: false });
  const store = new DeliveryStore(db);
  const signalOpts = {
    taskQueue: config.temporal.taskQueue,
    aiWaitSeconds: config.callAiWaitSeconds,
    aiFetchAttempts: config.callAiFetchAttempts,
    timeoutMs: 2_000,
  };
  // The product's budgets, back-pressure and breaker (src/ingress/acceptance.ts).
  const acceptance = new AcceptancePolicy(deps.temporal.client, signalOpts);
  const breaker = acceptance.breaker;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  /** Route and record in one round trip (an office on the event; otherwise the two steps). */
  const routeAndRecord = async (e: CallLegEvent, verifiedWith: string) => {
    const officeId = officeFromEvent(e);
    if (!officeId) {
      const route = await routeEvent(db, e);
      const rec = await store.record({ event: e, ...route, verifiedWith: verifiedWith as 'current' });
      return { route, recorded: rec };
    }
    const { rows } = await db.raw<{ rows: { id: string | null; account_id: string | null }[] }>(
      `with route as (select (select id from accounts where dialpad_office_id = ?) as account_id),
            ins as (
              insert into dialpad_webhook_deliveries (dedupe_key, call_id, state, event_timestamp, office_id, target_type,
                     target_id, account_id, routing_status, verified_with, payload)
              select ?, ?, ?, ?, ?, ?, ?, r.account_id, case when r.account_id is null then 'unrouted' else 'routed' end, ?, ?::jsonb
                from route r
              on conflict (dedupe_key) do nothing
              returning id)
       select (select id from ins) as id, r.account_id from route r`,
      [
        officeId,
        dedupeKey(e),
        e.callId,
        e.state,
        e.eventTimestamp,
        officeId,
        e.target?.type ?? null,
        e.target?.id ?? null,
        verifiedWith,
        JSON.stringify(e),
      ],
    );
    const row = rows[0]!;
    return {
      route: { officeId, accountId: row.account_id } as Route,
      recorded: { id: row.id === null ? '' : String(row.id), duplicate: row.id === null },
    };
  };

  app.post('/webhooks/dialpad', async (req, reply) => {
    const started = process.hrtime.bigint();
    const raw = typeof req.body === 'string' ? req.body : '';
    let event: CallLegEvent;
    let verifiedWith: 'current' | 'previous' | 'unsigned';
    try {
      const verified = await verify(raw);
      verifiedWith = verified.verifiedWith;
      event = validateCallEvent(verified.claims ?? {});
    } catch (err) {
      if (!(err instanceof WebhookRejection)) throw err;
      return reply.code(err.statusCode).send({ error: err.reason });
    }
    if (!ACTED_ON_STATES.has(event.state)) return reply.code(200).send({ status: 'ignored' });

    let route: Route | undefined;
    let recorded: { id: string; duplicate: boolean } | undefined;
    const sigOf = (r: Route | undefined, id: string | null): CallEventSignal => ({
      deliveryId: id,
      accountId: r?.accountId ?? null,
      officeId: r?.officeId ?? officeFromEvent(event),
      event,
    });

    if (variant === 'fused') {
      try {
        ({ route, recorded } = await routeAndRecord(event, verifiedWith));
      } catch {
        // Postgres down: signal directly, as the product does.
      }
      if (recorded?.duplicate) return reply.code(200).send({ status: 'duplicate' });
      if (route && recorded && !route.accountId) return reply.code(200).send({ status: 'unrouted' });
      const accepted = await acceptance.accept(sigOf(route, recorded?.id ?? null), event, !!recorded, started);
      if (accepted.outcome === 'unavailable') return reply.code(503).send({ error: 'unavailable' });
      if (accepted.reason !== 'signalled') return reply.code(200).send({ status: 'accepted' });
      if (recorded) void store.markSignalled([recorded.id]).catch(() => undefined);
      return reply.code(200).send({ status: 'accepted' });
    }

    // parallel
    try {
      route = await routeEvent(db, event);
    } catch {
      route = undefined;
    }
    if (route && !route.accountId) {
      const rec = await store.record({ event, ...route, verifiedWith });
      return reply.code(200).send({ status: rec.duplicate ? 'duplicate' : 'unrouted' });
    }
    const [rec, sig] = await Promise.allSettled([
      route ? store.record({ event, ...route, verifiedWith }) : Promise.reject(new Error('Postgres unavailable')),
      route && breaker.open
        ? Promise.reject(new Error('Temporal recently unreachable'))
        : signalCallWorkflow(deps.temporal.client, sigOf(route, null), signalOpts),
    ]);
    recorded = rec.status === 'fulfilled' ? rec.value : undefined;
    if (sig.status === 'rejected') {
      breaker.failed();
      if (!recorded) return reply.code(503).send({ error: 'unavailable' });
      return reply.code(200).send({ status: recorded.duplicate ? 'duplicate' : 'accepted' });
    }
    breaker.succeeded();
    if (recorded?.duplicate) return reply.code(200).send({ status: 'duplicate' });
    if (recorded) void store.markSignalled([recorded.id]).catch(() => undefined);
    return reply.code(200).send({ status: 'accepted' });
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`ingress-variant failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
