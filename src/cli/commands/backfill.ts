import { Option, type Command } from 'commander';
import { backfillStatus, startBackfill, watchBackfill, type BackfillStatus } from '../../ops';
import { createProgress, type Output } from '../output';
import { isoOption, positiveNumber, run } from '../run';

/** `backfill` and `backfill-status`: importing an account's past calls. */
export function backfillCommands(program: Command): void {
  const printBackfill = (out: Output, s: BackfillStatus) => {
    if (out.json) return out.data(s);
    out.line(`${s.workflowId}: ${s.status}${s.summary ? ` — ${s.summary}` : ''}${s.error ? ` (${s.error})` : ''}`);
  };

  program
    .command('backfill')
    .description(
      "import an account's concluded Dialpad calls for a date range (a Temporal workflow), showing its progress",
    )
    .requiredOption('--account <id>', 'Navigator account id (UUID)')
    .requiredOption(
      '--from <iso>',
      'start of the range (calls started at or after), e.g. 2026-11-01 or 2026-11-01T09:00:00Z',
      isoOption('--from'),
    )
    .requiredOption('--to <iso>', 'end of the range (calls started before); capped at now', isoOption('--to'))
    .addOption(
      new Option('--window-hours <hours>', "size of each activity's slice").argParser(positiveNumber).default(6),
    )
    .option('--detach', 'start it and return; follow it with backfill-status or in the Temporal UI')
    .action(
      async (opts: { account: string; from: Date; to: Date; windowHours: number; detach?: boolean }, cmd: Command) =>
        run(cmd, async (ctx, out) => {
          const { client } = ctx.temporal();
          const started = await startBackfill(
            client,
            ctx.db(),
            { accountId: opts.account, from: opts.from, to: opts.to, windowMinutes: Math.round(opts.windowHours * 60) },
            {
              taskQueue: ctx.config.temporal.taskQueue,
              aiWaitSeconds: ctx.config.callAiWaitSeconds,
              aiFetchAttempts: ctx.config.callAiFetchAttempts,
            },
            ctx.actor(),
          );
          if (!out.json) {
            out.line(
              `${started.started ? 'Started' : 'Already running, following'} ${started.workflowId} (office ${started.officeId}, ${started.from} – ${started.to}).`,
            );
          }
          if (opts.detach) {
            if (out.json) out.data(started);
            return;
          }
          const progress = createProgress('backfill');
          let final: BackfillStatus;
          try {
            final = await watchBackfill(client, started.workflowId, (s) => {
              const p = s.progress;
              if (p) {
                progress.update(
                  p.windowsDone,
                  p.windowsTotal,
                  `windows; legs: ${p.listed} listed, ${p.imported} imported, ${p.alreadyPresent} already present`,
                );
              }
            });
          } finally {
            progress.stop();
          }
          printBackfill(out, final);
          return final.status === 'COMPLETED' ? 0 : 1;
        }),
    );

  program
    .command('backfill-status')
    .description('progress of a backfill')
    .argument('<workflowId>', 'the backfill workflow id (dialpad-backfill-…)')
    .action(async (workflowId: string, _opts, cmd: Command) =>
      run(cmd, async (ctx, out) => {
        printBackfill(out, await backfillStatus(ctx.temporal().client, workflowId));
      }),
    );
}
