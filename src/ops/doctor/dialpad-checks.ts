import { createHash, timingSafeEqual } from 'node:crypto';
import { collect } from '../../dialpad/client';
import type { DialpadCallSubscription, DialpadWebhook } from '../../dialpad/types';
import { isCompleteSubscription, isOfficeSubscription, missingStates, sameHookUrl } from '../subscription-rules';
import { CLI, fail, message, noOffice, pass, warn } from './common';
import type { DoctorCheck, DoctorDeps } from './types';

// Dialpad's side: the API answers, the webhook for our URL, its secret, each office's subscription.

export interface DialpadState {
  webhooks: DialpadWebhook[];
  subscriptions: DialpadCallSubscription[];
  error: string | null;
}

export async function loadDialpad(deps: DoctorDeps): Promise<DialpadState | null> {
  if (!deps.dialpad) return null;
  try {
    const [webhooks, subscriptions] = await Promise.all([
      collect(deps.dialpad.listWebhooks()),
      collect(deps.dialpad.listCallSubscriptions()),
    ]);
    return { webhooks, subscriptions, error: null };
  } catch (err) {
    return { webhooks: [], subscriptions: [], error: message(err) };
  }
}

export function dialpadCheck(_deps: DoctorDeps, d: DialpadState | null): DoctorCheck {
  const title = 'Dialpad API';
  if (!d)
    return warn(
      'dialpad_api',
      title,
      'not checked: no DIALPAD_API_KEY here',
      "set DIALPAD_API_KEY (and DIALPAD_API_BASE_URL) to check Dialpad's side",
    );
  if (d.error) {
    return fail(
      'dialpad_api',
      title,
      `Dialpad refused or failed: ${d.error}`,
      'check DIALPAD_API_KEY (a company admin key) and DIALPAD_API_BASE_URL (https://dialpad.com or https://sandbox.dialpad.com)',
    );
  }
  return pass(
    'dialpad_api',
    title,
    `answers: ${d.webhooks.length} webhook(s), ${d.subscriptions.length} call subscription(s)`,
  );
}

function hookWebhooks(deps: DoctorDeps, d: DialpadState | null): DialpadWebhook[] {
  if (!d || !deps.hookUrl) return [];
  return d.webhooks.filter((w) => sameHookUrl(w.hook_url, deps.hookUrl!));
}

export function webhookCheck(deps: DoctorDeps, d: DialpadState | null): DoctorCheck {
  const title = 'Webhook in Dialpad';
  if (!deps.hookUrl) {
    return warn(
      'webhook',
      title,
      'not checked: the public webhook URL is not known here',
      'give --url https://<your host>/webhooks/dialpad (or set PUBLIC_WEBHOOK_URL)',
    );
  }
  if (!d || d.error) return warn('webhook', title, "not checked: Dialpad's API is not available here");
  const mine = hookWebhooks(deps, d);
  if (mine.length === 0) {
    const others = d.webhooks.map((w) => w.hook_url).filter(Boolean);
    return fail(
      'webhook',
      title,
      `Dialpad has no webhook for ${deps.hookUrl}${others.length ? ` (it has: ${others.join(', ')})` : ''}: it sends us nothing`,
      `${CLI} webhooks register --url ${deps.hookUrl} --account <account id>`,
    );
  }
  return pass('webhook', title, `webhook ${mine.map((w) => w.id).join(', ')} delivers to ${deps.hookUrl}`);
}

function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

