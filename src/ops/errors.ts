import type { FastifySchemaValidationError } from 'fastify';
import {
  DialpadApiError,
  DialpadProtocolError,
  DialpadRateLimitedError,
  DialpadUnavailableError,
} from '../dialpad/errors';
import { MatchingError } from '../matching/errors';

/**
 * A refusal an operator can act on: the CLI prints the message, the admin API answers with the
 * matching status. Anything else is a bug or an outage and surfaces as such.
 */
export type OpsErrorCode = 'bad_request' | 'not_found' | 'conflict' | 'unavailable' | 'temporal_unavailable';

const STATUS: Record<OpsErrorCode, number> = {
  bad_request: 400,
  not_found: 404,
  conflict: 409,
  unavailable: 503,
  temporal_unavailable: 503,
};

export class OpsError extends Error {
  constructor(
    readonly code: OpsErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'OpsError';
  }

  get statusCode(): number {
    return STATUS[this.code];
  }
}

/** An answer of Navigator's API other than 2xx, with the request field it is about when there is one. */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }

  /** A 400 whose message starts with the field it is about: "number: Too few digits…". */
  static validation(field: string, problem: string): ApiError {
    return new ApiError(400, 'validation_error', `${field}: ${problem}`, field);
  }

  static notFound(message: string): ApiError {
    return new ApiError(404, 'not_found', message);
  }
}

/** What a known failure means to a caller: the HTTP status, a stable code and a readable message. */
export interface ErrorAnswer {
  status: number;
  code: string;
  message: string;
  field?: string;
}

const MATCHING_STATUS: Record<MatchingError['code'], number> = { not_found: 404, invalid_link: 400, conflict: 409 };

/**
 * The one classification of errors, used by the HTTP error handler (src/routes/errors.ts) and the
 * CLI: undefined for anything unexpected (a bug or an outage), which the caller logs and reports
 * without details.
 */
export function classifyError(err: unknown): ErrorAnswer | undefined {
  if (err instanceof ApiError) return answer(err.statusCode, err.code, err.message, err.field);
  if (err instanceof OpsError) return answer(err.statusCode, err.code, err.message);
  if (err instanceof MatchingError) return answer(MATCHING_STATUS[err.code], err.code, err.message, err.field);
  if (err instanceof DialpadApiError || err instanceof DialpadProtocolError) {
    return answer(502, 'dialpad_error', err.message);
  }
  if (err instanceof DialpadRateLimitedError || err instanceof DialpadUnavailableError) {
    return answer(503, 'dialpad_unavailable', err.message);
  }
  const e = err as { validation?: FastifySchemaValidationError[]; validationContext?: string; statusCode?: unknown };
  if (err instanceof Error && Array.isArray(e.validation)) {
    const { field, message } = describeValidation(e.validation, e.validationContext);
    return answer(400, 'validation_error', message, field);
  }
  // Fastify's own 4xx (malformed JSON, unsupported content type, body too large).
  if (err instanceof Error && typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return answer(e.statusCode, 'bad_request', err.message);
  }
  return undefined;
}

function answer(status: number, code: string, message: string, field?: string): ErrorAnswer {
  return field === undefined ? { status, code, message } : { status, code, message, field };
}

/** One readable sentence for the first schema violation, naming the field. */
export function describeValidation(
  errors: readonly FastifySchemaValidationError[],
  context: string | undefined,
): { field: string; message: string } {
  const e = errors[0];
  if (!e) return { field: context ?? 'request', message: `${context ?? 'request'}: is invalid` };
  const path = e.instancePath.replace(/^\//, '').split('/').filter(Boolean).join('.');
  const params = e.params;
  let field = path || (context ?? 'request');
  let problem = e.message ?? 'is invalid';
  switch (e.keyword) {
    case 'required':
      field = [path, String(params.missingProperty)].filter(Boolean).join('.');
      problem = 'is required';
      break;
    case 'enum':
      problem = `must be one of ${(params.allowedValues as unknown[]).join(', ')}`;
      break;
    case 'format':
      problem =
        params.format === 'date-time'
          ? 'must be an ISO 8601 date-time with a time zone, e.g. 2026-11-27T10:15:00Z'
          : `must be a valid ${String(params.format)}`;
      break;
    case 'type':
      problem = `must be ${String(params.type)}`;
      break;
    default:
      break;
  }
  return { field, message: `${field}: ${problem}` };
}
