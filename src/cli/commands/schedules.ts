import { Option, type Command } from 'commander';
import { getAccount, listAccounts } from '../../ops';
import { changeSchedule, describeSchedule, parseScheduleKinds, SCHEDULE_KIND_NAMES } from '../../schedules';
import { table } from '../output';
import { run } from '../run';

/** `schedules list|pause|unpause|trigger`: the account's sync schedules (src/schedules). */
export function scheduleCommands(program: Command): void {
  const schedules = program
    .command('schedules')
    .description("the account's Temporal Schedules (directory and contact sync)");
  schedules
    .command('list')
    .description('state of the schedules: present, paused, last runs, next run')
    .option('--account <id>', 'one account (default: every account)')
    .action(async (opts: { account?: string }, cmd: Command) =>
      run(cmd, async (ctx, out) => {
        const accounts = opts.account ? [await getAccount(ctx.db(), opts.account)] : await listAccounts(ctx.db());
        const { client } = ctx.temporal();
        const items = [];
        for (const a of accounts) {
          for (const kind of parseScheduleKinds('all'))
            items.push({ account: a, ...(await describeSchedule(client, a.id, kind)) });
        }
        if (out.json) return out.data(items);
        const rows = items.map((s) => [
          s.scheduleId,
          s.account.name,
          !s.present ? 'not created' : s.paused ? `paused${s.note ? ` (${s.note})` : ''}` : 'active',
          s.recentRuns[0] ? `last ${s.recentRuns[0].status.toLowerCase()}` : 'no run yet',
          s.nextRunAt ? `next ${s.nextRunAt}` : '',
        ]);
        for (const l of table([['SCHEDULE', 'ACCOUNT', 'STATE', 'LAST RUN', 'NEXT RUN'], ...rows])) out.line(l);
      }),
    );
  for (const [action, description] of [
    ['pause', "pause the account's schedules (audited; the reason becomes the schedule's note)"],
    ['unpause', "resume the account's schedules (audited)"],
    ['trigger', 'run a schedule now (audited)'],
  ] as const) {
    schedules
      .command(action)
      .description(description)
      .requiredOption('--account <id>', 'Navigator account id (UUID)')
      .addOption(
        new Option('--kind <kind>', 'which schedule')
          .choices([...SCHEDULE_KIND_NAMES, 'all'])
          .default(action === 'trigger' ? 'directory' : 'all'),
      )
      .option('--reason <text>', "why (kept as the schedule's note)")
      .action(async (opts: { account: string; kind: string; reason?: string }, cmd: Command) =>
        run(cmd, async (ctx, out) => {
          await getAccount(ctx.db(), opts.account);
          const results = [];
          for (const kind of parseScheduleKinds(opts.kind)) {
            results.push(
              await changeSchedule(
                ctx.temporal().client,
                ctx.db(),
                {
                  accountId: opts.account,
                  kind,
                  action,
                  ...(opts.reason ? { reason: opts.reason } : {}),
                },
                ctx.actor(),
              ),
            );
          }
          if (out.json) return out.data(results);
          for (const s of results)
            out.line(`${s.scheduleId}: ${action === 'trigger' ? 'triggered' : s.paused ? 'paused' : 'active'}`);
        }),
      );
  }
}
