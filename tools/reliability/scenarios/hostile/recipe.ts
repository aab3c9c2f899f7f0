import fc from 'fast-check';
import { WEBHOOK_BODY_LIMIT_BYTES } from '../../../../src/app';

/** A raw JSON number literal (for ids past 2^53 and other numbers JSON.stringify cannot write). */
interface Lit {
  __lit: string;
}
export const lit = (s: string): Lit => ({ __lit: s });
export const isLit = (v: unknown): v is Lit => typeof v === 'object' && v !== null && '__lit' in v;

export function toJson(v: unknown): string {
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

/** The ingress's bodyLimit (2 MiB; it was 256 KiB). */
export const BODY_LIMIT = WEBHOOK_BODY_LIMIT_BYTES;

export type Signing =
  | 'hs256'
  | 'hs384'
  | 'hs512'
  | 'wrong-secret'
  | 'none'
  | 'rs256'
  | 'hs256-with-public-key'
  | 'rs256-header-hmac-public-key';

export type Mutation = { kind: 'truncate'; at: number } | { kind: 'tamper'; segment: 0 | 1 | 2; at: number } | null;

/**
 * `'4xx'`: any client error with a JSON reason (an unknown method may be 400, 404 or 415).
 * `'200-or-400'`: a verified body whose call_id or state the spec does not settle: accepted and
 * stored, or refused and kept.
 */
export type Expect = 200 | 400 | 401 | 404 | 413 | '4xx' | '200-or-400';

export interface TokenRecipe {
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
  /** Fields the delivery's `left_out` must list (by path, `target.id`; a list's items count). */
  leftOut?: string[];
  /** Fields in a shape the spec accepts: `left_out` must not list them. */
  fits?: string[];
  /** Text added to the event to make it large: an unknown field, or a transcription as \u escapes. */
  padding?: { field: 'custom_data' | 'transcription_text'; chars: number };
}

export interface RawRecipe {
  kind: 'raw';
  category: string;
  method: string;
  body: string | null;
  contentType: string | null;
  expect: Expect;
}

export type Recipe = TokenRecipe | RawRecipe;

export const CONTENT_TYPES = [
  'application/jwt',
  'application/json',
  'text/plain',
  null,
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'application/octet-stream',
  'text/html; charset=utf-16',
] as const;

export const validPayload = { signing: 'hs256' as const, kind: 'token' as const };
export const contentType = fc.constantFrom(...CONTENT_TYPES);

export const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64url');
