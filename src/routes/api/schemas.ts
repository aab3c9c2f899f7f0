import type { FastifyInstance } from 'fastify';
import { ENTITY_TYPES } from '../../matching';
import { MANUAL_CALL_STATUSES } from './manual-calls';

/**
 * JSON schemas of the API: they validate requests, shape responses (fields not listed are not
 * sent) and make the OpenAPI document at /docs. Shared ones are registered by `$id` and appear
 * under that name in the document.
 */

const str = { type: 'string' } as const;
const nullableStr = { type: ['string', 'null'] } as const;
const nullableDateTime = { type: ['string', 'null'], format: 'date-time' } as const;
const uuid = { type: 'string', format: 'uuid' } as const;
const nullableStrArray = { type: ['array', 'null'], items: { type: 'string' } } as const;

export const entityTypeSchema = { type: 'string', enum: [...ENTITY_TYPES] } as const;

const callSummaryProperties = {
  id: uuid,
  accountId: uuid,
  source: { type: 'string', enum: ['dialpad', 'manual'] },
  dialpadCallId: nullableStr,
  direction: { type: 'string', enum: ['inbound', 'outbound'] },
  status: { type: 'string', description: 'answered, missed, voicemail, no_answer or in_progress' },
  isInternal: { type: 'boolean', description: 'Dialpad user to Dialpad user: never linked, never in a history' },
  externalNumber: { ...nullableStr, description: 'the other party, E.164' },
  internalNumber: { ...nullableStr, description: 'the Dialpad number, E.164' },
  startedAt: nullableDateTime,
  endedAt: nullableDateTime,
  durationSeconds: { type: ['integer', 'null'], description: 'talk time' },
  notes: nullableStr,
  answeredByName: nullableStr,
  dialpadGroupType: nullableStr,
  dialpadGroupName: nullableStr,
  link: {
    anyOf: [{ $ref: 'CallLink#' }, { type: 'null' }],
    description: 'the record the call is linked to; null when stand-alone',
  },
  linkMethod: {
    type: ['string', 'null'],
    enum: ['auto', 'manual', 'remembered', null],
    description: "how the link was made; 'manual' with no link means a person decided the call is stand-alone",
  },
  needsReview: {
    type: 'boolean',
    description: 'several records share the number: one was linked by rule, matchCandidates lists them all',
  },
  matchCandidates: { type: 'array', items: { $ref: 'MatchCandidate#' } },
  aiSummary: nullableStr,
  sentiment: { ...nullableStr, description: 'positive, negative, neutral or mixed' },
  churnRisk: { ...nullableStr, description: 'low, medium, high or critical' },
  themes: { ...nullableStrArray, description: 'most prominent first' },
  resolved: { type: ['boolean', 'null'] },
  createdAt: { type: 'string', format: 'date-time' },
  updatedAt: { type: 'string', format: 'date-time' },
} as const;

