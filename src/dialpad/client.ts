import type { Logger } from 'pino';
import type { z } from 'zod';
import { mergeContactUpdate } from './contact-lists';
import { DialpadApiError, DialpadProtocolError, DialpadRateLimitedError, DialpadUnavailableError } from './errors';
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
import {
  dialpadAiRecapSchema,
  dialpadCallCenterSchema,
  dialpadCallSchema,
  dialpadCallSubscriptionSchema,
  dialpadContactSchema,
  dialpadDepartmentSchema,
  dialpadOfficeSchema,
  dialpadPageSchema,
  dialpadTranscriptSchema,
  dialpadUserSchema,
  dialpadWebhookSchema,
  type DialpadAiRecap,
  type DialpadAiRecapFormat,
  type DialpadCall,
  type DialpadCallCenter,
  type DialpadCallSubscription,
  type DialpadCallSubscriptionCreate,
  type DialpadContact,
  type DialpadContactCreate,
  type DialpadContactUpdate,
  type DialpadContactUpsert,
  type DialpadDepartment,
  type DialpadOffice,
  type DialpadSubscriptionTargetType,
  type DialpadTranscript,
  type DialpadUser,
  type DialpadWebhook,
  type DialpadWebhookCreate,
} from './types';

/** Production. */
export const DIALPAD_PRODUCTION_BASE_URL = 'https://dialpad.com';
/** Sandbox accounts: one office, expire after 3 months, same rate limits as production (API-NOTES §5). */
export const DIALPAD_SANDBOX_BASE_URL = 'https://sandbox.dialpad.com';

export type DialpadLogger = Pick<Logger, 'debug' | 'warn'>;

export interface DialpadRetryPolicy {
  /** Extra attempts after a 429. */
  rateLimitedRetries: number;
  /** Extra attempts after a 5xx. */
  serverErrorRetries: number;
  /** Extra attempts after a timeout or connection failure; only for idempotent methods. */
  networkRetries: number;
  /** First backoff step after a 5xx or network failure (full jitter, doubling). */
  baseDelayMs: number;
  /** First backoff step after a 429 (doubling, half of it jittered). */
  rateLimitedBaseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: DialpadRetryPolicy = {
  rateLimitedRetries: 5,
  serverErrorRetries: 3,
  networkRetries: 2,
  baseDelayMs: 500,
  rateLimitedBaseDelayMs: 2000,
  maxDelayMs: 30_000,
};

export interface DialpadClientOptions {
  apiKey: string;
  /** `DIALPAD_API_BASE_URL`: DIALPAD_PRODUCTION_BASE_URL, DIALPAD_SANDBOX_BASE_URL, or the simulator. */
  baseUrl?: string;
  /**
   * Where the request budget lives. Dialpad's limits are per company, so production processes
   * share a PostgresRateLimiter; the default in-memory one only knows about this process.
   */
  rateLimiter?: RateLimiter;
  /** Prefix of the limiter's bucket names: one per Dialpad company (API key). */
  bucketPrefix?: string;
  companyLimit?: RateLimit;
  endpointLimits?: Partial<Record<DialpadEndpointLimitName, RateLimit>>;
  /**
   * Each window is widened by this much (default 50 ms). Slots already count from each answer
   * (see RateLimitPermit), which covers the time a request takes to reach Dialpad; the margin
   * covers where, between its front door and its counter, Dialpad takes the time.
   */
  windowMarginMs?: number;
  /** Per attempt, from sending to the last byte of the body. */
  timeoutMs?: number;
  /**
   * The largest answer read (default 32 MiB, far above a long transcript): a larger one is refused
   * as a protocol error rather than read into memory.
   */
  maxResponseBytes?: number;
  /** Longest the limiter may make a request wait before failing with RateLimitWaitExceededError. */
  maxRateLimitWaitMs?: number;
  retry?: Partial<DialpadRetryPolicy>;
  logger?: DialpadLogger;
  /** Sent as DP-Company-ID, as Dialpad's own SDK does, when set. */
  companyId?: string;
  fetch?: typeof fetch;
  /** Source of jitter; tests make it deterministic. */
  random?: () => number;
  /** Told of every attempt's outcome (metrics). Never given the URL, query, body or key. */
  onAttempt?: (attempt: DialpadAttempt) => void;
}

/**
 * What an attempt at a request came to: `endpoint` is the method and path template
 * (`GET /api/v2/users/{id}`), so a label made from it has a bounded set of values.
 */
export interface DialpadAttempt {
  endpoint: string;
  result: DialpadAttemptResult;
  seconds: number;
}

/**
 * `unauthorized`: 401 or 403 (the key is wrong or lacks a scope); `not_found`: 404; `client_error`:
 * any other 4xx; `rate_limited`: 429; `server_error`: 5xx; `network_error`: timeout or connection.
 */
export type DialpadAttemptResult =
  'ok' | 'rate_limited' | 'unauthorized' | 'not_found' | 'client_error' | 'server_error' | 'network_error';

export interface CallOptions {
  signal?: AbortSignal;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type QueryValue = string | number | boolean | undefined | null;

interface RequestSpec {
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
 * Typed client for Dialpad's REST API v2. Every request: waits for the shared budget (company
 * limit plus the endpoint's own), carries the bearer key, times out, retries 429 and 5xx with
 * backoff, and turns any other 4xx into a DialpadApiError saying what Dialpad rejected. Lists are
 * async iterators over Dialpad's cursor pages. Ids come back as exact strings.
 */
export class DialpadClient {
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

