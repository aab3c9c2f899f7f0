/**
 * JSON as Dialpad speaks it. Dialpad ids are int64: 16-digit integers today, just below 2^53, sent
 * as JSON numbers by webhooks and as strings by the REST API. `JSON.parse` rounds any integer above
 * 2^53 to the nearest double, silently turning one id into another, so every Dialpad body is parsed
 * with `parseDialpadJson`, which keeps integer literals of 16 or more digits as exact strings.
 * Shorter integers (epoch-ms timestamps are 13 digits, durations fewer) stay numbers.
 */

// A JSON string token (skipped whole, so digits inside strings are never touched), or an integer
// literal of 16+ digits that is not part of a fraction or an exponent.
const STRING_OR_LONG_INTEGER = /"(?:[^"\\]|\\.)*"|(?<![\d.eE+-])-?\d{16,}(?![\d.eE])/g;

/** `JSON.parse`, except that integers of 16+ digits come back as exact decimal strings. */
export function parseDialpadJson(text: string): unknown {
  return JSON.parse(text.replace(STRING_OR_LONG_INTEGER, (token) => (token.startsWith('"') ? token : `"${token}"`)));
}

/** Dialpad's naming for int64 identifiers: `id`, `call_id`, `office_id`, …, and `*_ids` lists. */
export function isIdKey(key: string): boolean {
  return key === 'id' || key.endsWith('_id') || key.endsWith('_ids');
}

export class DialpadIdPrecisionError extends RangeError {
  override readonly name = 'DialpadIdPrecisionError';
}

/**
 * An id as Dialpad sent it (number or string) → its canonical string, or null when absent.
 * A number above 2^53 has already lost digits somewhere upstream: that is refused, not guessed.
 */
export function toDialpadId(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') {
    const s = value.trim();
    return s === '' ? null : s;
  }
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) {
      throw new DialpadIdPrecisionError(
        `Dialpad id ${value} is not an exact integer (above 2^53 or fractional); parse the body with parseDialpadJson`,
      );
    }
    return String(value);
  }
  throw new TypeError(`expected a Dialpad id (string or number), got ${typeof value}`);
}

/**
 * Deep copy in which every id-like field (see `isIdKey`) holding a number or string becomes its
 * canonical string. Other fields are left as they are.
 */
export function normalizeDialpadIds<T = unknown>(value: T): T {
  return normalize(value, false) as T;
}

function normalize(value: unknown, underIdKey: boolean): unknown {
  if (Array.isArray(value)) return value.map((v) => normalize(v, underIdKey));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = normalize(v, isIdKey(k));
    return out;
  }
  if (underIdKey && (typeof value === 'number' || typeof value === 'string' || typeof value === 'bigint')) {
    return toDialpadId(value);
  }
  return value;
}

/**
 * `JSON.stringify` for bodies sent to Dialpad: id-like fields holding decimal strings are written as
 * exact integer literals, because the spec types them int64 and a JS number cannot carry every
 * int64. Everything else is serialised as JSON.stringify would (undefined properties dropped).
 */
export function stringifyDialpadJson(
  value: unknown,
  integerKey: (key: string, parentKey: string) => boolean = isIdKey,
): string {
  return write(value, false, integerKey, '') ?? 'null';
}

const DECIMAL_INTEGER = /^-?(?:0|[1-9]\d*)$/;

/** `ownKey`: the key this value sits under (an array's elements share their array's key). */
function write(
  value: unknown,
  asInteger: boolean,
  integerKey: (key: string, parentKey: string) => boolean,
  ownKey: string,
): string | undefined {
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (value === null) return 'null';
  if (asInteger && typeof value === 'string' && DECIMAL_INTEGER.test(value)) return value;
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) {
    return `[${value.map((v) => write(v, asInteger, integerKey, ownKey) ?? 'null').join(',')}]`;
  }
  if (typeof value === 'object') {
    if (value instanceof Date) return JSON.stringify(value);
    const parts: string[] = [];
    for (const [k, v] of Object.entries(value)) {
      const w = write(v, integerKey(k, ownKey), integerKey, k);
      if (w !== undefined) parts.push(`${JSON.stringify(k)}:${w}`);
    }
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value);
}
