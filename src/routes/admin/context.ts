import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppDeps } from '../../app';
import type { DialpadClient } from '../../dialpad/client';
import { opsDialpadClient, OpsError, type Actor } from '../../ops';

/** What every administrator route needs: the app's dependencies, the caller as actor, Dialpad. */
export interface AdminContext {
  deps: AppDeps;
  actor(req: FastifyRequest): Actor;
  /** The Dialpad client, or a 503 when DIALPAD_API_KEY is not set on this process. */
  needDialpad(): DialpadClient;
  dialpad: DialpadClient | undefined;
}

export function adminContext(deps: AppDeps): AdminContext {
  const dialpad = opsDialpadClient(deps.config, deps.db, deps.log, deps.metrics.observeDialpadAttempt);
  return {
    deps,
    dialpad,
    actor: (req) => ({ actor: req.actor ?? 'admin', sourceAddress: req.ip }),
    needDialpad: () => {
      if (!dialpad) throw new OpsError('unavailable', 'DIALPAD_API_KEY is not configured on this process');
      return dialpad;
    },
  };
}

export type AdminRoutes = (app: FastifyInstance, ctx: AdminContext) => void | Promise<void>;

export const uuid = { type: 'string', format: 'uuid' } as const;
export const dialpadId = { type: 'string', pattern: '^[0-9]{1,32}$' } as const;
export const isoTime = { type: 'string', minLength: 10, maxLength: 40 } as const;
export const accountParams = { type: 'object', properties: { id: uuid }, required: ['id'] } as const;
