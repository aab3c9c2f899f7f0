import type { z } from 'zod';
import {
  DEFAULT_RETRY_POLICY,
  DIALPAD_PRODUCTION_BASE_URL,
  type DialpadAttempt,
  type DialpadAttemptResult,
  type DialpadClientOptions,
  type DialpadLogger,
  type DialpadRetryPolicy,
} from './client-options';
import { DialpadApiError, DialpadProtocolError, DialpadRateLimitedError, DialpadUnavailableError } from './errors';
import {
  attemptResult,
  describeNetworkError,
  dialpadMessage,
  endpointLimitName,
  parseRetryAfter,
  readCapped,
  ResponseTooLarge,
  type Method,
} from './http';
import { isIdKey, normalizeDialpadIds, parseDialpadJson, stringifyDialpadJson } from './json';
import {
  DEFAULT_MAX_WAIT_MS,
  DIALPAD_COMPANY_LIMIT,
  DIALPAD_ENDPOINT_LIMITS,
  InMemoryRateLimiter,
  isImpliedBy,
  sleep,
  type DialpadEndpointLimitName,
  type RateLimit,
  type RateLimiter,
  type RateLimitPermit,
} from './rate-limit';
import { dialpadPageSchema } from './types';

export type QueryValue = string | number | boolean | undefined | null;

export interface RequestSpec {
  method: Method;
  /** Path template with `{name}` placeholders: it names the endpoint in logs and errors. */
  template: string;
  params?: Record<string, string>;
  query?: Record<string, QueryValue>;
  body?: unknown;
  signal?: AbortSignal | undefined;
}

const IDEMPOTENT: ReadonlySet<Method> = new Set(['GET', 'PUT', 'PATCH', 'DELETE']);

/**
 * Body fields written as exact integer literals: the id fields Dialpad's spec types int64
 * (`endpoint_id`, `target_id`, …). A contact's `owner_id` is a string in CreateContactMessage, so
 * it stays one (contracts/dialpad, checked by test/contract/client-requests.test.ts).
 */
const STRING_ID_FIELDS: ReadonlySet<string> = new Set(['owner_id']);
const isInt64BodyField = (key: string) => isIdKey(key) && !STRING_ID_FIELDS.has(key);

/**
 * How every request to Dialpad's REST API v2 travels: waits for the shared budget (company limit
 * plus the endpoint's own), carries the bearer key, times out, caps the answer's size, retries 429
 * (Retry-After) and 5xx with backoff, and turns any other 4xx into a DialpadApiError saying what
 * Dialpad rejected. Lists are async iterators over Dialpad's cursor pages; ids come back as exact
 * strings. The endpoints (DialpadClient) are built on it.
 */
export class DialpadTransport {
  // Private field: absent from util.inspect, JSON.stringify and pino serialisation of the client.
  readonly #apiKey: string;
  private readonly baseUrl: string;
  private readonly limiter: RateLimiter;
  private readonly bucketPrefix: string;
  private readonly companyLimit: RateLimit;
  private readonly endpointLimits: Record<DialpadEndpointLimitName, RateLimit>;
  private readonly windowMarginMs: number;
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly maxRateLimitWaitMs: number;
  private readonly retry: DialpadRetryPolicy;
  private readonly log: DialpadLogger | undefined;
  private readonly companyId: string | undefined;
  private readonly fetchImpl: typeof fetch;
  private readonly random: () => number;
  private readonly onAttempt: ((attempt: DialpadAttempt) => void) | undefined;

  constructor(options: DialpadClientOptions) {
    if (!options.apiKey) throw new Error('DialpadClient: apiKey is required');
    this.#apiKey = options.apiKey;
    this.baseUrl = (options.baseUrl ?? DIALPAD_PRODUCTION_BASE_URL).replace(/\/+$/, '');
    this.limiter = options.rateLimiter ?? new InMemoryRateLimiter();
    this.bucketPrefix = options.bucketPrefix ?? 'dialpad';
    this.companyLimit = options.companyLimit ?? DIALPAD_COMPANY_LIMIT;
    this.endpointLimits = { ...DIALPAD_ENDPOINT_LIMITS, ...options.endpointLimits };
    this.windowMarginMs = options.windowMarginMs ?? 50;
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.maxResponseBytes = options.maxResponseBytes ?? 32 * 1024 * 1024;
    this.maxRateLimitWaitMs = options.maxRateLimitWaitMs ?? DEFAULT_MAX_WAIT_MS;
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.log = options.logger;
    this.companyId = options.companyId;
    this.fetchImpl = options.fetch ?? fetch;
    this.random = options.random ?? Math.random;
    this.onAttempt = options.onAttempt;
  }

