import { z } from 'zod';

import { readLlmConfig, type LlmConfig } from './ai/llm-config';
import { databaseFields, readDatabaseCa } from './config/database';
import { checkWebhookSecretRotation, dialpadConfig, dialpadFields, type DialpadConfig } from './config/dialpad';
import type { LOG_LEVELS } from './config/fields';
import {
  callRunFields,
  checkMetricsPorts,
  devFields,
  readWorkerSlots,
  serverFields,
  simulatorFields,
  tracingFields,
  workerFields,
  type WorkerSlots,
} from './config/process';
import { pressureFields, webhookPressureConfig, type WebhookPressureConfig } from './config/pressure';
import { readTemporal, temporalFields, type TemporalConfig } from './config/temporal';

export { bindHost } from './config/temporal';

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

/** Each variable's field, from the section that owns it (src/config/). */
const fields = {
  ...databaseFields,
  ...temporalFields,
  ...dialpadFields,
  ...serverFields,
  ...pressureFields,
  ...callRunFields,
  ...simulatorFields,
  ...tracingFields,
  ...workerFields,
  ...devFields,
};

/**
 * Every variable a process reads, in one list: a bad environment's problems are listed in this order
 * (test/deploy/manifests.test.ts reads the names from here).
 */
const schema = z.object({
  DATABASE_URL: fields.DATABASE_URL,
  TEMPORAL_ADDRESS: fields.TEMPORAL_ADDRESS,
  TEMPORAL_NAMESPACE: fields.TEMPORAL_NAMESPACE,
  TEMPORAL_TASK_QUEUE: fields.TEMPORAL_TASK_QUEUE,
  TEMPORAL_API_KEY: fields.TEMPORAL_API_KEY,
  TEMPORAL_TLS_CERT: fields.TEMPORAL_TLS_CERT,
  TEMPORAL_TLS_KEY: fields.TEMPORAL_TLS_KEY,
  TEMPORAL_TLS_CA: fields.TEMPORAL_TLS_CA,
  TEMPORAL_TLS_SERVER_NAME: fields.TEMPORAL_TLS_SERVER_NAME,
  TEMPORAL_WORKER_BUILD_ID: fields.TEMPORAL_WORKER_BUILD_ID,
  TEMPORAL_DEPLOYMENT_NAME: fields.TEMPORAL_DEPLOYMENT_NAME,
  DATABASE_CA: fields.DATABASE_CA,
  DIALPAD_API_KEY: fields.DIALPAD_API_KEY,
  DIALPAD_API_BASE_URL: fields.DIALPAD_API_BASE_URL,
  DIALPAD_WEBHOOK_SECRET: fields.DIALPAD_WEBHOOK_SECRET,
  DIALPAD_WEBHOOK_SECRET_PREVIOUS: fields.DIALPAD_WEBHOOK_SECRET_PREVIOUS,
  DIALPAD_WEBHOOK_SECRET_PREVIOUS_UNTIL: fields.DIALPAD_WEBHOOK_SECRET_PREVIOUS_UNTIL,
  DIALPAD_WEBHOOK_ALLOW_UNSIGNED: fields.DIALPAD_WEBHOOK_ALLOW_UNSIGNED,
  DIALPAD_SIM_PORT: fields.DIALPAD_SIM_PORT,
  PUBLIC_WEBHOOK_URL: fields.PUBLIC_WEBHOOK_URL,
  HOST: fields.HOST,
  PORT: fields.PORT,
  METRICS_PORT: fields.METRICS_PORT,
  METRICS_HOST: fields.METRICS_HOST,
  TEMPORAL_METRICS_PORT: fields.TEMPORAL_METRICS_PORT,
  API_TOKEN: fields.API_TOKEN,
  ADMIN_TOKEN: fields.ADMIN_TOKEN,
  LOG_LEVEL: fields.LOG_LEVEL,
  WEBHOOK_MAX_IN_FLIGHT: fields.WEBHOOK_MAX_IN_FLIGHT,
  WEBHOOK_MAX_EVENT_LOOP_DELAY_MS: fields.WEBHOOK_MAX_EVENT_LOOP_DELAY_MS,
  WEBHOOK_MAX_EVENT_LOOP_UTILIZATION: fields.WEBHOOK_MAX_EVENT_LOOP_UTILIZATION,
  CALL_AI_WAIT_SECONDS: fields.CALL_AI_WAIT_SECONDS,
  CALL_DB_RETRY_BUDGET_SECONDS: fields.CALL_DB_RETRY_BUDGET_SECONDS,
  CALL_AI_FETCH_ATTEMPTS: fields.CALL_AI_FETCH_ATTEMPTS,
  DEV_SIMULATED_CALLS_PER_MINUTE: fields.DEV_SIMULATED_CALLS_PER_MINUTE,
  OTEL_EXPORTER_OTLP_ENDPOINT: fields.OTEL_EXPORTER_OTLP_ENDPOINT,
  OTEL_SERVICE_NAME: fields.OTEL_SERVICE_NAME,
  TEMPORAL_MAX_CACHED_WORKFLOWS: fields.TEMPORAL_MAX_CACHED_WORKFLOWS,
  WORKER_CALLS_WORKFLOW_SLOTS: fields.WORKER_CALLS_WORKFLOW_SLOTS,
  WORKER_CALLS_ACTIVITY_SLOTS: fields.WORKER_CALLS_ACTIVITY_SLOTS,
  WORKER_DIALPAD_ACTIVITY_SLOTS: fields.WORKER_DIALPAD_ACTIVITY_SLOTS,
  WORKER_SYNC_WORKFLOW_SLOTS: fields.WORKER_SYNC_WORKFLOW_SLOTS,
  WORKER_SYNC_ACTIVITY_SLOTS: fields.WORKER_SYNC_ACTIVITY_SLOTS,
  TEMPORAL_CLI_PATH: fields.TEMPORAL_CLI_PATH,
  TEMPORAL_UI_PORT: fields.TEMPORAL_UI_PORT,
  DEV_POSTGRES_PORT: fields.DEV_POSTGRES_PORT,
  DEV_TEMPORAL_PORT: fields.DEV_TEMPORAL_PORT,
});

