import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** A Postgres this test file may stop and start (see postgres-child.ts), on loopback. */
export interface StoppablePostgres {
  /** URL of the `postgres` maintenance database. */
  url: string;
  urlFor(database: string): string;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startStoppablePostgres(
  dataDir: string,
  port: number,
  /** Extra server settings (`name=value`). */
  settings: string[] = [],
): Promise<StoppablePostgres> {
  const tsx = join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');
  const child: ChildProcessWithoutNullStreams = spawn(
    tsx,
    [join(__dirname, 'postgres-child.ts'), dataDir, String(port), ...settings],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  const lines = createInterface({ input: child.stdout });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  const next = () => new Promise<string>((resolve) => waiting.push(resolve));
  const ready = await next();
  if (!ready.startsWith('ready ')) throw new Error(`Postgres did not start: ${ready}`);
  const url = ready.slice('ready '.length);
  const command = async (c: string) => {
    const answer = next();
    child.stdin.write(`${c}\n`);
    const line = await answer;
    if (line !== `ok ${c}`) throw new Error(`Postgres ${c}: ${line}`);
  };
  return {
    url,
    urlFor: (db) => {
      const u = new URL(url);
      u.pathname = `/${db}`;
      return u.toString();
    },
    stop: () => command('stop'),
    start: () => command('start'),
    close: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      await command('quit').catch(() => child.kill('SIGTERM'));
      await exited;
    },
  };
}
