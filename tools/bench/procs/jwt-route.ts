import Fastify from 'fastify';
import { createVerifier } from '../../../src/ingress/verify';
import { loggerOptions } from '../../../src/logger';

/**
 * Baseline (b) of the ingress benchmark: the framework-plus-crypto ceiling. The same Fastify
 * options, logger and raw-body parser as the ingress (src/app.ts, src/routes/webhooks.ts), and a
 * route that only verifies the JWS with the product's verifier: no validation, Postgres or Temporal.
 */
async function main(): Promise<void> {
  const secret = process.env.DIALPAD_WEBHOOK_SECRET;
  if (!secret) throw new Error('DIALPAD_WEBHOOK_SECRET is required');
  const app = Fastify({
    logger: loggerOptions(process.env.LOG_LEVEL ?? 'info', 'jwt-route'),
    requestTimeout: 10_000,
    connectionTimeout: 10_000,
    bodyLimit: 256 * 1024,
    genReqId: () => `req-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
  });
  const verify = createVerifier({ secret, allowUnsigned: false });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.post('/webhooks/dialpad', async (req, reply) => {
    await verify(typeof req.body === 'string' ? req.body : '');
    return reply.code(200).send({ status: 'accepted' });
  });
  await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) });
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

main().catch((err: unknown) => {
  process.stderr.write(`jwt-route failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
