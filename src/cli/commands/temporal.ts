import type { Command } from 'commander';
import { setupSearchAttributes } from '../../temporal/search-attribute-setup';
import { run } from '../run';

/** `temporal setup`: the namespace's search attributes. */
export function temporalCommands(program: Command): void {
  program
    .command('temporal')
    .description('the Temporal namespace the services use')
    .command('setup')
    .description(
      "register the call runs' search attributes on TEMPORAL_NAMESPACE (where this connection may; on Temporal Cloud it says how)",
    )
    .action(async (_opts: unknown, cmd: Command) =>
      run(cmd, async (ctx, out) => {
        const { namespace } = ctx.config.temporal;
        const result = await setupSearchAttributes(ctx.temporal().client, namespace);
        if (out.json) out.data(result);
        else {
          if (result.added.length) out.line(`added to ${namespace}: ${result.added.join(', ')}`);
          if (result.present.length) out.line(`registered on ${namespace}: ${result.present.join(', ')}`);
          if (result.wrongType.length)
            out.line(`registered with another type (expected Keyword): ${result.wrongType.join(', ')}`);
          if (result.refused) out.line(`not added: ${result.refused}`);
        }
        return result.missing.length || result.wrongType.length ? 1 : 0;
      }),
    );
}
