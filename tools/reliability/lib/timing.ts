/**
 * Does a comparison take the same time whatever the wrong token shares with the right one? Timed by
 * behaviour, not by reading the code.
 *
 * Method: three groups of calls of the function under test — wrong tokens sharing all but their
 * last character with the right one (`prefix`), wrong tokens of the same length sharing nothing
 * (`none`), and a second, independent set sharing nothing (`none2`, the noise floor). Each round
 * times one batch of each group (the order rotated every round, so drift in machine load falls on
 * every group alike) and keeps the time per call. The statistic is the median over the rounds,
 * robust to the rounds another process interrupted. The comparison passes when the prefix group's
 * median differs from the `none` group's by no more than the noise: the larger of `minRel` and
 * `noiseFactor` × the difference between the two `none` medians (an A/A comparison measured in the
 * same run). The same harness is run on a deliberately leaky comparison (an early-exit loop over
 * the same strings) as a positive control: it must be found leaky, or the method proves nothing.
 */
export interface TimingGroupStats {
  medianNsPerCall: number;
  /** Median absolute deviation of the per-round times, ns per call. */
  madNs: number;
}

export interface TimingVerdict {
  rounds: number;
  batch: number;
  prefix: TimingGroupStats;
  none: TimingGroupStats;
  none2: TimingGroupStats;
  /** |median(prefix) − median(none)| / median(none). */
  relDiff: number;
  /** |median(none2) − median(none)| / median(none): the A/A noise of this run. */
  noiseRel: number;
  threshold: number;
  withinNoise: boolean;
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function mad(xs: readonly number[]): number {
  const m = median(xs);
  return median(xs.map((x) => Math.abs(x - m)));
}

/** The verdict from per-round times (ns per call) of the three groups. Pure. */
export function timingVerdict(
  samples: { prefix: number[]; none: number[]; none2: number[] },
  opts: { batch: number; minRel?: number; noiseFactor?: number },
): TimingVerdict {
  const stats = (xs: number[]): TimingGroupStats => ({
    medianNsPerCall: +median(xs).toFixed(1),
    madNs: +mad(xs).toFixed(1),
  });
  const [p, n, n2] = [median(samples.prefix), median(samples.none), median(samples.none2)];
  const relDiff = Math.abs(p - n) / n;
  const noiseRel = Math.abs(n2 - n) / n;
  const threshold = Math.max(opts.minRel ?? 0.05, (opts.noiseFactor ?? 3) * noiseRel);
  return {
    rounds: samples.prefix.length,
    batch: opts.batch,
    prefix: stats(samples.prefix),
    none: stats(samples.none),
    none2: stats(samples.none2),
    relDiff: +relDiff.toFixed(4),
    noiseRel: +noiseRel.toFixed(4),
    threshold: +threshold.toFixed(4),
    withinNoise: relDiff <= threshold,
  };
}

/**
 * Times `call(token)` for the three groups of wrong tokens (each a list cycled through), `rounds`
 * rounds of `batch` calls per group, after `warmup` rounds that are thrown away.
 */
export async function timeGroups(
  call: (token: string) => unknown,
  tokens: { prefix: string[]; none: string[]; none2: string[] },
  opts: { rounds: number; batch: number; warmup?: number },
): Promise<{ prefix: number[]; none: number[]; none2: number[] }> {
  const groups = ['prefix', 'none', 'none2'] as const;
  const out = { prefix: [] as number[], none: [] as number[], none2: [] as number[] };
  const warmup = opts.warmup ?? 20;
  for (let round = 0; round < warmup + opts.rounds; round++) {
    for (let g = 0; g < groups.length; g++) {
      const name = groups[(g + round) % groups.length]!;
      const list = tokens[name];
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < opts.batch; i++) await call(list[i % list.length]!);
      const ns = Number(process.hrtime.bigint() - t0) / opts.batch;
      if (round >= warmup) out[name].push(ns);
    }
    // Let the event loop breathe between rounds (timers, I/O of the processes' pipes).
    if (round % 10 === 9) await new Promise((r) => setImmediate(r));
  }
  return out;
}
