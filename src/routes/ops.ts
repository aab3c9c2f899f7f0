import { loggableError } from '../db/errors';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppDeps } from '../app';
import {
  DialpadApiError,
  DialpadProtocolError,
  DialpadRateLimitedError,
  DialpadUnavailableError,
} from '../dialpad/errors';
import {
  backfillStatus,
  getAccount,
  resolveOfficeTarget,
  listRegistrations,
  opsDialpadClient,
  OpsError,
  parseInstant,
  registerOfficeWebhook,
  removeCallSubscription,
  removeWebhook,
  listDeadLetters,
  replayDeliveries,
  runDoctor,
  startBackfill,
  unregisterOfficeWebhook,
  type Actor,
  type ReplaySelection,
} from '../ops';
import { requireRole } from './auth';
import {
  changeSchedule,
  describeSchedule,
  parseScheduleKinds,
  SCHEDULE_KIND_NAMES,
  SYNC_KINDS,
  type ScheduleAction,
} from '../schedules';
import { signalOptionsFromConfig } from '../ingress/signal';

/**
 * Administrator operations over HTTP, the same logic as the CLI (src/ops): the doctor, Dialpad
 * webhook registration, backfills, replays and the account's schedules. ADMIN_TOKEN only; the
 * API token gets 403. Every change is written to admin_audit_log with the token's role and the
 * caller's address. (Setting the office ID is PUT/DELETE /api/accounts/:id/dialpad-office.)
 */
