import { createHmac, generateKeyPairSync, sign as rsaSign } from 'node:crypto';
import fc from 'fast-check';
import { emitted } from '../lib/emit';
import type { Scenario } from '../lib/result';
import { clearLeftovers } from '../lib/verify';

/**
 * Scenario 6: at least 10,000 generated hostile requests to the real ingress process: malformed and
 * truncated JWTs, wrong secrets, `none`, HS384/HS512, RS256 and the RSA public key used as the HMAC
 * secret, expired or future `iat`/`exp`/`nbf`, huge and deeply nested JSON, wrong types, ids past
 * 2^53 and past int64, unicode and SQL-looking strings in names and numbers.
 *
 * Checked: never a 5xx, never a dropped connection, the ingress process never exits; each request
 * gets the status its category calls for, every rejection is a 4xx whose JSON body has `error` and
 * `message`; nothing from unverified or invalid input is stored in dialpad_webhook_deliveries, and
 * every verified-and-valid event is stored once, its id exact to the digit (even past 2^53), and,
 * when its office is linked, processed into a `calls` row by the worker.
 */

/** A raw JSON number literal (for ids past 2^53 and other numbers JSON.stringify cannot write). */
interface Lit {
  __lit: string;
}
const lit = (s: string): Lit => ({ __lit: s });
const isLit = (v: unknown): v is Lit => typeof v === 'object' && v !== null && '__lit' in v;

