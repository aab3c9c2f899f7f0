import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { svgChart } from '../../tools/bench/lib/chart';
import {
  evaluateTargets,
  missingKeys,
  ratio,
  REQUIRED_KEYS,
  writeReport,
  type BenchResults,
} from '../../tools/bench/lib/report';
import { markdownSummary, textTable } from '../../tools/bench/lib/table';
import { cdf, distribution, RssSampler } from '../../tools/bench/lib/util';
import { percentile } from '../../tools/lib/percentile';

/** The pure parts of `npm run bench`'s reporting. No timing is asserted here. */

const allKeys = (): Record<string, number> =>
  Object.fromEntries(
    Object.values(REQUIRED_KEYS)
      .flat()
      .map((k, i) => [k, i + 1]),
  );

function results(keys: Record<string, number>, extra: BenchResults['extra'] = {}): BenchResults {
  const r: BenchResults = {
    ...keys,
    meta: {
      started: '2026-11-27T00:00:00.000Z',
      wallSeconds: 600,
      benchmarks: ['match', 'sync', 'e2e', 'ingress'],
      options: {},
      machine: { cpus: 2, node: 'v20', loadavgStart: [1, 2, 3], loadavgEnd: [1, 1, 1] },
      gitCommit: '0123456789abcdef',
    },
    extra,
    targets: {},
    notes: [],
  };
  r.targets = evaluateTargets({ ...keys, extra });
  return r;
}

