import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, statSync } from 'node:fs';
import { PROJECT_ROOT } from '../../dev/paths';

/**
 * A production process (the ingress or the worker) run as a child, the way it runs in production:
 * `node --import tsx src/<entry>.ts` in production mode, one OS process, its stdout and stderr
 * appended to a log file. It is supervised like a container with `restart: unless-stopped`: an exit
 * we did not ask for is counted as a crash and the process is started again after a second.
 */
export interface ServiceOptions {
  name: string;
  /** Entry point relative to the project root, e.g. `src/worker.ts`. */
  entry: string;
  env: NodeJS.ProcessEnv;
  /** Log file of process instance `n` (1, 2, …). */
  logFile: (instance: number) => string;
  /** Resolves once the process is ready; gets the log file and a probe of whether it still runs. */
  ready: (logFile: string, alive: () => boolean) => Promise<void>;
  note?: (msg: string) => void;
}

export interface Crash {
  at: string;
  instance: number;
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class Service {
  private child: ChildProcess | undefined;
  private wanted = false;
  private instance = 0;
  private restarting: Promise<void> | undefined;
  readonly crashes: Crash[] = [];
  /** Kills we caused (SIGKILL in the chaos scenarios). */
  kills = 0;

  constructor(private readonly opts: ServiceOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get logFiles(): string[] {
    return Array.from({ length: this.instance }, (_, i) => this.opts.logFile(i + 1));
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<void> {
    this.wanted = true;
    await this.launch();
  }

  private async launch(): Promise<void> {
    const n = ++this.instance;
    const logFile = this.opts.logFile(n);
    const fd = openSync(logFile, 'a');
    const child = spawn(process.execPath, ['--import', 'tsx', this.opts.entry], {
      cwd: PROJECT_ROOT,
      env: this.opts.env,
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    this.child = child;
    // Last resort: never leave a child behind when the runner exits without stopping it.
    const onExit = () => child.kill('SIGKILL');
    process.once('exit', onExit);
    child.once('exit', (code, signal) => {
      process.removeListener('exit', onExit);
      if (this.child !== child || !this.wanted) return;
      this.crashes.push({ at: new Date().toISOString(), instance: n, code, signal });
      this.opts.note?.(`${this.opts.name} (pid ${child.pid}) exited unexpectedly (${signal ?? code}); restarting`);
      this.restarting = new Promise<void>((r) => setTimeout(r, 1000))
        .then(() => (this.wanted && this.child === child ? this.launch() : undefined))
        .catch((err: unknown) => this.opts.note?.(`${this.opts.name} restart failed: ${String(err)}`));
    });
    const alive = () => child.exitCode === null && child.signalCode === null;
    await this.opts.ready(logFile, alive);
  }

  /** SIGKILL, as an OOM killer or a lost node would: no graceful shutdown. Not restarted. */
  async kill(): Promise<void> {
    this.wanted = false;
    this.kills++;
    await this.signalAndWait('SIGKILL');
  }

  /** Graceful stop (SIGTERM, then SIGKILL after `graceMs`). */
  async stop(graceMs = 25_000): Promise<void> {
    this.wanted = false;
    await this.restarting;
    await this.signalAndWait('SIGTERM', graceMs);
  }

  private async signalAndWait(signal: NodeJS.Signals, graceMs = 0): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = graceMs ? setTimeout(() => child.kill('SIGKILL'), graceMs) : undefined;
      child.once('exit', () => {
        if (timer) clearTimeout(timer);
        resolve();
      });
      child.kill(signal);
    });
  }
}

/** Waits until a line of the log file (read from `fromByte`) matches. */
export async function waitForLogLine(
  file: string,
  pattern: RegExp,
  alive: () => boolean,
  timeoutMs: number,
  fromByte = 0,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (existsSync(file) && statSync(file).size > fromByte) {
      const text = readFileSync(file, 'utf8').slice(fromByte);
      if (pattern.test(text)) return;
    }
    if (!alive()) throw new Error(`process exited before it was ready; see ${file}:\n${tail(file)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`not ready after ${timeoutMs / 1000} s; see ${file}:\n${tail(file)}`);
}

export async function waitForHttp(url: string, alive: () => boolean, timeoutMs: number, file: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (!alive()) throw new Error(`process exited before it was ready; see ${file}:\n${tail(file)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} not ready after ${timeoutMs / 1000} s; see ${file}:\n${tail(file)}`);
}

export function tail(file: string, lines = 20): string {
  if (!existsSync(file)) return '(no log)';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}
