#!/usr/bin/env node
import { Command, InvalidArgumentError, Option } from 'commander';
import { ConfigError } from '../config';
import {
  DialpadApiError,
  DialpadProtocolError,
  DialpadRateLimitedError,
  DialpadUnavailableError,
} from '../dialpad/errors';
import {
  backfillStatus,
  clearAccountOffice,
  generateWebhookSecret,
  getAccount,
  listAccounts,
  resolveOfficeTarget,
  listDeadLetters,
  listRegistrations,
  OpsError,
  parseInstant,
  pendingAmong,
  registerOfficeWebhook,
  removeCallSubscription,
  removeWebhook,
  replayDeliveries,
  rotateWebhookSecret,
  runDoctor,
  secretInstructions,
  setAccountOffice,
  startBackfill,
  unregisterOfficeWebhook,
  watchBackfill,
  type BackfillStatus,
  type OfficeChange,
  type ReplaySelection,
} from '../ops';
import { changeSchedule, describeSchedule, parseScheduleKinds } from '../schedules';
import { setupSearchAttributes } from '../temporal/search-attribute-setup';
import { CliContext, resolveCliConfig } from './context';
import { bold, createOutput, createProgress, renderDoctor, table, type Output } from './output';

/**
 * `npm run cli -- <command>` (the package's `navigator-dialpad` bin): administration of the
 * integration. Every command takes --help; changes are written to admin_audit_log with the
 * operating-system user and host as the actor. Configuration comes from the same environment
 * variables as the services (see .env.example); with none set, the `npm run dev` stack is used.
 */

interface Globals {
  json?: boolean;
}

type Action = (ctx: CliContext, out: Output) => Promise<number | void>;

