import { fmt } from './table';
import { cdf } from './util';

/**
 * Hand-written SVG: one panel per benchmark with latency distributions, each series drawn as a
 * cumulative distribution (percentile against latency on a log scale), so a baseline and the
 * measured path read side by side at every percentile.
 */
export function svgChart(panels: Panel[]): string {
  const W = 460;
  const H = 300;
  const M = { left: 52, right: 14, top: 34, bottom: 92 };
  const colours = ['#d1495b', '#00798c', '#edae49', '#66a182', '#2e4057'];
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const out: string[] = [];
  const shown = panels.filter((p) => Object.values(p.series).some((s) => s.length > 0));
  const total = Math.max(1, shown.length) * W;
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${total}" height="${H}" viewBox="0 0 ${total} ${H}" font-family="system-ui, sans-serif" font-size="11">`,
    `<rect width="${total}" height="${H}" fill="#fff"/>`,
  );
  shown.forEach((panel, i) => {
    const x0 = i * W;
    const pw = W - M.left - M.right;
    const ph = H - M.top - M.bottom;
    const curves = Object.entries(panel.series)
      .filter(([, s]) => s.length > 0)
      .map(([name, s]) => ({ name, points: cdf(s.map((v) => Math.max(v, 0.01))) }));
    const all = curves.flatMap((c) => c.points.map((p) => p[1]));
    const lo = Math.floor(Math.log10(Math.min(...all)));
    const hi = Math.ceil(Math.log10(Math.max(...all)));
    const span = Math.max(1, hi - lo);
    const px = (ms: number) => x0 + M.left + ((Math.log10(ms) - lo) / span) * pw;
    const py = (q: number) => M.top + ph - (q / 100) * ph;
    out.push(`<text x="${x0 + M.left}" y="18" font-size="13" font-weight="600">${esc(panel.title)}</text>`);
    out.push(`<rect x="${x0 + M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#bbb"/>`);
    for (let e = lo; e <= hi; e++) {
      const x = px(10 ** e);
      out.push(`<line x1="${x}" y1="${M.top}" x2="${x}" y2="${M.top + ph}" stroke="#eee"/>`);
      const label = e < 0 ? String(10 ** e) : e < 3 ? String(10 ** e) : `${10 ** (e - 3)} s`;
      out.push(`<text x="${x}" y="${M.top + ph + 14}" text-anchor="middle" fill="#555">${label}</text>`);
    }
    for (const q of [0, 50, 90, 99, 100]) {
      const y = py(q);
      out.push(`<line x1="${x0 + M.left}" y1="${y}" x2="${x0 + M.left + pw}" y2="${y}" stroke="#eee"/>`);
      out.push(`<text x="${x0 + M.left - 6}" y="${y + 4}" text-anchor="end" fill="#555">p${q}</text>`);
    }
    out.push(
      `<text x="${x0 + M.left + pw / 2}" y="${M.top + ph + 30}" text-anchor="middle" fill="#333">latency, ms (log scale)</text>`,
    );
    curves.forEach((c, j) => {
      const colour = colours[j % colours.length]!;
      const pts = c.points.map(([q, ms]) => `${px(ms).toFixed(1)},${py(q).toFixed(1)}`).join(' ');
      out.push(`<polyline points="${pts}" fill="none" stroke="${colour}" stroke-width="2"/>`);
      const p50 = c.points.find(([q]) => q === 50)?.[1];
      const p99 = c.points.find(([q]) => q === 99)?.[1];
      const ly = M.top + ph + 48 + j * 14;
      out.push(`<rect x="${x0 + M.left}" y="${ly - 8}" width="12" height="3" fill="${colour}"/>`);
      out.push(
        `<text x="${x0 + M.left + 18}" y="${ly - 3}">${esc(c.name)}: p50 ${fmt(p50, 2)} ms, p99 ${fmt(p99, 2)} ms (n=${c.points.length ? panel.series[c.name]!.length : 0})</text>`,
      );
    });
  });
  out.push('</svg>');
  return out.join('\n');
}

/** A chart panel: latency samples (ms) by series name. */
export interface Panel {
  title: string;
  series: Record<string, number[]>;
}
