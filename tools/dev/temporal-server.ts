import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Connection } from '@temporalio/client';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../../workflows/shared/search-attributes';
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
    '0',
  ];
  if (opts.dbFile) mkdirSync(dirname(opts.dbFile), { recursive: true });

  let child: ChildProcess | undefined;
  const launch = async () => {
    let out: number | 'ignore' = 'ignore';
    if (opts.logFile) {
      mkdirSync(dirname(opts.logFile), { recursive: true });
      out = openSync(opts.logFile, 'a');
    }
    const proc = spawn(cli.path, args, { stdio: ['ignore', out, out] });
    child = proc;
    // Last resort: never leave a server behind when this process exits without stopping it.
    const onExit = () => proc.kill('SIGKILL');
    process.once('exit', onExit);
    proc.once('exit', () => process.removeListener('exit', onExit));
    let exited: string | undefined;
    proc.once('exit', (code, signal) => {
      exited = `exited with ${signal ?? code}`;
    });
    try {
      await waitUntilServing(address, opts.namespace, () => exited);
    } catch (err) {
      proc.kill('SIGKILL');
      const tail = opts.logFile ? readTail(opts.logFile) : '';
      throw new Error(`${(err as Error).message}${tail ? `\n--- ${opts.logFile} ---\n${tail}` : ''}`, { cause: err });
    }
  };

  const stop = async () => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      proc.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      proc.kill('SIGTERM');
    });
  };

  await launch();
  return {
    address,
    uiUrl: opts.uiPort ? `http://127.0.0.1:${opts.uiPort}` : undefined,
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

async function waitUntilServing(address: string, namespace: string, exited: () => string | undefined): Promise<void> {
  const deadline = Date.now() + 60_000;
  let lastError: unknown;
  while (Date.now() < deadline) {
    const why = exited();
    if (why) throw new Error(`Temporal dev server ${why} before it was ready`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`Temporal dev server at ${address} not ready after 60 s: ${String(lastError)}`);
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

function readTail(file: string, lines = 15): string {
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}
