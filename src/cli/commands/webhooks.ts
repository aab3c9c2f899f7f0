import type { Command } from 'commander';
import {
  generateWebhookSecret,
  listRegistrations,
  OpsError,
  registerOfficeWebhook,
  removeCallSubscription,
  removeWebhook,
  rotateWebhookSecret,
  secretInstructions,
  unregisterOfficeWebhook,
} from '../../ops';
import { bold, table } from '../output';
import { officeTarget, run } from '../run';

/** `webhooks register|list|remove|new-secret|rotate`: Dialpad's side of the delivery. */
export function webhookCommands(program: Command): void {
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
}
