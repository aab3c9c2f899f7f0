import { readdirSync, readFileSync } from 'node:fs';
import { percentile } from '../../lib/percentile';
import { sleep } from '../../lib/wait';

export interface Distribution {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export function distribution(samples: readonly number[]): Distribution {
  const s = [...samples].sort((a, b) => a - b);
  const sum = s.reduce((a, b) => a + b, 0);
  return {
    count: s.length,
    p50: percentile(s, 50),
    p90: percentile(s, 90),
    p99: percentile(s, 99),
    max: s.length ? s[s.length - 1]! : Number.NaN,
    mean: s.length ? sum / s.length : Number.NaN,
  };
}

/** A compact CDF for the chart: the latency at each of these quantiles. */
export const CDF_QUANTILES = [
  0.5, 1, 2, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 97, 98, 99, 99.5, 99.9, 100,
] as const;

export function cdf(samples: readonly number[]): [number, number][] {
  const s = [...samples].sort((a, b) => a - b);
  if (s.length === 0) return [];
  return CDF_QUANTILES.map((q) => [q, percentile(s, q)]);
}

export const round = (n: number, digits = 2) => (Number.isFinite(n) ? Number(n.toFixed(digits)) : n);

/** Resident set size of a process in MB, from /proc (Linux); NaN elsewhere or once it has exited. */
export function rssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number, withReapedChildren = false): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15, and cutime and
    // cstime (the children it has waited for) 16 and 17.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const own = Number(fields[11]) + Number(fields[12]);
    return (withReapedChildren ? own + Number(fields[13]) + Number(fields[14]) : own) / 100;
  } catch {
    return Number.NaN;
  }
}

/** Samples the RSS of some processes every `everyMs` until stopped. */
export class RssSampler {
  readonly samples: { t: number; mb: Record<string, number> }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly started = Date.now();

  constructor(
    private readonly pids: Record<string, number>,
    everyMs = 500,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
  }

  private sample(): void {
    const mb: Record<string, number> = {};
    for (const [name, pid] of Object.entries(this.pids)) mb[name] = rssMb(pid);
    this.samples.push({ t: (Date.now() - this.started) / 1000, mb });
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }

  peak(name: string): number {
    return Math.max(...this.samples.map((s) => s.mb[name] ?? Number.NaN).filter(Number.isFinite));
  }

  /**
   * Growth over the run, robust to GC sawtooth: the median of the last fifth minus the median of
   * the second fifth (the first is warm-up).
   */
  growth(name: string): number {
    const values = this.samples.map((s) => s.mb[name] ?? Number.NaN).filter(Number.isFinite);
    if (values.length < 10) return Number.NaN;
    const fifth = Math.floor(values.length / 5);
    const med = (xs: number[]) =>
      percentile(
        [...xs].sort((a, b) => a - b),
        50,
      );
    return med(values.slice(-fifth)) - med(values.slice(fifth, 2 * fifth));
  }
}

/**
 * Waits until the given processes have been (nearly) idle for `quietMs`: the backlog a benchmark
 * left in Temporal and the worker is worked off before the next one starts.
 */
export async function waitForQuiet(
  pids: number[],
  opts: { quietMs?: number; maxMs?: number; cpuShare?: number; extra?: () => Promise<boolean> } = {},
): Promise<{ waitedMs: number; quiet: boolean }> {
  const quietMs = opts.quietMs ?? 2_000;
  const maxMs = opts.maxMs ?? 180_000;
  const cpuShare = opts.cpuShare ?? 0.1;
  const started = Date.now();
  const total = () => pids.reduce((a, p) => a + (cpuSeconds(p) || 0), 0);
  let last = total();
  let quietSince = Date.now();
  while (Date.now() - started < maxMs) {
    await sleep(500);
    const now = total();
    const busy = (now - last) / 0.5 > cpuShare;
    last = now;
    if (busy || (opts.extra && !(await opts.extra()))) quietSince = Date.now();
    else if (Date.now() - quietSince >= quietMs) return { waitedMs: Date.now() - started, quiet: true };
  }
  return { waitedMs: Date.now() - started, quiet: false };
}

export function log(msg: string): void {
  const t = new Date().toISOString().slice(11, 19);
  process.stderr.write(`[bench ${t}] ${msg}\n`);
}

/** The processes whose parent is `ppid` (Linux /proc), e.g. Postgres's backends. */
export function childPids(ppid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === ppid) out.push(Number(name));
    } catch {
      // gone
    }
  }
  return out;
}

/**
 * Processes that wait for children of their own that a CPU group counts (the postmaster, whose backends
 * come and go): their count includes the children's once they exit, so a backend that closed between
 * start() and stop() keeps its CPU in the group. Without this, the Postgres CPU of a phase whose clients
 * disconnected before the end (the `--compare` phase's old ingress and worker) read as 0.
 */
export const REAPING_PARENTS = new Set<number>();

/**
 * CPU used by each named group of processes between start() and stop(), as a share of one core.
 * A group is a function so that short-lived processes (Postgres backends) are found at each read.
 */
export class CpuMeter {
  private startAt = 0;
  private readonly start0: Record<string, number> = {};
  constructor(private readonly groups: Record<string, () => number[]>) {}

  private read(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, pids] of Object.entries(this.groups)) {
      out[name] = pids().reduce((a, p) => a + (cpuSeconds(p, REAPING_PARENTS.has(p)) || 0), 0);
    }
    out.machine = machineCpuSeconds();
    return out;
  }

  start(): this {
    Object.assign(this.start0, this.read());
    this.startAt = performance.now();
    return this;
  }

  /** Cores used per group (1.0 = one core busy all the time). */
  stop(): Record<string, number> {
    const { cpuSeconds, wallSeconds } = this.stopSeconds();
    return Object.fromEntries(Object.entries(cpuSeconds).map(([k, v]) => [k, round(v / wallSeconds, 2)]));
  }

  /** CPU seconds used per group since start(), and the wall-clock seconds between. */
  stopSeconds(): { cpuSeconds: Record<string, number>; wallSeconds: number } {
    const end = this.read();
    const wallSeconds = (performance.now() - this.startAt) / 1000;
    const cpuSeconds: Record<string, number> = {};
    for (const name of [...Object.keys(this.groups), 'machine']) {
      // A group's processes that exited in between take their CPU with them, unless their parent is one
      // of REAPING_PARENTS (a Postgres backend's CPU stays in the postmaster's count of its children).
      cpuSeconds[name] = Math.max(0, (end[name] ?? 0) - (this.start0[name] ?? 0));
    }
    return { cpuSeconds, wallSeconds };
  }
}

/** Busy CPU seconds of the whole machine so far (all cores), from /proc/stat. */
export function machineCpuSeconds(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    return (v.reduce((a, b) => a + b, 0) - idle) / 100;
  } catch {
    return Number.NaN;
  }
}
