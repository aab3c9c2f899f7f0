/**
 * Errors from the Dialpad client. Each class sets `name` explicitly, because Temporal classifies an
 * activity failure by the error's name: list the permanent ones in `nonRetryableErrorTypes` with
 * `DIALPAD_NON_RETRYABLE_ERROR_TYPES`. None of them ever carries the API key or request headers.
 */

import { DIALPAD_CLIENT_NON_RETRYABLE } from '../../workflows/shared/errors';

/**
 * Dialpad refused the request with a 4xx other than 429 (bad input, unknown id, missing scope,
 * wrong key). Retrying the same request cannot succeed.
 */
export class DialpadApiError extends Error {
  override readonly name = 'DialpadApiError';
  constructor(
    /** HTTP status Dialpad answered with. */
    readonly status: number,
    /** Method and path template, e.g. `POST /api/v2/contacts` (never the query string). */
    readonly endpoint: string,
    /** What Dialpad said was wrong, as it said it (trimmed). */
    readonly dialpadMessage: string,
  ) {
    super(`Dialpad rejected ${endpoint} with ${status}: ${dialpadMessage}`);
  }

  get isNotFound(): boolean {
    return this.status === 404;
  }
}

/** Dialpad answered 2xx with a body this client cannot read (not JSON, or not the documented shape). */
export class DialpadProtocolError extends Error {
  override readonly name = 'DialpadProtocolError';
  constructor(
    readonly endpoint: string,
    detail: string,
  ) {
    super(`Unexpected response from Dialpad for ${endpoint}: ${detail}`);
  }
}

/** Still answering 429 after the client's own retries. Transient: worth retrying later. */
export class DialpadRateLimitedError extends Error {
  override readonly name = 'DialpadRateLimitedError';
  constructor(
    readonly endpoint: string,
    readonly attempts: number,
  ) {
    super(`Dialpad kept answering 429 (rate limited) for ${endpoint} after ${attempts} attempts`);
  }
}

/**
 * 5xx, timeout or network failure that outlasted the client's retries. Transient. When
 * `mayHaveSucceeded` is true (a non-idempotent request whose answer never arrived), Dialpad may
 * have carried it out: check before creating again.
 */
export class DialpadUnavailableError extends Error {
  override readonly name = 'DialpadUnavailableError';
  constructor(
    readonly endpoint: string,
    readonly attempts: number,
    readonly reason: string,
    readonly status: number | null,
    readonly mayHaveSucceeded: boolean,
  ) {
    super(`Dialpad unavailable for ${endpoint} after ${attempts} attempts: ${reason}`);
  }
}

/**
 * The client's own rate limiter would have had to wait longer than allowed before sending. Nothing
 * was sent; retry later (a Temporal activity retry does exactly that).
 */
export class RateLimitWaitExceededError extends Error {
  override readonly name = 'RateLimitWaitExceededError';
  constructor(
    readonly bucket: string,
    readonly waitMs: number,
    readonly maxWaitMs: number,
  ) {
    super(`Rate limit bucket ${bucket} has no free slot for ${waitMs} ms (more than the allowed ${maxWaitMs} ms)`);
  }
}

/** For Temporal `nonRetryableErrorTypes`: failures that the same request will always hit again. */
export const DIALPAD_NON_RETRYABLE_ERROR_TYPES = DIALPAD_CLIENT_NON_RETRYABLE;

export function isDialpadNotFound(err: unknown): boolean {
  return err instanceof DialpadApiError && err.status === 404;
}
