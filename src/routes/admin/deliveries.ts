import { listDeadLetters, OpsError, parseInstant, replayDeliveries, type ReplaySelection } from '../../ops';
import { dialpadId, isoTime, uuid, type AdminRoutes } from './context';

/** Stored deliveries: the dead letters call runs set aside, and replays (src/ops/replay.ts). */
export const deliveryRoutes: AdminRoutes = (app, ctx) => {
  const { db } = ctx.deps;

  app.get<{ Querystring: { accountId?: string; limit?: number } }>(
    '/api/admin/dead-letters',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { accountId: uuid, limit: { type: 'integer', minimum: 1, maximum: 1000 } },
          additionalProperties: false,
        },
      },
    },
    async (req) => ({
      deadLetters: await listDeadLetters(db, {
        ...(req.query.accountId ? { accountId: req.query.accountId } : {}),
        ...(req.query.limit ? { limit: req.query.limit } : {}),
      }),
    }),
  );

  app.post<{ Body: { callId?: string; from?: string; to?: string; accountId?: string; deadLetters?: boolean } }>(
    '/api/admin/replays',
    {
      schema: {
        body: {
          type: 'object',
          properties: {
            callId: dialpadId,
            from: isoTime,
            to: isoTime,
            accountId: uuid,
            deadLetters: { type: 'boolean', const: true },
          },
          additionalProperties: false,
        },
      },
    },
    async (req) => {
      const { deliveryIds: _ids, ...result } = await replayDeliveries(db, replaySelection(req.body), ctx.actor(req));
      return result;
    },
  );
};

function replaySelection(b: {
  callId?: string;
  from?: string;
  to?: string;
  accountId?: string;
  deadLetters?: boolean;
}): ReplaySelection {
  const usage =
    'give either callId, or from and to (and optionally accountId), or deadLetters (and optionally accountId)';
  if (b.deadLetters) {
    if (b.callId !== undefined || b.from !== undefined || b.to !== undefined) throw new OpsError('bad_request', usage);
    return { deadLetters: true, ...(b.accountId !== undefined ? { accountId: b.accountId } : {}) };
  }
  if (b.callId !== undefined) {
    if (b.from !== undefined || b.to !== undefined || b.accountId !== undefined) {
      throw new OpsError('bad_request', usage);
    }
    return { callId: b.callId };
  }
  if (b.from !== undefined && b.to !== undefined) {
    return {
      from: parseInstant(b.from, 'from'),
      to: parseInstant(b.to, 'to'),
      ...(b.accountId !== undefined ? { accountId: b.accountId } : {}),
    };
  }
  throw new OpsError('bad_request', usage);
}
