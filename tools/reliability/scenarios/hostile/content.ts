import fc from 'fast-check';
import { lit } from './recipe';

// Hostile text in valid events (names, numbers, SQL-looking strings, unicode): accepted and stored as sent.

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
export const unstorable = (t: string) => t.includes('\u0000') || LONE_SURROGATE.test(t);

export const UID_CONTACT = '5120123456789012_uid_3f2a9c1e-8b7d-4e6f-9a0b-1c2d3e4f5a6b';

export const hostileName = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...SQLISH) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 120 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 120 }) },
);
export const hostileNumber = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...SQLISH_NUMBERS) },
  { weight: 2, arbitrary: fc.stringMatching(/^\+?[0-9 ().-]{0,30}$/) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 28 }) },
);

/** Valid edits with hostile text: the event must be accepted and stored (ids kept exact). */
export const hostileValidEdits: fc.Arbitrary<[string[], unknown][]> = fc
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
    contactId: fc.constantFrom<unknown>(lit('6480210643730432'), '6480210643730432', UID_CONTACT),
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
      [['contact', 'id'], r.contactId],
    ];
    if (r.groupId !== undefined) edits.push([['group_id'], r.groupId]);
    // Unknown fields are allowed (Dialpad adds fields); the deep and the big ones go there.
    if (r.extraDepth) edits.push([['labels'], lit('['.repeat(r.extraDepth) + ']'.repeat(r.extraDepth))]);
    if (r.extraBytes) edits.push([['custom_data'], 'x'.repeat(r.extraBytes)]);
    return edits;
  });