/** Runs a command with its context, turning known failures into a message and an exit code. */
async function run(cmd: Command, action: Action): Promise<void> {
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

function report(err: unknown, out: Output): number {
  if (err instanceof ConfigError) {
    out.note(`${err.message}\nSee .env.example for every variable and its meaning.`);
    return 78;
  }
  const known =
    err instanceof OpsError ||
    err instanceof DialpadApiError ||
    err instanceof DialpadProtocolError ||
    err instanceof DialpadRateLimitedError ||
    err instanceof DialpadUnavailableError;
  let msg = err instanceof Error ? err.message : String(err);
  if ((err as { code?: unknown } | null)?.code === 'ECONNREFUSED') {
    msg += ' (is it running? check DATABASE_URL, TEMPORAL_ADDRESS and DIALPAD_API_BASE_URL)';
  }
  if (out.json)
    out.data({ error: err instanceof OpsError ? err.code : known ? 'dialpad_error' : 'error', message: msg });
  else out.note(`error: ${msg}`);
  if (!known && err instanceof Error && process.env.DEBUG) out.note(err.stack ?? '');
  return 1;
}

const isoOption = (name: string) => (value: string) => {
  try {
    return parseInstant(value, name);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
};

const positiveNumber = (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
};

/** The office a webhook command acts on: the account's, or one given directly. */
const officeTarget = (ctx: CliContext, opts: { account?: string; office?: string }) =>
  resolveOfficeTarget(
    ctx.db(),
    { accountId: opts.account, officeId: opts.office },
    'give --account <id> or --office <Dialpad office id>',
  );

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

  const webhooks = program
    .command('webhooks')
    .description("Dialpad's side: the webhook that signs and delivers events, and per-office call subscriptions");

  webhooks
    .command('register')
    .description(
      "create (or find) the webhook for --url and the office's call subscription; idempotent. A new webhook gets a fresh secret, printed once",
    )
    .requiredOption('--url <url>', 'public URL of the ingress, e.g. https://navigator.example.com/webhooks/dialpad')
    .option('--account <id>', 'the account whose office to subscribe')
    .option('--office <officeId>', 'or the Dialpad office id directly')
    .option('--use-configured-secret', 'sign with DIALPAD_WEBHOOK_SECRET from the environment instead of a new secret')
    .action(
      async (opts: { url: string; account?: string; office?: string; useConfiguredSecret?: boolean }, cmd: Command) =>
        run(cmd, async (ctx, out) => {
          const target = await officeTarget(ctx, opts);
          let secret: string | undefined;
          if (opts.useConfiguredSecret) {
            secret = ctx.config.dialpad.webhookSecret;
            if (!secret)
              throw new OpsError(
                'bad_request',
                '--use-configured-secret needs DIALPAD_WEBHOOK_SECRET in the environment',
              );
          }
          const r = await registerOfficeWebhook(
            ctx.dialpad(),
            ctx.db(),
            { hookUrl: opts.url, ...target, ...(secret ? { secret } : {}) },
            ctx.actor(),
          );
          if (out.json) return out.data(r);
          out.line(`Webhook ${r.webhook.id} → ${r.hookUrl}: ${r.webhook.created ? 'created' : 'already there'}`);
          out.line(
            `Call subscription ${r.subscription.id} for office ${r.officeId}: ${r.subscription.created ? 'created' : 'already there'} (${r.subscription.states.join(', ')})`,
          );
          if (r.replacedSubscriptionIds.length)
            out.line(`Replaced incomplete subscription(s) ${r.replacedSubscriptionIds.join(', ')}.`);
          if (r.otherWebhookIds.length)
            out.line(
              `Note: other webhooks with the same URL exist: ${r.otherWebhookIds.join(', ')} (an unfinished rotation?).`,
            );
          if (r.secret && r.secretSource === 'generated') {
            out.line('');
            for (const l of secretInstructions(r.secret)) out.line(l);
          } else if (r.webhook.created) {
            out.line('The webhook signs with DIALPAD_WEBHOOK_SECRET as configured.');
          }
        }),
    );

  webhooks
    .command('list')
    .description("Dialpad's webhooks and call subscriptions (without secrets)")
    .option('--url <url>', 'only the webhook(s) for this URL')
    .action(async (opts: { url?: string }, cmd: Command) =>
      run(cmd, async (ctx, out) => {
        const r = await listRegistrations(ctx.dialpad(), ctx.db(), opts.url ? { hookUrl: opts.url } : {});
        if (out.json) return out.data(r);
        if (r.webhooks.length === 0) out.line(opts.url ? `No webhook for ${opts.url}.` : 'No webhooks.');
        for (const w of r.webhooks) {
          out.line(`${bold(`Webhook ${w.id}`)}  ${w.hookUrl ?? '(no URL)'}  ${w.signed ? 'signed' : 'UNSIGNED'}`);
          const rows = w.subscriptions.map((s) => [
            `  subscription ${s.id}`,
            `${s.targetType ?? 'company'} ${s.targetId ?? ''}`.trim(),
            s.account ? `${s.account.name}` : 'no account',
            s.enabled ? 'enabled' : 'DISABLED',
            s.missingStates.length ? `missing: ${s.missingStates.join(', ')}` : 'all states we act on',
          ]);
          if (rows.length === 0) out.line('  no call subscriptions');
          for (const l of table(rows)) out.line(l);
        }
        if (r.unattachedSubscriptions.length)
          out.line(
            `${r.unattachedSubscriptions.length} call subscription(s) deliver elsewhere (websocket or unknown webhook).`,
          );
      }),
    );

  webhooks
    .command('remove')
    .description(
      "remove an office's subscriptions to --url (and the webhook once unused), or one subscription or webhook by id",
    )
    .option('--url <url>', 'with --account or --office: undo `register` for that office')
    .option('--account <id>', 'the account whose office to unsubscribe')
    .option('--office <officeId>', 'or the Dialpad office id directly')
    .option('--subscription <id>', 'remove this call subscription')
    .option('--webhook <id>', 'remove this webhook and every subscription delivering to it')
    .action(
      async (
        opts: { url?: string; account?: string; office?: string; subscription?: string; webhook?: string },
        cmd: Command,
      ) =>
        run(cmd, async (ctx, out) => {
          let r;
          if (opts.subscription)
            r = await removeCallSubscription(ctx.dialpad(), ctx.db(), opts.subscription, ctx.actor());
          else if (opts.webhook) r = await removeWebhook(ctx.dialpad(), ctx.db(), opts.webhook, ctx.actor());
          else if (opts.url) {
            const target = await officeTarget(ctx, opts);
            r = await unregisterOfficeWebhook(ctx.dialpad(), ctx.db(), { hookUrl: opts.url, ...target }, ctx.actor());
          } else
            throw new OpsError(
              'bad_request',
              'give --url with --account/--office, or --subscription <id>, or --webhook <id>',
            );
          if (out.json) return out.data(r);
          out.line(
            `Removed subscriptions: ${r.removedSubscriptionIds.join(', ') || 'none'}; webhooks: ${r.removedWebhookIds.join(', ') || 'none'}.`,
          );
        }),
    );

  webhooks
    .command('new-secret')
    .description('print a fresh webhook secret (32 random bytes) for a rotation; changes nothing')
    .action(async (_opts, cmd: Command) =>
      run(cmd, async (_ctx, out) => {
        const secret = generateWebhookSecret();
        if (out.json) return out.data({ secret });
        out.line(secret);
      }),
    );

  webhooks
    .command('rotate')
    .description(
      'make Dialpad sign with DIALPAD_WEBHOOK_SECRET from the environment: a new webhook for --url, its subscriptions copied, then the old removed',
    )
    .requiredOption('--url <url>', 'public URL of the ingress')
    .action(async (opts: { url: string }, cmd: Command) =>
      run(cmd, async (ctx, out) => {
        const secret = ctx.config.dialpad.webhookSecret;
        if (!secret)
          throw new OpsError(
            'bad_request',
            'set DIALPAD_WEBHOOK_SECRET to the new secret (the one the ingress now accepts)',
          );
        const r = await rotateWebhookSecret(
          ctx.dialpad(),
          ctx.db(),
          { hookUrl: opts.url, newSecret: secret },
          ctx.actor(),
        );
        if (out.json) return out.data(r);
        out.line(
          `Dialpad now signs with the new secret: webhook ${r.newWebhookId}, ${r.copiedSubscriptions.length} subscription(s) moved, old webhook(s) ${r.removedWebhookIds.join(', ') || 'none'} removed.`,
        );
        out.line(
          'Keep DIALPAD_WEBHOOK_SECRET_PREVIOUS on the ingress until `doctor` shows no delivery accepted with it, then remove it.',
        );
      }),
    );

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
          {
            db: ctx.db(),
            dialpad: ctx.dialpad(),
            temporal: {
              client: temporal.client,
              namespace: config.temporal.namespace,
              taskQueue: config.temporal.taskQueue,
            },
            webhookSecret: config.dialpad.webhookSecret,
            webhookSecretPrevious: config.dialpad.webhookSecretPrevious,
            webhookSecretPreviousUntil: config.dialpad.webhookSecretPreviousUntil,
            hookUrl: opts.url ?? config.dialpad.publicWebhookUrl,
          },
          account ? { accountId: account } : {},
        );
        if (out.json) out.data(report);
        else for (const l of renderDoctor(report)) out.line(l);
        return report.status === 'fail' ? 1 : 0;
      }),
    );

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
          .choices(['directory', 'contact', 'all'])
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
