import { writeFileSync } from 'node:fs';
import { SingleBar, Presets } from 'cli-progress';
import { Command, InvalidArgumentError, Option } from 'commander';
import { loadConfigOrExit } from '../../src/config';
import { CONVERSATION_KINDS, type ConversationKind } from './calls';
import { DEFAULT_SEED } from './company';
import { emitCalls, type EmitSummary } from './emitter';

/**
 * `npm run simulate -- --calls N --rate R --target URL [--secret S] [--duplicates p] [--shuffle]
 * [--expected out.json]`: place calls in the simulated company and deliver their events to URL as
 * Dialpad would. When a simulator is running (--simulator, or found on DIALPAD_SIM_PORT), the
 * calls are registered there so its API serves them (GET /call/{id}, transcripts, ai_recap).
 */

const num = (name: string, check: (n: number) => boolean, what: string) => (v: string) => {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || !check(n)) throw new InvalidArgumentError(`${name} must be ${what}`);
  return n;
};

async function simulatorAt(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/_sim/health`, { signal: AbortSignal.timeout(1000) });
    return res.ok;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const config = loadConfigOrExit('dev');
  const program = new Command('simulate')
    .description('Emit simulated Dialpad call events to a webhook receiver')
    .requiredOption('--target <url>', 'webhook receiver URL, e.g. http://127.0.0.1:8787/webhooks/dialpad')
    .option(
      '--calls <n>',
      'conversations to generate',
      num('--calls', (n) => Number.isInteger(n) && n >= 0, 'a whole number'),
      10,
    )
    .option(
      '--rate <r>',
      'conversations per second',
      num('--rate', (n) => n > 0, 'a positive number'),
      1,
    )
    .option('--secret <s>', 'webhook secret (default DIALPAD_WEBHOOK_SECRET; none sends plain JSON)')
    .option(
      '--duplicates <p>',
      'probability an event is delivered twice',
      num('--duplicates', (n) => n >= 0 && n <= 1, 'between 0 and 1'),
      0,
    )
    .option('--shuffle', 'deliver events out of order', false)
    .option('--expected <file>', 'write the expected outcome per conversation to this JSON file')
    .option(
      '--simulator <url>',
      'Dialpad simulator to register the calls with (default: one on DIALPAD_SIM_PORT, if running)',
    )
    .option('--no-simulator', 'do not register the calls with a simulator')
    .option('--seed <seed>', 'calls seed (default random)')
    .option('--company-seed <seed>', 'company seed when no simulator is used', DEFAULT_SEED)
    .option(
      '--time-scale <f>',
      'real time per virtual time for the Ai delay (0.01: minutes become seconds)',
      num('--time-scale', (n) => n > 0, 'a positive number'),
      1,
    )
    .option(
      '--retry-scale <f>',
      "multiplier for Dialpad's 2/4/8 s retry delays",
      num('--retry-scale', (n) => n >= 0, 'a number ≥ 0'),
      1,
    )
    .option('--kinds <list>', `comma-separated conversation kinds to cycle through (${CONVERSATION_KINDS.join(', ')})`)
    .addOption(
      new Option(
        '--content-type <type>',
        "Content-Type of signed bodies ('vary' rotates; 'none' sends no header)",
      ).default('vary'),
    );
  program.parse();
  const o = program.opts<{
    target: string;
    calls: number;
    rate: number;
    secret?: string;
    duplicates: number;
    shuffle: boolean;
    expected?: string;
    /** A URL, false with --no-simulator, unset otherwise (commander leaves it undefined). */
    simulator?: string | boolean;
    seed?: string;
    companySeed: string;
    timeScale: number;
    retryScale: number;
    kinds?: string;
    contentType: string;
  }>();

  const kinds = o.kinds?.split(',').map((k) => k.trim());
  for (const k of kinds ?? []) {
    if (!CONVERSATION_KINDS.includes(k as ConversationKind)) {
      throw new InvalidArgumentError(`unknown kind ${k}; use ${CONVERSATION_KINDS.join(', ')}`);
    }
  }
  let simulator: string | undefined;
  if (typeof o.simulator === 'string') simulator = o.simulator;
  else if (o.simulator !== false) {
    const local = `http://127.0.0.1:${config.dialpad.simulatorPort}`;
    if (await simulatorAt(local)) simulator = local;
  }
  const secret = o.secret ?? config.dialpad.webhookSecret;

  const bar =
    process.stdout.isTTY && o.calls > 0
      ? new SingleBar(
          { format: 'events {bar} {value}/{total} | {duration_formatted}', hideCursor: true },
          Presets.shades_classic,
        )
      : null;
  let barStarted = false;
  const result = await emitCalls({
    calls: o.calls,
    rate: o.rate,
    target: o.target,
    ...(secret ? { secret } : {}),
    ...(simulator ? { simulator } : { companySeed: o.companySeed }),
    ...(o.seed ? { seed: o.seed } : {}),
    ...(kinds ? { kinds: kinds as ConversationKind[] } : {}),
    duplicates: o.duplicates,
    shuffle: o.shuffle,
    timeScale: o.timeScale,
    retryScale: o.retryScale,
    contentType: o.contentType === 'none' ? null : o.contentType,
    keepDeliveries: false,
    onProgress: ({ done, total }) => {
      if (!bar) return;
      if (!barStarted) {
        bar.start(total, done);
        barStarted = true;
      } else bar.update(done);
    },
  });
  bar?.stop();

  process.stdout.write(renderSummary(result.summary, { simulator, secret: Boolean(secret), seed: result.seed }));
  if (o.expected) {
    writeFileSync(
      o.expected,
      `${JSON.stringify({ generatedAt: new Date().toISOString(), seed: result.seed, summary: result.summary, conversations: result.expected }, null, 2)}\n`,
    );
    process.stdout.write(`expected outcomes: ${o.expected}\n`);
  }
}

function renderSummary(s: EmitSummary, ctx: { simulator: string | undefined; secret: boolean; seed: string }): string {
  const rows: [string, string | number][] = [
    ['conversations', s.conversations],
    ['events', s.events],
    ['sent (deliveries)', `${s.sent} (${s.duplicates} duplicates)`],
    ['2xx', s.status2xx],
    ['4xx', s.status4xx],
    ['5xx', s.status5xx],
    ['network errors', s.networkErrors],
    ['retried', s.retried],
    ['delivered', s.delivered],
    ['given up', `${s.givenUp} (${s.rejected} rejected with 4xx, ${s.exhausted} after retries)`],
    ['duration', `${(s.durationMs / 1000).toFixed(1)} s`],
    ['signed', ctx.secret ? 'HS256 JWS' : 'no (plain JSON)'],
    ['simulator', ctx.simulator ?? 'none'],
    ['seed', ctx.seed],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return `${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n`;
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
