import { createHmac, generateKeyPairSync, sign as rsaSign } from 'node:crypto';
import { ACTED_ON_STATES } from '../../../../workflows/shared/call-event';
import { emitted } from '../../lib/emit';
import type { ReliabilityEnv } from '../../lib/env';
import { unstorable } from './content';
import { isOwnId } from './fields';
import { b64, BODY_LIMIT, isLit, lit, toJson, type Expect, type Recipe } from './recipe';

export interface Materialised {
  recipe: Recipe;
  /** The recipe's expected status, or 413 when the body came out larger than the limit. */
  expect: Expect;
  method: string;
  body: string | null;
  contentType: string | null;
  /** The call id a stored delivery must carry, digit for digit (null when none may be stored). */
  callId: string | null;
  /** A verified event that must be answered 200 (or may be: '200-or-400') and then stored once. */
  storable: boolean;
  /** Signed with the right secret, intact and within the limit: answered 400, it must be kept once. */
  verified: boolean;
  /** Stored with a state acted on, on the linked office: the worker must make it a `calls` row. */
  routed: boolean;
  /** False for a state not acted on: stored with routing_status 'ignored'. */
  stateActedOn: boolean;
  /** A valid event with NUL or lone surrogates in its text. */
  pgRefusedText?: boolean;
}

/**
 * Makes recipes into requests: the base event with the recipe's edits, claims and padding, signed as
 * the recipe says (an RSA key pair made here), then mutated; and what the request must come to.
 */
