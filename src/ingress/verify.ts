import { compactVerify, errors as joseErrors } from 'jose';
import { parseJsonKeepingLongIntegers } from './safe-json';

/**
 * Verifies a Dialpad webhook body. With a secret configured the whole body must be a compact JWS
 * signed HS256 with the webhook secret (or, during a rotation, the previous one); its payload is the
 * event. Algorithms are pinned: `none`, HS384/HS512, RS256 and any other header are refused.
 */
export type RejectionReason =
  | 'empty_body'
  | 'unsigned_body'
  | 'malformed_token'
  | 'algorithm_not_allowed'
  | 'bad_signature'
  | 'token_expired'
  | 'token_from_future'
  | 'malformed_payload';

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

export interface VerifierOptions {
  secret?: string;
  previousSecret?: string;
  allowUnsigned: boolean;
  /** How old an `iat` may be. Dialpad's own retries end about 15 s after the first try. */
  maxAgeSeconds?: number;
  clockToleranceSeconds?: number;
  now?: () => number;
}

export interface VerifiedDelivery {
  claims: Record<string, unknown>;
  verifiedWith: 'current' | 'previous' | 'unsigned';
}

const JWS_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export function createVerifier(opts: VerifierOptions) {
  const encoder = new TextEncoder();
  const keys: { key: Uint8Array; name: 'current' | 'previous' }[] = [];
  if (opts.secret) keys.push({ key: encoder.encode(opts.secret), name: 'current' });
  if (opts.previousSecret) keys.push({ key: encoder.encode(opts.previousSecret), name: 'previous' });
  const maxAge = opts.maxAgeSeconds ?? 300;
  const tolerance = opts.clockToleranceSeconds ?? 30;
  const now = opts.now ?? (() => Date.now());

  return async function verify(rawBody: string): Promise<VerifiedDelivery> {
    const body = rawBody.trim();
    if (body === '') throw new WebhookRejection(401, 'empty_body', 'empty body: expected a signed Dialpad event');

    if (body.startsWith('{') || body.startsWith('[')) {
      if (keys.length > 0 || !opts.allowUnsigned) {
        throw new WebhookRejection(401, 'unsigned_body', 'unsigned body: expected an HS256-signed JWT');
      }
      return { claims: parseClaims(body), verifiedWith: 'unsigned' };
    }
    if (keys.length === 0) {
      throw new WebhookRejection(401, 'bad_signature', 'a signed body arrived but no webhook secret is configured');
    }
    if (!JWS_SHAPE.test(body)) throw new WebhookRejection(401, 'malformed_token', 'body is not a compact JWS');

    let header: Record<string, unknown>;
    try {
      header = JSON.parse(Buffer.from(body.split('.')[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    } catch {
      throw new WebhookRejection(401, 'malformed_token', 'token header is not valid JSON');
    }
    if (header === null || typeof header !== 'object' || header.alg !== 'HS256') {
      throw new WebhookRejection(
        401,
        'algorithm_not_allowed',
        `algorithm ${JSON.stringify(header?.alg)} is not allowed`,
      );
    }

    for (const { key, name } of keys) {
      try {
        const { payload } = await compactVerify(body, key, { algorithms: ['HS256'] });
        const claims = parseClaims(new TextDecoder().decode(payload));
        checkTimes(claims);
        return { claims, verifiedWith: name };
      } catch (err) {
        if (err instanceof WebhookRejection) throw err;
        if (err instanceof joseErrors.JWSSignatureVerificationFailed) continue;
        throw new WebhookRejection(401, 'malformed_token', 'token could not be verified');
      }
    }
    throw new WebhookRejection(401, 'bad_signature', 'signature does not match the webhook secret');
  };

  function parseClaims(text: string): Record<string, unknown> {
    let claims: unknown;
    try {
      claims = parseJsonKeepingLongIntegers(text);
    } catch {
      throw new WebhookRejection(400, 'malformed_payload', 'event is not valid JSON');
    }
    if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) {
      throw new WebhookRejection(400, 'malformed_payload', 'event must be a JSON object');
    }
    return claims as Record<string, unknown>;
  }

  /** `iat`/`exp` are undocumented for Dialpad: enforced when present, de-duplication otherwise. */
  function checkTimes(claims: Record<string, unknown>): void {
    const nowS = now() / 1000;
    const { iat, exp, nbf } = claims;
    if (exp !== undefined && (typeof exp !== 'number' || exp + tolerance < nowS)) {
      throw new WebhookRejection(401, 'token_expired', 'token has expired (exp)');
    }
    if (nbf !== undefined && (typeof nbf !== 'number' || nbf - tolerance > nowS)) {
      throw new WebhookRejection(401, 'token_from_future', 'token is not valid yet (nbf)');
    }
    if (iat !== undefined) {
      if (typeof iat !== 'number') throw new WebhookRejection(401, 'malformed_token', 'iat must be a number');
      if (iat - tolerance > nowS)
        throw new WebhookRejection(401, 'token_from_future', 'token issued in the future (iat)');
      if (nowS - iat > maxAge + tolerance) {
        throw new WebhookRejection(401, 'token_expired', `token is older than ${maxAge} s (iat)`);
      }
    }
  }
}

export type Verifier = ReturnType<typeof createVerifier>;
