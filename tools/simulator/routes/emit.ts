import type { FastifyInstance } from 'fastify';
import { CONVERSATION_KINDS, type ConversationKind } from '../calls';
import { emitCalls, type EmitOptions, type EmitSummary } from '../emitter';
import type { SimulatorState } from '../state';

/**
 * `POST /_sim/emit`: make the simulated Dialpad place calls and deliver their events to the
 * webhooks registered on it (per its call subscriptions), or to an explicit target. This is how
 * `npm run dev` produces traffic once the CLI has registered the ingress as a webhook.
 */

interface EmitRun {
  id: string;
  status: 'running' | 'done' | 'failed';
  startedAt: string;
  summary: EmitSummary | null;
  error: string | null;
}

export function registerEmitRoutes(admin: FastifyInstance, state: SimulatorState): void {
  const runs = new Map<string, EmitRun>();

  admin.post('/emit', async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const num = (key: string, fallback: number) => {
      const v = body[key];
      if (v === undefined) return fallback;
      if (typeof v !== 'number' || !Number.isFinite(v))
        throw Object.assign(new Error(`${key} must be a number`), { statusCode: 400 });
      return v;
    };
    const kinds = body.kinds;
    if (
      kinds !== undefined &&
      (!Array.isArray(kinds) || !kinds.every((k) => CONVERSATION_KINDS.includes(k as ConversationKind)))
    ) {
      throw Object.assign(new Error(`kinds must be a list of ${CONVERSATION_KINDS.join(', ')}`), { statusCode: 400 });
    }
    const options: EmitOptions = {
      calls: num('calls', 10),
      rate: num('rate', 1),
      duplicates: num('duplicates', 0),
      shuffle: body.shuffle === true,
      timeScale: num('timeScale', 1),
      retryScale: num('retryScale', 1),
      simulator: state,
      keepDeliveries: false,
      ...(typeof body.target === 'string' ? { target: body.target } : {}),
      ...(typeof body.secret === 'string' ? { secret: body.secret } : {}),
      ...(typeof body.seed === 'string' ? { seed: body.seed } : {}),
      ...(kinds ? { kinds: kinds as ConversationKind[] } : {}),
      logger: req.log,
    };
    if (!options.target && state.subscriptions.size === 0) {
      throw Object.assign(new Error('no call subscriptions registered and no target given'), { statusCode: 400 });
    }
    const run: EmitRun = {
      id: state.newId(),
      status: 'running',
      startedAt: new Date().toISOString(),
      summary: null,
      error: null,
    };
    runs.set(run.id, run);
    emitCalls(options).then(
      (result) => {
        run.status = 'done';
        run.summary = result.summary;
      },
      (err: unknown) => {
        run.status = 'failed';
        run.error = err instanceof Error ? err.message : String(err);
        req.log.warn({ err }, 'simulated emission failed');
      },
    );
    return reply.code(202).send(run);
  });

  admin.get('/emits/:id', async (req, reply) => {
    const run = runs.get((req.params as { id: string }).id);
    if (!run) return reply.code(404).send({ error: { code: 404, message: 'no such emission' } });
    return run;
  });
}