  protected async *paginate<S extends z.ZodType>(spec: RequestSpec, itemSchema: S): AsyncGenerator<z.output<S>> {
    const endpoint = `${spec.method} ${spec.template}`;
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (;;) {
      const page = await this.request({ ...spec, query: { ...spec.query, cursor } }, dialpadPageSchema);
      for (const item of page.items ?? []) yield this.parseShape(itemSchema, item, endpoint);
      const next = page.cursor ?? '';
      if (next === '') return;
      // A cursor that comes back again would page forever.
      if (seen.has(next)) throw new DialpadProtocolError(endpoint, 'pagination cursor repeated');
      seen.add(next);
      cursor = next;
    }
  }

  protected async request<S extends z.ZodType>(spec: RequestSpec, schema: S): Promise<z.output<S>>;
  protected async request(spec: RequestSpec, schema: null): Promise<undefined>;
  protected async request<S extends z.ZodType>(spec: RequestSpec, schema: S | null): Promise<z.output<S> | undefined> {
    const endpoint = `${spec.method} ${spec.template}`;
    const url = this.url(spec);
    const limitName = endpointLimitName(spec.method, spec.template);
    const idempotent = IDEMPOTENT.has(spec.method);
    const body = spec.body === undefined ? undefined : stringifyDialpadJson(spec.body, isInt64BodyField);
    const headers: Record<string, string> = {
      Authorization: `Bearer ${this.#apiKey}`,
      Accept: 'application/json',
      'User-Agent': 'navigator-dialpad',
    };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (this.companyId) headers['DP-Company-ID'] = this.companyId;

    let rateLimited = 0;
    let serverErrors = 0;
    let networkErrors = 0;
    for (let attempt = 1; ; attempt++) {
      const permits = await this.acquireBudget(limitName, spec.signal);
      const started = performance.now();
      const timeout = AbortSignal.timeout(this.timeoutMs);
      const signal = spec.signal ? AbortSignal.any([spec.signal, timeout]) : timeout;
      let status: number;
      let text: string;
      let retryAfterMs: number | null;
      try {
        const res = await this.fetchImpl(url, { method: spec.method, headers, body, signal });
        status = res.status;
        retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
        text = await readCapped(res, this.maxResponseBytes);
      } catch (err) {
        await this.releaseBudget(permits, endpoint);
        if (err instanceof ResponseTooLarge) throw new DialpadProtocolError(endpoint, err.message);
        if (spec.signal?.aborted) throw spec.signal.reason;
        this.report(endpoint, 'network_error', started);
        const reason = timeout.aborted ? `timed out after ${this.timeoutMs} ms` : describeNetworkError(err);
        if (idempotent && networkErrors < this.retry.networkRetries) {
          networkErrors++;
          const delayMs = this.backoff(this.retry.baseDelayMs, networkErrors);
          this.log?.warn({ endpoint, attempt, reason, delayMs }, 'dialpad request failed; retrying');
          await sleep(delayMs, spec.signal);
          continue;
        }
        throw new DialpadUnavailableError(endpoint, attempt, reason, null, !idempotent);
      }
      await this.releaseBudget(permits, endpoint);
      const ms = Math.round(performance.now() - started);
      this.log?.debug({ endpoint, status, attempt, ms }, 'dialpad request');
      this.report(endpoint, attemptResult(status), started);

      if (status >= 200 && status < 300) return this.parseBody(schema, text, endpoint);

      if (status === 429) {
        if (rateLimited < this.retry.rateLimitedRetries) {
          rateLimited++;
          const delayMs = Math.min(
            this.retry.maxDelayMs,
            retryAfterMs ?? this.rateLimitedBackoff(this.retry.rateLimitedBaseDelayMs, rateLimited),
          );
          this.log?.warn({ endpoint, status, attempt, delayMs }, 'dialpad rate limited; backing off');
          await sleep(delayMs, spec.signal);
          continue;
        }
        throw new DialpadRateLimitedError(endpoint, attempt);
      }

      if (status >= 500) {
        if (serverErrors < this.retry.serverErrorRetries) {
          serverErrors++;
          const delayMs = retryAfterMs ?? this.backoff(this.retry.baseDelayMs, serverErrors);
          this.log?.warn({ endpoint, status, attempt, delayMs }, 'dialpad server error; retrying');
          await sleep(Math.min(delayMs, this.retry.maxDelayMs), spec.signal);
          continue;
        }
        throw new DialpadUnavailableError(
          endpoint,
          attempt,
          `HTTP ${status}: ${this.redact(dialpadMessage(text))}`,
          status,
          false,
        );
      }

      throw new DialpadApiError(status, endpoint, this.redact(dialpadMessage(text)));
    }
  }

