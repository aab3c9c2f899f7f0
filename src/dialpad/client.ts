import type { z } from 'zod';
import { CallEndpoints } from './call-endpoints';
import type { CallOptions, DialpadClientOptions } from './client-options';
import { ContactEndpoints } from './contact-endpoints';
import { DirectoryEndpoints } from './directory-endpoints';
import { DialpadProtocolError } from './errors';
import { SubscriptionEndpoints } from './subscription-endpoints';
import { DialpadTransport, type QueryValue } from './transport';
import { dialpadPageSchema } from './types';

export * from './client-options';

/** The endpoints by resource, each written against the transport in a file of its own. */
type Endpoints = DirectoryEndpoints & ContactEndpoints & CallEndpoints & SubscriptionEndpoints;
const ENDPOINTS = [DirectoryEndpoints, ContactEndpoints, CallEndpoints, SubscriptionEndpoints];
// The transport, typed with the endpoint methods the loop below puts on DialpadClient.prototype.
const TransportWithEndpoints = DialpadTransport as unknown as new (options: DialpadClientOptions) => Endpoints;

/**
 * Typed client for Dialpad's REST API v2. Every request: waits for the shared budget (company
 * limit plus the endpoint's own), carries the bearer key, times out, retries 429 and 5xx with
 * backoff, and turns any other 4xx into a DialpadApiError saying what Dialpad rejected. Lists are
 * async iterators over Dialpad's cursor pages. Ids come back as exact strings.
 */
export class DialpadClient extends TransportWithEndpoints {
  /**
   * One page of a cursor list (GET), for callers that checkpoint the cursor themselves (the sync
   * stores the next page's cursor, so a restarted run fetches only the pages it had not finished).
   * Same budget, retries, timeouts and id handling as every other request. `nextCursor` is null on
   * the last page.
   */
  async fetchPage<S extends z.ZodType>(
    spec: { template: string; params?: Record<string, string>; query?: Record<string, QueryValue> },
    itemSchema: S,
    cursor: string | null,
    options: CallOptions = {},
  ): Promise<{ items: z.output<S>[]; nextCursor: string | null }> {
    const endpoint = `GET ${spec.template}`;
    const body = await this.request(
      { ...spec, method: 'GET', query: { ...spec.query, cursor: cursor ?? undefined }, signal: options.signal },
      dialpadPageSchema,
    );
    const items = (body.items ?? []).map((item) => this.parseShape(itemSchema, item, endpoint));
    const next = body.cursor ?? '';
    // A cursor that comes back unchanged would page forever.
    if (next !== '' && next === cursor) throw new DialpadProtocolError(endpoint, 'pagination cursor repeated');
    return { items, nextCursor: next === '' ? null : next };
  }
}

// The endpoint methods become DialpadClient's own, as if written in its body: one class to construct,
// mock and list (test/contract/client-requests.test.ts lists the prototype's methods).
for (const piece of ENDPOINTS) {
  for (const name of Object.getOwnPropertyNames(piece.prototype)) {
    if (name === 'constructor') continue;
    Object.defineProperty(DialpadClient.prototype, name, Object.getOwnPropertyDescriptor(piece.prototype, name)!);
  }
}

/** Drains an async iterator into an array (directory syncs page through everything anyway). */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
