import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { dirname } from 'node:path';
import { PROJECT_ROOT } from '../dev/paths';
import { waitFor, withTimeout } from './wait';

/**
 * Starting, waiting for and stopping the processes the tools run: the Temporal dev server, the
 * product's ingress and worker as children, helper scripts. What each tool starts, and with which
 * environment, stays with the tool (tools/dev/stack.ts, tools/bench/lib/stack.ts,
 * tools/reliability/lib/env.ts).
 */

/** A TCP port free on 127.0.0.1 right now (for servers the tests, benchmarks and suites start). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no free port'))));
    });
  });
}

export interface Child {
  name: string;
  pid: number;
  proc: ChildProcess;
  /** Resolves with the exit code (null when a signal ended it). */
  exited: Promise<number | null>;
  /** "exited with <code or signal>" once it has, else undefined. */
  exitReason(): string | undefined;
  alive(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs` (default: the spawn's `stopGraceMs`); resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
  /** Sends `signal` and waits for the exit (SIGKILL after `graceMs` when given). */
  signalAndWait(signal: NodeJS.Signals, graceMs?: number): Promise<void>;
}

export interface SpawnOptions {
  name: string;
  command: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** stdout and stderr go here (directories created); `undefined` discards them. */
  logFile?: string;
  /** Append to the log (default) or start it afresh. */
  logMode?: 'a' | 'w';
  /** How long `stop()` waits after SIGTERM before SIGKILL (default 10 s). */
  stopGraceMs?: number;
}

/** Spawns a child whose output goes to a file; it is SIGKILLed if this process exits first. */
export function spawnLogged(opts: SpawnOptions): Child {
  let out: number | 'ignore' = 'ignore';
  if (opts.logFile) {
    mkdirSync(dirname(opts.logFile), { recursive: true });
    out = openSync(opts.logFile, opts.logMode ?? 'a');
  }
  const proc = spawn(opts.command, opts.args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', out, out] });
  if (typeof out === 'number') closeSync(out);
  if (proc.pid === undefined) throw new Error(`could not start ${opts.name}`);
  // Last resort: never leave a child behind when this process exits without stopping it.
  const onExit = () => proc.kill('SIGKILL');
  process.once('exit', onExit);
  let reason: string | undefined;
  const exited = new Promise<number | null>((resolve) =>
    proc.once('exit', (code, signal) => {
      process.removeListener('exit', onExit);
      reason = `exited with ${signal ?? code}`;
      resolve(code);
    }),
  );
  const alive = () => proc.exitCode === null && proc.signalCode === null;
  const signalAndWait = async (signal: NodeJS.Signals, graceMs?: number) => {
    if (!alive()) return;
    const timer = graceMs ? setTimeout(() => proc.kill('SIGKILL'), graceMs) : undefined;
    proc.kill(signal);
    await exited;
    clearTimeout(timer);
  };
  return {
    name: opts.name,
    pid: proc.pid,
    proc,
    exited,
    exitReason: () => reason,
    alive,
    stop: (graceMs = opts.stopGraceMs ?? 10_000) => signalAndWait('SIGTERM', graceMs),
    signalAndWait,
  };
}

/** One of our TypeScript entry points (`node --import tsx <script>`), run from the project root. */
export function spawnNodeScript(
  opts: Omit<SpawnOptions, 'command' | 'args' | 'cwd'> & { script: string; nodeArgs?: string[] },
): Child {
  return spawnLogged({
    ...opts,
    command: process.execPath,
    args: [...(opts.nodeArgs ?? []), '--import', 'tsx', opts.script],
    cwd: PROJECT_ROOT,
  });
}

/** Waits until the log file (read from `fromByte`) matches `pattern`. */
export async function waitForLogLine(
  file: string,
  pattern: RegExp,
  alive: () => boolean,
  timeoutMs: number,
  fromByte = 0,
): Promise<void> {
  await waitFor(
    'process',
    () =>
      existsSync(file) && statSync(file).size > fromByte && pattern.test(readFileSync(file, 'utf8').slice(fromByte)),
    { timeoutMs, gone: () => (alive() ? undefined : 'exited'), hint: () => `; see ${file}:\n${tail(file)}` },
  );
}

/** Waits until `url` answers 2xx. */
export async function waitForHttp(url: string, alive: () => boolean, timeoutMs: number, file: string): Promise<void> {
  await waitFor(url, async () => (await fetch(url, { signal: AbortSignal.timeout(1000) })).ok, {
    timeoutMs,
    gone: () => (alive() ? undefined : 'process exited'),
    hint: () => `; see ${file}:\n${tail(file)}`,
  });
}

/** The last lines of a log file, for error messages. */
export function tail(file: string, lines = 20): string {
  if (!existsSync(file)) return '(no log)';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * The part of a crashed process's log that says why: from its last `panic:` / `fatal error:` line
 * (a Go stack trace puts the reason above dozens of frames, where `tail` would not reach it), else
 * the last lines.
 */
export function crashExcerpt(file: string, lines = 15): string {
  if (!existsSync(file)) return '(no log)';
  const all = readFileSync(file, 'utf8').trimEnd().split('\n');
  let at = all.length - 1;
  while (at >= 0 && !/^(panic|fatal error):/.test(all[at] ?? '')) at--;
  if (at < 0) return all.slice(-lines).join('\n');
  const context = all.slice(Math.max(0, at - 5), at + lines);
  return [...context, ...(at + lines < all.length ? ['[…]', ...all.slice(-3)] : [])].join('\n');
}

/**
 * What a stack started, stopped in reverse order. Each step gets at most `stepTimeoutMs`, so one
 * that hangs cannot keep the others (and the servers started) running; errors are reported, not
 * thrown. Running it again stops only what was added since.
 */
export class Teardown {
  private steps: (() => Promise<unknown>)[] = [];

  constructor(private readonly opts: { stepTimeoutMs?: number; onError: (err: unknown) => void }) {}

  add(step: () => Promise<unknown>): void {
    this.steps.push(step);
  }

  readonly run = async (): Promise<void> => {
    const steps = this.steps.reverse();
    this.steps = [];
    for (const step of steps) {
      try {
        const ms = this.opts.stepTimeoutMs;
        await (ms ? withTimeout(step(), ms, `did not stop within ${ms / 1000} s`) : step());
      } catch (err) {
        this.opts.onError(err);
      }
    }
  };
}

/**
 * Lowers a running process's CPU priority to `niceness` (never raises it, which needs privilege):
 * every thread it has now on Linux (/proc/<pid>/task; a Go or Rust runtime starts its threads
 * before we could), the process elsewhere. Threads and children it creates later inherit it.
 * Best effort: false when the platform or the process refused.
 */
export function deprioritise(pid: number, niceness: number): boolean {
  try {
    const tasks = existsSync(`/proc/${pid}/task`) ? readdirSync(`/proc/${pid}/task`).map(Number) : [pid];
    for (const tid of tasks) {
      try {
        if (os.getPriority(tid) < niceness) os.setPriority(tid, niceness);
      } catch {
        // A thread that ended meanwhile.
      }
    }
    return os.getPriority(pid) >= niceness;
  } catch {
    return false;
  }
}