  // ── Offices, departments, call centres, users ────────────────────────────────────────────────

  listOffices(options: CallOptions & { activeOnly?: boolean } = {}): AsyncIterable<DialpadOffice> {
    return this.paginate(
      {
        method: 'GET',
        template: '/api/v2/offices',
        query: { active_only: options.activeOnly },
        signal: options.signal,
      },
      dialpadOfficeSchema,
    );
  }

  getOffice(officeId: string, options: CallOptions = {}): Promise<DialpadOffice> {
    return this.request(
      { method: 'GET', template: '/api/v2/offices/{id}', params: { id: officeId }, signal: options.signal },
      dialpadOfficeSchema,
    );
  }

  listOfficeDepartments(officeId: string, options: CallOptions = {}): AsyncIterable<DialpadDepartment> {
    return this.paginate(
      {
        method: 'GET',
        template: '/api/v2/offices/{id}/departments',
        params: { id: officeId },
        signal: options.signal,
      },
      dialpadDepartmentSchema,
    );
  }

  listOfficeCallCenters(officeId: string, options: CallOptions = {}): AsyncIterable<DialpadCallCenter> {
    return this.paginate(
      {
        method: 'GET',
        template: '/api/v2/offices/{id}/callcenters',
        params: { id: officeId },
        signal: options.signal,
      },
      dialpadCallCenterSchema,
    );
  }

  /**
   * Users of the company; with `officeId`, only that office's. Dialpad's /users has no office
   * filter, so this pages through every user and filters here. `limit` is deliberately never sent:
   * above 100 Dialpad answers 400 on a fifth of requests.
   */
  async *listUsers(
    options: CallOptions & { officeId?: string; state?: string; email?: string; number?: string } = {},
  ): AsyncIterable<DialpadUser> {
    const pages = this.paginate(
      {
        method: 'GET',
        template: '/api/v2/users',
        query: { state: options.state, email: options.email, number: options.number },
        signal: options.signal,
      },
      dialpadUserSchema,
    );
    for await (const user of pages) {
      if (options.officeId === undefined || user.office_id === options.officeId) yield user;
    }
  }

  getUser(userId: string, options: CallOptions = {}): Promise<DialpadUser> {
    return this.request(
      { method: 'GET', template: '/api/v2/users/{id}', params: { id: userId }, signal: options.signal },
      dialpadUserSchema,
    );
  }

  // ── Contacts ─────────────────────────────────────────────────────────────────────────────────

  /** Shared contacts; with `ownerId`, that user's local contacts; `includeLocal` adds local ones. */
  listContacts(
    options: CallOptions & { ownerId?: string; includeLocal?: boolean } = {},
  ): AsyncIterable<DialpadContact> {
    return this.paginate(
      {
        method: 'GET',
        template: '/api/v2/contacts',
        query: { owner_id: options.ownerId, include_local: options.includeLocal },
        signal: options.signal,
      },
      dialpadContactSchema,
    );
  }

  getContact(contactId: string, options: CallOptions = {}): Promise<DialpadContact> {
    return this.request(
      { method: 'GET', template: '/api/v2/contacts/{id}', params: { id: contactId }, signal: options.signal },
      dialpadContactSchema,
    );
  }

