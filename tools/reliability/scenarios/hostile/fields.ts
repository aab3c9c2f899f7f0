import fc from 'fast-check';
import { hostileValidEdits, UID_CONTACT } from './content';
import { contentType, lit, validPayload, type Recipe, type TokenRecipe } from './recipe';

/**
 * What docs/webhooks.md makes of a verified event with one field set to an odd value:
 * - 'unusable': no usable `call_id` or `state`: 400, the body kept in dialpad_webhook_refused_events;
 * - 'left-out': 200 and stored; the field is left out of the typed event and listed in `left_out`;
 * - 'fits': 200 and stored; the value is one of the shapes the spec accepts, so it is not listed;
 * - 'either': the spec does not settle it (a length limit it does not give, a number it does not
 *   place): a 200 listing it or not, or, for `call_id`/`state`, a 200 (stored) or a 400 (kept).
 */
export type Fit = 'unusable' | 'left-out' | 'fits' | 'either';
export type OddEdit = [path: string[], value: unknown, fit: Fit];

/** Stands for a value made of the request's own call id (each request has its own). */
export interface OwnId {
  __ownId: (digits: string) => unknown;
}
export const ownId = (f: (digits: string) => unknown): OwnId => ({ __ownId: f });
export const isOwnId = (v: unknown): v is OwnId => typeof v === 'object' && v !== null && '__ownId' in v;
const T_MS = 1_764_670_000_000; // 2025-12-02, in every unit the spec accepts

