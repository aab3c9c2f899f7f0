/** Reading Prometheus text exposition in tests. */

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/;

function parseLabels(text: string | undefined): Record<string, string> {
  const labels: Record<string, string> = {};
  if (!text) return labels;
  for (const m of text.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
    labels[m[1]!] = m[2]!.replace(/\\(.)/g, '$1');
  return labels;
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export function samples(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const m = SAMPLE.exec(line);
    if (m) out.push({ name: m[1]!, labels: parseLabels(m[3]), value: Number(m[4]) });
  }
  return out;
}

/** Every sample name served (histograms give their _bucket, _sum and _count). */
export function metricNames(text: string): Set<string> {
  return new Set(samples(text).map((s) => s.name));
}

/**
 * The sum of the samples of `name` whose labels include `labels`; undefined when none matches.
 */
export function sampleValue(text: string, name: string, labels: Record<string, string>): number | undefined {
  const matching = samples(text).filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (matching.length === 0) return undefined;
  return matching.reduce((n, s) => n + s.value, 0);
}
