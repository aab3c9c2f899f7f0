import type { FastifyRequest } from 'fastify';
import { bad, DIGITS } from './http';
import type { SimulatorState } from './state';

/** Dialpad's cursor pages: `{items, cursor}`, the cursor opaque and tied to its list. */

export const MAX_LIMIT = 100;

/** Opaque to clients; tied to the list (and its filters) it came from. */
export function encodeCursor(list: string, after: unknown): string {
  return Buffer.from(JSON.stringify({ l: list, a: after })).toString('base64url');
}

export function decodeCursor(raw: string | undefined, list: string): unknown {
  if (raw === undefined || raw === '') return null;
  try {
    const parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as { l?: unknown; a?: unknown };
    if (parsed.l === list) return parsed.a;
  } catch {
    // fall through
  }
  throw bad('Invalid cursor');
}

export function pageLimit(
  req: FastifyRequest<{ Querystring: Record<string, string | undefined> }>,
  state: SimulatorState,
): number {
  const raw = req.query.limit;
  if (raw === undefined) return state.pageSize;
  if (!DIGITS.test(raw) || Number(raw) < 1) throw bad('limit must be a positive integer');
  return Math.min(Number(raw), MAX_LIMIT, state.pageSize);
}

/**
 * `{items, cursor}`. Like Dialpad, a full page carries a cursor without looking ahead, so a list
 * whose size is a multiple of the page size ends with an empty page; an empty page has no items
 * field at all (protobuf omits empty lists).
 */
export function pageBody(items: unknown[], cursor: string | null): Record<string, unknown> {
  return { ...(items.length ? { items } : {}), ...(cursor ? { cursor } : {}) };
}

export function pageOf(
  req: FastifyRequest<{ Querystring: Record<string, string | undefined> }>,
  state: SimulatorState,
  listKey: string,
  items: unknown[],
): Record<string, unknown> {
  const after = decodeCursor(req.query.cursor, listKey);
  const offset = typeof after === 'number' ? after : 0;
  const limit = pageLimit(req, state);
  const page = items.slice(offset, offset + limit);
  return pageBody(page, page.length === limit ? encodeCursor(listKey, offset + limit) : null);
}

export function keysetPage<T extends { seq: number }>(
  req: FastifyRequest<{ Querystring: Record<string, string | undefined> }>,
  state: SimulatorState,
  listKey: string,
  items: T[],
  render: (t: T) => unknown,
): Record<string, unknown> {
  const after = decodeCursor(req.query.cursor, listKey);
  const afterSeq = typeof after === 'number' ? after : 0;
  const limit = pageLimit(req, state);
  const page = items.filter((i) => i.seq > afterSeq).slice(0, limit);
  const last = page[page.length - 1];
  return pageBody(page.map(render), page.length === limit && last ? encodeCursor(listKey, last.seq) : null);
}
