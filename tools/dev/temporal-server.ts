import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Connection } from '@temporalio/client';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../../workflows/shared/search-attributes';
import { crashExcerpt, spawnLogged, type Child } from '../lib/processes';
import { waitFor } from '../lib/wait';
import { locateTemporalCli } from './temporal-cli';

export interface TemporalDevServerOptions {
  port: number;
  /** Web UI port; `undefined` runs headless. */
  uiPort?: number;
  namespace: string;
  /** SQLite file for state that survives a restart; `undefined` keeps everything in memory. */
  dbFile?: string;
  /**
   * SQLite pragmas for the file database (`--sqlite-pragma`), e.g. `{ journal_mode: 'wal',
   * synchronous: 'normal' }`: the default rollback journal fsyncs every commit several times, which
   * on a small machine caps the server at a few workflow tasks a second.
   */
  sqlitePragmas?: Record<string, string>;
  /** Where the server's own output goes; `undefined` discards it. */
  logFile?: string;
  /** Serve the server's Prometheus metrics on 127.0.0.1:<port>/metrics (default: a port of its own choosing, not reported). */
  metricsPort?: number;
  log?: (msg: string) => void;
}

export interface TemporalDevServer {
  address: string;
  uiUrl: string | undefined;
  /** Stops the server (SIGTERM, then SIGKILL after a grace period). */
  stop(): Promise<void>;
  /** Starts it again after `stop()` with the same options (a file database keeps its state). */
  restart(): Promise<void>;
  readonly pid: number | undefined;
  /** The server's Prometheus endpoint, when `metricsPort` was given and the CLI runs it. */
  metricsUrl?: string | undefined;
}

/**
 * The one launcher for a local Temporal: `npm run dev`, the tests and the benchmarks all use it.
 * Uses the Temporal CLI's `server start-dev` with the custom search attributes registered; when no
 * CLI can be found or built it falls back to the SDK's downloaded test server.
 */
export async function startTemporalDevServer(opts: TemporalDevServerOptions): Promise<TemporalDevServer> {
  const log = opts.log ?? ((m: string) => process.stderr.write(`[temporal] ${m}\n`));
  const cli = await locateTemporalCli({ log });
  const address = `127.0.0.1:${opts.port}`;
  if (!cli) return startViaSdk(opts, log);

  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(opts.port),
    '--namespace',
    opts.namespace,
    '--log-level',
    'warn',
    ...(opts.uiPort ? ['--ui-port', String(opts.uiPort), '--ui-ip', '127.0.0.1'] : ['--headless']),
    ...(opts.dbFile ? ['--db-filename', opts.dbFile] : []),
    ...Object.entries(opts.sqlitePragmas ?? {}).flatMap(([k, v]) => ['--sqlite-pragma', `${k}=${v}`]),
    ...Object.entries(CUSTOM_SEARCH_ATTRIBUTES).flatMap(([name, type]) => ['--search-attribute', `${name}=${type}`]),
    // Keep the dev server's own metrics port off the well-known default so parallel servers coexist.
    '--metrics-port',
    String(opts.metricsPort ?? 0),
  ];
  if (opts.dbFile) mkdirSync(dirname(opts.dbFile), { recursive: true });

  let child: Child | undefined;
  const launch = async () => {
    for (let attempt = 1; ; attempt++) {
      const proc = spawnLogged({ name: 'temporal', command: cli.path, args, logFile: opts.logFile });
      child = proc;
      try {
        await waitUntilServing(address, opts.namespace, proc.exitReason);
        return;
      } catch (err) {
        proc.proc.kill('SIGKILL');
        const excerpt = opts.logFile && existsSync(opts.logFile) ? crashExcerpt(opts.logFile) : '';
        const why = `${(err as Error).message}${excerpt ? `\n--- ${opts.logFile} ---\n${excerpt}` : ''}`;
        // The CLI picks its internal ports (HTTP, metrics, history, matching, worker) by binding
        // port 0 and letting go; another process on a busy machine can take one before the server
        // binds it, and the CLI then panics at start-up. A server that died before it was ready is
        // started again (a file database is untouched: nothing was served); one that hung is not.
        if (proc.exitReason() === undefined || attempt >= START_ATTEMPTS) throw new Error(why, { cause: err });
        log(`exited before it was ready (attempt ${attempt} of ${START_ATTEMPTS}); starting it again:\n${why}`);
      }
    }
  };

  const stop = async () => {
    const proc = child;
    child = undefined;
    await proc?.stop();
  };

  await launch();
  return {
    address,
    uiUrl: opts.uiPort ? `http://127.0.0.1:${opts.uiPort}` : undefined,
    metricsUrl: opts.metricsPort ? `http://127.0.0.1:${opts.metricsPort}/metrics` : undefined,
    stop,
    restart: async () => {
      await stop();
      await launch();
    },
    get pid() {
      return child?.pid;
    },
  };
}

/** How many times a dev server that exits before it is ready is started (see `launch`). */
const START_ATTEMPTS = 3;

async function waitUntilServing(address: string, namespace: string, exited: () => string | undefined): Promise<void> {
  await waitFor(
    `Temporal dev server at ${address}`,
    async () => {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return true;
      } finally {
        await connection.close();
      }
    },
    { timeoutMs: 60_000, intervalMs: 250, gone: exited },
  );
}

async function startViaSdk(opts: TemporalDevServerOptions, log: (m: string) => void): Promise<TemporalDevServer> {
  // Loaded lazily: only this fallback needs it, and it downloads a CLI at run time.
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  log('starting a Temporal dev server downloaded by the SDK');
  const make = () =>
    TestWorkflowEnvironment.createLocal({
      server: {
        ip: '127.0.0.1',
        port: opts.port,
        namespace: opts.namespace,
        ...(opts.uiPort ? { ui: true, uiPort: opts.uiPort } : {}),
        ...(opts.dbFile ? { dbFilename: opts.dbFile } : {}),
        searchAttributes: Object.keys(CUSTOM_SEARCH_ATTRIBUTES).map((name) => ({
          name,
          type: 'KEYWORD' as const,
        })),
      },
    });
  let env: Awaited<ReturnType<typeof make>> | undefined = await make();
  return {
    address: `127.0.0.1:${opts.port}`,
    uiUrl: opts.uiPort ? `http://127.0.0.1:${opts.uiPort}` : undefined,
    stop: async () => {
      await env?.teardown();
      env = undefined;
    },
    restart: async () => {
      await env?.teardown();
      env = await make();
    },
    pid: undefined,
  };
}