function toJson(v: unknown): string {
  if (isLit(v)) return v.__lit;
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : toJson(x))).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.entries(v)
      .filter(([, x]) => x !== undefined)
      .map(([k, x]) => `${JSON.stringify(k)}:${toJson(x)}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

type Signing =
  | 'hs256'
  | 'hs384'
  | 'hs512'
  | 'wrong-secret'
  | 'none'
  | 'rs256'
  | 'hs256-with-public-key'
  | 'rs256-header-hmac-public-key';

type Mutation = { kind: 'truncate'; at: number } | { kind: 'tamper'; segment: 0 | 1 | 2; at: number } | null;

/** `'4xx'`: any client error with a JSON reason (an unknown method may be 400, 404 or 415). */
type Expect = 200 | 400 | 401 | 404 | 413 | '4xx';

interface TokenRecipe {
  kind: 'token';
  category: string;
  signing: Signing;
  wrongSecret?: string;
  header?: Record<string, unknown>;
  /** Fields set (or removed, with undefined) on the base event, by path. */
  edits?: [string[], unknown][];
  /** The payload text itself instead of an event. */
  rawPayload?: string;
  /** Ids past 2^53 (as JSON numbers or strings) instead of the usual 14-digit one. */
  bigId?: 'past-2^53' | 'near-int64' | 'near-int64-string';
  linkedOffice?: boolean;
  claims?: Record<string, unknown>;
  mutation?: Mutation;
  contentType: string | null;
  expect: Expect;
  /** A 400 is also acceptable. (No recipe sets it: text Postgres cannot hold must be stored.) */
  mayReject?: boolean;
}

interface RawRecipe {
  kind: 'raw';
  category: string;
  method: string;
  body: string | null;
  contentType: string | null;
  expect: Expect;
}

type Recipe = TokenRecipe | RawRecipe;

const CONTENT_TYPES = [
  'application/jwt',
  'application/json',
  'text/plain',
  null,
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'application/octet-stream',
  'text/html; charset=utf-16',
] as const;

const SQLISH = [
  "Robert'); DROP TABLE calls;--",
  "' OR '1'='1",
  '1; DELETE FROM dialpad_webhook_deliveries WHERE true; --',
  "'; update accounts set dialpad_office_id = null; --",
  '$$; drop schema public cascade; $$',
  '\\x27 union select * from accounts --',
  "O'Brien & Søn",
  '%s%s%s%n',
  '${jndi:ldap://127.0.0.1/a}',
  '<script>alert(1)</script>',
  '{{7*7}}',
  '\u202eevil\u202c',
  'Zoë 🚀 李小龍 مرحبا',
  '𝕳𝖊𝖑𝖑𝖔 ｗｏｒｌｄ',
  ' ',
  '',
];

const SQLISH_NUMBERS = [
  "+1415555'; --",
  "' OR 1=1 --",
  '+1 (415) 555-0100 ext. 12',
  '00 44 20 7946 0958',
  '+4420794609580000000000000',
  '+١٢٣٤٥٦٧٨٩',
  '+14155550123; DROP TABLE contacts',
  'anonymous',
  'unknown',
  '+',
  '0',
];

/**
 * Strings Postgres cannot store as text or in jsonb. A valid event holding them must still be
 * answered 200 and stored (the ingress makes them storable); a 400 would lose a real call.
 */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const unstorable = (t: string) => t.includes('\u0000') || LONE_SURROGATE.test(t);

// Fields set to something the validator must refuse (each alone makes a verified event a 400).
const invalidEdits: fc.Arbitrary<[string[], unknown]> = fc.oneof(
  fc.constantFrom<[string[], unknown]>(
    [['call_id'], undefined],
    [['call_id'], null],
    [['call_id'], -1],
    [['call_id'], 1.5],
    [['call_id'], true],
    [['call_id'], {}],
    [['call_id'], []],
    [['call_id'], ''],
    [['call_id'], '12a'],
    [['call_id'], ' 123'],
    [['call_id'], '１２３'],
    [['call_id'], lit('1e20')],
    [['call_id'], lit('9223372036854775808')],
    [['call_id'], '9223372036854775808'],
    [['call_id'], lit('18446744073709551616')],
    [['call_id'], lit('123456789012345678901234567890')],
    [['call_id'], lit('-9007199254740993')],
    [['state'], undefined],
    [['state'], 123],
    [['state'], ''],
    [['state'], 'HANGUP'],
    [['state'], "hangup'; --"],
    [['state'], 'a'.repeat(41)],
    [['state'], ['hangup']],
    [['direction'], 'sideways'],
    [['direction'], 'INBOUND'],
    [['direction'], 1],
    [['event_timestamp'], 'yesterday'],
    [['event_timestamp'], 1_700_000_000],
    [['event_timestamp'], 1e14],
    [['date_started'], '2024-01-01T00:00:00Z'],
    [['date_connected'], 'NaN'],
    [['date_ended'], {}],
    [['talk_time'], -1],
    [['talk_time'], 'abc'],
    [['total_duration'], '-3'],
    [['target'], 'a string'],
    [['target'], 5],
    [['target'], []],
    [['target', 'id'], -1],
    [['target', 'id'], 'x'],
    [['target', 'name'], 'x'.repeat(501)],
    [['target', 'phone'], '1'.repeat(65)],
    [['target', 'office_id'], 'office'],
    [['target', 'type'], 5],
    [['contact'], true],
    [['contact', 'name'], 42],
    [['external_number'], 14155550123],
    [['external_number'], '+1'.repeat(40)],
    [['internal_number'], []],
    [['is_transferred'], 'yes'],
    [['is_transferred'], 1],
    [['recap_purposes'], 'x'],
    [['recap_purposes'], Array.from({ length: 101 }, () => 'p')],
    [['recap_purposes'], [1]],
    [['recap_action_items'], [{}]],
    [['recap_summary'], 5],
    [['recap_outcome'], 'x'.repeat(2001)],
    [['group_id'], 5],
    [['transcription_text'], {}],
    [['master_call_id'], lit('99999999999999999999')],
    [['entry_point_call_id'], -7],
    [['operator_call_id'], 'abc'],
  ),
  fc
    .string({ maxLength: 30 })
    .filter((s) => !/^[0-9]{1,19}$/.test(s) && s !== '')
    .map((s): [string[], unknown] => [['call_id'], s]),
  fc
    .string({ maxLength: 50 })
    .filter((s) => !/^[a-z_]{1,40}$/.test(s))
    .map((s): [string[], unknown] => [['state'], s]),
  fc
    .string({ maxLength: 20 })
    .filter((s) => s !== 'inbound' && s !== 'outbound')
    .map((s): [string[], unknown] => [['direction'], s]),
  fc
    .tuple(
      fc.constantFrom('event_timestamp', 'date_started', 'date_ended', 'date_connected'),
      fc.integer({ min: -1e9, max: 1e12 - 1 }),
    )
    .map(([f, n]): [string[], unknown] => [[f], n]),
  fc
    .tuple(
      fc.constantFrom('talk_time', 'total_duration'),
      fc.double({ max: -0.001, noNaN: true, noDefaultInfinity: true }),
    )
    .map(([f, n]): [string[], unknown] => [[f], n]),
  fc.integer({ max: -1 }).map((n): [string[], unknown] => [['call_id'], n]),
  fc.bigInt(9223372036854775808n, 10n ** 25n).map((n): [string[], unknown] => [['call_id'], lit(String(n))]),
);

const hostileName = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...SQLISH) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 120 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 120 }) },
);
const hostileNumber = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...SQLISH_NUMBERS) },
  { weight: 2, arbitrary: fc.stringMatching(/^\+?[0-9 ().-]{0,30}$/) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 28 }) },
);

/** Valid edits with hostile text: the event must be accepted and stored (ids kept exact). */
const hostileValidEdits: fc.Arbitrary<[string[], unknown][]> = fc
  .record({
    contactName: hostileName,
    targetName: hostileName,
    external: hostileNumber,
    internal: hostileNumber,
    contactPhone: hostileNumber,
    bigTarget: fc.bigInt(2n ** 53n + 1n, 9223372036854775807n),
    targetAsString: fc.boolean(),
    direction: fc.constantFrom('inbound', 'outbound', null),
    extraDepth: fc.constantFrom(0, 0, 0, 64, 2_000, 40_000),
    extraBytes: fc.constantFrom(0, 0, 0, 10_000, 120_000),
    groupId: fc.oneof(fc.constant(undefined), hostileName),
  })
  .map((r) => {
    const edits: [string[], unknown][] = [
      [['contact', 'name'], r.contactName],
      [['target', 'name'], r.targetName],
      [['external_number'], r.external],
      [['internal_number'], r.internal],
      [['contact', 'phone'], r.contactPhone],
      [['target', 'id'], r.targetAsString ? String(r.bigTarget) : lit(String(r.bigTarget))],
      [['direction'], r.direction],
    ];
    if (r.groupId !== undefined) edits.push([['group_id'], r.groupId]);
    // Unknown fields are allowed (Dialpad adds fields); the deep and the big ones go there.
    if (r.extraDepth) edits.push([['labels'], lit('['.repeat(r.extraDepth) + ']'.repeat(r.extraDepth))]);
    if (r.extraBytes) edits.push([['custom_data'], 'x'.repeat(r.extraBytes)]);
    return edits;
  });

const validPayload = { signing: 'hs256' as const, kind: 'token' as const };
const contentType = fc.constantFrom(...CONTENT_TYPES);

const recipes: fc.Arbitrary<Recipe> = fc.oneof(
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
    weight: 5,
    arbitrary: fc
      .oneof(
        fc.integer({ min: 331, max: 10_000_000 }).map((age) => ({ iat: { __rel: -age } })),
        // Margins beyond the verifier's 30 s tolerance plus the time the run takes to send them.
        fc.integer({ min: 150, max: 10_000_000 }).map((ahead) => ({ iat: { __rel: ahead } })),
        fc.integer({ min: 31, max: 10_000_000 }).map((age) => ({ exp: { __rel: -age } })),
        fc.integer({ min: 150, max: 10_000_000 }).map((ahead) => ({ nbf: { __rel: ahead } })),
        fc.constantFrom<Record<string, unknown>>(
          { iat: 'yesterday' },
          { exp: '9999999999' },
          { iat: null },
          { exp: null },
          { nbf: {} },
        ),
      )
      .chain((claims) =>
        contentType.map((ct): Recipe => ({
          kind: 'token',
          category: 'bad-times',
          signing: 'hs256',
          claims,
          contentType: ct,
          expect: 401,
        })),
      ),
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
    // base64url text itself) is not an event.
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
  {
    weight: 3,
    arbitrary: contentType.map((ct): Recipe => ({
      kind: 'token',
      category: 'unsigned-json',
      signing: 'hs256',
      rawPayload: 'UNSIGNED',
      contentType: ct,
      expect: 401,
    })),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({ size: fc.integer({ min: 262_145, max: 1_500_000 }), ch: fc.constantFrom('a', '{', '[', 'e') })
      .map((r): Recipe => ({
        kind: 'raw',
        category: 'oversized',
        method: 'POST',
        body: r.ch.repeat(r.size),
        contentType: 'application/jwt',
        expect: 413,
      })),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({ method: fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH'), contentType })
      .map((r): Recipe => ({
        kind: 'raw',
        category: 'wrong-method',
        method: r.method,
        body: r.method === 'GET' || r.method === 'DELETE' ? null : 'x',
        contentType: r.contentType,
        expect: '4xx',
      })),
  },
  // ── verified but invalid: 400, never stored ─────────────────────────────────────────────────
  {
    weight: 12,
    arbitrary: fc.record({ bad: invalidEdits, more: hostileValidEdits, contentType }).map((r): Recipe => ({
      ...validPayload,
      category: 'wrong-types',
      edits: [...r.more, r.bad],
      contentType: r.contentType,
      expect: 400,
    })),
  },
  {
    weight: 4,
    arbitrary: fc
      .record({
        payload: fc.oneof(
          fc.constantFrom('[]', '[1,2,3]', '42', '"hangup"', 'null', 'true', '{', '{"call_id":', ' ', '{"a":1}{"b":2}'),
          // Not empty: an empty payload segment is not a compact JWS at all (a 401, not a 400).
          fc.string({ unit: 'binary', minLength: 1, maxLength: 100 }).filter((s) => !s.trim().startsWith('{')),
          fc.integer({ min: 1, max: 150_000 }).map((d) => '['.repeat(d) + ']'.repeat(d)),
          fc.integer({ min: 1, max: 60_000 }).map((d) => '{"a":'.repeat(d) + '1' + '}'.repeat(d)),
        ),
        contentType,
      })
      .map((r): Recipe => ({
        kind: 'token',
        category: 'payload-not-an-event',
        signing: 'hs256',
        rawPayload: r.payload,
        contentType: r.contentType,
        expect: 400,
      })),
  },
  // ── verified and valid, hostile content: 200 and stored exactly once ───────────────────────
  {
    weight: 12,
    arbitrary: fc
      .record({
        edits: hostileValidEdits,
        bigId: fc.constantFrom<TokenRecipe['bigId']>(
          undefined,
          undefined,
          'past-2^53',
          'near-int64',
          'near-int64-string',
        ),
        linked: fc.boolean(),
        contentType,
      })
      .map((r): Recipe => ({
        ...validPayload,
        category: 'valid-hostile-content',
        edits: r.edits,
        bigId: r.bigId,
        linkedOffice: r.linked,
        contentType: r.contentType,
        expect: 200,
      })),
  },
);

interface Materialised {
  recipe: Recipe;
  /** The recipe's expected status, or 413 when the body came out larger than the limit. */
  expect: Expect;
  method: string;
  body: string | null;
  contentType: string | null;
  callId: string | null;
  /** Whether this request, if answered 2xx, must be stored. */
  storable: boolean;
  mayReject: boolean;
  /** A valid event with NUL or lone surrogates in its text. */
  pgRefusedText?: boolean;
}

interface Sent extends Materialised {
  status: number | null;
  error?: string;
  json: unknown;
}

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64url');
/** The ingress's bodyLimit (src/app.ts). */
const BODY_LIMIT = 256 * 1024;

export const hostileScenario: Scenario = {
  name: 'hostile',
  title: 'generated hostile requests: never a 5xx or a crash, nothing stored from unverified input',
  run: async (env) => {
    const o = env.options;
    const n = Math.max(1, Math.floor(o.hostileRequests));
    const generated = fc.sample(recipes, { numRuns: n, seed: o.hostileSeed });
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();

    const nowS = Math.floor(Date.now() / 1000);
    let counter = 0;
    let bigCounter = 0;
    // The base event's numbers: they must not reach the logs either (scenario 8).
    emitted.phoneNumbers.add('+14155550123');
    emitted.phoneNumbers.add('+14155550100');
    const uniqueId = () => `${Date.now() % 1_000_000}${String(++counter).padStart(7, '0')}`;
    const unlinkedOffice = '9000000000000777';

    const materialise = (recipe: Recipe): Materialised => {
      const tooLarge = (body: string | null) => (body ?? '').length > BODY_LIMIT;
      if (recipe.kind === 'raw') {
        const expect = tooLarge(recipe.body) ? 413 : recipe.expect;
        return {
          recipe,
          expect,
          method: recipe.method,
          body: recipe.body,
          contentType: recipe.contentType,
          callId: null,
          storable: false,
          mayReject: false,
        };
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
        obj[path[path.length - 1]!] = value;
        if (typeof value === 'string') texts.push(value);
      }
      let idOk = true;
      if (recipe.edits?.some(([p]) => p[0] === 'call_id' && p.length === 1)) {
        const v = event.call_id;
        idOk = isLit(v) || typeof v === 'string';
        callId = isLit(v) ? v.__lit : typeof v === 'string' ? v : '';
      }
      for (const [name, v] of Object.entries(recipe.claims ?? {})) {
        const rel = v !== null && typeof v === 'object' && '__rel' in v ? (v as { __rel: number }).__rel : undefined;
        event[name] = rel === undefined ? v : nowS + rel;
      }
      texts = texts.filter(Boolean);
      const payload =
        recipe.rawPayload === undefined
          ? toJson(event)
          : recipe.rawPayload === 'UNSIGNED'
            ? toJson(event)
            : recipe.rawPayload;
      if (recipe.rawPayload === 'UNSIGNED') {
        const expect = tooLarge(payload) ? 413 : recipe.expect;
        return {
          recipe,
          expect,
          method: 'POST',
          body: payload,
          contentType: recipe.contentType,
          callId: idOk ? callId : null,
          storable: false,
          mayReject: false,
        };
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
      const hmac = (algo: string, key: string | Buffer) =>
        createHmac(algo, key).update(signingInput).digest('base64url');
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
      const storable = expect === 200;
      const pgRefusedText = storable && texts.some(unstorable);
      const mayReject = false;
      return {
        recipe,
        expect,
        method: 'POST',
        body: token,
        contentType: recipe.contentType,
        callId: idOk ? callId : null,
        storable,
        mayReject,
        pgRefusedText,
      };
    };

    const requests = generated.map(materialise);
    const counts: Record<string, number> = {};
    for (const r of requests) counts[r.recipe.category] = (counts[r.recipe.category] ?? 0) + 1;
    env.note(`  ${requests.length} requests in ${Object.keys(counts).length} categories: ${JSON.stringify(counts)}`);

    await clearLeftovers(env.db, env.temporalClient, env.note);
    const [before] = await env.db('dialpad_webhook_deliveries').max<{ max: number | null }[]>('id as max');
    const maxIdBefore = Number(before?.max ?? 0);
    const crashesBefore = env.ingress.crashes.length;

    const sent: Sent[] = [];
    let next = 0;
    const started = Date.now();
    const workerLoop = async () => {
      while (next < requests.length) {
        const r = requests[next++]!;
        sent.push(await send(env.webhookUrl, r));
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.floor(o.hostileConcurrency)) }, workerLoop));
    const elapsed = (Date.now() - started) / 1000;
    env.note(`  sent in ${elapsed.toFixed(1)} s (${(sent.length / elapsed).toFixed(0)} requests/s)`);

    const failures: string[] = [];
    const samples = new Map<string, string[]>();
    const flag = (kind: string, s: Sent, detail: string) => {
      const list = samples.get(kind) ?? [];
      list.push(`${s.recipe.category} → ${s.status ?? s.error}: ${detail}`.slice(0, 300));
      samples.set(kind, list);
    };
    const statusCounts: Record<string, number> = {};
    let wrongStatus = 0;
    for (const s of sent) {
      statusCounts[s.status ?? 'no answer'] = (statusCounts[s.status ?? 'no answer'] ?? 0) + 1;
      if (s.status === null) flag('no answer (connection dropped or timed out)', s, s.error ?? '');
      else if (s.status >= 500) flag('5xx', s, JSON.stringify(s.json));
      if (s.status !== null && s.status >= 400) {
        const j = s.json as { error?: unknown; message?: unknown } | null;
        if (!j || typeof j.error !== 'string' || !j.error || typeof j.message !== 'string' || !j.message) {
          flag('rejection without a JSON {error, message} body', s, JSON.stringify(s.json)?.slice(0, 120) ?? 'no body');
        }
      }
      const ok =
        s.status === s.expect ||
        (s.expect === '4xx' && s.status !== null && s.status >= 400 && s.status < 500) ||
        (s.mayReject && s.status === 400);
      if (s.status !== null && !ok) {
        wrongStatus++;
        flag(`status other than the category's (${s.expect})`, s, JSON.stringify(s.json)?.slice(0, 160) ?? '');
      }
    }

    // Stored rows: only verified-and-valid events, each once, ids exact.
    const accepted = new Map(sent.filter((s) => s.storable && s.status === 200 && s.callId).map((s) => [s.callId!, s]));
    // Accepted without Postgres, a delivery is recorded later by the worker: wait while rows arrive.
    const deadline = Date.now() + 60_000;
    let rows: { id: number; call_id: string }[] = [];
    let lastGrowth = Date.now();
    for (;;) {
      const previous = rows.length;
      rows = await env.db('dialpad_webhook_deliveries').where('id', '>', maxIdBefore).select('id', 'call_id');
      if (rows.length > previous) lastGrowth = Date.now();
      const have = new Set(rows.map((r) => r.call_id));
      if ([...accepted.keys()].every((id) => have.has(id)) || Date.now() > deadline || Date.now() - lastGrowth > 10_000)
        break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const byCallId = new Map<string, number>();
    for (const r of rows) byCallId.set(r.call_id, (byCallId.get(r.call_id) ?? 0) + 1);
    const fromElsewhere = rows.filter((r) => !accepted.has(r.call_id));
    const storedTwice = [...byCallId.values()].filter((c) => c > 1).length;
    const notStored = [...accepted.keys()].filter((id) => !byCallId.has(id));
    const validSent = sent.filter((s) => s.storable);
    const validRejected = validSent.filter((s) => s.status !== 200);

    // Events on the linked office go through the worker: each must become a calls row.
    const linked = [...accepted.values()].filter((s) => (s.recipe as TokenRecipe).linkedOffice).map((s) => s.callId!);
    let processed = 0;
    let lastProgress = Date.now();
    const processDeadline = Date.now() + 240_000;
    for (;;) {
      const before = processed;
      processed = 0;
      for (let i = 0; i < linked.length; i += 1000) {
        const [c] = await env
          .db('dialpad_call_legs')
          .whereIn('call_id', linked.slice(i, i + 1000))
          .whereNotNull('call_row_id')
          .count<{ count: string }[]>('* as count');
        processed += Number(c?.count ?? 0);
      }
      if (processed > before) lastProgress = Date.now();
      // Until all are processed, or nothing moved for 20 s, or 4 minutes.
      if (processed === linked.length || Date.now() > processDeadline || Date.now() - lastProgress > 20_000) break;
      await new Promise((r) => setTimeout(r, 3000));
    }

    const alive = await fetch(`${env.ingressUrl}/healthz`, { signal: AbortSignal.timeout(5000) })
      .then((r) => r.ok)
      .catch(() => false);
    if (!alive) failures.push('the ingress does not answer /healthz after the hostile input');
    if (env.ingress.crashes.length > crashesBefore)
      failures.push(`the ingress process exited ${env.ingress.crashes.length - crashesBefore} time(s)`);
    if (sent.length < 10_000 && n >= 10_000) failures.push(`only ${sent.length} requests sent`);
    for (const [kind, list] of samples) {
      failures.push(`${list.length} × ${kind}`);
      failures.push(...[...new Set(list)].slice(0, 4).map((l) => `  e.g. ${l}`));
    }
    if (fromElsewhere.length) {
      failures.push(
        `${fromElsewhere.length} delivery row(s) stored from unverified or invalid input: ${fromElsewhere
          .slice(0, 5)
          .map((r) => r.call_id)
          .join(', ')}`,
      );
    }
    if (storedTwice) failures.push(`${storedTwice} valid event(s) stored more than once`);
    if (notStored.length) {
      const examples = notStored.slice(0, 4).map((id) => {
        const s = accepted.get(id)!;
        return `${id} (${JSON.stringify((s.recipe as TokenRecipe).edits?.filter(([p]) => ['contact', 'target', 'external_number', 'internal_number'].includes(p[0]!)).map(([p, v]) => `${p.join('.')}=${JSON.stringify(v)}`.slice(0, 60)))})`;
      });
      failures.push(`${notStored.length} valid event(s) answered 200 but never stored: e.g. ${examples.join('; ')}`);
    }
    if (processed < linked.length)
      failures.push(
        `${linked.length - processed} of ${linked.length} valid events on a linked office never became a calls row`,
      );

    return {
      scenario: 'hostile',
      title: hostileScenario.title,
      sent: sent.length,
      expected: validSent.length,
      stored: accepted.size - notStored.length,
      lost: notStored.length + validRejected.filter((s) => !s.mayReject).length,
      duplicated: fromElsewhere.length + storedTwice,
      wrong: wrongStatus,
      failures,
      details: {
        seed: o.hostileSeed,
        categories: counts,
        statuses: statusCounts,
        requestsPerSecond: +(sent.length / elapsed).toFixed(0),
        validAccepted: accepted.size,
        validWithTextPostgresRefuses: (() => {
          const withIt = validSent.filter((s) => s.pgRefusedText);
          return {
            sent: withIt.length,
            stored: withIt.filter((s) => s.status === 200 && byCallId.has(s.callId!)).length,
          };
        })(),
        idsPast2to53: (() => {
          const big = [...accepted.values()].filter((x) => (x.recipe as TokenRecipe).bigId);
          return { accepted: big.length, storedExactToTheDigit: big.filter((x) => byCallId.has(x.callId!)).length };
        })(),
        linkedValid: linked.length,
        linkedProcessedIntoCalls: processed,
        newDeliveryRows: rows.length,
      },
    };
  },
};

async function send(url: string, r: Materialised): Promise<Sent> {
  try {
    const res = await fetch(url, {
      method: r.method,
      body: r.body === null ? undefined : r.contentType === null ? new TextEncoder().encode(r.body) : r.body,
      headers: r.contentType ? { 'content-type': r.contentType } : {},
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
    return { ...r, status: res.status, json };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    return { ...r, status: null, error: e.cause?.code ?? e.name, json: null };
  }
}
