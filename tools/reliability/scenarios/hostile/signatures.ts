import fc from 'fast-check';
import { hostileValidEdits } from './content';
import type { Fit } from './fields';
import { contentType, validPayload, type Recipe, type Signing } from './recipe';

/** Requests by how they are signed (or not) and their JOSE header: unverified ones are answered 401 and never stored. */
export const signatureRecipes: fc.WeightedArbitrary<Recipe>[] = [
  // ── unverified: 401 (or 413 when too large), never stored ─────────────────────────────────────
  {
    weight: 6,
    arbitrary: fc.record({ body: fc.string({ unit: 'binary', maxLength: 400 }), contentType }).map((r): Recipe => ({
      kind: 'raw',
      category: 'garbage',
      method: 'POST',
      body: r.body,
      contentType: r.contentType,
      expect: 401,
    })),
  },
  {
    weight: 4,
    arbitrary: fc
      .tuple(
        fc.base64String({ maxLength: 80 }),
        fc.base64String({ maxLength: 200 }),
        fc.base64String({ maxLength: 60 }),
      )
      .map((parts): Recipe => ({
        kind: 'raw',
        category: 'random-jws-shape',
        method: 'POST',
        body: parts.map((p) => p.replace(/\+/g, '-').replace(/\//g, '_').replace(/=/g, '')).join('.'),
        contentType: 'application/jwt',
        expect: 401,
      })),
  },
  {
    weight: 6,
    arbitrary: fc.record({ at: fc.nat(), contentType, edits: hostileValidEdits }).map((r): Recipe => ({
      ...validPayload,
      category: 'truncated',
      edits: r.edits,
      mutation: { kind: 'truncate', at: r.at },
      contentType: r.contentType,
      expect: 401,
    })),
  },
  {
    weight: 6,
    arbitrary: fc
      .record({ segment: fc.constantFrom(0 as const, 1 as const, 2 as const), at: fc.nat(), contentType })
      .map((r): Recipe => ({
        ...validPayload,
        category: 'tampered',
        mutation: { kind: 'tamper', segment: r.segment, at: r.at },
        contentType: r.contentType,
        expect: 401,
      })),
  },
  {
    weight: 6,
    arbitrary: fc
      .record({
        secret: fc.string({ minLength: 0, maxLength: 64 }),
        contentType,
        edits: fc.option(hostileValidEdits, { nil: undefined }),
      })
      .map((r): Recipe => ({
        kind: 'token',
        category: 'wrong-secret',
        signing: 'wrong-secret',
        wrongSecret: r.secret,
        edits: r.edits,
        contentType: r.contentType,
        expect: 401,
      })),
  },
  {
    weight: 4,
    arbitrary: fc
      .record({
        alg: fc.constantFrom('none', 'None', 'NONE', 'nOnE'),
        sig: fc.constantFrom('', 'AAAA', 'signature'),
        contentType,
      })
      .map((r): Recipe => ({
        kind: 'token',
        category: 'alg-none',
        signing: 'none',
        header: { alg: r.alg, typ: 'JWT', sig: r.sig },
        contentType: r.contentType,
        expect: 401,
      })),
  },
  {
    weight: 4,
    arbitrary: fc.record({ alg: fc.constantFrom<Signing>('hs384', 'hs512'), contentType }).map((r): Recipe => ({
      kind: 'token',
      category: `alg-${r.alg}`,
      signing: r.alg,
      contentType: r.contentType,
      expect: 401,
    })),
  },
  {
    weight: 4,
    arbitrary: fc
      .record({
        signing: fc.constantFrom<Signing>('rs256', 'hs256-with-public-key', 'rs256-header-hmac-public-key'),
        contentType,
      })
      .map((r): Recipe => ({
        kind: 'token',
        category: r.signing,
        signing: r.signing,
        contentType: r.contentType,
        expect: 401,
      })),
  },
  {
    // Time claims never refuse a verified event: one that does not hold is noted in left_out. With
    // a wrong secret the same token is still a 401.
    weight: 5,
    arbitrary: fc
      .record({
        time: fc.oneof(
          // Beyond the verifier's 300 s age and 30 s tolerance (set when the request is sent).
          fc
            .integer({ min: 331, max: 10_000_000 })
            .map((age) => ({ claims: { iat: { __rel: -age } }, fit: 'left-out' })),
          fc
            .integer({ min: 150, max: 10_000_000 })
            .map((ahead) => ({ claims: { iat: { __rel: ahead } }, fit: 'left-out' })),
          fc
            .integer({ min: 31, max: 10_000_000 })
            .map((age) => ({ claims: { exp: { __rel: -age } }, fit: 'left-out' })),
          fc
            .integer({ min: 150, max: 10_000_000 })
            .map((ahead) => ({ claims: { nbf: { __rel: ahead } }, fit: 'left-out' })),
          // The same claims in milliseconds.
          fc
            .integer({ min: 331, max: 10_000_000 })
            .map((age) => ({ claims: { iat: { __relMs: -age } }, fit: 'left-out' })),
          fc
            .integer({ min: 31, max: 10_000_000 })
            .map((age) => ({ claims: { exp: { __relMs: -age } }, fit: 'left-out' })),
          fc.constantFrom<{ claims: Record<string, unknown>; fit: Fit }>(
            { claims: { iat: 'yesterday' }, fit: 'left-out' },
            { claims: { nbf: {} }, fit: 'left-out' },
            { claims: { exp: [] }, fit: 'left-out' },
            // 10^10: seconds (year 2286, holds) or milliseconds (1970, expired), by magnitude.
            { claims: { exp: '9999999999' }, fit: 'either' },
            { claims: { iat: null }, fit: 'fits' },
            { claims: { exp: null }, fit: 'fits' },
          ),
        ),
        wrongSecret: fc.oneof(
          { weight: 4, arbitrary: fc.constant(undefined) },
          { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
        ),
        contentType,
      })
      .map(({ time, wrongSecret, contentType: ct }): Recipe => {
        const field = Object.keys(time.claims)[0]!;
        return {
          kind: 'token',
          category: wrongSecret === undefined ? 'bad-times' : 'bad-times-wrong-secret',
          signing: wrongSecret === undefined ? 'hs256' : 'wrong-secret',
          wrongSecret,
          claims: time.claims,
          contentType: ct,
          expect: wrongSecret === undefined ? 200 : 401,
          leftOut: time.fit === 'left-out' ? [field] : [],
          fits: time.fit === 'fits' ? [field] : [],
        };
      }),
  },
  {
    weight: 3,
    arbitrary: fc
      .record({
        header: fc.constantFrom<Record<string, unknown>>(
          { alg: 'HS256', kid: '../../../../etc/passwd' },
          { alg: 'HS256', jku: 'http://127.0.0.1:1/jwks.json' },
          { alg: 'HS256', x5u: 'http://127.0.0.1:1/cert.pem' },
          { alg: 'HS256', jwk: { kty: 'oct', k: 'AAAA' } },
        ),
        secret: fc.string({ minLength: 1, maxLength: 40 }),
        contentType,
      })
      .map((r): Recipe => ({
        kind: 'token',
        category: 'header-tricks-wrong-secret',
        signing: 'wrong-secret',
        wrongSecret: r.secret,
        header: r.header,
        contentType: r.contentType,
        expect: 401,
      })),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({
        header: fc.constantFrom<Record<string, unknown>>(
          { alg: 'HS256', crit: ['exp'] },
          { alg: 'HS256', crit: 'b64' },
          { alg: ['HS256'] },
          { alg: 'hs256' },
          { alg: 'HS256 ' },
          { alg: null },
          { typ: 'JWT' },
        ),
        contentType,
      })
      .map((r): Recipe => ({
        kind: 'token',
        category: 'header-tricks-right-secret',
        signing: 'hs256',
        header: r.header,
        contentType: r.contentType,
        expect: 401,
      })),
  },
  {
    // RFC 7797 unencoded payload, signed with the right secret: verified, but the payload (the
    // base64url text itself) is not a JSON object: 400, and the text is kept.
    weight: 1,
    arbitrary: contentType.map((ct): Recipe => ({
      kind: 'token',
      category: 'b64-false-right-secret',
      signing: 'hs256',
      header: { alg: 'HS256', crit: ['b64'], b64: false },
      contentType: ct,
      expect: 400,
    })),
  },
];
