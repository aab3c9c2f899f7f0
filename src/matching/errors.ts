/**
 * Permanent failures of matching and linking. Each has its own `name` so Temporal activities can
 * list them in `nonRetryableErrorTypes` and the API can answer with the right status.
 */
export abstract class MatchingError extends Error {
  abstract readonly code: 'not_found' | 'invalid_link' | 'conflict';
  /** The request field the error is about, when there is one. */
  readonly field: string | undefined;

  constructor(message: string, field?: string) {
    super(message);
    this.field = field;
  }
}

export class CallNotFoundError extends MatchingError {
  override readonly name = 'CallNotFoundError';
  readonly code = 'not_found';
  constructor(readonly callId: string) {
    super(`no call with id ${callId}`);
  }
}

export class RecordNotFoundError extends MatchingError {
  override readonly name = 'RecordNotFoundError';
  readonly code = 'not_found';
  constructor(entityType: string, entityId: string, field?: string) {
    super(`no ${entityType} with id ${entityId}`, field);
  }
}

/** A call can only be linked to a record of its own account. */
export class RecordInOtherAccountError extends MatchingError {
  override readonly name = 'RecordInOtherAccountError';
  readonly code = 'invalid_link';
  constructor(entityType: string, entityId: string) {
    super(`entityId: ${entityType} ${entityId} belongs to another account than the call`, 'entityId');
  }
}

/** Internal calls (Dialpad user to Dialpad user) stay out of every history. */
export class InternalCallError extends MatchingError {
  override readonly name = 'InternalCallError';
  readonly code = 'conflict';
  constructor(callId: string) {
    super(`call ${callId} is an internal call between Dialpad users; internal calls are not linked to records`);
  }
}