export async function opsRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const { config, db, temporal } = deps;
  app.addHook('onRequest', requireRole('admin', { apiToken: config.apiToken, adminToken: config.adminToken }));
  const dialpad = opsDialpadClient(config, db, deps.log, deps.metrics.observeDialpadAttempt);
  // The URL Dialpad should deliver to, for the doctor.
  const publicWebhookUrl = config.dialpad.publicWebhookUrl;

  const actor = (req: FastifyRequest): Actor => ({ actor: req.actor ?? 'admin', sourceAddress: req.ip });
  const needDialpad = () => {
    if (!dialpad) throw new OpsError('unavailable', 'DIALPAD_API_KEY is not configured on this process');
    return dialpad;
  };
  const signalSettings = signalOptionsFromConfig(config);

  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown }, req, reply) => {
    if (err instanceof OpsError) return reply.code(err.statusCode).send({ error: err.code, message: err.message });
    if (err.validation) return reply.code(400).send({ error: 'bad_request', message: err.message });
    if (err instanceof DialpadApiError || err instanceof DialpadProtocolError) {
      return reply.code(502).send({ error: 'dialpad_error', message: err.message });
    }
    if (err instanceof DialpadRateLimitedError || err instanceof DialpadUnavailableError) {
      return reply.code(503).send({ error: 'dialpad_unavailable', message: err.message });
    }
    req.log.error({ err: loggableError(err), method: req.method, url: req.url }, 'admin operation failed');
    return reply.code(500).send({ error: 'internal_error', message: 'Internal server error' });
  });

  const uuid = { type: 'string', format: 'uuid' } as const;
  const dialpadId = { type: 'string', pattern: '^[0-9]{1,32}$' } as const;
  const isoTime = { type: 'string', minLength: 10, maxLength: 40 } as const;

  app.get<{ Querystring: { accountId?: string; webhookUrl?: string } }>(
    '/api/admin/doctor',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { accountId: uuid, webhookUrl: { type: 'string', minLength: 8, maxLength: 2000 } },
          additionalProperties: false,
        },
      },
    },
    async (req) =>
      runDoctor(
        {
          db,
          dialpad,
          temporal: {
            client: temporal.client,
            namespace: config.temporal.namespace,
            taskQueue: config.temporal.taskQueue,
          },
          webhookSecret: config.dialpad.webhookSecret,
          webhookSecretPrevious: config.dialpad.webhookSecretPrevious,
          webhookSecretPreviousUntil: config.dialpad.webhookSecretPreviousUntil,
          hookUrl: req.query.webhookUrl ?? publicWebhookUrl,
        },
        req.query.accountId ? { accountId: req.query.accountId } : {},
      ),
  );

  app.get<{ Querystring: { url?: string } }>(
    '/api/admin/dialpad/webhooks',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { url: { type: 'string', maxLength: 2000 } },
          additionalProperties: false,
        },
      },
    },
    async (req) => listRegistrations(needDialpad(), db, req.query.url ? { hookUrl: req.query.url } : {}),
  );

  /** The office comes from the account, or is given directly (an office not linked yet). */
  const officeOf = (body: { accountId?: string; officeId?: string }) =>
    resolveOfficeTarget(db, body, 'give accountId or officeId');
  const registrationBody = {
    type: 'object',
    properties: { url: { type: 'string', minLength: 8, maxLength: 2000 }, accountId: uuid, officeId: dialpadId },
    required: ['url'],
    additionalProperties: false,
  } as const;

  app.post<{ Body: { url: string; accountId?: string; officeId?: string } }>(
    '/api/admin/dialpad/webhooks',
    { schema: { body: registrationBody } },
    async (req, reply) => {
      const target = await officeOf(req.body);
      const result = await registerOfficeWebhook(needDialpad(), db, { hookUrl: req.body.url, ...target }, actor(req));
      req.log.info(
        { officeId: target.officeId, webhookId: result.webhook.id, changed: result.changed },
        'Dialpad webhook registration',
      );
      // The secret is in this one answer only; the audit log and our logs never see it.
      return reply.code(result.changed ? 201 : 200).send(result);
    },
  );

  app.post<{ Body: { url: string; accountId?: string; officeId?: string } }>(
    '/api/admin/dialpad/webhooks/unregister',
    { schema: { body: registrationBody } },
    async (req) => {
      const target = await officeOf(req.body);
      return unregisterOfficeWebhook(needDialpad(), db, { hookUrl: req.body.url, ...target }, actor(req));
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/admin/dialpad/webhooks/:id',
    { schema: { params: { type: 'object', properties: { id: dialpadId }, required: ['id'] } } },
    async (req) => removeWebhook(needDialpad(), db, req.params.id, actor(req)),
  );

  app.delete<{ Params: { id: string } }>(
    '/api/admin/dialpad/subscriptions/:id',
    { schema: { params: { type: 'object', properties: { id: dialpadId }, required: ['id'] } } },
    async (req) => removeCallSubscription(needDialpad(), db, req.params.id, actor(req)),
  );

  app.post<{ Body: { accountId: string; from: string; to: string; windowHours?: number } }>(
    '/api/admin/backfills',
    {
      schema: {
        body: {
          type: 'object',
          properties: {
            accountId: uuid,
            from: isoTime,
            to: isoTime,
            windowHours: { type: 'number', minimum: 0.02, maximum: 744 },
          },
          required: ['accountId', 'from', 'to'],
          additionalProperties: false,
        },
      },
    },
    async (req, reply) => {
      const started = await startBackfill(
        temporal.client,
        db,
        {
          accountId: req.body.accountId,
          from: parseInstant(req.body.from, 'from'),
          to: parseInstant(req.body.to, 'to'),
          ...(req.body.windowHours !== undefined ? { windowMinutes: Math.round(req.body.windowHours * 60) } : {}),
        },
        signalSettings,
        actor(req),
      );
      return reply.code(202).send(started);
    },
  );

  app.get<{ Params: { workflowId: string } }>(
    '/api/admin/backfills/:workflowId',
    {
      schema: {
        params: {
          type: 'object',
          properties: { workflowId: { type: 'string', maxLength: 200 } },
          required: ['workflowId'],
        },
      },
    },
    async (req) => backfillStatus(temporal.client, req.params.workflowId),
  );

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
      const b = req.body;
      let selection: ReplaySelection;
      const usage =
        'give either callId, or from and to (and optionally accountId), or deadLetters (and optionally accountId)';
      if (b.deadLetters) {
        if (b.callId !== undefined || b.from !== undefined || b.to !== undefined)
          throw new OpsError('bad_request', usage);
        selection = { deadLetters: true, ...(b.accountId !== undefined ? { accountId: b.accountId } : {}) };
      } else if (b.callId !== undefined) {
        if (b.from !== undefined || b.to !== undefined || b.accountId !== undefined) {
          throw new OpsError('bad_request', usage);
        }
        selection = { callId: b.callId };
      } else if (b.from !== undefined && b.to !== undefined) {
        selection = {
          from: parseInstant(b.from, 'from'),
          to: parseInstant(b.to, 'to'),
          ...(b.accountId !== undefined ? { accountId: b.accountId } : {}),
        };
      } else {
        throw new OpsError('bad_request', usage);
      }
      const { deliveryIds: _ids, ...result } = await replayDeliveries(db, selection, actor(req));
      return result;
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/admin/accounts/:id/schedules',
    { schema: { params: { type: 'object', properties: { id: uuid }, required: ['id'] } } },
    async (req) => {
      await getAccount(db, req.params.id);
      return {
        items: await Promise.all(SYNC_KINDS.map((k) => describeSchedule(temporal.client, req.params.id, k))),
      };
    },
  );

  app.post<{ Params: { id: string; kind: string; action: ScheduleAction }; Body: { reason?: string } | undefined }>(
    '/api/admin/accounts/:id/schedules/:kind/:action',
    {
      schema: {
        params: {
          type: 'object',
          properties: {
            id: uuid,
            kind: { type: 'string', enum: [...SCHEDULE_KIND_NAMES, 'contacts'] },
            action: { type: 'string', enum: ['pause', 'unpause', 'trigger'] },
          },
          required: ['id', 'kind', 'action'],
        },
        body: {
          type: ['object', 'null'],
          properties: { reason: { type: 'string', maxLength: 500 } },
          additionalProperties: false,
        },
      },
    },
    async (req) => {
      await getAccount(db, req.params.id);
      const [kind] = parseScheduleKinds(req.params.kind);
      return changeSchedule(
        temporal.client,
        db,
        {
          accountId: req.params.id,
          kind: kind!,
          action: req.params.action,
          ...(req.body?.reason ? { reason: req.body.reason } : {}),
        },
        actor(req),
      );
    },
  );
}
