import { createHash, timingSafeEqual } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { cloudInstructions, searchAttributeState, type SearchAttributeState } from '../temporal/search-attribute-setup';
import type { Knex } from 'knex';
import { collect, type DialpadClient } from '../dialpad/client';
import type { DialpadCallSubscription, DialpadWebhook } from '../dialpad/types';
import { OpsError } from './errors';
import { assertAccountId } from './office';
import { isCompleteSubscription, isOfficeSubscription, missingStates, sameHookUrl } from './registration';
import {
  describeSchedule,
  isFailedRun,
  SCHEDULE_KIND_NAMES as SCHEDULE_KINDS,
  scheduleId,
  type ScheduleKindName as ScheduleKind,
} from '../schedules';
import { findAccount, listAccountRows, type AccountRow } from '../accounts/repository';

/**
 * "Why aren't my calls syncing?" — every link of the chain checked, per account, each with a
 * pass / warn / fail and, when it is not a pass, what to do about it. System-wide links (Temporal
 * and its worker, the Dialpad API, the webhook and its secret, refused deliveries) come first;
 * then each account's office, directory, subscription, deliveries, numbers, calls and schedules.
 */
export type CheckStatus = 'pass' | 'warn' | 'fail';

export interface DoctorCheck {
  id: string;
  title: string;
  status: CheckStatus;
  detail: string;
  /** What to do, when the status is not a pass. */
  hint?: string;
}

export interface AccountDiagnosis {
  accountId: string;
  accountName: string;
  officeId: string | null;
  status: CheckStatus;
  checks: DoctorCheck[];
}

export interface DoctorReport {
  generatedAt: string;
  status: CheckStatus;
  hookUrl: string | null;
  system: DoctorCheck[];
  accounts: AccountDiagnosis[];
}

export interface DoctorDeps {
  db: Knex;
  /** Without it (no DIALPAD_API_KEY), Dialpad's side is reported as not checked. */
  dialpad?: DialpadClient | undefined;
  temporal?: { client: Client; namespace: string; taskQueue: string } | undefined;
  /** The secrets this process knows; compared with the webhook's, never printed. */
  webhookSecret?: string | undefined;
  webhookSecretPrevious?: string | undefined;
  /** DIALPAD_WEBHOOK_SECRET_PREVIOUS_UNTIL: after it the previous secret no longer verifies. */
  webhookSecretPreviousUntil?: Date | undefined;
  /** The public URL Dialpad should deliver to (--url / PUBLIC_WEBHOOK_URL). */
  hookUrl?: string | undefined;
  now?: () => Date;
}

const HOUR = 3_600_000;
const DIRECTORY_FRESH_MS = 24 * HOUR;
const DELIVERY_RECENT_MS = 24 * HOUR;
const SIGNATURE_WINDOW_MS = 24 * HOUR;
/** A routed delivery the relay has not sent after this long points at the relay or Temporal. */
const RELAY_STUCK_MS = 2 * 60_000;
/** Reasons that mean the body was not signed with a secret we know. */
const SECRET_REASONS = ['bad_signature', 'unsigned_body'];

const CLI = 'npm run cli --';

export async function runDoctor(deps: DoctorDeps, opts: { accountId?: string } = {}): Promise<DoctorReport> {
  const now = deps.now?.() ?? new Date();
  let rows: AccountRow[];
  if (opts.accountId !== undefined) {
    assertAccountId(opts.accountId);
    const one = await findAccount(deps.db, opts.accountId);
    if (!one) throw new OpsError('not_found', `no account ${opts.accountId}`);
    rows = [one];
  } else {
    rows = await listAccountRows(deps.db);
  }
  const accounts = rows.map((a) => ({ id: a.id, name: a.name, dialpad_office_id: a.officeId }));

  const dialpadState = await loadDialpad(deps);
  const system: DoctorCheck[] = [
    await temporalCheck(deps),
    await searchAttributesCheck(deps),
    dialpadCheck(deps, dialpadState),
    webhookCheck(deps, dialpadState),
    webhookSecretCheck(deps, dialpadState),
    await signatureFailuresCheck(deps, now),
    await setAsideCheck(deps, now),
  ];

  const diagnoses: AccountDiagnosis[] = [];
  for (const a of accounts) {
    const officeId = a.dialpad_office_id;
    const checks: DoctorCheck[] = [
      officeCheck(a.id, officeId),
      await directoryCheck(deps, a.id, officeId, now),
      subscriptionCheck(deps, dialpadState, a.id, officeId),
      await deliveriesCheck(deps, a.id, officeId, now),
      await waitingDeliveriesCheck(deps, a.id, officeId, now),
      await unreadableNumbersCheck(deps, a.id),
      await callsCheck(deps, a.id),
      ...(await scheduleChecks(deps, a.id)),
    ];
    diagnoses.push({ accountId: a.id, accountName: a.name, officeId, status: worst(checks), checks });
  }
  return {
    generatedAt: now.toISOString(),
    status: worst([...system, ...diagnoses.map((d) => ({ status: d.status }))]),
    hookUrl: deps.hookUrl ?? null,
    system,
    accounts: diagnoses,
  };
}