const sharedSchemas = [
  {
    $id: 'Error',
    type: 'object',
    properties: {
      error: { ...str, description: 'a stable code: validation_error, not_found, unauthorized, conflict …' },
      message: { ...str, description: 'for people; validation messages start with the field' },
      field: { ...str, description: 'the request field the error is about' },
    },
    required: ['error', 'message'],
  },
  {
    $id: 'CallLink',
    type: 'object',
    properties: {
      entityType: entityTypeSchema,
      entityId: uuid,
      name: { ...nullableStr, description: "the record's name; null when it has been deleted" },
      method: { type: 'string', enum: ['auto', 'manual', 'remembered'] },
    },
    required: ['entityType', 'entityId', 'name', 'method'],
  },
  {
    $id: 'MatchCandidate',
    type: 'object',
    properties: { entityType: entityTypeSchema, entityId: uuid, name: str },
    required: ['entityType', 'entityId', 'name'],
  },
  {
    $id: 'CallSummary',
    type: 'object',
    properties: callSummaryProperties,
    required: Object.keys(callSummaryProperties),
  },
  {
    $id: 'CallLeg',
    type: 'object',
    description: 'one Dialpad call leg folded into the call',
    properties: {
      callId: str,
      state: str,
      direction: nullableStr,
      externalNumber: nullableStr,
      internalNumber: nullableStr,
      masterCallId: nullableStr,
      entryPointCallId: nullableStr,
      operatorCallId: nullableStr,
      targetType: nullableStr,
      targetId: nullableStr,
      targetName: nullableStr,
      dateStarted: nullableDateTime,
      dateConnected: nullableDateTime,
      dateEnded: nullableDateTime,
      talkTimeMs: { type: ['integer', 'null'] },
      isTransferred: { type: 'boolean' },
      voicemail: { type: 'boolean' },
      missed: { type: 'boolean' },
      isInternal: { type: 'boolean' },
    },
  },
  {
    $id: 'CallDetail',
    type: 'object',
    properties: {
      ...callSummaryProperties,
      dialpadMasterCallId: nullableStr,
      dialpadOfficeId: nullableStr,
      dialpadGroupId: nullableStr,
      answeredByDialpadUserId: nullableStr,
      transcript: nullableStr,
      churnReasons: { ...nullableStrArray, description: 'why the churn risk is what it is' },
      aiOutcome: nullableStr,
      aiPurposes: { type: ['array', 'null'], items: {} },
      aiActionItems: { type: ['array', 'null'], items: {} },
      aiSources: {
        type: ['object', 'null'],
        additionalProperties: { type: ['string', 'null'] },
        description: "per Ai field, 'dialpad', 'derived' (the rules) or 'model' (INSIGHTS_LLM_URL)",
      },
      aiStatus: {
        type: ['string', 'null'],
        enum: ['complete', 'partial', 'none', null],
        description: "'partial' when a part (transcript, recap) could not be had; aiNotes says why",
      },
      aiNotes: {
        description:
          "why a part (transcript, recap) is missing; part 'model': why the language model's answer was not used",
        type: ['array', 'null'],
        items: { type: 'object', properties: { part: { type: 'string' }, reason: { type: 'string' } } },
      },
      aiExplanation: {
        type: ['object', 'null'],
        additionalProperties: { type: ['string', 'null'] },
        description: 'per derived field, the evidence it rests on',
      },
      transcriptLines: {
        type: 'array',
        description: 'the transcript with speakers (agent = Dialpad user, caller = the other party)',
        items: {
          type: 'object',
          properties: {
            type: { type: 'string' },
            speaker: { type: 'string', enum: ['agent', 'caller', 'unknown'] },
            name: nullableStr,
            content: { type: 'string' },
            spokenAt: { ...nullableStr, format: 'date-time' },
          },
        },
      },
      legs: { type: 'array', items: { $ref: 'CallLeg#' } },
    },
    required: [...Object.keys(callSummaryProperties), 'legs'],
  },
  {
    $id: 'TimelineItem',
    type: 'object',
    properties: {
      id: uuid,
      kind: { type: 'string', enum: ['call', 'email', 'sms'] },
      occurredAt: { type: 'string', format: 'date-time' },
      summary: { ...nullableStr, description: 'one line' },
      viaContactId: { ...nullableStr, description: "set when a contact's call is shown in its customer's history" },
      emailId: nullableStr,
      smsId: nullableStr,
      call: { anyOf: [{ $ref: 'CallSummary#' }, { type: 'null' }] },
    },
    required: ['id', 'kind', 'occurredAt', 'summary', 'viaContactId', 'emailId', 'smsId', 'call'],
  },
  {
    $id: 'RecordPhoneNumber',
    type: 'object',
    properties: {
      raw: { ...str, description: 'as typed' },
      label: nullableStr,
      isPrimary: { type: 'boolean' },
      e164: nullableStr,
      extension: nullableStr,
      status: { type: 'string', enum: ['pending', 'ok', 'unreadable'] },
      error: { ...nullableStr, description: 'why the number could not be read' },
    },
  },
] as const;

export function addApiSchemas(app: FastifyInstance): void {
  for (const schema of sharedSchemas) app.addSchema(schema);
}

export const errorResponses = {
  400: { $ref: 'Error#' },
  401: { $ref: 'Error#' },
  404: { $ref: 'Error#' },
} as const;

export const page = (itemRef: string) =>
  ({
    type: 'object',
    properties: {
      items: { type: 'array', items: { $ref: `${itemRef}#` } },
      nextCursor: { ...nullableStr, description: 'pass as `cursor` for the next page; null on the last page' },
    },
    required: ['items', 'nextCursor'],
  }) as const;

export const paging = {
  limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
  cursor: { type: 'string', maxLength: 200, description: 'nextCursor of the previous page' },
} as const;

export const manualCallBody = {
  type: 'object',
  properties: {
    direction: { type: 'string', enum: ['inbound', 'outbound'] },
    durationSeconds: { type: 'integer', minimum: 0, maximum: 86_400, description: 'talk time in seconds' },
    occurredAt: { type: 'string', format: 'date-time', description: 'when the call started' },
    status: { type: 'string', enum: [...MANUAL_CALL_STATUSES], default: 'answered' },
    notes: { type: 'string', maxLength: 20_000 },
    number: {
      type: 'string',
      maxLength: 64,
      description: "the other party's number in any format; national forms are read in the account's default region",
    },
  },
  required: ['direction', 'durationSeconds', 'occurredAt'],
  description:
    'Ai fields (aiSummary, transcript, sentiment, churnRisk, themes, resolved …) are Dialpad-only and refused.',
} as const;