// A field a section adds must be listed in the schema too, or it would never be read.
type Unlisted = Exclude<keyof typeof fields, keyof typeof schema.shape>;
const _everyFieldListed: [Unlisted] extends [never] ? true : never = true;

type Parsed = z.infer<typeof schema>;

export interface Config {
  /** Unsafe settings tolerated because NODE_ENV is not production; every process logs them at start. */
  warnings: string[];
  mode: ConfigMode;
  databaseUrl: string | undefined;
  /** A PEM CA (read from DATABASE_CA) that Postgres's server certificate must chain to. */
  databaseCa: Buffer | undefined;
  temporal: TemporalConfig;
  dialpad: DialpadConfig;
  http: { host: string; port: number };
  /**
   * With a port, GET /metrics is served there only (the internal network), not on the public port.
   * `temporalPort`: the worker's Temporal SDK metrics (Prometheus, served by the SDK) on that host.
   */
  metrics: { port: number | undefined; host: string; temporalPort: number | undefined };
  apiToken: string | undefined;
  adminToken: string | undefined;
  logLevel: (typeof LOG_LEVELS)[number];
  /** When the ingress refuses webhooks early with 503 (WEBHOOK_MAX_*; src/plugins/webhook-pressure.ts). */
  webhookPressure: WebhookPressureConfig;
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
  /**
   * The worker's sticky cache size (TEMPORAL_MAX_CACHED_WORKFLOWS; unset: WORKER_MAX_CACHED_WORKFLOWS)
   * and each task queue's worker's slots (WORKER_*_SLOTS; src/temporal/workers.ts).
   */
  worker: { maxCachedWorkflows: number | undefined; slots: WorkerSlots };
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
  const temporal = readTemporal(v, problems);
  const databaseCa = readDatabaseCa(v, problems);
  checkMetricsPorts(v, problems);
  if (v.API_TOKEN && v.ADMIN_TOKEN && v.API_TOKEN === v.ADMIN_TOKEN)
    problems.push('ADMIN_TOKEN: must differ from API_TOKEN');
  checkWebhookSecretRotation(v, problems);
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
    temporal,
    dialpad: dialpadConfig(v),
    http: { host: v.HOST, port: v.PORT },
    metrics: { port: v.METRICS_PORT, host: v.METRICS_HOST ?? v.HOST, temporalPort: v.TEMPORAL_METRICS_PORT },
    apiToken: v.API_TOKEN,
    adminToken: v.ADMIN_TOKEN,
    logLevel: v.LOG_LEVEL,
    webhookPressure: webhookPressureConfig(v),
    callAiWaitSeconds: v.CALL_AI_WAIT_SECONDS,
    callAiFetchAttempts: v.CALL_AI_FETCH_ATTEMPTS,
    callDbRetryBudgetSeconds: v.CALL_DB_RETRY_BUDGET_SECONDS,
    tracing: { otlpEndpoint: v.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: v.OTEL_SERVICE_NAME },
    worker: { maxCachedWorkflows: v.TEMPORAL_MAX_CACHED_WORKFLOWS, slots: readWorkerSlots(v) },
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
