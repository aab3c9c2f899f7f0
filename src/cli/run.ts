import { InvalidArgumentError, type Command } from 'commander';
import { ConfigError } from '../config';
import { classifyError, parseInstant, resolveOfficeTarget } from '../ops';
import { CliContext, resolveCliConfig } from './context';
import { createOutput, type Output } from './output';

interface Globals {
  json?: boolean;
}

export type Action = (ctx: CliContext, out: Output) => Promise<number | void>;

/** Runs a command with its context, turning known failures into a message and an exit code. */
export async function run(cmd: Command, action: Action): Promise<void> {
  const globals = cmd.optsWithGlobals<Globals>();
  const out = createOutput(Boolean(globals.json));
  let ctx: CliContext | undefined;
  let code: number;
  try {
    ctx = new CliContext(resolveCliConfig(), out.note);
    code = (await action(ctx, out)) ?? 0;
  } catch (err) {
    code = report(err, out);
  } finally {
    await ctx?.close().catch(() => undefined);
  }
  process.exitCode = code;
}

/** A failure as the operator reads it: classified as the admin API does (src/ops/errors.ts). */
function report(err: unknown, out: Output): number {
  if (err instanceof ConfigError) {
    out.note(`${err.message}\nSee .env.example for every variable and its meaning.`);
    return 78;
  }
  const known = classifyError(err);
  let msg = err instanceof Error ? err.message : String(err);
  if ((err as { code?: unknown } | null)?.code === 'ECONNREFUSED') {
    msg += ' (is it running? check DATABASE_URL, TEMPORAL_ADDRESS and DIALPAD_API_BASE_URL)';
  }
  if (out.json) out.data({ error: known?.code ?? 'error', message: msg });
  else out.note(`error: ${msg}`);
  if (!known && err instanceof Error && process.env.DEBUG) out.note(err.stack ?? '');
  return 1;
}

export const isoOption = (name: string) => (value: string) => {
  try {
    return parseInstant(value, name);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
};

export const positiveNumber = (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
};

/** The office a webhook command acts on: the account's, or one given directly. */
export const officeTarget = (ctx: CliContext, opts: { account?: string; office?: string }) =>
  resolveOfficeTarget(
    ctx.db(),
    { accountId: opts.account, officeId: opts.office },
    'give --account <id> or --office <Dialpad office id>',
  );