  private async acquireBudget(
    limitName: DialpadEndpointLimitName,
    signal: AbortSignal | undefined,
  ): Promise<RateLimitPermit[]> {
    // A slot stays held while its request is in flight (at most the timeout) and its window starts
    // when the answer is in: see RateLimitPermit.
    const options = { maxWaitMs: this.maxRateLimitWaitMs, holdMs: this.timeoutMs, ...(signal ? { signal } : {}) };
    const endpointLimit = this.endpointLimits[limitName];
    const permits: RateLimitPermit[] = [];
    try {
      // The endpoint's (stricter, slower) budget first, so the company slot is taken just before sending.
      if (!isImpliedBy(endpointLimit, this.companyLimit)) {
        permits.push(
          await this.limiter.acquire(`${this.bucketPrefix}:${limitName}`, this.padded(endpointLimit), options),
        );
      }
      permits.push(await this.limiter.acquire(`${this.bucketPrefix}:company`, this.padded(this.companyLimit), options));
      return permits;
    } catch (err) {
      await this.releaseBudget(permits, `${limitName} budget`);
      throw err;
    }
  }

  /** The answer is in: the slots count from now. A failure here only makes the limiter stricter. */
  private async releaseBudget(permits: RateLimitPermit[], endpoint: string): Promise<void> {
    try {
      await Promise.all(permits.map((p) => p.release()));
    } catch (err) {
      this.log?.warn({ endpoint, err: (err as Error).message }, 'could not release a rate-limit slot');
    }
  }

  private report(endpoint: string, result: DialpadAttemptResult, started: number): void {
    if (!this.onAttempt) return;
    try {
      this.onAttempt({ endpoint, result, seconds: (performance.now() - started) / 1000 });
    } catch {
      // An observer's failure is never the request's.
    }
  }

  private padded(limit: RateLimit): RateLimit {
    return { count: limit.count, perMs: limit.perMs + this.windowMarginMs };
  }

  private parseBody<S extends z.ZodType>(schema: S | null, text: string, endpoint: string): z.output<S> | undefined {
    if (schema === null) return undefined;
    let json: unknown;
    try {
      json = parseDialpadJson(text);
    } catch {
      throw new DialpadProtocolError(endpoint, text.trim() === '' ? 'empty body' : 'body is not JSON');
    }
    return this.parseShape(schema, json, endpoint);
  }

  protected parseShape<S extends z.ZodType>(schema: S, value: unknown, endpoint: string): z.output<S> {
    let normalized: unknown;
    try {
      normalized = normalizeDialpadIds(value);
    } catch (err) {
      throw new DialpadProtocolError(endpoint, (err as Error).message);
    }
    const parsed = schema.safeParse(normalized);
    if (!parsed.success) {
      // Paths and messages only: values may be personal data.
      const issues = parsed.error.issues
        .slice(0, 5)
        .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
        .join('; ');
      throw new DialpadProtocolError(endpoint, issues);
    }
    return parsed.data;
  }

  private url(spec: RequestSpec): string {
    const path = spec.template.replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = spec.params?.[name];
      if (value === undefined || value === '') throw new TypeError(`${spec.template}: missing ${name}`);
      return encodeURIComponent(value);
    });
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(spec.query ?? {})) {
      if (v !== undefined && v !== null && v !== '') query.set(k, String(v));
    }
    const qs = query.toString();
    return `${this.baseUrl}${path}${qs ? `?${qs}` : ''}`;
  }

  /** Full jitter: uniform in [0, min(cap, base·2^(n−1))]. */
  private backoff(baseMs: number, n: number): number {
    return Math.round(this.random() * Math.min(this.retry.maxDelayMs, baseMs * 2 ** (n - 1)));
  }

  /** After a 429 the wait must be real: at least half the step, the other half jittered. */
  private rateLimitedBackoff(baseMs: number, n: number): number {
    const step = Math.min(this.retry.maxDelayMs, baseMs * 2 ** (n - 1));
    return Math.round(step / 2 + (this.random() * step) / 2);
  }

  /** Dialpad's message could echo what we sent; the key never leaves in an error. */
  private redact(message: string): string {
    return message.split(this.#apiKey).join('[redacted]');
  }
}
