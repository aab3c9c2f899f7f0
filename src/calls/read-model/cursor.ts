import { ApiError } from '../../ops/errors';

/**
 * Keyset cursors for newest-first lists: the last item's sort time and id. The time is Postgres's
 * own text rendering with microseconds, so the next page starts exactly after the last item even
 * when several items share a millisecond (a JavaScript Date would round them together).
 */
export interface Cursor {
  at: string;
  id: string;
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.at, cursor.id])).toString('base64url');
}

export function decodeCursor(text: string | undefined): Cursor | undefined {
  if (text === undefined || text === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (
    Array.isArray(parsed) &&
    parsed.length === 2 &&
    typeof parsed[0] === 'string' &&
    TIMESTAMP.test(parsed[0]) &&
    typeof parsed[1] === 'string' &&
    UUID.test(parsed[1])
  ) {
    return { at: parsed[0], id: parsed[1] };
  }
  throw ApiError.validation('cursor', 'is not a cursor returned by this list (pass nextCursor unchanged)');
}
