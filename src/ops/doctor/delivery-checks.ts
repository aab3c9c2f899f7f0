import { ago, CLI, fail, HOUR, noOffice, pass, warn } from './common';
import * as repo from './repository';
import type { DoctorCheck, DoctorDeps } from './types';

// Webhook deliveries: refused, set aside, received, and waiting to reach Temporal.

const DELIVERY_RECENT_MS = 24 * HOUR;
const SIGNATURE_WINDOW_MS = 24 * HOUR;
/** A routed delivery the relay has not sent after this long points at the relay or Temporal. */
const RELAY_STUCK_MS = 2 * 60_000;
/** Reasons that mean the body was not signed with a secret we know. */
const SECRET_REASONS = ['bad_signature', 'unsigned_body'];

/**
 * Events taken but not applied: dead letters (a call run could not apply them), and verified bodies
 * refused for want of a call id or state. Also which fields of accepted events were left out.
 */
export async function setAsideCheck(deps: DoctorDeps, now: Date): Promise<DoctorCheck> {
  const title = 'Events set aside';
  const since = new Date(now.getTime() - 7 * 24 * HOUR);
  const dead = await repo.deadLetterSummary(deps.db);
  const refused = await repo.refusedSummary(deps.db, since);
  const leftOut = await repo.topLeftOutFields(deps.db, new Date(now.getTime() - SIGNATURE_WINDOW_MS));
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

export async function signatureFailuresCheck(deps: DoctorDeps, now: Date): Promise<DoctorCheck> {
  const title = 'Refused deliveries (24 h)';
  const since = new Date(now.getTime() - SIGNATURE_WINDOW_MS);
  const rows = await repo.rejectionsSince(deps.db, new Date(since.getTime() - 60_000));
  const viaPrevious = await repo.countVerifiedWithPrevious(deps.db, since);
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

export async function deliveriesCheck(
  deps: DoctorDeps,
  accountId: string,
  officeId: string | null,
  now: Date,
): Promise<DoctorCheck> {
  const title = 'Deliveries received';
  if (!officeId) return noOffice('deliveries', title);
  const since = new Date(now.getTime() - DELIVERY_RECENT_MS);
  const row = await repo.deliveryActivity(deps.db, officeId, accountId, since);
  if (!row?.last) {
    return warn(
      'deliveries',
      title,
      `no webhook delivery has ever arrived for office ${officeId}`,
      'if calls were made, Dialpad is not sending: see the webhook and subscription checks; calls missed meanwhile can be backfilled',
    );
  }
  const last = new Date(row.last);
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

export async function waitingDeliveriesCheck(
  deps: DoctorDeps,
  accountId: string,
  officeId: string | null,
  now: Date,
): Promise<DoctorCheck> {
  const title = 'Deliveries waiting';
  if (!officeId) {
    const waiting = await repo.topUnroutedOffices(deps.db);
    if (waiting.length === 0) return noOffice('waiting', title);
    return warn(
      'waiting',
      title,
      `deliveries wait for offices no account is linked to: ${waiting.map((w) => `${w.office_id ?? 'unknown office'} (${w.count})`).join(', ')}`,
      `if one is this account's office, ${CLI} set-office --account ${accountId} --office <that id> releases its deliveries`,
    );
  }
  const unrouted = await repo.unroutedOfOffice(deps.db, officeId);
  const stuckBefore = new Date(now.getTime() - RELAY_STUCK_MS);
  const stuck = await repo.stuckOfAccount(deps.db, accountId, stuckBefore);
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
