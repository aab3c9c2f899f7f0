import type { FastifyReply, FastifyRequest } from 'fastify';
import { restJson } from './render';
import type { SimulatorState } from './state';

/** What the simulator's routes share: Dialpad's errors, its JSON, and the checks of request bodies. */

export const DIGITS = /^\d+$/;

export class DialpadHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const bad = (message: string) => new DialpadHttpError(400, message);
export const notFound = (what: string) => new DialpadHttpError(404, `${what} not found`);

const REASONS: Record<number, string> = {
  400: 'badRequest',
  401: 'required',
  403: 'forbidden',
  404: 'notFound',
  409: 'conflict',
  429: 'rateLimitExceeded',
  500: 'backendError',
  502: 'backendError',
  503: 'backendError',
  504: 'backendError',
};

/** Dialpad's error body (Google Cloud Endpoints style). */
export function dialpadErrorBody(status: number, message: string) {
  const reason = REASONS[status] ?? 'error';
  return { error: { code: status, message, errors: [{ domain: 'global', reason, message }] } };
}

export function sendDialpad(
  reply: FastifyReply,
  state: SimulatorState,
  status: number,
  body: unknown,
  ids: 'int64' | 'strings' = 'int64',
): FastifyReply {
  return reply
    .code(status)
    .type('application/json; charset=utf-8')
    .send(restJson(body, state.restIdFormat, ids));
}

/** A request's path parameters and query, as every route reads them. */
export type SimRequest = FastifyRequest<{
  Params: Record<string, string>;
  Querystring: Record<string, string | undefined>;
}>;

export function requireObject(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw bad('Request body must be a JSON object');
  return body as Record<string, unknown>;
}

export function idValue(v: unknown, name: string): string {
  const s = typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : v;
  if (typeof s !== 'string' || !DIGITS.test(s)) throw bad(`${name} must be an integer id`);
  return s;
}

export function boolValue(v: unknown, name: string): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw bad(`${name} must be a boolean`);
  return v;
}

export function hookUrlValue(v: unknown): string {
  if (typeof v !== 'string' || v.trim() === '') throw bad('hook_url is required');
  try {
    const u = new URL(v);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
  } catch {
    throw bad(`hook_url ${JSON.stringify(v)} is not a valid http(s) URL`);
  }
  return v;
}

export function secretValue(v: unknown): string | null {
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string') throw bad('secret must be a string');
  if (/[\r\n]/.test(v)) throw bad('secret must be a single line');
  return v;
}
