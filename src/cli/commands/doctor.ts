import type { Command } from 'commander';
import { doctorDeps, runDoctor } from '../../ops';
import { renderDoctor } from '../output';
import { run } from '../run';

/** `doctor`: why aren't my calls syncing? */
export function doctorCommand(program: Command): void {
  program
    .command('doctor')
    .description(
      "why aren't my calls syncing? Checks every link for one account or all; exit code 1 when a check fails",
    )
    .argument('[account]', 'account id (default: every account)')
    .option('--url <url>', 'public webhook URL to look for in Dialpad (default: $PUBLIC_WEBHOOK_URL)')
    .action(async (account: string | undefined, opts: { url?: string }, cmd: Command) =>
      run(cmd, async (ctx, out) => {
        const { config } = ctx;
        const temporal = ctx.temporal();
        const report = await runDoctor(
          doctorDeps(config, {
            db: ctx.db(),
            dialpad: ctx.dialpad(),
            temporalClient: temporal.client,
            hookUrl: opts.url,
          }),
          account ? { accountId: account } : {},
        );
        if (out.json) out.data(report);
        else for (const l of renderDoctor(report)) out.line(l);
        return report.status === 'fail' ? 1 : 0;
      }),
    );
}
