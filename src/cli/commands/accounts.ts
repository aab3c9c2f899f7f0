import type { Command } from 'commander';
import { clearAccountOffice, listAccounts, setAccountOffice, type OfficeChange } from '../../ops';
import type { CliContext } from '../context';
import { table, type Output } from '../output';
import { run } from '../run';

/** Accounts and their Dialpad office: `accounts`, `set-office`, `clear-office`. */
export function accountCommands(program: Command): void {
  program
    .command('accounts')
    .description('list accounts and their Dialpad office IDs')
    .action(async (_opts, cmd: Command) =>
      run(cmd, async (ctx, out) => {
        const accounts = await listAccounts(ctx.db());
        if (out.json) return out.data(accounts);
        if (accounts.length === 0) return out.line('No accounts.');
        for (const l of table([
          ['ACCOUNT', 'NAME', 'DIALPAD OFFICE'],
          ...accounts.map((a) => [a.id, a.name, a.officeId ?? '—']),
        ]))
          out.line(l);
      }),
    );

  const scheduleTarget = (ctx: CliContext) => ({
    client: ctx.temporal().client,
    taskQueue: ctx.config.temporal.taskQueue,
  });
  const printOfficeChange = (out: Output, r: OfficeChange): number => {
    if (out.json) {
      out.data(r);
    } else {
      out.line(
        r.officeId
          ? `Account ${r.accountId} is linked to Dialpad office ${r.officeId} (was ${r.previousOfficeId ?? 'none'}).`
          : `Account ${r.accountId} has no Dialpad office now (was ${r.previousOfficeId ?? 'none'}).`,
      );
      if (r.releasedDeliveries)
        out.line(`${r.releasedDeliveries} delivery(ies) that waited for the office are released to the relay.`);
      if (r.syncSchedules)
        out.line(
          `Sync schedules: ${Object.entries(r.syncSchedules)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}.`,
        );
    }
    if (r.schedulesError) {
      out.note(
        `error: the office change is saved, but the sync schedules were not updated (${r.schedulesError}): repeat the command`,
      );
      return 1;
    }
    return 0;
  };

  program
    .command('set-office')
    .description(
      'link an account to its Dialpad office (audited): deliveries that waited for it are released, its sync schedules set up',
    )
    .requiredOption('--account <id>', 'Navigator account id (UUID)')
    .requiredOption('--office <officeId>', 'Dialpad office id (digits)')
    .option('--no-schedules', 'leave the sync schedules alone (no Temporal needed)')
    .action(async (opts: { account: string; office: string; schedules: boolean }, cmd: Command) =>
      run(cmd, async (ctx, out) => {
        const r = await setAccountOffice(
          ctx.db(),
          { accountId: opts.account, officeId: opts.office },
          ctx.actor(),
          opts.schedules ? scheduleTarget(ctx) : undefined,
        );
        return printOfficeChange(out, r);
      }),
    );

  program
    .command('clear-office')
    .description(
      'unlink an account from its Dialpad office (audited): its calls stop routing, its sync schedules are removed',
    )
    .requiredOption('--account <id>', 'Navigator account id (UUID)')
    .option('--no-schedules', 'leave the sync schedules alone (no Temporal needed)')
    .action(async (opts: { account: string; schedules: boolean }, cmd: Command) =>
      run(cmd, async (ctx, out) => {
        const r = await clearAccountOffice(
          ctx.db(),
          { accountId: opts.account },
          ctx.actor(),
          opts.schedules ? scheduleTarget(ctx) : undefined,
        );
        return printOfficeChange(out, r);
      }),
    );
}
