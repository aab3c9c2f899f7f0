import { spawnNodeScript, type Child } from '../../lib/processes';

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
  private child: Child | undefined;
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
    return !!this.child && this.child.alive();
  }

  async start(): Promise<void> {
    this.wanted = true;
    await this.launch();
  }

  private async launch(): Promise<void> {
    const n = ++this.instance;
    const logFile = this.opts.logFile(n);
    const child = spawnNodeScript({ name: this.opts.name, script: this.opts.entry, env: this.opts.env, logFile });
    this.child = child;
    child.proc.once('exit', (code, signal) => {
      if (this.child !== child || !this.wanted) return;
      this.crashes.push({ at: new Date().toISOString(), instance: n, code, signal });
      this.opts.note?.(`${this.opts.name} (pid ${child.pid}) exited unexpectedly (${signal ?? code}); restarting`);
      this.restarting = new Promise<void>((r) => setTimeout(r, 1000))
        .then(() => (this.wanted && this.child === child ? this.launch() : undefined))
        .catch((err: unknown) => this.opts.note?.(`${this.opts.name} restart failed: ${String(err)}`));
    });
    await this.opts.ready(logFile, child.alive);
  }

  /** SIGKILL, as an OOM killer or a lost node would: no graceful shutdown. Not restarted. */
  async kill(): Promise<void> {
    this.wanted = false;
    this.kills++;
    await this.child?.signalAndWait('SIGKILL');
  }

  /** Graceful stop (SIGTERM, then SIGKILL after `graceMs`). */
  async stop(graceMs = 25_000): Promise<void> {
    this.wanted = false;
    await this.restarting;
    await this.child?.stop(graceMs);
  }
}
