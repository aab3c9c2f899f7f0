import type { Knex } from 'knex';
import { collect, type DialpadClient } from '../dialpad/client';
import type {
  DialpadCallState,
  DialpadCallSubscription,
  DialpadSubscriptionTargetType,
  DialpadWebhook,
} from '../dialpad/types';
import { recordAudit, type Actor } from './audit-repository';
import { OpsError } from './errors';
import { findAccountByOffice, findAccountsByOffices } from '../accounts/repository';
import {
  assertHookUrl,
  generateWebhookSecret,
  isCompleteSubscription,
  isOfficeSubscription,
  missingStates,
  SUBSCRIBED_STATES,
  sameHookUrl,
} from './subscription-rules';

/**
 * Dialpad's side of the integration (API-NOTES §1–2): one webhook per public URL, signed with our
 * secret, and per office one call-event subscription for the states the call workflow acts on.
 * Every operation here is idempotent: registering again finds what exists and creates only what is
 * missing, so an operator can re-run it after any partial failure.
 */

export interface RegistrationResult {
  hookUrl: string;
  officeId: string;
  accountId: string | null;
  webhook: { id: string; created: boolean };
  /** Only when the webhook was created now: Dialpad signs with it, nobody can read it here again. */
  secret?: string;
  secretSource?: 'generated' | 'given';
  subscription: { id: string; created: boolean; states: string[] };
  /** Our subscriptions for this office that lacked states or were disabled, replaced by the new one. */
  replacedSubscriptionIds: string[];
  /** Other webhooks with the same URL (e.g. left by an unfinished rotation). */
  otherWebhookIds: string[];
  changed: boolean;
}

export async function registerOfficeWebhook(
  dialpad: DialpadClient,
  db: Knex,
  input: { hookUrl: string; officeId: string; accountId?: string | null; secret?: string },
  who: Actor,
): Promise<RegistrationResult> {
  const hookUrl = assertHookUrl(input.hookUrl);
  if (input.secret !== undefined && Buffer.byteLength(input.secret) < 32) {
    throw new OpsError('bad_request', 'the webhook secret must be at least 32 bytes');
  }
  const withUrl = (await collect(dialpad.listWebhooks())).filter((w) => sameHookUrl(w.hook_url, hookUrl));
  let webhook: DialpadWebhook;
  let secret: string | undefined;
  let webhookCreated = false;
  if (withUrl.length === 0) {
    secret = input.secret ?? generateWebhookSecret();
    webhook = await dialpad.createWebhook({ hook_url: hookUrl, secret });
    webhookCreated = true;
  } else {
    // During a rotation two may exist; the one signing with the given secret is the one to keep.
    webhook = withUrl.find((w) => input.secret !== undefined && w.signature?.secret === input.secret) ?? withUrl[0]!;
  }

  const ours = (
    await collect(dialpad.listCallSubscriptions({ targetType: 'office', targetId: input.officeId }))
  ).filter((s) => isOfficeSubscription(s, input.officeId) && s.webhook?.id === webhook.id);
  let subscription = ours.find((s) => isCompleteSubscription(s, input.officeId, webhook.id));
  const replaced: string[] = [];
  let subscriptionCreated = false;
  if (!subscription) {
    // Create first, then remove the incomplete ones: a duplicate delivery in between is harmless,
    // a gap is not.
    subscription = await dialpad.createCallSubscription({
      endpoint_id: webhook.id,
      call_states: SUBSCRIBED_STATES,
      enabled: true,
      target_type: 'office',
      target_id: input.officeId,
    });
    subscriptionCreated = true;
    for (const stale of ours) {
      await dialpad.deleteCallSubscription(stale.id);
      replaced.push(stale.id);
    }
  }

  const result: RegistrationResult = {
    hookUrl,
    officeId: input.officeId,
    accountId: input.accountId ?? null,
    webhook: { id: webhook.id, created: webhookCreated },
    ...(secret !== undefined ? { secret, secretSource: input.secret !== undefined ? 'given' : 'generated' } : {}),
    subscription: {
      id: subscription.id,
      created: subscriptionCreated,
      states: subscription.call_states ?? [],
    },
    replacedSubscriptionIds: replaced,
    otherWebhookIds: withUrl.filter((w) => w.id !== webhook.id).map((w) => w.id),
    changed: webhookCreated || subscriptionCreated,
  };
  if (result.changed) {
    await recordAudit(db, who, {
      action: 'register_dialpad_webhook',
      accountId: input.accountId ?? null,
      oldValue: replaced.length ? { replacedSubscriptionIds: replaced } : null,
      newValue: {
        hookUrl,
        officeId: input.officeId,
        webhookId: webhook.id,
        webhookCreated,
        subscriptionId: subscription.id,
        states: result.subscription.states,
      },
    });
  }
  return result;
}

export interface RegisteredWebhook {
  id: string;
  hookUrl: string | null;
  signed: boolean;
  subscriptions: RegisteredSubscription[];
}

