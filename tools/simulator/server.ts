import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { parseDialpadJson } from '../../src/dialpad/json';
import { DialpadHttpError, dialpadErrorBody, sendDialpad } from './http';
import { registerAdminRoutes } from './routes/admin';
import { registerCallRoutes } from './routes/calls';
import { registerContactRoutes } from './routes/contacts';
import { registerDirectoryRoutes } from './routes/directory';
import { registerGate } from './routes/gate';
import { registerWebhookRoutes } from './routes/webhooks';
import { SimulatorState, type SimulatorOptions } from './state';

/**
 * The Dialpad simulator: Dialpad's /api/v2 endpoints over a seeded company, with Dialpad's
 * shapes, cursors, validation and rate limits, plus `/_sim/*` admin endpoints to inject faults and
 * latency, switch Ai per office, reset, and inspect what it received. The routes are in routes/, by
 * resource; this file builds the app and registers them.
 */

export interface StartSimulatorOptions extends SimulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** A pino logger for request logs; default silent. */
  logger?: Logger;
}

export interface RunningSimulator {
  url: string;
  port: number;
  state: SimulatorState;
  app: FastifyInstance;
  close(): Promise<void>;
}

export async function startSimulator(options: StartSimulatorOptions = {}): Promise<RunningSimulator> {
  const state = new SimulatorState(options);
  const app = buildSimulatorApp(state, options.logger ? { logger: options.logger } : {});
  const host = options.host ?? '127.0.0.1';
  await app.listen({ port: options.port ?? 0, host });
  const { port } = app.server.address() as AddressInfo;
  return { url: `http://${host}:${port}`, port, state, app, close: () => app.close() };
}

const apiRoutes = new WeakMap<FastifyInstance, { method: string; url: string }[]>();

/**
 * The Dialpad routes (`/api/v2/...`) the simulator serves, as `{method, url}` with Fastify's
 * `:param` syntax: the contract tests check each against Dialpad's OpenAPI description.
 */
export function simulatorApiRoutes(app: FastifyInstance): { method: string; url: string }[] {
  return [...(apiRoutes.get(app) ?? [])];
}

export function buildSimulatorApp(
  state: SimulatorState,
  options: { logger?: FastifyBaseLogger } = {},
): FastifyInstance {
  const app: FastifyInstance = Fastify(options.logger ? { loggerInstance: options.logger } : { logger: false });
  const routes: { method: string; url: string }[] = [];
  apiRoutes.set(app, routes);
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/v2/')) return;
    for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push({ method, url: route.url });
  });

  // Bodies keep ids above 2^53 exact, as Dialpad's own (non-JavaScript) parser would.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, parseDialpadJson(text));
    } catch {
      done(new DialpadHttpError(400, 'Invalid JSON in request body'), undefined);
    }
  });

  app.setErrorHandler((err, request, reply) => {
    if (err instanceof DialpadHttpError)
      return sendDialpad(reply, state, err.status, dialpadErrorBody(err.status, err.message));
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    if (status >= 500) request.log.error({ err }, 'simulator error');
    const message = status >= 500 ? 'Internal error' : (err as Error).message;
    return sendDialpad(reply, state, status, dialpadErrorBody(status, message));
  });

  void app.register(
    async (api) => {
      registerGate(api, state);
      registerDirectoryRoutes(api, state);
      registerContactRoutes(api, state);
      registerCallRoutes(api, state);
      registerWebhookRoutes(api, state);
    },
    { prefix: '/api/v2' },
  );
  void app.register(async (admin) => registerAdminRoutes(admin, state), { prefix: '/_sim' });
  return app;
}

export { dialpadErrorBody };
