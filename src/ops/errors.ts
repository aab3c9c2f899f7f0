/**
 * A refusal an operator can act on: the CLI prints the message, the admin API answers with the
 * matching status. Anything else is a bug or an outage and surfaces as such.
 */
export type OpsErrorCode = 'bad_request' | 'not_found' | 'conflict' | 'unavailable';

const STATUS: Record<OpsErrorCode, number> = { bad_request: 400, not_found: 404, conflict: 409, unavailable: 503 };

export class OpsError extends Error {
  constructor(
    readonly code: OpsErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'OpsError';
  }

  get statusCode(): number {
    return STATUS[this.code];
  }
}
