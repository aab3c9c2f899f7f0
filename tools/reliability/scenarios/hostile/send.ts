import type { Materialised } from './materialise';

/** What was sent and answered (the body itself is not kept: only its size). */
export interface Sent extends Omit<Materialised, 'body'> {
  bodyLength: number;
  status: number | null;
  error?: string;
  json: unknown;
}

export async function send(url: string, r: Materialised): Promise<Sent> {
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
    const { body, ...rest } = r;
    return { ...rest, bodyLength: body?.length ?? 0, status: res.status, json };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const { body, ...rest } = r;
    return { ...rest, bodyLength: body?.length ?? 0, status: null, error: e.cause?.code ?? e.name, json: null };
  }
}