export interface RegisteredSubscription {
  id: string;
  webhookId: string | null;
  targetType: string | null;
  targetId: string | null;
  states: string[];
  enabled: boolean;
  /** The states we act on that this subscription does not send. */
  missingStates: string[];
  /** The Navigator account linked to the subscription's office, if any. */
  account: { id: string; name: string } | null;
}

/** What Dialpad has, without secrets: webhooks with their call subscriptions. */
export async function listRegistrations(
  dialpad: DialpadClient,
  db: Knex,
  filter: { hookUrl?: string } = {},
): Promise<{ webhooks: RegisteredWebhook[]; unattachedSubscriptions: RegisteredSubscription[] }> {
  const webhooks = (await collect(dialpad.listWebhooks())).filter(
    (w) => filter.hookUrl === undefined || sameHookUrl(w.hook_url, filter.hookUrl),
  );
  const subs = await collect(dialpad.listCallSubscriptions());
  const officeIds = [
    ...new Set(subs.filter((s) => s.target_type === 'office' && s.target_id).map((s) => s.target_id!)),
  ];
  const accounts = await findAccountsByOffices(db, officeIds);
  const byOffice = new Map(accounts.map((a) => [a.officeId, { id: a.id, name: a.name }]));
  const describe = (s: DialpadCallSubscription): RegisteredSubscription => ({
    id: s.id,
    webhookId: s.webhook?.id ?? null,
    targetType: s.target_type ?? null,
    targetId: s.target_id ?? null,
    states: s.call_states ?? [],
    enabled: s.enabled !== false,
    missingStates: missingStates(s.call_states),
    account: s.target_type === 'office' && s.target_id ? (byOffice.get(s.target_id) ?? null) : null,
  });
  const webhookIds = new Set(webhooks.map((w) => w.id));
  return {
    webhooks: webhooks.map((w) => ({
      id: w.id,
      hookUrl: w.hook_url ?? null,
      signed: Boolean(w.signature?.secret) || w.signature?.algo === 'HS256',
      subscriptions: subs.filter((s) => s.webhook?.id === w.id).map(describe),
    })),
    unattachedSubscriptions:
      filter.hookUrl === undefined
        ? subs.filter((s) => !s.webhook?.id || !webhookIds.has(s.webhook.id)).map(describe)
        : [],
  };
}

export interface RemovalResult {
  removedSubscriptionIds: string[];
  removedWebhookIds: string[];
}

/**
 * The inverse of registration for one office: its subscriptions to the URL's webhooks go, and a
 * webhook goes too once no subscription of any office uses it.
 */
export async function unregisterOfficeWebhook(
  dialpad: DialpadClient,
  db: Knex,
  input: { hookUrl: string; officeId: string; accountId?: string | null },
  who: Actor,
): Promise<RemovalResult> {
  const webhooks = (await collect(dialpad.listWebhooks())).filter((w) => sameHookUrl(w.hook_url, input.hookUrl));
  const ids = new Set(webhooks.map((w) => w.id));
  const subs = await collect(dialpad.listCallSubscriptions());
  const result: RemovalResult = { removedSubscriptionIds: [], removedWebhookIds: [] };
  for (const s of subs) {
    if (isOfficeSubscription(s, input.officeId) && s.webhook?.id && ids.has(s.webhook.id)) {
      await dialpad.deleteCallSubscription(s.id);
      result.removedSubscriptionIds.push(s.id);
    }
  }
  const removed = new Set(result.removedSubscriptionIds);
  for (const w of webhooks) {
    if (!subs.some((s) => s.webhook?.id === w.id && !removed.has(s.id))) {
      await dialpad.deleteWebhook(w.id);
      result.removedWebhookIds.push(w.id);
    }
  }
  if (result.removedSubscriptionIds.length || result.removedWebhookIds.length) {
    await recordAudit(db, who, {
      action: 'unregister_dialpad_webhook',
      accountId: input.accountId ?? null,
      oldValue: { hookUrl: input.hookUrl, officeId: input.officeId, ...result },
      newValue: null,
    });
  }
  return result;
}

export async function removeCallSubscription(
  dialpad: DialpadClient,
  db: Knex,
  subscriptionId: string,
  who: Actor,
): Promise<RemovalResult> {
  const sub = await dialpad.getCallSubscription(subscriptionId);
  await dialpad.deleteCallSubscription(subscriptionId);
  const account =
    sub.target_type === 'office' && sub.target_id ? await findAccountByOffice(db, sub.target_id) : undefined;
  await recordAudit(db, who, {
    action: 'remove_dialpad_subscription',
    accountId: account?.id ?? null,
    oldValue: { subscriptionId, targetType: sub.target_type, targetId: sub.target_id, states: sub.call_states },
    newValue: null,
  });
  return { removedSubscriptionIds: [subscriptionId], removedWebhookIds: [] };
}