function worst(items: { status: CheckStatus }[]): CheckStatus {
  if (items.some((c) => c.status === 'fail')) return 'fail';
  if (items.some((c) => c.status === 'warn')) return 'warn';
  return 'pass';
}

const pass = (id: string, title: string, detail: string): DoctorCheck => ({ id, title, status: 'pass', detail });
const warn = (id: string, title: string, detail: string, hint?: string): DoctorCheck => ({
  id,
  title,
  status: 'warn',
  detail,
  ...(hint ? { hint } : {}),
});
const fail = (id: string, title: string, detail: string, hint: string): DoctorCheck => ({
  id,
  title,
  status: 'fail',
  detail,
  hint,
});

export function ago(then: Date, now: Date): string {
  const ms = Math.max(0, now.getTime() - then.getTime());
  if (ms < 90_000) return `${Math.round(ms / 1000)} s ago`;
  if (ms < 90 * 60_000) return `${Math.round(ms / 60_000)} min ago`;
  if (ms < 48 * HOUR) return `${Math.round(ms / HOUR)} h ago`;
  return `${Math.round(ms / (24 * HOUR))} days ago`;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0]! : String(err);
}

// ── System ───────────────────────────────────────────────────────────────────────────────────

async function temporalCheck(deps: DoctorDeps): Promise<DoctorCheck> {
  const title = 'Temporal and a worker';
  if (!deps.temporal) return warn('temporal', title, 'not checked: no Temporal connection here');
  const { client, namespace, taskQueue } = deps.temporal;
  try {
    const res = await client.connection.withDeadline(Date.now() + 5_000, () =>
      client.workflowService.describeTaskQueue({
        namespace,
        // TASK_QUEUE_KIND_NORMAL, TASK_QUEUE_TYPE_WORKFLOW
        taskQueue: { name: taskQueue, kind: 1 },
        taskQueueType: 1,
      }),
    );
    const pollers = res.pollers?.length ?? 0;
    if (pollers === 0) {
      return fail(
        'temporal',
        title,
        `Temporal answers, but no worker polls task queue ${taskQueue}: calls are recorded and wait`,
        `start a worker (npm run start:worker) with TEMPORAL_TASK_QUEUE=${taskQueue} and TEMPORAL_NAMESPACE=${namespace}`,
      );
    }
    return pass('temporal', title, `${pollers} worker poller(s) on task queue ${taskQueue} (namespace ${namespace})`);
  } catch (err) {
    return fail(
      'temporal',
      title,
      `Temporal unreachable: ${message(err)}`,
      'check TEMPORAL_ADDRESS and that the cluster is up; the ingress keeps recording events meanwhile and its relay sends them later',
    );
  }
}

async function searchAttributesCheck(deps: DoctorDeps): Promise<DoctorCheck> {
  const id = 'temporal_search_attributes';
  const title = 'Temporal search attributes';
  if (!deps.temporal) return warn(id, title, 'not checked: no Temporal connection here');
  const { client, namespace } = deps.temporal;
  let state: SearchAttributeState;
  try {
    state = await searchAttributeState(client, namespace);
  } catch (err) {
    return warn(id, title, `could not be listed: ${message(err)}`);
  }
  if (state.missing.length === 0 && state.wrongType.length === 0) {
    return pass(id, title, `${state.present.join(', ')} registered on ${namespace}`);
  }
  const problems = [
    state.missing.length ? `missing on ${namespace}: ${state.missing.join(', ')}` : '',
    state.wrongType.length ? `not of type Keyword: ${state.wrongType.join(', ')}` : '',
  ].filter(Boolean);
  return fail(
    id,
    title,
    `${problems.join('; ')}: Temporal refuses to start call runs that set them, so calls wait in Postgres`,
    `${CLI} temporal setup where this connection may (a self-hosted cluster). ${cloudInstructions(namespace, state.missing)}`,
  );
}