describe('percentiles', () => {
  it('uses the nearest rank', () => {
    const s = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(s, 50)).toBe(50);
    expect(percentile(s, 99)).toBe(99);
    expect(percentile(s, 100)).toBe(100);
    expect(percentile(s, 0)).toBe(1);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('summarises unsorted samples', () => {
    const d = distribution([5, 1, 4, 2, 3]);
    expect(d).toEqual({ count: 5, p50: 3, p90: 5, p99: 5, max: 5, mean: 3 });
    expect(distribution([]).count).toBe(0);
  });

  it('draws a cumulative distribution at fixed quantiles', () => {
    const points = cdf([3, 1, 2]);
    expect(points[0]).toEqual([0.5, 1]);
    expect(points[points.length - 1]).toEqual([100, 3]);
    expect(cdf([])).toEqual([]);
  });
});

describe('ratios and targets', () => {
  it('divides by a positive baseline only', () => {
    expect(ratio(45, 50)).toBe(0.9);
    expect(ratio(1, 3, 2)).toBe(0.33);
    expect(ratio(1, 0)).toBeNaN();
    expect(ratio(Number.NaN, 2)).toBeNaN();
  });

  it('judges each target of the issue, at its bound', () => {
    const t = evaluateTargets({
      ingress_ratio: 0.9,
      e2e_p99_ms: 999,
      e2e_rate: 100,
      e2e_lost: 0,
      match_ratio: 1.5,
      sync_ratio: 0.89,
    });
    expect(t.ingress_ratio?.met).toBe(true);
    expect(t.e2e_p99_ms?.met).toBe(true);
    expect(t.e2e_lost?.met).toBe(true);
    expect(t.match_ratio?.met).toBe(true);
    expect(t.sync_ratio?.met).toBe(false);
  });

  it('does not count a fast e2e at a lower rate as meeting the 100 calls/s target', () => {
    expect(evaluateTargets({ e2e_p99_ms: 200, e2e_rate: 10 }).e2e_p99_ms?.met).toBe(false);
    expect(evaluateTargets({ e2e_p99_ms: 1000, e2e_rate: 100 }).e2e_p99_ms?.met).toBe(false);
  });

  it('judges the delivery timeouts at 100 calls/s only: an early 503 is retried, a timeout is a failed delivery', () => {
    const at = (rate: number, timeouts: number) =>
      evaluateTargets({ e2e_rate: rate, extra: { e2e_delivery_timeouts: timeouts, e2e_delivery_503s: 900 } })
        .e2e_delivery_timeouts;
    expect(at(100, 0)).toEqual({ target: '= 0 at 100 calls/s', met: true });
    expect(at(100, 1)?.met).toBe(false);
    expect(at(10, 0)).toBeUndefined();
  });

  it('judges memory only on a five-minute run', () => {
    const base = { ingress_rss_mb: 200, worker_rss_mb: 600 };
    const short = evaluateTargets({
      ...base,
      extra: { ingress_duration_s: 20, ingress_rss_growth_mb: 1, worker_rss_growth_mb: 300 },
    });
    expect(short.worker_rss_mb?.met).toBeNull();
    const long = evaluateTargets({
      ...base,
      extra: { ingress_duration_s: 300, ingress_rss_growth_mb: 1, worker_rss_growth_mb: 300 },
    });
    expect(long.ingress_rss_mb?.met).toBe(true);
    expect(long.worker_rss_mb?.met).toBe(false);
  });

  it('leaves out the targets of benchmarks that did not run', () => {
    expect(evaluateTargets({ sync_ratio: 0.95 })).toEqual({ sync_ratio: { target: '≥ 0.9', met: true } });
  });
});

describe('required keys', () => {
  it('lists every key the issue names', () => {
    expect(Object.values(REQUIRED_KEYS).flat()).toHaveLength(21);
  });

  it('reports the missing or non-numeric keys of the benchmarks that ran', () => {
    const keys: Record<string, unknown> = allKeys();
    expect(missingKeys(keys, ['match', 'sync', 'e2e', 'ingress'])).toEqual([]);
    delete keys.e2e_p99_ms;
    keys.match_ratio = Number.NaN;
    expect(missingKeys(keys, ['match', 'e2e'])).toEqual(['match_ratio', 'e2e_p99_ms']);
    expect(missingKeys(keys, ['sync'])).toEqual([]);
  });
});

describe('memory growth', () => {
  it('is the median of the last fifth minus that of the second, ignoring the warm-up', () => {
    const sampler = new RssSampler({}, 60_000);
    sampler.stop();
    sampler.samples.length = 0;
    // Warm-up from 100 to 500 MB, then flat at 500 with a GC sawtooth.
    for (let i = 0; i < 50; i++) {
      const mb = i < 10 ? 100 + i * 40 : 500 + (i % 2 ? 20 : -20);
      sampler.samples.push({ t: i, mb: { worker: mb } });
    }
    expect(Math.abs(sampler.growth('worker'))).toBeLessThanOrEqual(40);
    expect(sampler.peak('worker')).toBe(520);
    sampler.samples.length = 0;
    for (let i = 0; i < 50; i++) sampler.samples.push({ t: i, mb: { worker: 100 + i * 10 } });
    expect(sampler.growth('worker')).toBe(300);
  });
});

describe('report writing', () => {
  it('writes latest.json with the keys at the top level, a Markdown summary and an SVG chart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-report-'));
    try {
      const r = results(allKeys(), { ingress_connections: 16, ingress_duration_s: 300 });
      r.notes.push('a note');
      const files = await writeReport(dir, r, [
        { title: 'Ingress <latency>', series: { ingress: [1, 2, 3], baseline: [2, 3, 4] } },
        { title: 'empty', series: {} },
      ]);
      expect(files.map((f) => f.slice(dir.length + 1))).toEqual(['latest.json', 'latest.md', 'latest.svg']);
      const json = JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8')) as Record<string, unknown>;
      for (const k of Object.values(REQUIRED_KEYS).flat()) expect(typeof json[k]).toBe('number');
      const md = readFileSync(join(dir, 'latest.md'), 'utf8');
      expect(md).toContain('load average 1.0 2.0 3.0 at start');
      expect(md).toContain('| ingress');
      expect(md).toContain('- a note');
      const svg = readFileSync(join(dir, 'latest.svg'), 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg).toContain('Ingress &lt;latency>');
      expect(svg).not.toContain('empty');
      expect(svg.match(/<polyline/g)).toHaveLength(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('renders the same rows as text and as Markdown', () => {
    const r = results(allKeys(), { ingress_connections: 16 });
    const text = textTable(r).split('\n');
    const md = markdownSummary(r)
      .split('\n')
      .filter((l) => l.startsWith('| '));
    expect(md).toHaveLength(text.length - 1);
    expect(text[0]).toMatch(/^bench\s+figure\s+value/);
  });

  it('draws an empty chart when nothing ran', () => {
    expect(svgChart([])).toMatch(/^<svg[^>]*width="460"/);
  });
});
