import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { AppDeps } from '../../app';
import { linkCallManually, rematchCall, unlinkCall, type EntityType } from '../../matching';
import { contactPushBackWorkflow } from '../../../workflows';
import { contactPushBackWorkflowId } from '../../../workflows/shared/ids';
import { CallQueries, type CallDetail } from '../../calls/read-model/call-query-repository';
import { decodeCursor } from '../../calls/read-model/cursor';
import { ApiError } from '../../ops/errors';
import { findAccount } from '../../accounts/repository';
import { findContactNotInDialpad } from '../../records/repository';
import { checkManualCallFields, logManualCall, type ManualCallInput } from './manual-calls';
import { entityTypeSchema, errorResponses, manualCallBody, page, paging } from './schemas';

const accountParams = {
  type: 'object',
  properties: { accountId: { type: 'string', format: 'uuid' } },
  required: ['accountId'],
} as const;
const callParams = {
  type: 'object',
  properties: { id: { type: 'string', format: 'uuid' } },
  required: ['id'],
} as const;

interface ListQuery {
  standalone?: boolean;
  needsReview?: boolean;
  entityType?: EntityType;
  entityId?: string;
  from?: string;
  to?: string;
  limit: number;
  cursor?: string;
}

/** Calls: the account's list, one call with its legs and Ai data, manual logging and linking. */
export async function callRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const queries = new CallQueries(deps.db);

  const loadCall = async (id: string): Promise<CallDetail> => {
    const call = await queries.getCall(id);
    if (!call) throw ApiError.notFound(`no call with id ${id}`);
    return call;
  };

  app.get<{ Params: { accountId: string }; Querystring: ListQuery }>(
    '/api/accounts/:accountId/calls',
    {
      schema: {
        tags: ['calls'],
        summary: "An account's calls, newest first",
        description:
          'Filters combine. `standalone=true` lists the calls a person could link (no record, not internal). ' +
          '`from` (inclusive) and `to` (exclusive) bound the call start.',
        params: accountParams,
        querystring: {
          type: 'object',
          properties: {
            standalone: { type: 'boolean' },
            needsReview: { type: 'boolean' },
            entityType: entityTypeSchema,
            entityId: { type: 'string', format: 'uuid' },
            from: { type: 'string', format: 'date-time' },
            to: { type: 'string', format: 'date-time' },
            ...paging,
          },
        },
        response: { 200: page('CallSummary'), ...errorResponses },
      },
    },
    async (req) => {
      const { accountId } = req.params;
      const q = req.query;
      const cursor = decodeCursor(q.cursor);
      if (!(await queries.findAccount(accountId))) throw ApiError.notFound(`no account with id ${accountId}`);
      return queries.listCalls({
        accountId,
        limit: q.limit,
        ...(cursor ? { cursor } : {}),
        ...(q.standalone !== undefined ? { standalone: q.standalone } : {}),
        ...(q.needsReview !== undefined ? { needsReview: q.needsReview } : {}),
        ...(q.entityType !== undefined ? { entityType: q.entityType } : {}),
        ...(q.entityId !== undefined ? { entityId: q.entityId } : {}),
        ...(q.from !== undefined ? { from: q.from } : {}),
        ...(q.to !== undefined ? { to: q.to } : {}),
      });
    },
  );

  app.post<{ Params: { accountId: string }; Body: ManualCallInput }>(
    '/api/accounts/:accountId/calls',
    {
      schema: {
        tags: ['calls'],
        summary: 'Log a call by hand',
        description:
          "For accounts without Dialpad. The number is read in the account's default region and the call is " +
          'matched to a customer, contact or supplier at once. Ai fields are Dialpad-only: sending one is a 400 naming it.',
        params: accountParams,
        body: manualCallBody,
        response: {
          201: {
            type: 'object',
            properties: {
              call: { $ref: 'CallDetail#' },
              matchOutcome: {
                type: 'string',
                enum: ['linked', 'needs_review', 'remembered', 'standalone', 'no_number'],
              },
            },
            required: ['call', 'matchOutcome'],
          },
          ...errorResponses,
        },
      },
      // Before schema validation, which would silently drop the fields this refuses by name.
      preValidation: async (req) => checkManualCallFields(req.body),
    },
    async (req, reply) => {
      const account = await queries.findAccount(req.params.accountId);
      if (!account) throw ApiError.notFound(`no account with id ${req.params.accountId}`);
      const logged = await logManualCall(deps.db, account, req.body);
      req.log.info({ callId: logged.callId, outcome: logged.match.outcome }, 'manual call logged');
      return reply.code(201).send({ call: await loadCall(logged.callId), matchOutcome: logged.match.outcome });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/calls/:id',
    {
      schema: {
        tags: ['calls'],
        summary: 'One call with its Dialpad legs and Ai data',
        params: callParams,
        response: { 200: { $ref: 'CallDetail#' }, ...errorResponses },
      },
    },
    async (req) => loadCall(req.params.id),
  );

  app.put<{ Params: { id: string }; Body: { entityType: EntityType; entityId: string } }>(
    '/api/calls/:id/link',
    {
      schema: {
        tags: ['linking'],
        summary: 'Link a call to a customer, contact or supplier of its account',
        description:
          'The link is manual: matching never changes it. The call leaves the review queue. When the record is one ' +
          "of several holding the call's number, the pick is remembered for the number: later calls from it link " +
          'to the record by themselves, and its other calls awaiting review follow now (relinkedCallIds).',
        params: callParams,
        body: {
          type: 'object',
          properties: { entityType: entityTypeSchema, entityId: { type: 'string', format: 'uuid' } },
          required: ['entityType', 'entityId'],
        },
        response: {
          200: {
            type: 'object',
            properties: {
              call: { $ref: 'CallDetail#' },
              rememberedForNumber: { type: 'boolean' },
              relinkedCallIds: { type: 'array', items: { type: 'string', format: 'uuid' } },
            },
            required: ['call', 'rememberedForNumber', 'relinkedCallIds'],
          },
          409: { $ref: 'Error#' },
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const linked = await linkCallManually(deps.db, {
        callId: req.params.id,
        entityType: req.body.entityType,
        entityId: req.body.entityId,
        ...(req.actor ? { actor: req.actor } : {}),
      });
      req.log.info(
        { callId: linked.callId, entityType: req.body.entityType, remembered: linked.rememberedForNumber },
        'call linked by hand',
      );
      if (req.body.entityType === 'contact') await startContactPushBack(deps, req.body.entityId, req.log);
      return {
        call: await loadCall(linked.callId),
        rememberedForNumber: linked.rememberedForNumber,
        relinkedCallIds: linked.relinkedCallIds,
      };
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/calls/:id/link',
    {
      schema: {
        tags: ['linking'],
        summary: 'Unlink a call: it becomes stand-alone and leaves every history',
        description:
          'A person decided the call belongs to no record, so matching leaves it stand-alone (linkMethod ' +
          "'manual') until POST /api/calls/{id}/match hands it back to the rules.",
        params: callParams,
        response: { 200: { type: 'object', properties: { call: { $ref: 'CallDetail#' } } }, ...errorResponses },
      },
    },
    async (req) => {
      await unlinkCall(deps.db, req.params.id);
      return { call: await loadCall(req.params.id) };
    },
  );

  app.post<{ Params: { id: string } }>(
    '/api/calls/:id/match',
    {
      schema: {
        tags: ['linking'],
        summary: "Hand a call back to the matching rules, forgetting a person's link or unlink",
        params: callParams,
        response: {
          200: {
            type: 'object',
            properties: {
              call: { $ref: 'CallDetail#' },
              matchOutcome: {
                type: 'string',
                enum: ['linked', 'needs_review', 'remembered', 'standalone', 'internal', 'no_number'],
              },
            },
            required: ['call', 'matchOutcome'],
          },
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const matched = await rematchCall(deps.db, req.params.id);
      return { call: await loadCall(req.params.id), matchOutcome: matched.outcome };
    },
  );
}

/**
 * A call linked by hand to a contact Dialpad does not know yet: push the contact to Dialpad
 * (contactPushBackWorkflow, create-with-uid) so Dialpad shows the name on the next call. The link
 * itself never depends on it: if Temporal does not answer, the contact sync pushes it later.
 */
async function startContactPushBack(deps: AppDeps, contactId: string, log: FastifyBaseLogger): Promise<void> {
  // Only a contact Dialpad does not have yet, of an account linked to an office.
  const contact = await findContactNotInDialpad(deps.db, contactId);
  if (!contact || !(await findAccount(deps.db, contact.accountId))?.officeId) return;
  try {
    await deps.temporal.connection.withDeadline(Date.now() + 5_000, () =>
      deps.temporal.client.workflow.start(contactPushBackWorkflow, {
        taskQueue: deps.config.temporal.taskQueue,
        workflowId: contactPushBackWorkflowId(contactId),
        args: [{ contactId }],
      }),
    );
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return;
    log.warn(
      { contactId, err: (err as Error).message },
      'contact push-back not started; the contact sync will push it',
    );
  }
}