  /** POST /contacts (100/min). Not retried on timeout: Dialpad may have created it already. */
  createContact(contact: DialpadContactCreate, options: CallOptions = {}): Promise<DialpadContact> {
    return this.request(
      { method: 'POST', template: '/api/v2/contacts', body: contact, signal: options.signal },
      dialpadContactSchema,
    );
  }

  /** PUT /contacts (100/min): a shared contact keyed by our `uid`; again with the same uid updates it. */
  upsertContactByUid(contact: DialpadContactUpsert, options: CallOptions = {}): Promise<DialpadContact> {
    return this.request(
      { method: 'PUT', template: '/api/v2/contacts', body: contact, signal: options.signal },
      dialpadContactSchema,
    );
  }

  /**
   * PATCH /contacts/{id}. Dialpad **replaces** each list given (phones, emails, urls) with the one
   * sent: send full lists, or use updateContactKeepingLists.
   */
  updateContact(contactId: string, patch: DialpadContactUpdate, options: CallOptions = {}): Promise<DialpadContact> {
    return this.request(
      {
        method: 'PATCH',
        template: '/api/v2/contacts/{id}',
        params: { id: contactId },
        body: patch,
        signal: options.signal,
      },
      dialpadContactSchema,
    );
  }

  /**
   * An update that keeps what the contact has in Dialpad: GET /contacts/{id}, then PATCH with full
   * lists, ours first (our first phone and email stay primary), then Dialpad's other entries
   * (mergeContactUpdate). A DialpadApiError 404 from either means the contact is gone.
   */
  async updateContactKeepingLists(
    contactId: string,
    update: DialpadContactUpdate,
    options: CallOptions = {},
  ): Promise<DialpadContact> {
    const current = await this.getContact(contactId, options);
    return this.updateContact(contactId, mergeContactUpdate(current, update), options);
  }

  /** Returns the deleted contact, as Dialpad does. */
  deleteContact(contactId: string, options: CallOptions = {}): Promise<DialpadContact> {
    return this.request(
      { method: 'DELETE', template: '/api/v2/contacts/{id}', params: { id: contactId }, signal: options.signal },
      dialpadContactSchema,
    );
  }

  // ── Calls, transcripts, Ai recap ─────────────────────────────────────────────────────────────

  /** GET /call/{id}: 10 requests per minute for the whole company. */
  getCall(callId: string, options: CallOptions = {}): Promise<DialpadCall> {
    return this.request(
      { method: 'GET', template: '/api/v2/call/{id}', params: { id: callId }, signal: options.signal },
      dialpadCallSchema,
    );
  }

  /** Concluded calls started in the range, newest first (needs an admin key with calls:list). */
  listCalls(
    options: CallOptions & {
      startedAfter: number | Date;
      startedBefore?: number | Date;
      targetType?: DialpadSubscriptionTargetType;
      targetId?: string;
    },
  ): AsyncIterable<DialpadCall> {
    return this.paginate(
      {
        method: 'GET',
        template: '/api/v2/call',
        query: {
          started_after: epochMs(options.startedAfter),
          started_before: options.startedBefore === undefined ? undefined : epochMs(options.startedBefore),
          target_type: options.targetType,
          target_id: options.targetId,
        },
        signal: options.signal,
      },
      dialpadCallSchema,
    );
  }

  getTranscript(callId: string, options: CallOptions = {}): Promise<DialpadTranscript> {
    return this.request(
      { method: 'GET', template: '/api/v2/transcripts/{id}', params: { id: callId }, signal: options.signal },
      dialpadTranscriptSchema,
    );
  }

  /** GET /call/{id}/ai_recap: 12 per minute; needs the ai_recap scope and Dialpad Ai on the line. */
  getAiRecap(
    callId: string,
    options: CallOptions & { summaryFormat?: DialpadAiRecapFormat } = {},
  ): Promise<DialpadAiRecap> {
    return this.request(
      {
        method: 'GET',
        template: '/api/v2/call/{id}/ai_recap',
        params: { id: callId },
        query: { summary_format: options.summaryFormat },
        signal: options.signal,
      },
      dialpadAiRecapSchema,
    );
  }

  // ── Webhooks and call-event subscriptions ────────────────────────────────────────────────────

  /** POST /webhooks (100/min). The secret signs every event sent to this hook. */
  createWebhook(webhook: DialpadWebhookCreate, options: CallOptions = {}): Promise<DialpadWebhook> {
    return this.request(
      { method: 'POST', template: '/api/v2/webhooks', body: webhook, signal: options.signal },
      dialpadWebhookSchema,
    );
  }

