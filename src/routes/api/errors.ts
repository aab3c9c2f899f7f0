import type { FastifyError, FastifyInstance, FastifySchemaValidationError } from 'fastify';
import { MatchingError } from '../../matching';

/** An answer other than 2xx, with the request field it is about when there is one. */
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

const MATCHING_STATUS: Record<MatchingError['code'], number> = { not_found: 404, invalid_link: 400, conflict: 409 };

/**
 * The API's error answers: `{ error, message, field? }`. Schema violations name the field
 * ("durationSeconds: must be >= 0"). Anything else goes to the application's handler, which logs
 * it and hides 5xx details.
 */
export function installApiErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, _req, reply) => {
    if (err instanceof ApiError) {
      return reply.code(err.statusCode).send(body(err.code, err.message, err.field));
    }
    if (err instanceof MatchingError) {
      return reply.code(MATCHING_STATUS[err.code]).send(body(err.code, err.message, err.field));
    }
    if (err.validation) {
      const { field, message } = describeValidation(err.validation, err.validationContext);
      return reply.code(400).send(body('validation_error', message, field));
    }
    // Fastify's own 4xx (malformed JSON, unsupported content type, body too large).
    if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.code(err.statusCode).send(body('bad_request', err.message));
    }
    throw err;
  });
}

function body(error: string, message: string, field?: string) {
  return field === undefined ? { error, message } : { error, message, field };
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
