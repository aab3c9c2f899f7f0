import { SingleBar } from 'cli-progress';
import type { CheckStatus, DoctorCheck, DoctorReport } from '../ops';

/**
 * Terminal output: results on stdout, notes and progress on stderr (so `--json` output and
 * pipes stay clean). Colours and progress bars only on a terminal.
 */
export interface Output {
  json: boolean;
  line(text?: string): void;
  note(text: string): void;
  data(value: unknown): void;
}

export function createOutput(json: boolean): Output {
  return {
    json,
    line: (text = '') => void process.stdout.write(`${text}\n`),
    note: (text) => void process.stderr.write(`${text}\n`),
    data: (value) => void process.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
  };
}

const tty = () => Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
const paint = (code: string, s: string) => (tty() ? `\u001b[${code}m${s}\u001b[0m` : s);
export const bold = (s: string) => paint('1', s);
const dim = (s: string) => paint('2', s);

const STATUS_LABEL: Record<CheckStatus, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL' };
const STATUS_COLOUR: Record<CheckStatus, string> = { pass: '32', warn: '33', fail: '31' };
export const statusLabel = (s: CheckStatus) => paint(STATUS_COLOUR[s], STATUS_LABEL[s]);

/** Rows of cells, each column as wide as its widest cell. */
export function table(rows: string[][], indent = ''): string[] {
  // eslint-disable-next-line no-control-regex -- the ANSI colour codes `paint` adds are not visible width
  const visible = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '').length;
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visible(cell))));
  return rows.map(
    (row) =>
      indent +
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - visible(cell))))
        .join('  ')
        .trimEnd(),
  );
}

function checkRows(checks: DoctorCheck[]): string[] {
  const width = Math.max(...checks.map((c) => c.title.length));
  const lines: string[] = [];
  for (const c of checks) {
    lines.push(`  ${statusLabel(c.status)}  ${c.title.padEnd(width)}  ${c.detail}`);
    if (c.hint) lines.push(`        ${' '.repeat(width)}  ${dim('→')} ${c.hint}`);
  }
  return lines;
}

export function renderDoctor(report: DoctorReport): string[] {
  const lines = [
    bold('System') + (report.hookUrl ? dim(`  (webhook URL ${report.hookUrl})`) : ''),
    ...checkRows(report.system),
  ];
  for (const a of report.accounts) {
    lines.push(
      '',
      `${bold(`Account ${a.accountName}`)} ${dim(a.accountId)}  ${statusLabel(a.status)}`,
      ...checkRows(a.checks),
    );
  }
  if (report.accounts.length === 0) lines.push('', 'No accounts.');
  const counts = [...report.system, ...report.accounts.flatMap((a) => a.checks)].reduce(
    (acc, c) => ({ ...acc, [c.status]: acc[c.status] + 1 }),
    { pass: 0, warn: 0, fail: 0 } as Record<CheckStatus, number>,
  );
  lines.push(
    '',
    `${statusLabel(report.status)}  ${counts.pass} passed, ${counts.warn} warnings, ${counts.fail} failed`,
  );
  return lines;
}

export interface Progress {
  update(value: number, total: number, detail: string): void;
  stop(): void;
}

/**
 * A progress bar on a terminal; elsewhere (CI, pipes, logs) a plain line whenever something
 * changed, at most every few seconds.
 */
export function createProgress(label: string): Progress {
  if (process.stderr.isTTY) {
    const bar = new SingleBar({
      format: `${label} [{bar}] {percentage}% | {value}/{total} | {detail}`,
      hideCursor: true,
      stream: process.stderr,
    });
    let started = false;
    return {
      update(value, total, detail) {
        if (!started) {
          bar.start(Math.max(total, 1), value, { detail });
          started = true;
        }
        bar.setTotal(Math.max(total, 1));
        bar.update(value, { detail });
      },
      stop: () => {
        if (started) bar.stop();
      },
    };
  }
  let last = '';
  let lastAt = 0;
  return {
    update(value, total, detail) {
      const text = `${label}: ${value}/${total} ${detail}`;
      if (text !== last && Date.now() - lastAt >= 2000) {
        process.stderr.write(`${text}\n`);
        last = text;
        lastAt = Date.now();
      }
    },
    stop: () => undefined,
  };
}
