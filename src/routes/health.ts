import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../app';
import { pingDatabase } from '../db/ping';
import { pingTemporal } from '../temporal/connection';

/**
 * 'ok' or 'unavailable': which dependency is down, never its error text or address (anyone who
 * can reach the port can read this). The process log has the reason.
 */
async function check(
  name: string,
  fn: () => Promise<unknown>,
  timeoutMs: number,
  log: AppDeps['log'],
): Promise<'ok' | 'unavailable'> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return 'ok';
  } catch (err) {
    log.warn(
      { dependency: name, err: err instanceof Error ? err.message.split('\n')[0] : String(err) },
      'readiness check failed',
    );
    return 'unavailable';
  } finally {
    if (timer) clearTimeout(timer);
  }
}

export function healthRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get('/healthz', async () => ({ status: 'ok' }));

  /**
   * Ready when Postgres and Temporal answer. `?for=webhooks` asks a narrower question, for a load
   * balancer's readiness probe: can this ingress take a webhook durably? It can with either store
   * up (recorded in Postgres for the relay, or signalled to Temporal straight away), so an outage of
   * one does not take every ingress out of the load balancer while Dialpad delivers.
   */
  app.get<{ Querystring: { for?: string } }>('/readyz', async (req, reply) => {
    const [postgres, temporal] = await Promise.all([
      check('postgres', () => pingDatabase(deps.db), 2_000, deps.log),
      check(
        'temporal',
        () => pingTemporal(deps.temporal.probe, deps.config.temporal.namespace, 2_000),
        2_500,
        deps.log,
      ),
    ]);
    const ready =
      req.query.for === 'webhooks' ? postgres === 'ok' || temporal === 'ok' : postgres === 'ok' && temporal === 'ok';
    return reply
      .code(ready ? 200 : 503)
      .send({ status: ready ? 'ready' : 'not ready', checks: { postgres, temporal } });
  });

  // With METRICS_PORT set, metrics are served on that port only (src/metrics-server.ts).
  if (deps.config.metrics.port === undefined) {
    app.get('/metrics', async (_req, reply) => {
      return reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
    });
  }
}
