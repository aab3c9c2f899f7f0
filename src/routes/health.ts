import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../app';
import { pingTemporal } from '../temporal/connection';

async function check(fn: () => Promise<unknown>, timeoutMs: number): Promise<string> {
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
    return err instanceof Error ? err.message.split('\n')[0]! : 'unreachable';
  } finally {
    if (timer) clearTimeout(timer);
  }
}

export function healthRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_req, reply) => {
    const [postgres, temporal] = await Promise.all([
      check(() => deps.db.raw('select 1'), 2_000),
      check(() => pingTemporal(deps.temporal.probe, deps.config.temporal.namespace, 2_000), 2_500),
    ]);
    const ready = postgres === 'ok' && temporal === 'ok';
    return reply
      .code(ready ? 200 : 503)
      .send({ status: ready ? 'ready' : 'not ready', checks: { postgres, temporal } });
  });

  app.get('/metrics', async (_req, reply) => {
    return reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
}
