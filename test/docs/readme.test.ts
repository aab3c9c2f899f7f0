import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The README is the front door: short, and every link in it and in the documents it leads to
 * (docs/*.md, tools/bench/README.md) goes somewhere. Relative links must name an existing file or
 * directory, and a `#anchor` into a Markdown file must name one of its headings (GitHub's slugs).
 * http(s) and mailto links are not fetched. No services needed.
 */

const ROOT = resolve(__dirname, '..', '..');
const MAX_README_LINES = 180;

const documents = (): string[] => [
  join(ROOT, 'README.md'),
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => join(ROOT, 'docs', f)),
  join(ROOT, 'tools', 'bench', 'README.md'),
];

/** Markdown with fenced code blocks and inline code spans blanked out (links in them are not links). */
export function withoutCode(markdown: string): string {
  return withoutCodeBlocks(markdown)
    .split('\n')
    .map((line) => line.replace(/(`+)(?:(?!\1).)+?\1/g, ''))
    .join('\n');
}

/** GitHub's heading anchor: lowercase, punctuation other than - and _ dropped, spaces to -. */
export function slug(heading: string): string {
  return heading
    .trim()
    .replace(/`/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Every anchor a Markdown file offers, with GitHub's -1, -2 … suffixes for repeated headings. */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const line of withoutCodeBlocks(markdown).split('\n')) {
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = slug(m[1] ?? '');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** Markdown with its fenced code blocks blanked out (line numbers kept). */
function withoutCodeBlocks(markdown: string): string {
  let fence: string | undefined;
  return markdown
    .split('\n')
    .map((line) => {
      const m = /^\s*(```+|~~~+)/.exec(line);
      if (fence) {
        if (m?.[1] && m[1][0] === fence[0] && m[1].length >= fence.length) fence = undefined;
        return '';
      }
      if (m?.[1]) {
        fence = m[1];
        return '';
      }
      return line;
    })
    .join('\n');
}

/** Inline links and images `[text](target)` and reference definitions `[id]: target`. */
export function linkTargets(markdown: string): string[] {
  const text = withoutCode(markdown);
  const targets: string[] = [];
  for (const m of text.matchAll(/!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g))
    targets.push(m[1] ?? '');
  for (const m of text.matchAll(/^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/gm)) targets.push(m[1] ?? '');
  return targets;
}

/** Why a link from `file` does not resolve, or undefined when it does. */
export function brokenLink(file: string, target: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return undefined; // http(s), mailto: not fetched
  const hash = target.indexOf('#');
  const pathPart = decodeURIComponent(hash === -1 ? target : target.slice(0, hash));
  const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
  const dest =
    pathPart === '' ? file : pathPart.startsWith('/') ? join(ROOT, pathPart) : resolve(dirname(file), pathPart);
  if (!existsSync(dest)) return `${target}: no such file`;
  if (anchor === undefined || anchor === '') return undefined;
  if (statSync(dest).isDirectory() || !dest.endsWith('.md')) return undefined;
  return anchors(readFileSync(dest, 'utf8')).has(anchor) ? undefined : `${target}: no heading #${anchor}`;
}

describe('README and docs', () => {
  it(`README.md has at most ${MAX_README_LINES} lines`, () => {
    const lines = readFileSync(join(ROOT, 'README.md'), 'utf8').replace(/\n$/, '').split('\n').length;
    expect(lines).toBeLessThanOrEqual(MAX_README_LINES);
  });

  it('README.md links to every document in docs/ and to tools/bench/README.md', () => {
    const readme = join(ROOT, 'README.md');
    const linked = new Set(
      linkTargets(readFileSync(readme, 'utf8'))
        .filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t))
        .map((t) => relative(ROOT, resolve(ROOT, t.split('#')[0] ?? ''))),
    );
    const wanted = documents()
      .filter((f) => f !== readme)
      .map((f) => relative(ROOT, f));
    expect(wanted.filter((f) => !linked.has(f))).toEqual([]);
  });

  it.each(documents().map((f) => [relative(ROOT, f), f]))('every relative link in %s resolves', (_name, file) => {
    const broken = linkTargets(readFileSync(file, 'utf8'))
      .map((t) => brokenLink(file, t))
      .filter((p): p is string => p !== undefined);
    expect(broken).toEqual([]);
  });

  describe('the checker itself', () => {
    const readme = join(ROOT, 'README.md');

    it('slugs headings as GitHub does', () => {
      expect(slug('"Why aren\'t my calls syncing?": the doctor')).toBe('why-arent-my-calls-syncing-the-doctor');
      expect(slug('Schedules: pausing, resuming, running now')).toBe('schedules-pausing-resuming-running-now');
      expect(slug('Temporal SDK (`TEMPORAL_METRICS_PORT`)')).toBe('temporal-sdk-temporal_metrics_port');
      expect(slug('Fixes, before and after')).toBe('fixes-before-and-after');
      expect([...anchors('# A\n\n## A\n```\n# not a heading\n```\n')]).toEqual(['a', 'a-1']);
    });

    it('finds links, not code', () => {
      expect(linkTargets('[a](x.md) `[b](y.md)` ![c](img.svg "t")\n```\n[d](z.md)\n```\n[e]: ref.md\n')).toEqual([
        'x.md',
        'img.svg',
        'ref.md',
      ]);
    });

    it('reports a missing file, a missing heading, and passes good links', () => {
      expect(brokenLink(readme, 'docs/no-such-file.md')).toMatch(/no such file/);
      expect(brokenLink(readme, 'docs/production.md#no-such-heading')).toMatch(/no heading/);
      expect(brokenLink(readme, 'docs/production.md#temporal')).toBeUndefined();
      expect(brokenLink(readme, 'https://example.com/missing')).toBeUndefined();
      expect(brokenLink(join(ROOT, 'docs', 'production.md'), '../README.md#configuration')).toBeUndefined();
    });
  });
});
