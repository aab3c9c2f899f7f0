import { Option, type Command } from 'commander';
import { listDeadLetters, OpsError, pendingAmong, replayDeliveries, type ReplaySelection } from '../../ops';
import { createProgress, table } from '../output';
import { isoOption, positiveNumber, run } from '../run';

/** Stored deliveries: `replay` and `dead-letters`. */
export function deliveryCommands(program: Command): void {
  program
    .command('replay')
    .description(
      "read stored deliveries again with the current parser and send them again: of one call (--call), received in a range (--from/--to, optionally one --account; verified bodies refused then are recovered too), or the dead letters (--dead-letters). They go back to the ingress relay's queue",
    )
    .option('--call <id>', "Dialpad call id: a leg, or the conversation's entry leg (every leg then)")
    .option('--dead-letters', 'the events call runs could not apply (see dead-letters)')
    .option('--from <iso>', 'received at or after', isoOption('--from'))
    .option('--to <iso>', 'received before', isoOption('--to'))
    .option('--account <id>', "with --from/--to: only this account's deliveries (and those waiting for its office)")
    .addOption(new Option('--wait <seconds>', 'wait until the relay has sent them').argParser(positiveNumber))
    .action(
      async (
        opts: { call?: string; from?: Date; to?: Date; account?: string; wait?: number; deadLetters?: boolean },
        cmd: Command,
      ) =>
        run(cmd, async (ctx, out) => {
          let selection: ReplaySelection;
          const usage = 'give --call <id>, or --from and --to (and optionally --account), or --dead-letters';
          if (opts.call && !opts.from && !opts.to && !opts.account && !opts.deadLetters)
            selection = { callId: opts.call };
          else if (!opts.call && opts.from && opts.to && !opts.deadLetters)
            selection = { from: opts.from, to: opts.to, ...(opts.account ? { accountId: opts.account } : {}) };
          else if (opts.deadLetters && !opts.call && !opts.from && !opts.to)
            selection = { deadLetters: true, ...(opts.account ? { accountId: opts.account } : {}) };
          else throw new OpsError('bad_request', usage);
          const r = await replayDeliveries(ctx.db(), selection, ctx.actor());
          const { deliveryIds, ...summary } = r;
          if (!out.json) {
            out.line(
              `${r.selected} delivery(ies) selected, ${r.reparsed} read again from their claims; ${r.requeued} queued for the relay${r.newlyRouted ? ` (${r.newlyRouted} newly routed)` : ''}${r.deadLetters ? `, ${r.deadLetters} of them dead letters` : ''}.`,
            );
            if (r.recoveredRefused || r.stillRefused)
              out.line(
                `${r.recoveredRefused} refused body(ies) recovered as deliveries; ${r.stillRefused} still without a usable call id or state.`,
              );
            if (r.stillUnrouted)
              out.line(
                `${r.stillUnrouted} still wait for an unlinked office (${r.waitingOffices.join(', ')}): link it with set-office.`,
              );
          }
          let pending = 0;
          if (opts.wait && deliveryIds.length) {
            const progress = createProgress('replay');
            const until = Date.now() + opts.wait * 1000;
            try {
              for (;;) {
                pending = await pendingAmong(ctx.db(), deliveryIds);
                progress.update(deliveryIds.length - pending, deliveryIds.length, 'sent by the relay');
                if (pending === 0 || Date.now() > until) break;
                await new Promise((res) => setTimeout(res, 500));
              }
            } finally {
              progress.stop();
            }
            if (!out.json) {
              out.line(
                pending === 0
                  ? 'All sent to their call workflows.'
                  : `${pending} not sent yet: is an ingress process (its relay) running and is Temporal reachable?`,
              );
            }
          }
          if (out.json) out.data({ ...summary, ...(opts.wait ? { pending } : {}) });
          return pending === 0 ? 0 : 1;
        }),
    );

  program
    .command('dead-letters')
    .description('events call runs could not apply, set aside until `replay --dead-letters` (newest first)')
    .option('--account <id>', "only this account's")
    .option('--limit <n>', 'at most this many', (v) => Number(positiveNumber(v)), 100)
    .action(async (opts: { account?: string; limit: number }, cmd: Command) =>
      run(cmd, async (ctx, out) => {
        const rows = await listDeadLetters(ctx.db(), {
          limit: opts.limit,
          ...(opts.account ? { accountId: opts.account } : {}),
        });
        if (out.json) return out.data(rows);
        if (rows.length === 0) return out.line('No dead letters.');
        for (const l of table([
          ['DELIVERY', 'CALL', 'STATE', 'SET ASIDE', 'ERROR'],
          ...rows.map((r) => [
            r.deliveryId,
            r.callId,
            r.state,
            r.deadLetteredAt?.toISOString() ?? '—',
            (r.error ?? '').slice(0, 80),
          ]),
        ]))
          out.line(l);
        out.line('Fix the cause, then: replay --dead-letters');
      }),
    );
}
