import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { bindHost, ConfigError, loadConfig } from '../../src/config';

const ROOT = join(__dirname, '..', '..');

function problems(env: NodeJS.ProcessEnv, mode: 'dev' | 'production' = 'dev'): string[] {
  try {
    loadConfig(env, mode);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('configuration', () => {
  it('runs with no configuration at all in dev, with local defaults', () => {
    const c = loadConfig({}, 'dev');
    expect(c.http).toEqual({ host: '127.0.0.1', port: 8787 });
    expect(c.databaseUrl).toBeUndefined();
    expect(c.temporal).toEqual({
      address: undefined,
      namespace: 'default',
      taskQueue: 'navigator-dialpad',
      security: { sources: {} },
    });
    expect(c.dialpad.apiBaseUrl).toBe('https://dialpad.com');
    expect(c.logLevel).toBe('info');
  });

  it.each([
    [{ PORT: 'abc' }, /^PORT: expected an integer port/],
    [{ PORT: '70000' }, /^PORT: expected an integer port/],
    [{ DATABASE_URL: 'mysql://x' }, /^DATABASE_URL: expected a URL like postgres:/],
    [{ DATABASE_URL: 'not a url' }, /^DATABASE_URL: expected a URL/],
    [{ TEMPORAL_ADDRESS: 'localhost' }, /^TEMPORAL_ADDRESS: expected host:port/],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL: expected one of fatal, error/],
    [{ DIALPAD_API_BASE_URL: 'ftp://dialpad.com' }, /^DIALPAD_API_BASE_URL: expected an http\(s\) URL/],
    [{ PUBLIC_WEBHOOK_URL: 'navigator.example.com/hook' }, /^PUBLIC_WEBHOOK_URL: expected an http\(s\) URL/],
    [{ DIALPAD_WEBHOOK_ALLOW_UNSIGNED: 'maybe' }, /^DIALPAD_WEBHOOK_ALLOW_UNSIGNED: expected true or false/],
    [{ API_TOKEN: 'short' }, /^API_TOKEN: expected at least 16 characters/],
    [{ API_TOKEN: 'x'.repeat(20), ADMIN_TOKEN: 'x'.repeat(20) }, /^ADMIN_TOKEN: must differ from API_TOKEN/],
    [{ DIALPAD_WEBHOOK_SECRET_PREVIOUS: 'old-secret' }, /^DIALPAD_WEBHOOK_SECRET_PREVIOUS: only meaningful/],
    [{ TEMPORAL_METRICS_PORT: 'nine' }, /^TEMPORAL_METRICS_PORT: expected an integer port/],
    [{ TEMPORAL_METRICS_PORT: '0' }, /^TEMPORAL_METRICS_PORT: expected an integer port/],
    [{ TEMPORAL_METRICS_PORT: '9464', METRICS_PORT: '9464' }, /^TEMPORAL_METRICS_PORT: must differ from METRICS_PORT/],
    [{ TEMPORAL_METRICS_PORT: '8787' }, /^TEMPORAL_METRICS_PORT: must differ from PORT/],
    [{ TEMPORAL_METRICS_PORT: '9465', METRICS_HOST: 'metrics.internal' }, /^TEMPORAL_METRICS_PORT: .*IP address/],
    [{ TEMPORAL_MAX_CACHED_WORKFLOWS: '0' }, /^TEMPORAL_MAX_CACHED_WORKFLOWS: expected a whole number/],
    [{ WORKER_CALLS_WORKFLOW_SLOTS: '1' }, /^WORKER_CALLS_WORKFLOW_SLOTS: expected a whole number of slots from 2/],
    [{ WORKER_CALLS_ACTIVITY_SLOTS: 'many' }, /^WORKER_CALLS_ACTIVITY_SLOTS: expected a whole number of slots from 1/],
    [{ WORKER_DIALPAD_ACTIVITY_SLOTS: '0' }, /^WORKER_DIALPAD_ACTIVITY_SLOTS: expected a whole number of slots/],
    [{ WORKER_SYNC_WORKFLOW_SLOTS: '10000' }, /^WORKER_SYNC_WORKFLOW_SLOTS: expected a whole number of slots/],
    [{ WORKER_SYNC_ACTIVITY_SLOTS: '2.5' }, /^WORKER_SYNC_ACTIVITY_SLOTS: expected a whole number of slots/],
    [{ WEBHOOK_MAX_IN_FLIGHT: 'lots' }, /^WEBHOOK_MAX_IN_FLIGHT: expected a whole number from 0 \(off\)/],
    [{ WEBHOOK_MAX_IN_FLIGHT: '-1' }, /^WEBHOOK_MAX_IN_FLIGHT: expected a whole number/],
    [{ WEBHOOK_MAX_EVENT_LOOP_DELAY_MS: '0.5' }, /^WEBHOOK_MAX_EVENT_LOOP_DELAY_MS: expected a whole number of ms/],
    [{ WEBHOOK_MAX_EVENT_LOOP_UTILIZATION: '1.5' }, /^WEBHOOK_MAX_EVENT_LOOP_UTILIZATION: expected 0 \(off\) or a/],
    [{ WEBHOOK_MAX_EVENT_LOOP_UTILIZATION: '98%' }, /^WEBHOOK_MAX_EVENT_LOOP_UTILIZATION: expected 0 \(off\) or a/],
  ])('rejects %j naming the variable', (env, expected) => {
    const found = problems(env);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(expected);
  });

  it('never echoes a secret value in its error', () => {
    const found = problems({ API_TOKEN: 'hunter2' });
    expect(found.join('\n')).not.toContain('hunter2');
  });

  it('reports every problem at once', () => {
    expect(problems({ PORT: 'abc', DATABASE_URL: 'nope', LOG_LEVEL: 'x' }).map((p) => p.split(':')[0])).toEqual([
      'DATABASE_URL',
      'PORT',
      'LOG_LEVEL',
    ]);
  });

  it('requires named services and secrets in production', () => {
    const names = problems({}, 'production').map((p) => p.split(':')[0]);
    expect(names).toEqual([
      'DATABASE_URL',
      'TEMPORAL_ADDRESS',
      'DIALPAD_API_KEY',
      'DIALPAD_WEBHOOK_SECRET',
      'API_TOKEN',
      'ADMIN_TOKEN',
    ]);
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ DATABASE_URL: 'postgres//broken' }, 'DATABASE_URL'],
  ])('`npm run dev` with %j exits non-zero naming %s before starting anything', (env, name) => {
    const r = spawnSync(
      process.execPath,
      [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'tools', 'dev', 'dev.ts')],
      {
        env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(r.status).toBe(78);
    expect(r.stderr).toContain(`${name}:`);
    expect(r.stderr).toContain('Invalid configuration');
  });

  const safeProduction = {
    DATABASE_URL: 'postgres://u:p@db.internal:5432/navigator',
    TEMPORAL_ADDRESS: 'temporal.internal:7233',
    DIALPAD_API_KEY: 'a-dialpad-api-key',
    DIALPAD_WEBHOOK_SECRET: 'w'.repeat(40),
    API_TOKEN: 'a'.repeat(40),
    ADMIN_TOKEN: 'b'.repeat(40),
    NODE_ENV: 'production',
  };

  it.each([
    [{ DIALPAD_WEBHOOK_ALLOW_UNSIGNED: 'true' }, 'DIALPAD_WEBHOOK_ALLOW_UNSIGNED'],
    [{ DIALPAD_WEBHOOK_SECRET: 's'.repeat(16) }, 'DIALPAD_WEBHOOK_SECRET'],
    [{ DIALPAD_WEBHOOK_SECRET_PREVIOUS: 'p'.repeat(20) }, 'DIALPAD_WEBHOOK_SECRET_PREVIOUS'],
    [{ DIALPAD_API_BASE_URL: 'http://dialpad.com' }, 'DIALPAD_API_BASE_URL'],
    [{ API_TOKEN: 'a'.repeat(20) }, 'API_TOKEN'],
  ])('with NODE_ENV=production, the unsafe %j is refused naming %s; elsewhere it is a warning', (unsafe, name) => {
    expect(problems(safeProduction, 'production')).toEqual([]);
    const refused = problems({ ...safeProduction, ...unsafe }, 'production');
    expect(refused.map((p) => p.split(':')[0])).toEqual([name]);
    const dev = loadConfig({ ...safeProduction, ...unsafe, NODE_ENV: 'development' }, 'production');
    expect(dev.warnings.map((w) => w.split(':')[0])).toEqual([name]);
  });

  it('the language model for call insights is off unless INSIGHTS_LLM_URL is set', () => {
    expect(loadConfig({}, 'dev').insightsLlm).toBeNull();
    expect(
      loadConfig(
        { ...safeProduction, INSIGHTS_LLM_URL: 'https://llm.example/v1', INSIGHTS_LLM_MODEL: 'gpt-4o-mini' },
        'production',
      ).insightsLlm,
    ).toEqual({ endpoint: 'https://llm.example/v1/chat/completions', model: 'gpt-4o-mini', apiKey: null });
  });

  it.each([
    [{ INSIGHTS_LLM_URL: 'not a url', INSIGHTS_LLM_MODEL: 'm' }, /^INSIGHTS_LLM_URL: expected an http\(s\) URL/],
    [
      { INSIGHTS_LLM_URL: 'ftp://llm.example/v1', INSIGHTS_LLM_MODEL: 'm' },
      /^INSIGHTS_LLM_URL: expected an http\(s\) URL/,
    ],
    [{ INSIGHTS_LLM_URL: 'https://u:p@llm.example/v1', INSIGHTS_LLM_MODEL: 'm' }, /^INSIGHTS_LLM_URL: must not carry/],
    [{ INSIGHTS_LLM_URL: 'https://llm.example/v1' }, /^INSIGHTS_LLM_MODEL: required when INSIGHTS_LLM_URL/],
    [{ INSIGHTS_LLM_MODEL: 'm' }, /^INSIGHTS_LLM_URL: not set, but INSIGHTS_LLM_MODEL is/],
    [{ INSIGHTS_LLM_API_KEY: 'sk-0123456789' }, /^INSIGHTS_LLM_URL: not set, but INSIGHTS_LLM_API_KEY is/],
    [
      { INSIGHTS_LLM_URL: 'https://llm.example/v1', INSIGHTS_LLM_MODEL: 'm', INSIGHTS_LLM_API_KEY: 'two words' },
      /^INSIGHTS_LLM_API_KEY: contains whitespace/,
    ],
  ])('rejects the language-model setting %j naming the variable', (env, expected) => {
    const found = problems(env);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(expected);
  });

  it('never echoes the language model key, and reports its problems with the others', () => {
    const found = problems({
      PORT: 'abc',
      INSIGHTS_LLM_URL: 'https://llm.example/v1',
      INSIGHTS_LLM_API_KEY: 'sk secret',
    });
    expect(found.map((p) => p.split(':')[0])).toEqual(['PORT', 'INSIGHTS_LLM_MODEL', 'INSIGHTS_LLM_API_KEY']);
    expect(found.join('\n')).not.toContain('secret');
  });

  it('with NODE_ENV=production, a language model over http off this machine is refused; on loopback it is fine', () => {
    const llm = { INSIGHTS_LLM_MODEL: 'llama3.1:8b', INSIGHTS_LLM_API_KEY: 'sk-0123456789' };
    const refused = problems(
      { ...safeProduction, ...llm, INSIGHTS_LLM_URL: 'http://llm.internal:11434/v1' },
      'production',
    );
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatch(
      /^INSIGHTS_LLM_URL: not https, so call transcripts .*\(refused with NODE_ENV=production\)$/,
    );
    expect(refused[0]).not.toContain('sk-0123456789');
    const dev = loadConfig(
      { ...safeProduction, ...llm, INSIGHTS_LLM_URL: 'http://llm.internal:11434/v1', NODE_ENV: 'development' },
      'production',
    );
    expect(dev.warnings.map((w) => w.split(':')[0])).toEqual(['INSIGHTS_LLM_URL']);
    expect(
      problems({ ...safeProduction, ...llm, INSIGHTS_LLM_URL: 'http://127.0.0.1:11434/v1' }, 'production'),
    ).toEqual([]);
    expect(problems({ ...safeProduction, ...llm, INSIGHTS_LLM_URL: 'https://llm.internal/v1' }, 'production')).toEqual(
      [],
    );
  });

  it('a Dialpad stand-in on loopback over http is not a clear-text risk', () => {
    expect(problems({ ...safeProduction, DIALPAD_API_BASE_URL: 'http://127.0.0.1:8788' }, 'production')).toEqual([]);
  });

  it('equal tokens are refused everywhere', () => {
    expect(problems({ ...safeProduction, ADMIN_TOKEN: 'a'.repeat(40), NODE_ENV: 'development' })).toEqual([
      'ADMIN_TOKEN: must differ from API_TOKEN',
    ]);
  });

  it.each([
    [{ DIALPAD_WEBHOOK_ALLOW_UNSIGNED: 'true', DIALPAD_WEBHOOK_SECRET: '' }, 'DIALPAD_WEBHOOK_ALLOW_UNSIGNED'],
    [{ DIALPAD_WEBHOOK_SECRET: '0123456789abcdef' }, 'DIALPAD_WEBHOOK_SECRET'],
  ])('`npm start` with NODE_ENV=production and %j exits 78 naming %s', (env, name) => {
    const r = spawnSync(
      process.execPath,
      [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'src', 'start.ts')],
      {
        env: { PATH: process.env.PATH, HOME: process.env.HOME, ...safeProduction, ...env },
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(r.status).toBe(78);
    expect(r.stderr).toContain(`${name}:`);
    expect(r.stderr).toContain('refused with NODE_ENV=production');
  });

  it('sheds webhooks past 64 in flight by default, the event-loop limits off; 0 turns a limit off', () => {
    expect(loadConfig({}).webhookPressure).toEqual({
      maxInFlight: 64,
      maxEventLoopDelayMs: 0,
      maxEventLoopUtilization: 0,
    });
    expect(
      loadConfig({
        WEBHOOK_MAX_IN_FLIGHT: '0',
        WEBHOOK_MAX_EVENT_LOOP_DELAY_MS: '1000',
        WEBHOOK_MAX_EVENT_LOOP_UTILIZATION: '0.98',
      }).webhookPressure,
    ).toEqual({ maxInFlight: 0, maxEventLoopDelayMs: 1000, maxEventLoopUtilization: 0.98 });
  });

  /** Starts one of the service's processes with the safe production settings plus `env`, and waits. */
  const startWith = (script: 'server.ts' | 'worker.ts', env: Record<string, string>) =>
    spawnSync(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'src', script)], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...safeProduction, ...env },
      encoding: 'utf8',
      timeout: 60_000,
    });

  it('the ingress with a bad WEBHOOK_MAX_IN_FLIGHT exits 78 naming it', () => {
    const r = startWith('server.ts', { WEBHOOK_MAX_IN_FLIGHT: 'many' });
    expect(r.status).toBe(78);
    expect(r.stderr).toContain('WEBHOOK_MAX_IN_FLIGHT: expected a whole number from 0 (off) to 99999 (got "many")');
  });

  it('serves the SDK metrics on METRICS_HOST (or HOST) at TEMPORAL_METRICS_PORT, off when unset', () => {
    expect(loadConfig({}).metrics).toEqual({ port: undefined, host: '127.0.0.1', temporalPort: undefined });
    expect(loadConfig({ HOST: '0.0.0.0', METRICS_PORT: '9464', TEMPORAL_METRICS_PORT: '9465' }).metrics).toEqual({
      port: 9464,
      host: '0.0.0.0',
      temporalPort: 9465,
    });
    // On another host than the public port's, the same number is no clash.
    expect(
      loadConfig({ HOST: '0.0.0.0', METRICS_HOST: '10.0.0.5', TEMPORAL_METRICS_PORT: '8787' }).metrics.temporalPort,
    ).toBe(8787);
    expect(bindHost('localhost')).toBe('127.0.0.1');
    expect(bindHost('::')).toBe('[::]');
    expect(bindHost('[::1]')).toBe('[::1]');
    expect(bindHost('metrics.internal')).toBeUndefined();
    expect(loadConfig({ TEMPORAL_MAX_CACHED_WORKFLOWS: '250' }).worker.maxCachedWorkflows).toBe(250);
  });

  it("sizes each task queue's worker: the defaults, or WORKER_*_SLOTS", () => {
    expect(loadConfig({}).worker.slots).toEqual({
      calls: { workflowTasks: 40, activities: 20 },
      dialpad: { activities: 20 },
      sync: { workflowTasks: 10, activities: 4 },
    });
    expect(
      loadConfig({
        WORKER_CALLS_WORKFLOW_SLOTS: '80',
        WORKER_CALLS_ACTIVITY_SLOTS: '10',
        WORKER_DIALPAD_ACTIVITY_SLOTS: '50',
        WORKER_SYNC_WORKFLOW_SLOTS: '2',
        WORKER_SYNC_ACTIVITY_SLOTS: '1',
      }).worker.slots,
    ).toEqual({
      calls: { workflowTasks: 80, activities: 10 },
      dialpad: { activities: 50 },
      sync: { workflowTasks: 2, activities: 1 },
    });
  });

  it('the worker is unversioned unless TEMPORAL_WORKER_BUILD_ID names its build', () => {
    expect(loadConfig({}).temporal.deployment).toBeUndefined();
    // The deployment name alone versions nothing.
    expect(loadConfig({ TEMPORAL_DEPLOYMENT_NAME: 'navigator-eu' }).temporal.deployment).toBeUndefined();
    expect(loadConfig({ TEMPORAL_WORKER_BUILD_ID: ' ' }).temporal.deployment).toBeUndefined();
    expect(loadConfig({ TEMPORAL_WORKER_BUILD_ID: 'dfe62ab' }).temporal.deployment).toEqual({
      deploymentName: 'navigator-dialpad',
      buildId: 'dfe62ab',
    });
    expect(
      loadConfig({ TEMPORAL_WORKER_BUILD_ID: '0.2.0-rc.1', TEMPORAL_DEPLOYMENT_NAME: 'navigator-eu' }).temporal
        .deployment,
    ).toEqual({ deploymentName: 'navigator-eu', buildId: '0.2.0-rc.1' });
    expect(problems({ TEMPORAL_WORKER_BUILD_ID: 'main/dfe62ab' })).toEqual([
      'TEMPORAL_WORKER_BUILD_ID: expected a build id such as a git commit or an image tag (letters, digits, _ . + -; at most 128) (got "main/dfe62ab")',
    ]);
    expect(problems({ TEMPORAL_WORKER_BUILD_ID: 'x'.repeat(129) }).map((p) => p.split(':')[0])).toEqual([
      'TEMPORAL_WORKER_BUILD_ID',
    ]);
    expect(problems({ TEMPORAL_WORKER_BUILD_ID: 'dfe62ab', TEMPORAL_DEPLOYMENT_NAME: 'navigator.dialpad' })).toEqual([
      'TEMPORAL_DEPLOYMENT_NAME: expected a deployment name (letters, digits, _ -; no dots) (got "navigator.dialpad")',
    ]);
  });

  it('the worker with a bad TEMPORAL_WORKER_BUILD_ID exits 78 naming it', () => {
    const r = startWith('worker.ts', { TEMPORAL_WORKER_BUILD_ID: 'a b' });
    expect(r.status).toBe(78);
    expect(r.stderr).toContain('TEMPORAL_WORKER_BUILD_ID: expected a build id');
  });

  it('DIALPAD_WEBHOOK_SECRET_PREVIOUS_UNTIL must be a date and needs the previous secret', () => {
    expect(problems({ DIALPAD_WEBHOOK_SECRET_PREVIOUS_UNTIL: 'soon' }).map((p) => p.split(':')[0])).toContain(
      'DIALPAD_WEBHOOK_SECRET_PREVIOUS_UNTIL',
    );
    const c = loadConfig({
      DIALPAD_WEBHOOK_SECRET: 'w'.repeat(40),
      DIALPAD_WEBHOOK_SECRET_PREVIOUS: 'p'.repeat(40),
      DIALPAD_WEBHOOK_SECRET_PREVIOUS_UNTIL: '2026-12-31',
    });
    expect(c.dialpad.webhookSecretPreviousUntil?.toISOString()).toBe('2026-12-31T00:00:00.000Z');
  });
});
