import { createReadStream, existsSync, readdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { emitted } from './emit';
import type { ReliabilityEnv } from './env';

/**
 * Scans log files for what must never be logged: secrets (exact strings), signed webhook bodies,
 * database URLs with a password, full phone numbers (with or without the +) from a given set,
 * sentences from a given set (transcripts, voicemails, Ai recaps) and people's names from a given set
 * (whole words, in any case). JSON lines are parsed, so escaped text is found too. The same scanner
 * reads other text that must hold none of it (Temporal failure messages, `apply_error`) through
 * `scanText`.
 */
export interface Finding {
  file: string;
  line: number;
  level: string;
  what: string;
  /** Where in the line: the log message and the key holding the value (never the value itself). */
  where: string;
}

export interface ScanInput {
  secrets: Record<string, string>;
  phoneNumbers: ReadonlySet<string>;
  sentences: ReadonlySet<string>;
  /** People's full names ("Ann Lee"): found as consecutive whole words, case-insensitively. */
  names?: ReadonlySet<string>;
}

/**
 * What nothing may hold in this run: its secrets, and every number, name and text the emitter
 * has sent so far.
 */
export function scanInputOf(env: { secrets: ReliabilityEnv['secrets'] }): ScanInput {
  const password = decodeURIComponent(new URL(env.secrets.databaseUrl).password);
  return {
    secrets: {
      'the webhook secret': env.secrets.webhookSecret,
      'the API token': env.secrets.apiToken,
      'the admin token': env.secrets.adminToken,
      'the Dialpad API key': env.secrets.apiKey,
      'the database URL': env.secrets.databaseUrl,
      'the database password in a URL': `:${password}@`,
    },
    phoneNumbers: emitted.phoneNumbers,
    sentences: new Set([...emitted.transcriptLines, ...emitted.aiTexts]),
    names: emitted.contactNames,
  };
}

const PREFIX = 12;
const JWS = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/;
const PASSWORD_URL = /postgres(?:ql)?:\/\/[^:/\s"@]+:(?!\*)[^@\s"/]+@/;
const PLUS_NUMBER = /\+\d{7,15}(?!\d)/g;
const BARE_NUMBER = /(?<![\d+.\-:])\d{8,15}(?![\d.])/g;

export class LogScanner {
  private readonly byPrefix = new Map<string, string[]>();
  private readonly checkedValues = new Set<string>();
  readonly findings: Finding[] = [];
  lines = 0;
  infoLines = 0;

  private readonly names = new Set<string>();
  private readonly longestName: number;

  constructor(private readonly input: ScanInput) {
    let longest = 0;
    for (const n of input.names ?? []) {
      const words = nameWords(n);
      if (words.length < 2) continue; // a single word is too common to be told from other text
      this.names.add(words.join(' '));
      longest = Math.max(longest, words.length);
    }
    this.longestName = longest;
    for (const s of input.sentences) {
      const key = s.slice(0, PREFIX);
      const list = this.byPrefix.get(key) ?? [];
      list.push(s);
      this.byPrefix.set(key, list);
    }
  }

  scanLine(file: string, lineNo: number, line: string): void {
    this.lines++;
    let level = 'text';
    let msg = '';
    const values: { key: string; value: string }[] = [];
    if (line.startsWith('{')) {
      try {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        level = levelName(parsed.level);
        msg = typeof parsed.msg === 'string' ? parsed.msg : '';
        collectStrings(parsed, '', values);
      } catch {
        values.push({ key: '(line)', value: line });
      }
    } else {
      values.push({ key: '(line)', value: line });
    }
    if (level === 'info') this.infoLines++;
    const report = (what: string, key: string) =>
      this.findings.push({
        file,
        line: lineNo,
        level,
        what,
        where: `${msg ? `msg "${msg.slice(0, 60)}", ` : ''}key ${key}`,
      });

    for (const [name, secret] of Object.entries(this.input.secrets)) {
      if (secret && line.includes(secret)) report(name, values.find((v) => v.value.includes(secret))?.key ?? '(line)');
    }
    for (const { key, value } of values) {
      if (JWS.test(value)) report('a signed webhook body (JWS)', key);
      if (PASSWORD_URL.test(value)) report('a database URL with its password', key);
      for (const m of value.matchAll(PLUS_NUMBER))
        if (this.input.phoneNumbers.has(m[0])) report('a full phone number', key);
      for (const m of value.matchAll(BARE_NUMBER))
        if (this.input.phoneNumbers.has(`+${m[0]}`)) report('a full phone number (without +)', key);
      if (this.names.size && this.containsName(value)) report('a contact name', key);
      if (value.length >= PREFIX && !this.checkedValues.has(value)) {
        if (this.checkedValues.size < 200_000) this.checkedValues.add(value);
        if (this.containsSentence(value)) report('a transcript sentence', key);
      }
    }
  }

  /** Scans a piece of text that is not a log line (a failure message, a column), named by `source`. */
  scanText(source: string, where: string, fields: Record<string, unknown>): void {
    this.scanLine(source, 0, JSON.stringify({ level: 50, msg: where, ...fields }));
  }

  private containsName(value: string): boolean {
    const words = nameWords(value);
    for (let i = 0; i < words.length; i++) {
      for (let n = 2; n <= this.longestName && i + n <= words.length; n++) {
        if (this.names.has(words.slice(i, i + n).join(' '))) return true;
      }
    }
    return false;
  }

  private containsSentence(value: string): boolean {
    for (let i = 0; i + PREFIX <= value.length; i++) {
      const candidates = this.byPrefix.get(value.slice(i, i + PREFIX));
      if (candidates?.some((s) => value.startsWith(s, i))) return true;
    }
    return false;
  }

  async scanFile(path: string, name: string): Promise<void> {
    const rl = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
    let n = 0;
    for await (const line of rl) this.scanLine(name, ++n, line);
  }
}

function nameWords(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{M}'’-]+/u)
    .filter(Boolean);
}

function collectStrings(v: unknown, key: string, out: { key: string; value: string }[]): void {
  if (typeof v === 'string') out.push({ key: key || '(value)', value: v });
  else if (typeof v === 'number') out.push({ key: key || '(value)', value: String(v) });
  else if (Array.isArray(v)) v.forEach((x, i) => collectStrings(x, `${key}[${i}]`, out));
  else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) collectStrings(x, key ? `${key}.${k}` : k, out);
}

function levelName(level: unknown): string {
  return (
    ({ 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' } as Record<string, string>)[
      String(level)
    ] ?? String(level)
  );
}

/** Every log file of the run: the product's, Temporal's own, the runner's and Postgres's. */
export function allLogFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .sort();
}

/** The product's own log files: ingress and worker processes (and the in-process app of scenario 7). */
export function productLogFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /^(ingress|worker)(-[\w-]+)?\.log$/.test(f))
    .sort();
}
