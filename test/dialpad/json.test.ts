import fc from 'fast-check';
import {
  DialpadIdPrecisionError,
  normalizeDialpadIds,
  parseDialpadJson,
  stringifyDialpadJson,
  toDialpadId,
} from '../../src/dialpad/json';

describe('parseDialpadJson', () => {
  it('keeps integers of 16+ digits exact (above 2^53 included) and leaves everything else to JSON.parse', () => {
    const text =
      '{"call_id": 9007199254740993, "master_call_id":-9223372036854775807, "ts": 1764241200000, "n": 12,' +
      ' "f": 1.5e300, "frac": 0.12345678901234567890, "big_float": 12345678901234567.5, "exp": 1234567890123456e3,' +
      ' "s": "id 12345678901234567890 inside a string", "q": "x\\"1234567890123456789\\"", "list": [9300000000000000001, 7]}';
    expect(parseDialpadJson(text)).toEqual({
      call_id: '9007199254740993',
      master_call_id: '-9223372036854775807',
      ts: 1764241200000,
      n: 12,
      f: 1.5e300,
      frac: 0.12345678901234568,
      big_float: 12345678901234568,
      exp: 1234567890123456e3,
      s: 'id 12345678901234567890 inside a string',
      q: 'x"1234567890123456789"',
      list: ['9300000000000000001', 7],
    });
  });

  it('rejects what JSON.parse rejects', () => {
    expect(() => parseDialpadJson('{"a": 1')).toThrow(SyntaxError);
    expect(() => parseDialpadJson('<html>')).toThrow(SyntaxError);
  });

  it('round-trips arbitrary documents: every int64 id survives exactly, every string untouched', () => {
    const id = fc.bigInt({ min: 10n ** 15n, max: 2n ** 63n - 1n }).map(String);
    const doc = fc.record({
      id,
      call_recording_ids: fc.array(id, { maxLength: 4 }),
      target: fc.record({ id, office_id: id, name: fc.string() }),
      text: fc.string({ unit: 'grapheme' }),
      digits: fc.stringMatching(/^"?\d{16,22}"?$/),
      small: fc.integer(),
      // Durations and scores: far below the 16-digit range that is reserved for ids.
      ratio: fc.double({ min: -1e12, max: 1e12, noNaN: true }),
    });
    fc.assert(
      fc.property(doc, (d) => {
        const parsed = parseDialpadJson(stringifyDialpadJson(d)) as typeof d;
        expect(parsed.id).toBe(d.id);
        expect(parsed.call_recording_ids).toEqual(d.call_recording_ids);
        expect(parsed.target).toEqual(d.target);
        expect(parsed.text).toBe(d.text);
        expect(parsed.digits).toBe(d.digits);
        expect(parsed.small).toBe(d.small);
        expect(parsed.ratio === d.ratio).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('ids', () => {
  it('toDialpadId accepts numbers and strings, refuses numbers that already lost digits', () => {
    expect(toDialpadId(6421977457180672)).toBe('6421977457180672');
    expect(toDialpadId(' 6421977457180672 ')).toBe('6421977457180672');
    expect(toDialpadId('9300000000000000001')).toBe('9300000000000000001');
    expect(toDialpadId(null)).toBeNull();
    expect(toDialpadId('')).toBeNull();
    expect(() => toDialpadId(9300000000000000000)).toThrow(DialpadIdPrecisionError);
    expect(() => toDialpadId(1.5)).toThrow(DialpadIdPrecisionError);
  });

  it('normalizeDialpadIds turns every id-like field into a string, deeply', () => {
    expect(
      normalizeDialpadIds({
        call_id: 6421977457180672,
        master_call_id: null,
        target: { id: 5991398486736896, office_id: '5527348325810176', name: 'Agent One' },
        call_recording_ids: [1, '2'],
        lines: [{ user_id: 7, time: '2026-11-27T11:00:07Z' }],
        group_id: 'Office:5527348325810176',
        duration: 189000,
      }),
    ).toEqual({
      call_id: '6421977457180672',
      master_call_id: null,
      target: { id: '5991398486736896', office_id: '5527348325810176', name: 'Agent One' },
      call_recording_ids: ['1', '2'],
      lines: [{ user_id: '7', time: '2026-11-27T11:00:07Z' }],
      group_id: 'Office:5527348325810176',
      duration: 189000,
    });
  });

  it('stringifyDialpadJson writes id strings as exact integer literals and nothing else', () => {
    expect(
      stringifyDialpadJson({
        owner_id: '9300000000000000001',
        first_name: '0123',
        phones: ['+14155550142'],
        x: undefined,
      }),
    ).toBe('{"owner_id":9300000000000000001,"first_name":"0123","phones":["+14155550142"]}');
    expect(stringifyDialpadJson({ id: 'shared_contact_1_uid_abc' })).toBe('{"id":"shared_contact_1_uid_abc"}');
  });
});
