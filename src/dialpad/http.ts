import type { DialpadAttemptResult } from './client-options';
import type { DialpadEndpointLimitName } from './rate-limit';

// What the transport makes of an HTTP exchange with Dialpad: which budget an endpoint draws on, the
// message in an error body, Retry-After, network failures, and a body read with a size cap.

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export function endpointLimitName(method: Method, template: string): DialpadEndpointLimitName {
  if (method === 'GET' && template === '/api/v2/call/{id}') return 'callGet';
  if (method === 'GET' && template === '/api/v2/call/{id}/ai_recap') return 'aiRecap';
  if ((method === 'POST' || method === 'PUT') && template === '/api/v2/contacts') return 'contactCreate';
  if (method === 'POST' && template === '/api/v2/webhooks') return 'webhookCreate';
  return 'default';
}

/** What Dialpad said, from its error body ({error: {message}} or {message}) or the raw text. */
export function dialpadMessage(text: string): string {
  let message: string | undefined;
  try {
    const json = JSON.parse(text) as unknown;
    if (json && typeof json === 'object') {
      const j = json as Record<string, unknown>;
      const e = j.error;
      if (e && typeof e === 'object' && typeof (e as Record<string, unknown>).message === 'string') {
        message = (e as Record<string, unknown>).message as string;
      } else if (typeof e === 'string') {
        message = e;
      } else if (typeof j.message === 'string') {
        message = j.message;
      }
    }
  } catch {
    // Not JSON: a proxy's HTML or plain text; the text itself is the best description.
  }
  const m = (message ?? text).replace(/\s+/g, ' ').trim();
  if (m === '') return '(no message)';
  return m.length > 500 ? `${m.slice(0, 500)}…` : m;
}

export function parseRetryAfter(value: string | null): number | null {
  if (!value) return null;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

export function describeNetworkError(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (cause && typeof cause.code === 'string') return `network error ${cause.code}`;
  if (err instanceof Error) return `network error: ${err.message}`;
  return 'network error';
}

export class ResponseTooLarge extends Error {}

/** The body as text, refusing one larger than `max` bytes without reading the rest. */
export async function readCapped(res: Response, max: number): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > max) {
    await res.body?.cancel().catch(() => undefined);
    throw new ResponseTooLarge(`answer of ${declared} bytes is over the ${max}-byte limit`);
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      throw new ResponseTooLarge(`answer over the ${max}-byte limit`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function attemptResult(status: number): DialpadAttemptResult {
  if (status >= 200 && status < 300) return 'ok';
  if (status === 429) return 'rate_limited';
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 404) return 'not_found';
  if (status >= 500) return 'server_error';
  return 'client_error';
}
