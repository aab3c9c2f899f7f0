import type { Logger } from 'pino';
import type { DialpadEndpointLimitName, RateLimit, RateLimiter } from './rate-limit';

// How a DialpadClient is built and what it reports: base URLs, options, retry policy, attempt outcomes.

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