/** The webhook and every subscription delivering to it (Dialpad may not cascade; we do not rely on it). */
export async function removeWebhook(
  dialpad: DialpadClient,
  db: Knex,
  webhookId: string,
  who: Actor,
): Promise<RemovalResult> {
  const webhook = await dialpad.getWebhook(webhookId);
  const subs = (await collect(dialpad.listCallSubscriptions())).filter((s) => s.webhook?.id === webhookId);
  for (const s of subs) await dialpad.deleteCallSubscription(s.id);
  await dialpad.deleteWebhook(webhookId);
  const result = { removedSubscriptionIds: subs.map((s) => s.id), removedWebhookIds: [webhookId] };
  await recordAudit(db, who, {
    action: 'remove_dialpad_webhook',
    accountId: null,
    oldValue: { webhookId, hookUrl: webhook.hook_url, ...result },
    newValue: null,
  });
  return result;
}

export interface RotationResult {
  hookUrl: string;
  newWebhookId: string;
  copiedSubscriptions: { from: string; to: string; targetType: string | null; targetId: string | null }[];
  removedWebhookIds: string[];
}

/**
 * Makes Dialpad sign with a new secret without losing an event: a second webhook with the same URL
 * and the new secret, a copy of every subscription on it, and only then the old ones removed. The
 * ingress must already accept the new secret (DIALPAD_WEBHOOK_SECRET) and keep the old one as
 * DIALPAD_WEBHOOK_SECRET_PREVIOUS; during the overlap an event may arrive twice, which is harmless.
 * Re-running after a failure reuses the webhook that already signs with the new secret.
 */
export async function rotateWebhookSecret(
  dialpad: DialpadClient,
  db: Knex,
  input: { hookUrl: string; newSecret: string },
  who: Actor,
): Promise<RotationResult> {
  const hookUrl = assertHookUrl(input.hookUrl);
  if (Buffer.byteLength(input.newSecret) < 32)
    throw new OpsError('bad_request', 'the new secret must be at least 32 bytes');
  const withUrl = (await collect(dialpad.listWebhooks())).filter((w) => sameHookUrl(w.hook_url, hookUrl));
  if (withUrl.length === 0) {
    throw new OpsError('not_found', `no webhook for ${hookUrl} in Dialpad: register one instead (webhooks register)`);
  }
  const current = withUrl.find((w) => w.signature?.secret === input.newSecret);
  const old = withUrl.filter((w) => w !== current);
  const fresh = current ?? (await dialpad.createWebhook({ hook_url: hookUrl, secret: input.newSecret }));
  const subs = await collect(dialpad.listCallSubscriptions());
  const onFresh = subs.filter((s) => s.webhook?.id === fresh.id);
  const copied: RotationResult['copiedSubscriptions'] = [];
  for (const s of subs.filter((x) => x.webhook?.id && old.some((w) => w.id === x.webhook!.id))) {
    const twin = onFresh.find(
      (f) =>
        f.target_type === s.target_type &&
        f.target_id === s.target_id &&
        [...(f.call_states ?? [])].sort().join() === [...(s.call_states ?? [])].sort().join(),
    );
    const copy =
      twin ??
      (await dialpad.createCallSubscription({
        endpoint_id: fresh.id,
        ...(s.call_states?.length ? { call_states: s.call_states as DialpadCallState[] } : {}),
        enabled: s.enabled !== false,
        ...(s.group_calls_only ? { group_calls_only: true } : {}),
        ...(s.target_type && s.target_id
          ? { target_type: s.target_type as DialpadSubscriptionTargetType, target_id: s.target_id }
          : {}),
      }));
    copied.push({ from: s.id, to: copy.id, targetType: s.target_type ?? null, targetId: s.target_id ?? null });
  }
  for (const s of subs.filter((x) => x.webhook?.id && old.some((w) => w.id === x.webhook!.id))) {
    await dialpad.deleteCallSubscription(s.id);
  }
  for (const w of old) await dialpad.deleteWebhook(w.id);
  const result = {
    hookUrl,
    newWebhookId: fresh.id,
    copiedSubscriptions: copied,
    removedWebhookIds: old.map((w) => w.id),
  };
  await recordAudit(db, who, {
    action: 'rotate_dialpad_webhook_secret',
    accountId: null,
    oldValue: { webhookIds: result.removedWebhookIds },
    newValue: { webhookId: fresh.id, subscriptions: copied.map((c) => c.to) },
  });
  return result;
}

/** What an operator must do with a secret Dialpad now signs with. */
export function secretInstructions(secret: string): string[] {
  return [
    'Dialpad signs every event with this secret. It is shown once: store it in your secret manager now.',
    '',
    `  DIALPAD_WEBHOOK_SECRET=${secret}`,
    '',
    'Set it on every ingress process and restart them. If a secret was set before, move the old value',
    'to DIALPAD_WEBHOOK_SECRET_PREVIOUS at the same time, so events signed with either are accepted;',
    'remove DIALPAD_WEBHOOK_SECRET_PREVIOUS once `doctor` shows no delivery verified with it.',
  ];
}