interface DialpadState {
  webhooks: DialpadWebhook[];
  subscriptions: DialpadCallSubscription[];
  error: string | null;
}

async function loadDialpad(deps: DoctorDeps): Promise<DialpadState | null> {
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

function dialpadCheck(_deps: DoctorDeps, d: DialpadState | null): DoctorCheck {
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

function webhookCheck(deps: DoctorDeps, d: DialpadState | null): DoctorCheck {
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

function webhookSecretCheck(deps: DoctorDeps, d: DialpadState | null): DoctorCheck {
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

/**
 * Events taken but not applied: dead letters (a call run could not apply them), and verified bodies
 * refused for want of a call id or state. Also which fields of accepted events were left out.
 */
async function setAsideCheck(deps: DoctorDeps, now: Date): Promise<DoctorCheck> {
  const title = 'Events set aside';
  const since = new Date(now.getTime() - 7 * 24 * HOUR);
  const dead = await deps
    .db('dialpad_webhook_deliveries')
    .where({ signal_status: 'dead_letter' })
    .first(
      deps.db.raw('count(*) as count'),
      deps.db.raw('min(received_at) as first'),
      deps.db.raw('(array_agg(apply_error order by dead_lettered_at desc))[1] as error'),
    );
  const refused = await deps
    .db('dialpad_webhook_refused_events')
    .whereNull('recovered_at')
    .andWhere('received_at', '>=', since)
    .first(deps.db.raw('count(*) as count'), deps.db.raw('min(received_at) as first'));
  const leftOut: { field: string; count: string | number }[] = await deps.db
    .select('f.field', deps.db.raw('count(*) as count'))
    .from(
      deps
        .db('dialpad_webhook_deliveries')
        .where('received_at', '>=', new Date(now.getTime() - SIGNATURE_WINDOW_MS))
        .whereNotNull('left_out')
        .select(deps.db.raw("jsonb_array_elements(left_out)->>'field' as field"))
        .as('f'),
    )
    .groupBy('f.field')
    .orderBy('count', 'desc')
    .limit(5);
  const leftOutNote = leftOut.length
    ? `; fields left out of accepted events in 24 h: ${leftOut.map((r) => `${r.field} ${r.count}`).join(', ')}`
    : '';
  const deadCount = Number(dead?.count ?? 0);
  const refusedCount = Number(refused?.count ?? 0);
  if (deadCount > 0) {
    return fail(
      'set_aside',
      title,
      `${deadCount} event(s) a call run could not apply are dead letters (oldest received ${ago(new Date(dead!.first as string), now)}; last error: ${String(dead?.error ?? 'unknown').slice(0, 160)})${leftOutNote}`,
      `list them with ${CLI} dead-letters; once the cause is fixed, ${CLI} replay --dead-letters applies them`,
    );
  }
  if (refusedCount > 0) {
    return warn(
      'set_aside',
      title,
      `${refusedCount} verified event(s) in 7 days had no usable call id or state and were kept, not applied${leftOutNote}`,
      `if a parser fix makes them readable, ${CLI} replay --from ${new Date(refused!.first as string).toISOString()} --to ${now.toISOString()} recovers them`,
    );
  }
  return pass('set_aside', title, `none: every accepted event was applied${leftOutNote}`);
}

async function signatureFailuresCheck(deps: DoctorDeps, now: Date): Promise<DoctorCheck> {
  const title = 'Refused deliveries (24 h)';
  const since = new Date(now.getTime() - SIGNATURE_WINDOW_MS);
  const rows: { reason: string; shape: string; count: string | number; first: Date; last: Date; sources: string }[] =
    await deps
      .db('dialpad_webhook_rejections')
      .where('minute', '>=', new Date(since.getTime() - 60_000))
      .groupBy('reason', 'shape')
      .select(
        'reason',
        'shape',
        deps.db.raw('sum(count) as count'),
        deps.db.raw('min(received_at) as first'),
        deps.db.raw('max(last_at) as last'),
        deps.db.raw('count(distinct source_address) as sources'),
      );
  const previous = await deps
    .db('dialpad_webhook_deliveries')
    .where('received_at', '>=', since)
    .andWhere({ verified_with: 'previous' })
    .count<{ count: string | number }[]>('* as count');
  const viaPrevious = Number(previous[0]?.count ?? 0);
  const total = (rs: typeof rows) => rs.reduce((n, r) => n + Number(r.count), 0);
  const byReason = (rs: typeof rows) =>
    Object.entries(
      rs.reduce<Record<string, number>>(
        (acc, r) => ({ ...acc, [r.reason]: (acc[r.reason] ?? 0) + Number(r.count) }),
        {},
      ),
    )
      .map(([reason, n]) => `${reason} ${n}`)
      .join(', ');
  // What Dialpad sends with a secret we do not know is shaped like its call events; a flood of
  // forgeries or a scanner is not, and does not hide it (counted apart, never pushed out).
  const dialpadLike = rows.filter((r) => SECRET_REASONS.includes(r.reason) && r.shape === 'call_event');
  const otherBad = rows.filter((r) => SECRET_REASONS.includes(r.reason) && r.shape !== 'call_event');
  const other = rows.filter((r) => !SECRET_REASONS.includes(r.reason));
  const noise = otherBad.length
    ? `; also ${total(otherBad)} refused requests that do not look like Dialpad's events (${byReason(otherBad)}: scanners or forgeries)`
    : '';
  if (dialpadLike.length > 0) {
    const first = new Date(Math.min(...dialpadLike.map((r) => new Date(r.first).getTime())));
    const last = new Date(Math.max(...dialpadLike.map((r) => new Date(r.last).getTime())));
    return fail(
      'signature_failures',
      title,
      `${total(dialpadLike)} deliveries refused for a wrong or missing signature (${byReason(dialpadLike)}), shaped like Dialpad call events, last ${ago(last, now)}: the ingress's DIALPAD_WEBHOOK_SECRET is not the webhook's secret${noise}`,
      'set DIALPAD_WEBHOOK_SECRET on every ingress to the secret Dialpad signs with (when rotating, keep the old one as DIALPAD_WEBHOOK_SECRET_PREVIOUS). ' +
        `Dialpad does not retry a 401, so those calls are missing: afterwards run ${CLI} backfill --account <id> --from ${first.toISOString()} --to ${now.toISOString()}`,
    );
  }
  const rotation =
    viaPrevious > 0 ? `; ${viaPrevious} accepted with DIALPAD_WEBHOOK_SECRET_PREVIOUS (rotation in progress)` : '';
  if (other.length > 0 || otherBad.length > 0) {
    return warn(
      'signature_failures',
      title,
      `no refused delivery looked like Dialpad's${other.length ? `; ${byReason(other)}` : ''}${noise}${rotation}`,
      'these usually come from something other than Dialpad (scanners, forgeries); see the ingress log and the source addresses in dialpad_webhook_rejections',
    );
  }
  return pass('signature_failures', title, `none${rotation}`);
}

// ── Per account ──────────────────────────────────────────────────────────────────────────────

function officeCheck(accountId: string, officeId: string | null): DoctorCheck {
  const title = 'Dialpad office ID';
  if (officeId) return pass('office_id', title, `linked to office ${officeId}`);
  return fail(
    'office_id',
    title,
    'no Dialpad office ID: calls cannot be routed to this account (they wait as unrouted deliveries)',
    `${CLI} set-office --account ${accountId} --office <Dialpad office id> (or PUT /api/accounts/${accountId}/dialpad-office)`,
  );
}

const noOffice = (id: string, title: string) => warn(id, title, 'not checked: no office ID');

async function directoryCheck(
  deps: DoctorDeps,
  accountId: string,
  officeId: string | null,
  now: Date,
): Promise<DoctorCheck> {
  const title = 'Directory synced';
  if (!officeId) return noOffice('directory', title);
  const office = await deps.db('dialpad_offices').where({ id: officeId }).first('synced_at', 'name');
  const users = await deps
    .db('dialpad_users')
    .where({ office_id: officeId })
    .first(deps.db.raw('count(*) as count'), deps.db.raw('max(synced_at) as last'));
  const userCount = Number(users?.count ?? 0);
  const times = [office?.synced_at, users?.last].filter(Boolean).map((t) => new Date(t as string));
  const trigger = `${CLI} schedules trigger --account ${accountId} --kind directory`;
  if (times.length === 0) {
    return warn(
      'directory',
      title,
      `office ${officeId} has never been synced: calls to users, departments and call centres may not route or show names`,
      `the schedule ${scheduleId('directory', accountId)} syncs it; run it now: ${trigger}`,
    );
  }
  const last = new Date(Math.max(...times.map((t) => t.getTime())));
  const detail = `${office?.name ? `${office.name}: ` : ''}last synced ${ago(last, now)}, ${userCount} user(s)`;
  if (now.getTime() - last.getTime() > DIRECTORY_FRESH_MS) {
    return fail(
      'directory',
      title,
      `${detail}: stale`,
      `see the directory schedule check below; run it now: ${trigger}`,
    );
  }
  return pass('directory', title, detail);
}

function subscriptionCheck(
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

async function deliveriesCheck(
  deps: DoctorDeps,
  accountId: string,
  officeId: string | null,
  now: Date,
): Promise<DoctorCheck> {
  const title = 'Deliveries received';
  if (!officeId) return noOffice('deliveries', title);
  const since = new Date(now.getTime() - DELIVERY_RECENT_MS);
  const row = await deps
    .db('dialpad_webhook_deliveries')
    .where((q) => q.where({ office_id: officeId }).orWhere({ account_id: accountId }))
    .first(
      deps.db.raw('max(received_at) as last'),
      deps.db.raw('count(*) filter (where received_at >= ?) as recent', [since]),
    );
  if (!row?.last) {
    return warn(
      'deliveries',
      title,
      `no webhook delivery has ever arrived for office ${officeId}`,
      'if calls were made, Dialpad is not sending: see the webhook and subscription checks; calls missed meanwhile can be backfilled',
    );
  }
  const last = new Date(row.last as string);
  const recent = Number(row.recent ?? 0);
  if (recent === 0) {
    return warn(
      'deliveries',
      title,
      `none in the last 24 h (last ${ago(last, now)})`,
      'quiet office, or Dialpad stopped sending: compare with the calls made in Dialpad; backfill any gap',
    );
  }
  return pass('deliveries', title, `${recent} in the last 24 h, last ${ago(last, now)}`);
}

async function waitingDeliveriesCheck(
  deps: DoctorDeps,
  accountId: string,
  officeId: string | null,
  now: Date,
): Promise<DoctorCheck> {
  const title = 'Deliveries waiting';
  if (!officeId) {
    const waiting: { office_id: string | null; count: string | number }[] = await deps
      .db('dialpad_webhook_deliveries')
      .where({ routing_status: 'unrouted' })
      .groupBy('office_id')
      .orderBy('count', 'desc')
      .limit(5)
      .select('office_id', deps.db.raw('count(*) as count'));
    if (waiting.length === 0) return noOffice('waiting', title);
    return warn(
      'waiting',
      title,
      `deliveries wait for offices no account is linked to: ${waiting.map((w) => `${w.office_id ?? 'unknown office'} (${w.count})`).join(', ')}`,
      `if one is this account's office, ${CLI} set-office --account ${accountId} --office <that id> releases its deliveries`,
    );
  }
  const unrouted = await deps
    .db('dialpad_webhook_deliveries')
    .where({ office_id: officeId, routing_status: 'unrouted' })
    .first(deps.db.raw('count(*) as count'), deps.db.raw('min(received_at) as first'));
  const stuckBefore = new Date(now.getTime() - RELAY_STUCK_MS);
  const stuck = await deps
    .db('dialpad_webhook_deliveries')
    .where({ account_id: accountId, routing_status: 'routed', signal_status: 'pending' })
    .andWhere('received_at', '<', stuckBefore)
    .first(
      deps.db.raw('count(*) as count'),
      deps.db.raw('min(received_at) as first'),
      deps.db.raw('max(last_signal_error) as error'),
    );
  const unroutedCount = Number(unrouted?.count ?? 0);
  const stuckCount = Number(stuck?.count ?? 0);
  if (unroutedCount > 0) {
    return fail(
      'waiting',
      title,
      `${unroutedCount} deliveries for office ${officeId} are still unrouted although the office is linked`,
      `${CLI} replay --account ${accountId} --from ${new Date(unrouted!.first as string).toISOString()} --to ${now.toISOString()}`,
    );
  }
  if (stuckCount > 0) {
    return fail(
      'waiting',
      title,
      `${stuckCount} deliveries recorded but not yet handed to Temporal (oldest ${ago(new Date(stuck!.first as string), now)}${stuck?.error ? `; last error: ${String(stuck.error).slice(0, 120)}` : ''})`,
      'an ingress process relays them: check that one runs and that GET /readyz reports Temporal reachable',
    );
  }
  return pass('waiting', title, 'none: every delivery for this account reached Temporal');
}

async function unreadableNumbersCheck(deps: DoctorDeps, accountId: string): Promise<DoctorCheck> {
  const title = 'Phone numbers readable';
  const rows: { normalization_status: string; count: string | number }[] = await deps
    .db('record_phone_numbers')
    .where({ account_id: accountId })
    .whereIn('normalization_status', ['unreadable', 'pending'])
    .groupBy('normalization_status')
    .select('normalization_status', deps.db.raw('count(*) as count'));
  const count = (s: string) => Number(rows.find((r) => r.normalization_status === s)?.count ?? 0);
  const unreadable = count('unreadable');
  const pending = count('pending');
  if (unreadable > 0) {
    const examples: { entity_type: string; entity_id: string; normalization_error: string | null }[] = await deps
      .db('record_phone_numbers')
      .where({ account_id: accountId, normalization_status: 'unreadable' })
      .orderBy('updated_at', 'desc')
      .limit(3)
      .select('entity_type', 'entity_id', 'normalization_error');
    return warn(
      'phone_numbers',
      title,
      `${unreadable} number(s) cannot be read, so calls from them never match (e.g. ${examples.map((e) => `${e.entity_type} ${e.entity_id}: ${e.normalization_error ?? 'unreadable'}`).join('; ')})`,
      "correct them on the records in Navigator (international format, e.g. +44 20 7946 0018, always reads); the account's default_region decides how national numbers are read",
    );
  }
  return pass('phone_numbers', title, `every number readable${pending ? ` (${pending} not normalised yet)` : ''}`);
}

async function callsCheck(deps: DoctorDeps, accountId: string): Promise<DoctorCheck> {
  const title = 'Calls linked';
  const row = await deps
    .db('calls')
    .where({ account_id: accountId, source: 'dialpad' })
    .first(
      deps.db.raw('count(*) as total'),
      deps.db.raw('count(*) filter (where linked_entity_id is null and not is_internal) as standalone'),
      deps.db.raw('count(*) filter (where needs_review) as needs_review'),
    );
  const total = Number(row?.total ?? 0);
  const standalone = Number(row?.standalone ?? 0);
  const review = Number(row?.needs_review ?? 0);
  const detail = `${total} Dialpad call(s): ${standalone} stand-alone, ${review} need review`;
  if (review > 0) {
    return warn(
      'calls',
      title,
      detail,
      'calls needing review were linked to one of several records with the same number: confirm or change the link in Navigator (PUT /api/calls/:id/link)',
    );
  }
  return pass('calls', title, detail);
}

async function scheduleChecks(deps: DoctorDeps, accountId: string): Promise<DoctorCheck[]> {
  return Promise.all(SCHEDULE_KINDS.map((kind) => scheduleCheck(deps, accountId, kind)));
}

async function scheduleCheck(deps: DoctorDeps, accountId: string, kind: ScheduleKind): Promise<DoctorCheck> {
  const id = `schedule_${kind}`;
  const title = `Schedule ${kind} sync`;
  if (!deps.temporal) return warn(id, title, 'not checked: no Temporal connection here');
  let s;
  try {
    s = await describeSchedule(deps.temporal.client, accountId, kind);
  } catch (err) {
    return warn(id, title, `could not describe ${scheduleId(kind, accountId)}: ${message(err)}`);
  }
  if (!s.present) {
    return warn(
      id,
      title,
      `${s.scheduleId} is not created`,
      "the account's sync schedules are created when its sync is set up; until then the directory and contacts are not kept in step",
    );
  }
  if (s.paused) {
    return warn(
      id,
      title,
      `${s.scheduleId} is paused${s.note ? ` (${s.note})` : ''}`,
      `${CLI} schedules unpause --account ${accountId} --kind ${kind}`,
    );
  }
  const failed = s.recentRuns.filter(isFailedRun);
  const latest = s.recentRuns[0];
  if (latest && isFailedRun(latest)) {
    return fail(
      id,
      title,
      `the last run (${latest.workflowId}) ended ${latest.status}; ${failed.length} of the last ${s.recentRuns.length} failed`,
      `open ${latest.workflowId} in the Temporal UI for the error; run it again with ${CLI} schedules trigger --account ${accountId} --kind ${kind}`,
    );
  }
  const next = s.nextRunAt ? `next run ${s.nextRunAt}` : 'no next run';
  if (failed.length > 0) {
    return warn(
      id,
      title,
      `${failed.length} of the last ${s.recentRuns.length} runs failed, the latest succeeded; ${next}`,
      `see the failed runs of ${s.scheduleId} in the Temporal UI`,
    );
  }
  return pass(id, title, `${s.recentRuns.length ? `last run ${latest!.status.toLowerCase()}` : 'no run yet'}; ${next}`);
}