export function materialiser(env: ReliabilityEnv): (recipe: Recipe) => Materialised {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();

  let counter = 0;
  let bigCounter = 0;
  // The base event's numbers: they must not reach the logs either (scenario 8).
  emitted.phoneNumbers.add('+14155550123');
  emitted.phoneNumbers.add('+14155550100');
  const uniqueId = () => `${Date.now() % 1_000_000}${String(++counter).padStart(7, '0')}`;
  const unlinkedOffice = '9000000000000777';
  return (recipe: Recipe): Materialised => {
    const tooLarge = (body: string | null) => (body ?? '').length > BODY_LIMIT;
    const none = { callId: null, storable: false, verified: false, routed: false, stateActedOn: true };
    if (recipe.kind === 'raw') {
      const expect = tooLarge(recipe.body) ? 413 : recipe.expect;
      return { recipe, expect, method: recipe.method, body: recipe.body, contentType: recipe.contentType, ...none };
    }
    const now = Date.now();
    const k = BigInt(++bigCounter);
    let callId = `8${uniqueId()}`;
    let callIdJson: unknown = lit(callId);
    if (recipe.bigId === 'past-2^53') callIdJson = lit((callId = String(2n ** 53n + 1n + k)));
    if (recipe.bigId === 'near-int64') callIdJson = lit((callId = String(9_000_000_000_000_000_000n + k)));
    if (recipe.bigId === 'near-int64-string') callIdJson = callId = String(9_223_372_036_800_000_000n + k);
    const office = recipe.linkedOffice ? env.hostileOffice.officeId : unlinkedOffice;
    const event: Record<string, unknown> = {
      call_id: callIdJson,
      state: 'hangup',
      direction: 'inbound',
      external_number: '+14155550123',
      internal_number: '+14155550100',
      target: {
        id: lit('5991398486736896'),
        type: 'user',
        name: 'Agent One',
        phone: '+14155550100',
        office_id: lit(office),
      },
      contact: { id: lit('6480210643730432'), name: 'Jane Roe', phone: '+14155550123', type: 'local' },
      date_started: now - 60_000,
      date_connected: null,
      date_ended: now - 2_000,
      event_timestamp: now - 1_000,
      talk_time: 0,
      total_duration: 58_000,
      is_transferred: false,
    };
    let texts: string[] = [];
    for (const [path, value] of recipe.edits ?? []) {
      let obj = event;
      for (const key of path.slice(0, -1)) {
        if (obj[key] === null || typeof obj[key] !== 'object' || Array.isArray(obj[key]) || isLit(obj[key]))
          obj[key] = {};
        obj = obj[key] as Record<string, unknown>;
      }
      obj[path[path.length - 1]!] = isOwnId(value) ? value.__ownId(callId) : value;
      if (typeof value === 'string') texts.push(value);
    }
    // The call id the delivery must carry: the id's digits (a 400 stores none).
    const v = event.call_id;
    const idDigits = isLit(v) ? v.__lit : typeof v === 'string' ? v.trim() : null;
    const callIdOut = idDigits !== null && /^[0-9]{1,19}$/.test(idDigits) ? idDigits.replace(/^0+(?=.)/, '') : null;
    for (const [name, c] of Object.entries(recipe.claims ?? {})) {
      const rel = c !== null && typeof c === 'object' && '__rel' in c ? (c as { __rel: number }).__rel : undefined;
      const relMs =
        c !== null && typeof c === 'object' && '__relMs' in c ? (c as { __relMs: number }).__relMs : undefined;
      // Relative to when the request is sent (a full run takes minutes; margins are 30 s past the
      // verifier's tolerance).
      const nowS = Math.floor(now / 1000);
      event[name] = rel !== undefined ? nowS + rel : relMs !== undefined ? (nowS + relMs) * 1000 : c;
    }
    texts = texts.filter(Boolean);
    let payload =
      recipe.rawPayload === undefined || recipe.rawPayload === 'UNSIGNED' ? toJson(event) : recipe.rawPayload;
    if (recipe.padding) {
      const { field, chars } = recipe.padding;
      // Written as JSON text: the transcription as \u escapes (é, 中, א), 6 bytes a character.
      const escapes = ['\\u00e9', '\\u4e2d', '\\u05d0'];
      const text =
        field === 'transcription_text'
          ? Array.from({ length: chars }, (_, i) => escapes[i % 3]!).join('')
          : 'x'.repeat(chars);
      payload = `${payload.slice(0, -1)},${JSON.stringify(field)}:"${text}"}`;
    }
    if (recipe.rawPayload === 'UNSIGNED') {
      const expect = tooLarge(payload) ? 413 : recipe.expect;
      return { recipe, expect, method: 'POST', body: payload, contentType: recipe.contentType, ...none };
    }
    const header = recipe.header ?? {
      alg: {
        hs256: 'HS256',
        hs384: 'HS384',
        hs512: 'HS512',
        'wrong-secret': 'HS256',
        none: 'none',
        rs256: 'RS256',
        'hs256-with-public-key': 'HS256',
        'rs256-header-hmac-public-key': 'RS256',
      }[recipe.signing],
      typ: 'JWT',
    };
    const { sig: noneSig, ...protectedHeader } = header as Record<string, unknown> & { sig?: string };
    const signingInput = `${b64(JSON.stringify(protectedHeader))}.${b64(payload)}`;
    const secret = env.secrets.webhookSecret;
    const hmac = (algo: string, key: string | Buffer) => createHmac(algo, key).update(signingInput).digest('base64url');
    let signature: string;
    switch (recipe.signing) {
      case 'hs256':
        signature = hmac('sha256', secret);
        break;
      case 'hs384':
        signature = hmac('sha384', secret);
        break;
      case 'hs512':
        signature = hmac('sha512', secret);
        break;
      case 'wrong-secret':
        signature = hmac('sha256', recipe.wrongSecret === secret ? `${secret}x` : (recipe.wrongSecret ?? 'x'));
        break;
      case 'none':
        signature = noneSig ?? '';
        break;
      case 'rs256':
        signature = rsaSign('sha256', Buffer.from(signingInput), privateKey).toString('base64url');
        break;
      case 'hs256-with-public-key':
      case 'rs256-header-hmac-public-key':
        signature = hmac('sha256', publicPem);
        break;
    }
    let token = `${signingInput}.${signature}`;
    const m = recipe.mutation;
    if (m?.kind === 'truncate') token = token.slice(0, 1 + (m.at % (token.length - 1)));
    if (m?.kind === 'tamper') {
      const parts = token.split('.');
      const part = parts[m.segment]!;
      // Not the last character: its low bits may be padding, and changing those changes nothing.
      if (part.length > 1) {
        const i = m.at % (part.length - 1);
        const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
        const c = part[i]!;
        const replacement = alphabet[(alphabet.indexOf(c) + 32) % 64]!; // flips the high bit of the sextet
        parts[m.segment] = part.slice(0, i) + replacement + part.slice(i + 1);
      }
      token = parts.join('.');
    }
    const expect = tooLarge(token) ? 413 : recipe.expect;
    // (The only header of a verified token besides the default: RFC 7797's b64 false.)
    const verified =
      expect !== 413 &&
      recipe.signing === 'hs256' &&
      (recipe.header === undefined || recipe.header.b64 === false) &&
      !recipe.mutation &&
      recipe.rawPayload !== 'UNSIGNED';
    const storable = verified && (expect === 200 || expect === '200-or-400');
    // Which state the event is stored with (any case), and whether its office is still the one
    // sent (the edit did not replace the target or its office id).
    const state = typeof event.state === 'string' ? event.state.trim().toLowerCase() : null;
    const stateActedOn = state !== null && ACTED_ON_STATES.has(state);
    const officeKept = !(recipe.edits ?? []).some(
      ([p]) => p[0] === 'target' && (p.length === 1 || p[1] === 'office_id'),
    );
    return {
      recipe,
      expect,
      method: 'POST',
      body: token,
      contentType: recipe.contentType,
      callId: verified ? callIdOut : null,
      storable,
      verified,
      routed: storable && !!recipe.linkedOffice && officeKept && stateActedOn,
      stateActedOn,
      pgRefusedText: storable && texts.some(unstorable),
    };
  };
}
