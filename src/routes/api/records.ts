import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../app';
import { findRecord, retroMatchRecord, type EntityType } from '../../matching';
import { CallQueries } from './call-queries';
import { decodeCursor } from './cursor';
import { ApiError } from './errors';
import { entityTypeSchema, errorResponses, page, paging } from './schemas';

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

  app.post<{ Body: { accountId: string; entityType: EntityType; entityId: string } }>(
    '/api/records/phone-numbers/changed',
    {
      schema: {
        tags: ['linking'],
        summary: "A record's phone numbers were edited: normalise them and link the calls from them",
        description:
          'Navigator calls this after saving a customer, contact or supplier whose numbers changed. Stand-alone ' +
          'calls (and calls awaiting review) from its numbers are matched again; calls already linked keep their ' +
          'link. A periodic sweep does the same as a safety net. Returns the numbers as read (an unreadable one ' +
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
            },
            required: ['numbers', 'examined', 'linked', 'needsReview', 'resolved', 'changedCalls'],
          },
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const result = await retroMatchRecord(deps.db, req.body);
      if (result.changedCallIds.length > 0) {
        req.log.info({ ...req.body, changed: result.changedCallIds.length }, 'calls re-matched after a number change');
      }
      return {
        numbers: result.numbers,
        examined: result.examined,
        linked: result.linked,
        needsReview: result.needsReview,
        resolved: result.resolved,
        changedCalls: await queries.getCallSummaries(result.changedCallIds),
      };
    },
  );
}
