import { isIP } from 'node:net';
import { z } from 'zod';
import { certificatesIn, readPem, readTemporalSecurity, type TemporalSecurity } from './temporal/security';
import { readLlmConfig, type LlmConfig } from './ai/llm-config';

/**
 * The one configuration module every process uses. Variables are validated at start; a bad or
 * missing value stops the process with a message naming the variable and what it expects.
 *
 * `mode` decides which values may be left unset:
 * - `dev`: everything has a local default; unset DATABASE_URL / TEMPORAL_ADDRESS / DIALPAD_API_KEY
 *   mean "start an embedded Postgres / a Temporal dev server / the Dialpad simulator".
 * - `production`: services must be named explicitly; no embedded fallbacks.
 */
export type ConfigMode = 'dev' | 'production';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

const port = (fallback: number) =>
  z
    .preprocess(emptyToUndefined, z.string().regex(/^\d+$/, 'expected an integer port between 1 and 65535').optional())
    .transform((v) => (v === undefined ? fallback : Number(v)))
    .refine((n) => n >= 1 && n <= 65535, 'expected an integer port between 1 and 65535');

const optionalString = z.preprocess(emptyToUndefined, z.string().optional());

const postgresUrl = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .refine((s) => {
      try {
        const u = new URL(s);
        return (u.protocol === 'postgres:' || u.protocol === 'postgresql:') && u.hostname !== '';
      } catch {
        return false;
      }
    }, 'expected a URL like postgres://user:password@host:5432/database')
    .optional(),
);

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

const httpUrl = (fallback: string) =>
  z.preprocess(
    emptyToUndefined,
    z.string().refine(isHttpUrl, 'expected an http(s) URL such as https://dialpad.com').default(fallback),
  );

const optionalHttpUrl = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .refine(isHttpUrl, 'expected an http(s) URL such as https://navigator.example.com/webhooks/dialpad')
    .optional(),
);

/** The OTLP/HTTP collector's base URL: traces go to <url>/v1/traces, as the OpenTelemetry spec says. */
const otlpEndpoint = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .refine(isHttpUrl, 'expected the http(s) URL of an OTLP/HTTP collector, e.g. http://127.0.0.1:4318')
    .optional(),
);

const hostPort = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .regex(/^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/, 'expected host:port, e.g. 127.0.0.1:7233')
    .optional(),
);

const bool = (fallback: boolean) =>
  z
    .preprocess(
      emptyToUndefined,
      z.enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' }).optional(),
    )
    .transform((v) => (v === undefined ? fallback : v === 'true' || v === '1' || v === 'yes'));

const durationSeconds = (fallback: number) =>
  z
    .preprocess(emptyToUndefined, z.string().regex(/^\d+$/, 'expected a whole number of seconds').optional())
    .transform((v) => (v === undefined ? fallback : Number(v)));

const token = z.preprocess(
  emptyToUndefined,
  z.string().min(16, 'expected at least 16 characters (use a long random value)').optional(),
);

