import Fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

/**
 * `GET /metrics` on a port of its own (METRICS_PORT), for the internal network: Prometheus scrapes
 * it there, and the public port does not serve it.
 */
export async function startMetricsServer(registries: Registry[], host: string, port: number): Promise<FastifyInstance> {
  const server = Fastify({ logger: false });
  server.get('/metrics', async (_req, reply) => {
    const texts = await Promise.all(registries.map((r) => r.metrics()));
    return reply.type(registries[0]!.contentType).send(texts.join('\n'));
  });
  await server.listen({ host, port });
  return server;
}