  listWebhooks(options: CallOptions = {}): AsyncIterable<DialpadWebhook> {
    return this.paginate({ method: 'GET', template: '/api/v2/webhooks', signal: options.signal }, dialpadWebhookSchema);
  }

  getWebhook(webhookId: string, options: CallOptions = {}): Promise<DialpadWebhook> {
    return this.request(
      { method: 'GET', template: '/api/v2/webhooks/{id}', params: { id: webhookId }, signal: options.signal },
      dialpadWebhookSchema,
    );
  }

  async deleteWebhook(webhookId: string, options: CallOptions = {}): Promise<void> {
    await this.request(
      { method: 'DELETE', template: '/api/v2/webhooks/{id}', params: { id: webhookId }, signal: options.signal },
      null,
    );
  }

  createCallSubscription(
    subscription: DialpadCallSubscriptionCreate,
    options: CallOptions = {},
  ): Promise<DialpadCallSubscription> {
    return this.request(
      { method: 'POST', template: '/api/v2/subscriptions/call', body: subscription, signal: options.signal },
      dialpadCallSubscriptionSchema,
    );
  }

  listCallSubscriptions(
    options: CallOptions & { targetType?: DialpadSubscriptionTargetType; targetId?: string } = {},
  ): AsyncIterable<DialpadCallSubscription> {
    return this.paginate(
      {
        method: 'GET',
        template: '/api/v2/subscriptions/call',
        query: { target_type: options.targetType, target_id: options.targetId },
        signal: options.signal,
      },
      dialpadCallSubscriptionSchema,
    );
  }

  getCallSubscription(subscriptionId: string, options: CallOptions = {}): Promise<DialpadCallSubscription> {
    return this.request(
      {
        method: 'GET',
        template: '/api/v2/subscriptions/call/{id}',
        params: { id: subscriptionId },
        signal: options.signal,
      },
      dialpadCallSubscriptionSchema,
    );
  }

  async deleteCallSubscription(subscriptionId: string, options: CallOptions = {}): Promise<void> {
    await this.request(
      {
        method: 'DELETE',
        template: '/api/v2/subscriptions/call/{id}',
        params: { id: subscriptionId },
        signal: options.signal,
      },
      null,
    );
  }

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

  // ── Transport ────────────────────────────────────────────────────────────────────────────────

  private async *paginate<S extends z.ZodType>(spec: RequestSpec, itemSchema: S): AsyncGenerator<z.output<S>> {
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

  private async request<S extends z.ZodType>(spec: RequestSpec, schema: S): Promise<z.output<S>>;
  private async request(spec: RequestSpec, schema: null): Promise<undefined>;
  private async request<S extends z.ZodType>(spec: RequestSpec, schema: S | null): Promise<z.output<S> | undefined> {
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

  private parseShape<S extends z.ZodType>(schema: S, value: unknown, endpoint: string): z.output<S> {
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

function endpointLimitName(method: Method, template: string): DialpadEndpointLimitName {
  if (method === 'GET' && template === '/api/v2/call/{id}') return 'callGet';
  if (method === 'GET' && template === '/api/v2/call/{id}/ai_recap') return 'aiRecap';
  if ((method === 'POST' || method === 'PUT') && template === '/api/v2/contacts') return 'contactCreate';
  if (method === 'POST' && template === '/api/v2/webhooks') return 'webhookCreate';
  return 'default';
}

function epochMs(t: number | Date): number {
  return t instanceof Date ? t.getTime() : t;
}

/** What Dialpad said, from its error body ({error: {message}} or {message}) or the raw text. */
function dialpadMessage(text: string): string {
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

function parseRetryAfter(value: string | null): number | null {
  if (!value) return null;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

function describeNetworkError(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (cause && typeof cause.code === 'string') return `network error ${cause.code}`;
  if (err instanceof Error) return `network error: ${err.message}`;
  return 'network error';
}

/** Drains an async iterator into an array (directory syncs page through everything anyway). */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

class ResponseTooLarge extends Error {}

/** The body as text, refusing one larger than `max` bytes without reading the rest. */
async function readCapped(res: Response, max: number): Promise<string> {
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

function attemptResult(status: number): DialpadAttemptResult {
  if (status >= 200 && status < 300) return 'ok';
  if (status === 429) return 'rate_limited';
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 404) return 'not_found';
  if (status >= 500) return 'server_error';
  return 'client_error';
}
