/** Why the ingress refuses a delivery, with the status it answers. */
export type RejectionReason =
  'empty_body' | 'unsigned_body' | 'malformed_token' | 'algorithm_not_allowed' | 'bad_signature' | 'malformed_payload';

export class WebhookRejection extends Error {
  constructor(
    readonly statusCode: 400 | 401,
    readonly reason: RejectionReason,
    message: string,
  ) {
    super(message);
    this.name = 'WebhookRejection';
  }
}