const schema = z.object({
  DATABASE_URL: postgresUrl,
  TEMPORAL_ADDRESS: hostPort,
  TEMPORAL_NAMESPACE: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^[A-Za-z0-9._-]+$/, 'expected a Temporal namespace name')
      .default('default'),
  ),
  TEMPORAL_TASK_QUEUE: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^[A-Za-z0-9._-]+$/, 'expected a task queue name (letters, digits, . _ -)')
      .default('navigator-dialpad'),
  ),
  TEMPORAL_API_KEY: optionalString,
  TEMPORAL_TLS_CERT: optionalString,
  TEMPORAL_TLS_KEY: optionalString,
  TEMPORAL_TLS_CA: optionalString,
  TEMPORAL_TLS_SERVER_NAME: optionalString,
  DATABASE_CA: optionalString,
  DIALPAD_API_KEY: optionalString,
  DIALPAD_API_BASE_URL: httpUrl('https://dialpad.com'),
  DIALPAD_WEBHOOK_SECRET: optionalString,
  DIALPAD_WEBHOOK_SECRET_PREVIOUS: optionalString,
  DIALPAD_WEBHOOK_SECRET_PREVIOUS_UNTIL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .refine((s) => /^\d{4}-\d{2}-\d{2}/.test(s) && Number.isFinite(Date.parse(s)), {
        message: 'expected an ISO 8601 date or time, e.g. 2026-12-31 or 2026-12-31T12:00:00Z',
      })
      .transform((s) => new Date(s))
      .optional(),
  ),
  DIALPAD_WEBHOOK_ALLOW_UNSIGNED: bool(false),
  DIALPAD_SIM_PORT: port(8788),
  PUBLIC_WEBHOOK_URL: optionalHttpUrl,
  HOST: z.preprocess(emptyToUndefined, z.string().min(1).default('127.0.0.1')),
  PORT: port(8787),
  METRICS_PORT: z
    .preprocess(emptyToUndefined, z.string().regex(/^\d+$/, 'expected an integer port between 1 and 65535').optional())
    .transform((v) => (v === undefined ? undefined : Number(v)))
    .refine((n) => n === undefined || (n >= 1 && n <= 65535), 'expected an integer port between 1 and 65535'),
  METRICS_HOST: optionalString,
  TEMPORAL_METRICS_PORT: z
    .preprocess(emptyToUndefined, z.string().regex(/^\d+$/, 'expected an integer port between 1 and 65535').optional())
    .transform((v) => (v === undefined ? undefined : Number(v)))
    .refine((n) => n === undefined || (n >= 1 && n <= 65535), 'expected an integer port between 1 and 65535'),
  API_TOKEN: token,
  ADMIN_TOKEN: token,
  LOG_LEVEL: z.preprocess(
    emptyToUndefined,
    z.enum(LOG_LEVELS, { message: `expected one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  ),
  CALL_AI_WAIT_SECONDS: durationSeconds(900),
  CALL_DB_RETRY_BUDGET_SECONDS: z
    .preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(/^[1-9]\d{0,4}$/, 'expected a whole number of seconds from 1 to 99999')
        .optional(),
    )
    .transform((v) => (v === undefined ? 120 : Number(v))),
  CALL_AI_FETCH_ATTEMPTS: z
    .preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(/^[1-9]\d?$/, 'expected a whole number from 1 to 99')
        .optional(),
    )
    .transform((v) => (v === undefined ? 6 : Number(v))),
  DEV_SIMULATED_CALLS_PER_MINUTE: z
    .preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(/^\d{1,4}$/, 'expected a whole number of calls per minute')
        .optional(),
    )
    .transform((v) => (v === undefined ? 4 : Number(v))),
  OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint,
  OTEL_SERVICE_NAME: optionalString,
  TEMPORAL_MAX_CACHED_WORKFLOWS: z
    .preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(/^[1-9]\d{0,5}$/, 'expected a whole number of workflows from 1 to 999999')
        .optional(),
    )
    .transform((v) => (v === undefined ? undefined : Number(v))),
  TEMPORAL_CLI_PATH: optionalString,
  TEMPORAL_UI_PORT: port(8233),
  DEV_POSTGRES_PORT: port(54329),
  DEV_TEMPORAL_PORT: port(7233),
});

type Parsed = z.infer<typeof schema>;

export interface Config {
  /** Unsafe settings tolerated because NODE_ENV is not production; every process logs them at start. */
  warnings: string[];
  mode: ConfigMode;
  databaseUrl: string | undefined;
  /** A PEM CA (read from DATABASE_CA) that Postgres's server certificate must chain to. */
  databaseCa: Buffer | undefined;
  temporal: {
    address: string | undefined;
    namespace: string;
    taskQueue: string;
    /** TLS / API key for the Temporal frontend (TEMPORAL_API_KEY, TEMPORAL_TLS_*). */
    security: TemporalSecurity;
  };
  dialpad: {
    apiKey: string | undefined;
    apiBaseUrl: string;
    webhookSecret: string | undefined;
    webhookSecretPrevious: string | undefined;
    /** After this the previous secret no longer verifies (and the doctor says to remove it). */
    webhookSecretPreviousUntil: Date | undefined;
    allowUnsigned: boolean;
    simulatorPort: number;
    /** The URL Dialpad delivers webhooks to (what the doctor and registration look for). */
    publicWebhookUrl: string | undefined;
  };
  http: { host: string; port: number };
  /**
   * With a port, GET /metrics is served there only (the internal network), not on the public port.
   * `temporalPort`: the worker's Temporal SDK metrics (Prometheus, served by the SDK) on that host.
   */
  metrics: { port: number | undefined; host: string; temporalPort: number | undefined };
  apiToken: string | undefined;
  adminToken: string | undefined;
  logLevel: (typeof LOG_LEVELS)[number];
  callAiWaitSeconds: number;
  /** Attempts (Temporal activity retries) at fetching a transcript or recap before giving up. */
  callAiFetchAttempts: number;
  /** How long a call run's Postgres step retries before waiting on a durable timer (then again). */
  callDbRetryBudgetSeconds: number;
  /**
   * OpenTelemetry tracing (src/telemetry/): on when an OTLP endpoint is set, off (nothing installed)
   * otherwise. `serviceName` overrides each process's default (navigator-dialpad-ingress / -worker).
   */
  tracing: { otlpEndpoint: string | undefined; serviceName: string | undefined };
  /** The worker's sticky cache size (TEMPORAL_MAX_CACHED_WORKFLOWS; unset: WORKER_MAX_CACHED_WORKFLOWS). */
  worker: { maxCachedWorkflows: number | undefined };
  /**
   * The optional language model for call insights (INSIGHTS_LLM_URL / _MODEL / _API_KEY), or null:
   * the rules only, and no call text leaves our systems.
   */
  insightsLlm: LlmConfig | null;
  dev: {
    temporalCliPath: string | undefined;
    temporalUiPort: number;
    postgresPort: number;
    temporalPort: number;
    simulatedCallsPerMinute: number;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses and checks the environment. Throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, mode: ConfigMode = 'dev'): Config {
  const result = schema.safeParse(env);
  const problems: string[] = [];
  // Read on its own (src/ai/llm-config.ts, shared with the model path); its problems never quote a value.
  const llm = readLlmConfig(env);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const name = String(issue.path[0] ?? '?');
      const given = env[name];
      problems.push(
        `${name}: ${issue.message}${given !== undefined && !isSecretName(name) ? ` (got ${JSON.stringify(given)})` : ''}`,
      );
    }
    throw new ConfigError([...problems, ...llm.problems]);
  }
  const v: Parsed = result.data;
  if (mode === 'production') {
    if (!v.DATABASE_URL) problems.push('DATABASE_URL: required in production (postgres://user:password@host:5432/db)');
    if (!v.TEMPORAL_ADDRESS)
      problems.push('TEMPORAL_ADDRESS: required in production (host:port of the Temporal frontend)');
    if (!v.DIALPAD_API_KEY) problems.push('DIALPAD_API_KEY: required in production (a Dialpad company API key)');
    if (!v.DIALPAD_WEBHOOK_SECRET && !v.DIALPAD_WEBHOOK_ALLOW_UNSIGNED)
      problems.push('DIALPAD_WEBHOOK_SECRET: required in production (the secret of the Dialpad webhook)');
    if (!v.API_TOKEN) problems.push('API_TOKEN: required in production (at least 16 characters)');
    if (!v.ADMIN_TOKEN) problems.push('ADMIN_TOKEN: required in production (at least 16 characters)');
  }
  const security = readTemporalSecurity(v, problems);
  if ((security.tls || security.apiKey) && !v.TEMPORAL_ADDRESS)
    problems.push('TEMPORAL_ADDRESS: required with TEMPORAL_API_KEY or TEMPORAL_TLS_* (the secured frontend to reach)');
  const databaseCa = readDatabaseCa(v, problems);
  if (v.METRICS_PORT !== undefined && v.METRICS_PORT === v.PORT && (v.METRICS_HOST ?? v.HOST) === v.HOST)
    problems.push('METRICS_PORT: must differ from PORT (the point is to keep /metrics off the public port)');
  if (v.TEMPORAL_METRICS_PORT !== undefined) {
    const metricsHost = v.METRICS_HOST ?? v.HOST;
    if (v.TEMPORAL_METRICS_PORT === v.METRICS_PORT)
      problems.push('TEMPORAL_METRICS_PORT: must differ from METRICS_PORT (both are served on METRICS_HOST)');
    else if (v.TEMPORAL_METRICS_PORT === v.PORT && metricsHost === v.HOST)
      problems.push('TEMPORAL_METRICS_PORT: must differ from PORT (the SDK metrics belong on the internal network)');
    else if (bindHost(metricsHost) === undefined)
      problems.push(
        `TEMPORAL_METRICS_PORT: the SDK binds to an IP address, and ${v.METRICS_HOST ? 'METRICS_HOST' : 'HOST'} is ${JSON.stringify(metricsHost)} (use e.g. 0.0.0.0 or 127.0.0.1)`,
      );
  }
  if (v.API_TOKEN && v.ADMIN_TOKEN && v.API_TOKEN === v.ADMIN_TOKEN)
    problems.push('ADMIN_TOKEN: must differ from API_TOKEN');
  if (v.DIALPAD_WEBHOOK_SECRET_PREVIOUS && !v.DIALPAD_WEBHOOK_SECRET)
    problems.push('DIALPAD_WEBHOOK_SECRET_PREVIOUS: only meaningful together with DIALPAD_WEBHOOK_SECRET');
  if (v.DIALPAD_WEBHOOK_SECRET_PREVIOUS_UNTIL && !v.DIALPAD_WEBHOOK_SECRET_PREVIOUS)
    problems.push(
      'DIALPAD_WEBHOOK_SECRET_PREVIOUS_UNTIL: only meaningful together with DIALPAD_WEBHOOK_SECRET_PREVIOUS',
    );
  problems.push(...llm.problems);
  // Settings that are fine on a laptop and dangerous facing the internet: refused where the
  // process says it is production (the Docker image sets NODE_ENV=production), loudly warned of elsewhere.
  const unsafe = unsafeSettings(v, llm.config);
  const production = env.NODE_ENV === 'production';
  if (production) problems.push(...unsafe.map((u) => `${u} (refused with NODE_ENV=production)`));
  if (problems.length) throw new ConfigError(problems);

  return {
    mode,
    warnings: production ? [] : unsafe,
    databaseUrl: v.DATABASE_URL,
    databaseCa,
    temporal: {
      address: v.TEMPORAL_ADDRESS,
      namespace: v.TEMPORAL_NAMESPACE,
      taskQueue: v.TEMPORAL_TASK_QUEUE,
      security,
    },
    dialpad: {
      apiKey: v.DIALPAD_API_KEY,
      apiBaseUrl: v.DIALPAD_API_BASE_URL.replace(/\/+$/, ''),
      webhookSecret: v.DIALPAD_WEBHOOK_SECRET,
      webhookSecretPrevious: v.DIALPAD_WEBHOOK_SECRET_PREVIOUS,
      webhookSecretPreviousUntil: v.DIALPAD_WEBHOOK_SECRET_PREVIOUS_UNTIL,
      allowUnsigned: v.DIALPAD_WEBHOOK_ALLOW_UNSIGNED,
      simulatorPort: v.DIALPAD_SIM_PORT,
      publicWebhookUrl: v.PUBLIC_WEBHOOK_URL,
    },
    http: { host: v.HOST, port: v.PORT },
    metrics: { port: v.METRICS_PORT, host: v.METRICS_HOST ?? v.HOST, temporalPort: v.TEMPORAL_METRICS_PORT },
    apiToken: v.API_TOKEN,
    adminToken: v.ADMIN_TOKEN,
    logLevel: v.LOG_LEVEL,
    callAiWaitSeconds: v.CALL_AI_WAIT_SECONDS,
    callAiFetchAttempts: v.CALL_AI_FETCH_ATTEMPTS,
    callDbRetryBudgetSeconds: v.CALL_DB_RETRY_BUDGET_SECONDS,
    tracing: { otlpEndpoint: v.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: v.OTEL_SERVICE_NAME },
    worker: { maxCachedWorkflows: v.TEMPORAL_MAX_CACHED_WORKFLOWS },
    insightsLlm: llm.config,
    dev: {
      temporalCliPath: v.TEMPORAL_CLI_PATH,
      temporalUiPort: v.TEMPORAL_UI_PORT,
      postgresPort: v.DEV_POSTGRES_PORT,
      temporalPort: v.DEV_TEMPORAL_PORT,
      simulatedCallsPerMinute: v.DEV_SIMULATED_CALLS_PER_MINUTE,
    },
  };
}

/** DATABASE_CA: a path or the PEM text of the CA that signed Postgres's certificate. */
function readDatabaseCa(v: Parsed, problems: string[]): Buffer | undefined {
  if (!v.DATABASE_CA) return undefined;
  if (!v.DATABASE_URL) {
    problems.push('DATABASE_CA: only meaningful together with DATABASE_URL');
    return undefined;
  }
  const pem = readPem('DATABASE_CA', v.DATABASE_CA, problems);
  if (!pem || certificatesIn('DATABASE_CA', pem, problems).length === 0) return undefined;
  const mode = new URL(v.DATABASE_URL).searchParams.get('sslmode');
  if (mode === 'disable') problems.push('DATABASE_CA: DATABASE_URL has sslmode=disable, so the CA would never be used');
  return pem.text;
}

/**
 * The address the Temporal SDK's Prometheus exporter binds (a socket address: an IP, not a name;
 * `localhost` is taken as 127.0.0.1), or undefined when `host` is not one.
 */
export function bindHost(host: string): string | undefined {
  if (host === 'localhost') return '127.0.0.1';
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const kind = isIP(bare);
  if (kind === 4) return bare;
  if (kind === 6) return `[${bare}]`;
  return undefined;
}

/** Secrets and tokens shorter than this are guessable; in production they are refused. */
const MIN_SECRET_BYTES = 32;

function unsafeSettings(v: Parsed, llm: LlmConfig | null): string[] {
  const out: string[] = [];
  if (v.DIALPAD_WEBHOOK_ALLOW_UNSIGNED) {
    out.push('DIALPAD_WEBHOOK_ALLOW_UNSIGNED: unsigned webhooks let anyone who can reach the ingress write calls');
  }
  for (const name of ['DIALPAD_WEBHOOK_SECRET', 'DIALPAD_WEBHOOK_SECRET_PREVIOUS'] as const) {
    const secret = v[name];
    if (secret && Buffer.byteLength(secret) < MIN_SECRET_BYTES) {
      out.push(`${name}: shorter than ${MIN_SECRET_BYTES} bytes (use webhooks new-secret for a random one)`);
    }
  }
  if (!v.DIALPAD_API_BASE_URL.startsWith('https://') && !isLoopbackUrl(v.DIALPAD_API_BASE_URL)) {
    out.push('DIALPAD_API_BASE_URL: not https, so the API key would travel in clear text');
  }
  if (llm && !llm.endpoint.startsWith('https://') && !isLoopbackUrl(llm.endpoint)) {
    out.push('INSIGHTS_LLM_URL: not https, so call transcripts (and INSIGHTS_LLM_API_KEY) would travel in clear text');
  }
  for (const name of ['API_TOKEN', 'ADMIN_TOKEN'] as const) {
    const token = v[name];
    if (token && token.length < MIN_SECRET_BYTES) out.push(`${name}: shorter than ${MIN_SECRET_BYTES} characters`);
  }
  return out;
}

/** A stand-in on this machine (the simulator): nothing crosses a network. */
function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function isSecretName(name: string): boolean {
  return /SECRET|TOKEN|KEY|DATABASE_URL/.test(name);
}

/** For process entry points: load the config or print the problems and exit non-zero. */
export function loadConfigOrExit(mode: ConfigMode, env: NodeJS.ProcessEnv = process.env): Config {
  try {
    const config = loadConfig(env, mode);
    for (const w of config.warnings) {
      process.stderr.write(`WARNING: unsafe setting, refused with NODE_ENV=production: ${w}\n`);
    }
    return config;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nSee .env.example for every variable and its meaning.\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}
