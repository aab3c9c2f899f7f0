import { compactVerify, errors as joseErrors } from 'jose';
import type { LeftOutField } from '../../workflows/shared/call-event';
import { parseDialpadJson } from '../dialpad/json';
import { WebhookRejection } from './rejection';
import { epochMsOf } from './validate';

export { WebhookRejection, type RejectionReason } from './rejection';

/**
 * Verifies a Dialpad webhook body. With a secret configured the whole body must be a compact JWS
 * signed HS256 with the webhook secret (or, during a rotation, the previous one); its payload is the
 * event. Algorithms are pinned: `none`, HS384/HS512, RS256 and any other header are refused.
 */
export interface VerifierOptions {
  secret?: string;
  previousSecret?: string;
  /** After this the previous secret no longer verifies (the rotation is over). */
  previousSecretUntil?: Date | undefined;
  allowUnsigned: boolean;
  /** How old an `iat` may be. Dialpad's own retries end about 15 s after the first try. */
  maxAgeSeconds?: number;
  clockToleranceSeconds?: number;
  now?: () => number;
}

export interface VerifiedDelivery {
  /** The event's JSON text as it was signed (the JWS payload, or the unsigned body). */
  payloadText: string;
  /** The event, or null when the verified text is not a JSON object (`problem` says why). */
  claims: Record<string, unknown> | null;
  problem?: string;
  verifiedWith: 'current' | 'previous' | 'unsigned';
  /**
   * Time claims (`iat`, `exp`, `nbf`) that do not hold, noted rather than refused: Dialpad documents
   * none of them and never re-sends after a 4xx, and a replayed genuine event is a duplicate that the
   * de-duplication absorbs. The signature is what authenticates.
   */
  timeNotes: LeftOutField[];
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
  const until = opts.previousSecretUntil?.getTime();
  const usable = (name: 'current' | 'previous') => name === 'current' || until === undefined || now() < until;

  return async function verify(rawBody: string): Promise<VerifiedDelivery> {
    const body = rawBody.trim();
    if (body === '') throw new WebhookRejection(401, 'empty_body', 'empty body: expected a signed Dialpad event');

    if (body.startsWith('{') || body.startsWith('[')) {
      if (keys.length > 0 || !opts.allowUnsigned) {
        throw new WebhookRejection(401, 'unsigned_body', 'unsigned body: expected an HS256-signed JWT');
      }
      return delivery(body, 'unsigned');
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
      if (!usable(name)) continue;
      let payload: Uint8Array;
      try {
        ({ payload } = await compactVerify(body, key, { algorithms: ['HS256'] }));
      } catch (err) {
        if (err instanceof joseErrors.JWSSignatureVerificationFailed) continue;
        throw new WebhookRejection(401, 'malformed_token', 'token could not be verified');
      }
      return delivery(new TextDecoder().decode(payload), name);
    }
    throw new WebhookRejection(401, 'bad_signature', 'signature does not match the webhook secret');
  };

  function delivery(payloadText: string, verifiedWith: VerifiedDelivery['verifiedWith']): VerifiedDelivery {
    let claims: unknown;
    try {
      claims = parseDialpadJson(payloadText);
    } catch {
      return { payloadText, claims: null, problem: 'event is not valid JSON', verifiedWith, timeNotes: [] };
    }
    if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) {
      return { payloadText, claims: null, problem: 'event must be a JSON object', verifiedWith, timeNotes: [] };
    }
    const record = claims as Record<string, unknown>;
    return { payloadText, claims: record, verifiedWith, timeNotes: checkTimes(record) };
  }

  /** `iat`/`exp`/`nbf` in seconds or ms (by magnitude); what does not hold is noted. */
  function checkTimes(claims: Record<string, unknown>): LeftOutField[] {
    const notes: LeftOutField[] = [];
    const nowS = now() / 1000;
    const seconds = (field: string): number | null => {
      const v = claims[field];
      if (v === undefined || v === null) return null;
      const ms = epochMsOf(v);
      if (ms === null) {
        notes.push({ field, reason: 'not a time; ignored' });
        return null;
      }
      return ms / 1000;
    };
    const exp = seconds('exp');
    const nbf = seconds('nbf');
    const iat = seconds('iat');
    if (exp !== null && exp + tolerance < nowS) notes.push({ field: 'exp', reason: 'token had expired; accepted' });
    if (nbf !== null && nbf - tolerance > nowS) notes.push({ field: 'nbf', reason: 'token not valid yet; accepted' });
    if (iat !== null && iat - tolerance > nowS) notes.push({ field: 'iat', reason: 'issued in the future; accepted' });
    if (iat !== null && nowS - iat > maxAge + tolerance) {
      notes.push({ field: 'iat', reason: `issued more than ${maxAge} s ago; accepted` });
    }
    return notes;
  }
}

export type Verifier = ReturnType<typeof createVerifier>;
