import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../app';
import { findRecord, readRecordPhoneNumbers, retroMatchNumber, type EntityType } from '../../matching';
import { listUnreadableNumbers } from '../../records/repository';
import type { RetroMatchActivityResult } from '../../../activities/matching-activities';
import { retroMatchRecordWorkflow } from '../../../workflows';
import { retroMatchRecordWorkflowId } from '../../../workflows/shared/ids';
import { CallQueries } from '../../calls/read-model/call-query-repository';
import { decodeCursor } from '../../calls/read-model/cursor';
import { ApiError } from '../../ops/errors';
import { entityTypeSchema, errorResponses, page, paging } from './schemas';
import { findAccount } from '../../accounts/repository';

const PATHS: readonly { path: string; type: EntityType }[] = [
  { path: 'customers', type: 'customer' },
  { path: 'contacts', type: 'contact' },
  { path: 'suppliers', type: 'supplier' },
];

/** Navigator's records: their history timelines, and the hook Navigator calls after editing a number. */
export async function recordRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const queries = new CallQueries(deps.db);

  for (const { path, type } of PATHS) {
    app.get<{ Params: { id: string }; Querystring: { limit: number; cursor?: string } }>(
      `/api/${path}/:id/communications`,
      {
        schema: {
          tags: ['history'],
          summary: `A ${type}'s communication history, newest first`,
          description:
            type === 'customer'
              ? "Calls, emails and SMS. Calls linked to the customer's contacts are included (viaContactId)."
              : 'Calls, emails and SMS.',
          params: {
            type: 'object',
            properties: { id: { type: 'string', format: 'uuid' } },
            required: ['id'],
          },
          querystring: { type: 'object', properties: { ...paging } },
          response: { 200: page('TimelineItem'), ...errorResponses },
        },
      },
      async (req) => {
        const cursor = decodeCursor(req.query.cursor);
        if (!(await findRecord(deps.db, type, req.params.id))) {
          throw ApiError.notFound(`no ${type} with id ${req.params.id}`);
        }
        return queries.timeline(type, req.params.id, { limit: req.query.limit, ...(cursor ? { cursor } : {}) });
      },
    );
  }

  app.get<{ Params: { accountId: string }; Querystring: { limit: number } }>(
    '/api/accounts/:accountId/phone-numbers/unreadable',
    {
      schema: {
        tags: ['linking'],
        summary: 'Phone numbers of the account that cannot be read (calls from them never match)',
        description:
          "Every customer, contact and supplier number that libphonenumber could not read with the account's " +
          'default region, with the reason, so a person can correct it. Nothing is dropped silently: these ' +
          'rows stay as typed. The doctor counts them too.',
        params: {
          type: 'object',
          properties: { accountId: { type: 'string', format: 'uuid' } },
          required: ['accountId'],
        },
        querystring: {
          type: 'object',
          properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 200 } },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              total: { type: 'integer' },
              items: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    entityType: entityTypeSchema,
                    entityId: { type: 'string', format: 'uuid' },
                    name: { type: 'string' },
                    raw: { type: 'string', description: 'as typed' },
                    label: { type: ['string', 'null'] },
                    error: { type: ['string', 'null'], description: 'why it could not be read' },
                  },
                  required: ['entityType', 'entityId', 'name', 'raw', 'label', 'error'],
                },
              },
            },
            required: ['total', 'items'],
          },
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const { accountId } = req.params;
      if (!(await findAccount(deps.db, accountId))) {
        throw ApiError.notFound(`no account with id ${accountId}`);
      }
      return listUnreadableNumbers(deps.db, accountId, req.query.limit);
    },
  );

  app.post<{ Body: { accountId: string; entityType: EntityType; entityId: string } }>(
    '/api/records/phone-numbers/changed',
    {
      schema: {
        tags: ['linking'],
        summary: "A record's phone numbers were edited: normalise them and link the calls from them",
        description:
          'Navigator calls this after saving a customer, contact or supplier whose numbers changed. Stand-alone ' +
          'calls (and calls awaiting review) from its numbers are matched again; calls already linked keep their ' +
          'link. The matching runs as the Temporal workflow retroMatchRecordWorkflow; a periodic sweep (schedule ' +
          'navigator-retro-match-sweep) does the same as a safety net. Returns the numbers as read (an unreadable one ' +
          'says why) and what changed.',
        body: {
          type: 'object',
          properties: {
            accountId: { type: 'string', format: 'uuid' },
            entityType: entityTypeSchema,
            entityId: { type: 'string', format: 'uuid' },
          },
          required: ['accountId', 'entityType', 'entityId'],
        },
        response: {
          200: {
            type: 'object',
            properties: {
              numbers: { type: 'array', items: { $ref: 'RecordPhoneNumber#' } },
              examined: { type: 'integer', description: 'calls from these numbers that were matched again' },
              linked: { type: 'integer', description: 'stand-alone calls now linked' },
              needsReview: { type: 'integer', description: 'of those, linked to a shared number and awaiting review' },
              resolved: { type: 'integer', description: 'calls that awaited review and no longer do' },
              changedCalls: { type: 'array', items: { $ref: 'CallSummary#' } },
              workflowId: {
                type: ['string', 'null'],
                description:
                  'the retroMatchRecordWorkflow run in Temporal (null when Temporal was unreachable and it ran here)',
              },
            },
            required: ['numbers', 'examined', 'linked', 'needsReview', 'resolved', 'changedCalls', 'workflowId'],
          },
          202: {
            type: 'object',
            description: 'Still matching after 15 s (many calls): the run goes on in Temporal under workflowId.',
            properties: {
              numbers: { type: 'array', items: { $ref: 'RecordPhoneNumber#' } },
              workflowId: { type: 'string' },
              status: { type: 'string', enum: ['running'] },
            },
            required: ['numbers', 'workflowId', 'status'],
          },
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      // Read first: a record of another account is a 404, and the answer shows the numbers as read.
      const numbers = await readRecordPhoneNumbers(deps.db, req.body);
      const workflowId = retroMatchRecordWorkflowId(req.body.entityType, req.body.entityId, Date.now());
      let result: RetroMatchActivityResult | undefined;
      let via: 'workflow' | 'inline' = 'workflow';
      try {
        const handle = await deps.temporal.connection.withDeadline(Date.now() + 5_000, () =>
          deps.temporal.client.workflow.start(retroMatchRecordWorkflow, {
            taskQueue: deps.config.temporal.taskQueue,
            workflowId,
            args: [req.body],
          }),
        );
        result = await resultWithin<RetroMatchActivityResult>(handle.result(), RETRO_MATCH_WAIT_MS);
        if (!result) {
          // Many calls from these numbers: the run goes on (Temporal UI, by its id), answer now.
          return reply.code(202).send({ numbers, workflowId, status: 'running' });
        }
      } catch (err) {
        if (result) throw err;
        // Temporal did not take it: the same idempotent matching runs here, and the sweep is behind it.
        req.log.warn(
          { err: (err as Error).message, ...req.body },
          'retro-match did not run in Temporal; matching here',
        );
        via = 'inline';
        const readable = numbers.filter((n) => n.status === 'ok' && n.e164 !== null).map((n) => n.e164!);
        result = {
          ...(await retroMatchNumber(deps.db, req.body.accountId, readable, { normalizePending: false })),
          changed: 0,
        };
      }
      if (result.changedCallIds.length > 0) {
        req.log.info(
          { ...req.body, changed: result.changedCallIds.length, via },
          'calls re-matched after a number change',
        );
      }
      return {
        numbers,
        workflowId: via === 'workflow' ? workflowId : null,
        examined: result.examined,
        linked: result.linked,
        needsReview: result.needsReview,
        resolved: result.resolved,
        changedCalls: await queries.getCallSummaries(result.changedCallIds),
      };
    },
  );
}

/** How long the API waits for a retro-match run before answering 202 with its workflow id. */
const RETRO_MATCH_WAIT_MS = 15_000;

/** The promise's value, or undefined if it takes longer than `ms` (a rejection is thrown). */
async function resultWithin<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  promise.catch(() => undefined); // Still observed after a timeout.
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