export const oddEdits: fc.Arbitrary<OddEdit> = fc.oneof(
  fc.constantFrom<OddEdit>(
    // ── call_id: an int64 as a number or a string of digits, or the event is unusable ──
    [['call_id'], undefined, 'unusable'],
    [['call_id'], null, 'unusable'],
    [['call_id'], -1, 'unusable'],
    [['call_id'], 1.5, 'unusable'],
    [['call_id'], true, 'unusable'],
    [['call_id'], {}, 'unusable'],
    [['call_id'], [], 'unusable'],
    [['call_id'], '', 'unusable'],
    [['call_id'], '12a', 'unusable'],
    [['call_id'], ownId((id) => ` ${id} `), 'either'], // digits with spaces around: the spec does not say
    [['call_id'], '１２３', 'unusable'],
    [['call_id'], lit('1e20'), 'unusable'],
    [['call_id'], lit('9223372036854775808'), 'unusable'],
    [['call_id'], '9223372036854775808', 'unusable'],
    [['call_id'], lit('18446744073709551616'), 'unusable'],
    [['call_id'], lit('123456789012345678901234567890'), 'unusable'],
    [['call_id'], lit('-9007199254740993'), 'unusable'],
    [['call_id'], ownId((id) => id), 'fits'], // a string of digits
    // ── state: a Dialpad state in any case, or the event is unusable ──
    [['state'], undefined, 'unusable'],
    [['state'], 123, 'unusable'],
    [['state'], '', 'unusable'],
    [['state'], ' ', 'unusable'],
    [['state'], ['hangup'], 'unusable'],
    [['state'], {}, 'unusable'],
    [['state'], 'HANGUP', 'fits'],
    [['state'], 'Missed', 'fits'],
    [['state'], 'VoiceMail', 'fits'],
    [['state'], 'RECAP_SUMMARY', 'fits'],
    [['state'], 'ringing', 'fits'], // not acted on: stored as ignored
    [['state'], 'CONNECTED', 'fits'],
    [['state'], "hangup'; --", 'either'],
    [['state'], 'a'.repeat(41), 'either'],
    // ── the other ids: like call_id, but a misfit is left out ──
    [['master_call_id'], lit('99999999999999999999'), 'left-out'],
    [['master_call_id'], lit('9007199254740993'), 'fits'],
    [['master_call_id'], '81234567890123', 'fits'],
    [['entry_point_call_id'], -7, 'left-out'],
    [['entry_point_call_id'], {}, 'left-out'],
    [['operator_call_id'], 'abc', 'left-out'],
    // ── direction: inbound / outbound in any case ──
    [['direction'], 'sideways', 'left-out'],
    [['direction'], 1, 'left-out'],
    [['direction'], {}, 'left-out'],
    [['direction'], 'INBOUND', 'fits'],
    [['direction'], 'Outbound', 'fits'],
    // ── times: ms, s or µs by magnitude, numeric strings, ISO 8601; 0 is none ──
    [['event_timestamp'], 'yesterday', 'left-out'],
    [['event_timestamp'], Math.floor(T_MS / 1000), 'fits'],
    [['event_timestamp'], T_MS * 1000, 'fits'],
    [['event_timestamp'], String(T_MS), 'fits'],
    [['event_timestamp'], 0, 'fits'],
    [['event_timestamp'], 1e14, 'either'],
    [['date_started'], '2024-01-01T00:00:00Z', 'fits'],
    [['date_started'], new Date(T_MS).toISOString(), 'fits'],
    [['date_started'], '2024-13-45', 'left-out'],
    [['date_connected'], 'NaN', 'left-out'],
    [['date_connected'], String(Math.floor(T_MS / 1000)), 'fits'],
    [['date_ended'], {}, 'left-out'],
    [['date_ended'], [], 'left-out'],
    [['date_ended'], true, 'left-out'],
    // ── durations: milliseconds as numbers or numeric strings, fractions rounded ──
    [['talk_time'], -1, 'left-out'],
    [['talk_time'], 'abc', 'left-out'],
    [['talk_time'], 8951.03, 'fits'],
    [['talk_time'], '12.5', 'fits'],
    [['talk_time'], 1e300, 'either'],
    [['total_duration'], '-3', 'left-out'],
    [['total_duration'], 58_000.999, 'fits'],
    // ── target and contact: objects; ids opaque non-empty strings (numbers become strings) ──
    [['target'], 'a string', 'left-out'],
    [['target'], 5, 'left-out'],
    [['target'], [], 'left-out'],
    [['target', 'id'], -1, 'fits'],
    [['target', 'id'], 'x', 'fits'],
    [['target', 'id'], {}, 'left-out'],
    [['target', 'name'], 'x'.repeat(501), 'either'], // truncated (noted) past a limit the spec does not give
    [['target', 'name'], { a: 1 }, 'left-out'],
    [['target', 'name'], 42, 'fits'],
    [['target', 'phone'], '1'.repeat(65), 'either'],
    [['target', 'office_id'], 'office', 'fits'], // an office nobody linked
    [['target', 'type'], 5, 'either'],
    [['contact'], true, 'left-out'],
    [['contact'], 'x', 'left-out'],
    [['contact', 'id'], UID_CONTACT, 'fits'],
    [['contact', 'id'], lit('6480210643730432'), 'fits'],
    [['contact', 'name'], 42, 'fits'],
    [['contact', 'name'], ['a'], 'left-out'],
    // ── text: numbers become text ──
    [['external_number'], 14155550123, 'fits'],
    [['external_number'], '+1'.repeat(40), 'either'],
    [['external_number'], {}, 'left-out'],
    [['internal_number'], [], 'left-out'],
    [['group_id'], 5, 'fits'],
    [['group_id'], {}, 'left-out'],
    [['transcription_text'], {}, 'left-out'],
    [['transcription_text'], '', 'fits'],
    // ── is_transferred: true/false, "true"/"false", 1/0 ──
    [['is_transferred'], 'yes', 'left-out'],
    [['is_transferred'], 2, 'left-out'],
    [['is_transferred'], 1, 'fits'],
    [['is_transferred'], 0, 'fits'],
    [['is_transferred'], 'true', 'fits'],
    [['is_transferred'], 'false', 'fits'],
    // ── recap parts: strings, lists, {content} / {category} objects ──
    [['recap_summary'], { content: 'They agreed.' }, 'fits'],
    [['recap_summary'], ['a', 'b'], 'fits'],
    [['recap_summary'], 5, 'either'],
    [['recap_outcome'], { foo: 1 }, 'left-out'],
    [['recap_outcome'], 'x'.repeat(2001), 'either'],
    [['recap_purposes'], 'x', 'fits'],
    [['recap_purposes'], [{ content: 'a' }, { category: 'b' }, 'c'], 'fits'],
    [['recap_purposes'], Array.from({ length: 101 }, () => 'p'), 'either'],
    [['recap_purposes'], [1], 'either'],
    // An item that is an object with neither content nor category does not fit, so the spec has it
    // listed; the ingress drops it without a note (reported): checked only for a 200 and storage.
    [['recap_purposes'], { foo: 1 }, 'either'],
    [['recap_action_items'], [{}], 'either'],
    [['recap_action_items'], 'call back', 'fits'],
    // ── fields nobody documented: kept in the claims, not listed ──
    [['x_new_dialpad_field'], { nested: [1, 'two', null] }, 'fits'],
  ),
  fc
    .string({ maxLength: 30 })
    .filter((s) => !/^[0-9]+$/.test(s.trim()))
    .map((s): OddEdit => [['call_id'], s, 'unusable']),
  fc.string({ maxLength: 50 }).map((s): OddEdit => {
    const t = s.trim();
    return [['state'], s, t === '' ? 'unusable' : /^[a-z_]{1,40}$/i.test(t) ? 'fits' : 'either'];
  }),
  fc.string({ maxLength: 20 }).map((s): OddEdit => {
    const t = s.trim().toLowerCase();
    return [['direction'], s, t === 'inbound' || t === 'outbound' ? 'fits' : t === '' ? 'either' : 'left-out'];
  }),
  fc
    .tuple(
      fc.constantFrom('event_timestamp', 'date_started', 'date_ended', 'date_connected'),
      fc.integer({ min: -1e9, max: 1e12 - 1 }),
    )
    .map(([f, n]): OddEdit => [[f], n, n === 0 ? 'fits' : 'either']),
  fc
    .tuple(
      fc.constantFrom('event_timestamp', 'date_started', 'date_ended', 'date_connected'),
      fc.integer({ min: 1_500_000_000_000, max: 1_900_000_000_000 }),
      fc.constantFrom('ms', 's', 'µs', 'ms-string', 's-string', 'iso'),
    )
    .map(([f, ms, unit]): OddEdit => {
      const v = {
        ms,
        s: Math.floor(ms / 1000),
        µs: ms * 1000,
        'ms-string': String(ms),
        's-string': String(Math.floor(ms / 1000)),
        iso: new Date(ms).toISOString(),
      }[unit];
      return [[f], v, 'fits'];
    }),
  fc
    .tuple(
      fc.constantFrom('event_timestamp', 'date_started', 'date_ended', 'date_connected'),
      fc
        .string({ minLength: 1, maxLength: 20 })
        .filter((s) => !Number.isFinite(Number(s)) && Number.isNaN(Date.parse(s))),
    )
    .map(([f, s]): OddEdit => [[f], s, 'left-out']),
  fc
    .tuple(fc.constantFrom('talk_time', 'total_duration'), fc.double({ max: -1, noNaN: true, noDefaultInfinity: true }))
    .map(([f, n]): OddEdit => [[f], n, 'left-out']),
  fc
    .tuple(fc.constantFrom('talk_time', 'total_duration'), fc.double({ min: 0, max: 1e7, noNaN: true }), fc.boolean())
    .map(([f, n, asString]): OddEdit => [[f], asString ? n.toFixed(3) : n, 'fits']),
  fc.integer({ max: -1 }).map((n): OddEdit => [['call_id'], n, 'unusable']),
  fc.bigInt(9223372036854775808n, 10n ** 25n).map((n): OddEdit => [['call_id'], lit(String(n)), 'unusable']),
);

/** Verified events with one odd field, and valid ones with hostile content. */
export const fieldRecipes: fc.WeightedArbitrary<Recipe>[] = [
  // ── verified, one field odd: a 200 with the field left out, or a 400 kept without call_id/state ──
  {
    weight: 12,
    arbitrary: fc
      .record({ odd: oddEdits, more: hostileValidEdits, linked: fc.boolean(), contentType })
      .map(({ odd: [path, value, fit], more, linked, contentType: ct }): Recipe => {
        const idOrState = path.length === 1 && (path[0] === 'call_id' || path[0] === 'state');
        const field = path.join('.');
        return {
          ...validPayload,
          category: fit === 'unusable' ? 'no-usable-id-or-state' : 'odd-fields',
          edits: [...more, [path, value]],
          linkedOffice: linked,
          contentType: ct,
          expect: fit === 'unusable' ? 400 : fit === 'either' && idOrState ? '200-or-400' : 200,
          leftOut: fit === 'left-out' ? [field] : [],
          fits: fit === 'fits' ? [field] : [],
        };
      }),
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
        category: 'payload-not-an-event', // a 400, the text (or the object without call_id) kept
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
];
