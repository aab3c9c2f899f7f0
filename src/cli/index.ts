#!/usr/bin/env node
import { Command } from 'commander';
import { accountCommands } from './commands/accounts';
import { backfillCommands } from './commands/backfill';
import { deliveryCommands } from './commands/deliveries';
import { doctorCommand } from './commands/doctor';
import { scheduleCommands } from './commands/schedules';
import { temporalCommands } from './commands/temporal';
import { webhookCommands } from './commands/webhooks';

/**
 * `npm run cli -- <command>` (the package's `navigator-dialpad` bin): administration of the
 * integration. Every command takes --help; changes are written to admin_audit_log with the
 * operating-system user and host as the actor. Configuration comes from the same environment
 * variables as the services (see .env.example); with none set, the `npm run dev` stack is used.
 *
 * One module per resource (./commands); ./run.ts runs each with its context and maps failures to
 * messages and exit codes.
 */
export function buildProgram(): Command {
  const program = new Command()
    .name('navigator-dialpad')
    .description('Administration of the Navigator ⇄ Dialpad integration.')
    .option('--json', 'print results as JSON')
    .showHelpAfterError()
    .addHelpText(
      'after',
      '\nConfiguration comes from the environment (DATABASE_URL, TEMPORAL_ADDRESS, DIALPAD_API_KEY, …; see .env.example).\n' +
        'With none set, the commands use the local `npm run dev` stack.',
    );

  // In this order in --help.
  accountCommands(program);
  webhookCommands(program);
  doctorCommand(program);
  backfillCommands(program);
  deliveryCommands(program);
  temporalCommands(program);
  scheduleCommands(program);
  return program;
}

if (require.main === module) {
  buildProgram()
    .parseAsync(process.argv)
    .catch((err: unknown) => {
      process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    });
}
