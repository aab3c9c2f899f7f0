import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { loggableError } from '../db/errors';
import { classifyError } from '../ops/errors';

/**
 * The application's one error handler: a known failure (src/ops/errors.ts, classifyError) is
 * answered `{ error, message, field? }` with its status; anything else is logged and answered 500
 * without details.
 */
export function errorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  const known = classifyError(err);
  if (known && known.status < 500)
    return reply.code(known.status).send(errorBody(known.code, known.message, known.field));
  req.log.error({ err: loggableError(err), method: req.method, url: req.url }, 'request failed');
  // A dependency's failure the caller can act on (Dialpad or Temporal down) is said, not hidden.
  if (known) return reply.code(known.status).send(errorBody(known.code, known.message, known.field));
  return reply.code(500).send({ error: 'internal_error', message: 'Internal server error' });
}

/** Every error answer's shape; also the webhook's 503 when the ingress sheds load (src/plugins/webhook-pressure.ts). */
export function errorBody(error: string, message: string, field?: string) {
  return field === undefined ? { error, message } : { error, message, field };
}