export function webhookSecretCheck(deps: DoctorDeps, d: DialpadState | null): DoctorCheck {
  const title = 'Webhook secret';
  const mine = hookWebhooks(deps, d);
  if (mine.length === 0) return warn('webhook_secret', title, 'not checked: no webhook for the URL to compare with');
  if (mine.every((w) => !w.signature)) {
    return fail(
      'webhook_secret',
      title,
      'Dialpad sends unsigned events to this URL; the ingress refuses them (401) unless DIALPAD_WEBHOOK_ALLOW_UNSIGNED is on',
      `re-create the webhook with a secret: ${CLI} webhooks remove --webhook <id>, then webhooks register`,
    );
  }
  const secrets = mine.map((w) => w.signature?.secret).filter((s): s is string => Boolean(s));
  if (secrets.length === 0) {
    return warn(
      'webhook_secret',
      title,
      "not checked: Dialpad did not return the webhook's secret",
      'watch the "Refused deliveries" check instead',
    );
  }
  if (!deps.webhookSecret) {
    return warn(
      'webhook_secret',
      title,
      'not checked: DIALPAD_WEBHOOK_SECRET is not set here',
      "run the doctor where the ingress's configuration is (or GET /api/admin/doctor)",
    );
  }
  const previousExpired =
    deps.webhookSecretPrevious !== undefined &&
    deps.webhookSecretPreviousUntil !== undefined &&
    (deps.now?.() ?? new Date()).getTime() >= deps.webhookSecretPreviousUntil.getTime();
  if (secrets.some((s) => sameSecret(s, deps.webhookSecret!))) {
    if (previousExpired) {
      return warn(
        'webhook_secret',
        title,
        `Dialpad signs with DIALPAD_WEBHOOK_SECRET; DIALPAD_WEBHOOK_SECRET_PREVIOUS has been refused since ${deps.webhookSecretPreviousUntil!.toISOString()}`,
        'remove DIALPAD_WEBHOOK_SECRET_PREVIOUS and DIALPAD_WEBHOOK_SECRET_PREVIOUS_UNTIL from every ingress',
      );
    }
    return pass('webhook_secret', title, 'Dialpad signs with DIALPAD_WEBHOOK_SECRET');
  }
  if (deps.webhookSecretPrevious && secrets.some((s) => sameSecret(s, deps.webhookSecretPrevious!))) {
    if (previousExpired) {
      return fail(
        'webhook_secret',
        title,
        `Dialpad still signs with DIALPAD_WEBHOOK_SECRET_PREVIOUS, refused since ${deps.webhookSecretPreviousUntil!.toISOString()} (DIALPAD_WEBHOOK_SECRET_PREVIOUS_UNTIL): every event is refused (401) and lost`,
        `finish the rotation now: ${CLI} webhooks rotate --url ${deps.hookUrl}; or move DIALPAD_WEBHOOK_SECRET_PREVIOUS_UNTIL later; then backfill the gap`,
      );
    }
    return warn(
      'webhook_secret',
      title,
      'Dialpad still signs with DIALPAD_WEBHOOK_SECRET_PREVIOUS: events are accepted, the rotation is unfinished',
      `${CLI} webhooks rotate --url ${deps.hookUrl} (with the new DIALPAD_WEBHOOK_SECRET in the environment)`,
    );
  }
  return fail(
    'webhook_secret',
    title,
    'Dialpad signs with a secret that is neither DIALPAD_WEBHOOK_SECRET nor DIALPAD_WEBHOOK_SECRET_PREVIOUS: every event is refused (401) and lost',
    `make them agree: rotate Dialpad to the configured secret (${CLI} webhooks rotate --url ${deps.hookUrl}), then backfill the outage window`,
  );
}

export function subscriptionCheck(
  deps: DoctorDeps,
  d: DialpadState | null,
  accountId: string,
  officeId: string | null,
): DoctorCheck {
  const title = 'Call subscription';
  if (!officeId) return noOffice('subscription', title);
  if (!d || d.error) return warn('subscription', title, "not checked: Dialpad's API is not available here");
  const register = `${CLI} webhooks register --url ${deps.hookUrl ?? '<public webhook URL>'} --account ${accountId}`;
  const forOffice = d.subscriptions.filter((s) => isOfficeSubscription(s, officeId));
  const mine = deps.hookUrl ? hookWebhooks(deps, d) : d.webhooks;
  const complete = forOffice.filter((s) => mine.some((w) => isCompleteSubscription(s, officeId, w.id)));
  if (complete.length > 0) {
    return pass(
      'subscription',
      title,
      `subscription ${complete.map((s) => s.id).join(', ')} sends every state we act on for office ${officeId}`,
    );
  }
  if (forOffice.length === 0) {
    return fail(
      'subscription',
      title,
      `Dialpad has no call subscription for office ${officeId}: it sends no call events for it`,
      register,
    );
  }
  const problems = forOffice.map((s) => {
    const missing = missingStates(s.call_states);
    const why = [
      ...(s.enabled === false ? ['disabled'] : []),
      ...(missing.length ? [`missing ${missing.join(', ')}`] : []),
      ...(deps.hookUrl && !mine.some((w) => w.id === s.webhook?.id)
        ? [`delivers to ${s.webhook?.hook_url ?? 'another endpoint'}`]
        : []),
    ];
    return `${s.id}: ${why.join('; ') || 'not usable'}`;
  });
  return fail(
    'subscription',
    title,
    `no usable call subscription for office ${officeId} (${problems.join(' | ')})`,
    register,
  );
}
