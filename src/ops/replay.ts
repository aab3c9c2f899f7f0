import type { Knex } from 'knex';
import { ACTED_ON_STATES, type CallLegEvent, type LeftOutField } from '../../workflows/shared/call-event';
import { claimsTextOf } from '../ingress/claims-text';
import { DeliveryStore } from '../ingress/delivery-repository';
import { routeEvent } from '../ingress/routing';
import { parseDialpadJson } from '../dialpad/json';
import { callIdOf, parseCallEvent, UnusableEventError } from '../ingress/validate';
import { recordAudit, type Actor } from './audit-repository';
import { OpsError } from './errors';
import { assertAccountId, getAccount } from './office';
import { findAccountsByOffices } from '../accounts/repository';
import {
  countPending,
  deadLetterRows,
  lockRefusedInRange,
  lockSelectedDeliveries,
  markRefusedRecovered,
  requeueDeliveries,
  routeDeliveries,
  setDeliveryRoute,
  writeReparsed,
  type DeadLetter,
} from './replay-repository';

/**
 * Re-processing stored webhook deliveries. Every verified delivery keeps its claims as received, so
 * a replay reads them again with the current parser first: after a parser fix, `replay --from
 * --to` recovers what the old parser left out, and verified bodies it refused (kept in
 * `dialpad_webhook_refused_events`) become deliveries when they now have a usable call id and state.
 * Then the deliveries go back in the ingress relay's queue (signal_status 'pending', relay_after
 * now, `replays` + 1), and the relay in every ingress process sends them to their call workflows:
 * durable, shared safely between processes (SKIP LOCKED), retried with backoff, and needing no
 * Temporal connection here.
 *
 * What a replayed event does: a call run that already finished starts a new run that merges the
 * event into what Postgres holds (a late Ai event re-derives the insights); a run still open
 * applies it again, since a replay is told apart from a duplicate. Dead letters (events a run
 * could not apply) are replayed the same way, alone with `{ deadLetters: true }`. Deliveries that
 * waited for an office now linked are routed first; those whose office is still unlinked stay.
 */
export type ReplaySelection =
  { callId: string } | { from: Date; to: Date; accountId?: string } | { deadLetters: true; accountId?: string };

export interface ReplayResult {
  /** Deliveries matching the selection. */
  selected: number;
  /** Read again from their stored claims with the current parser. */
  reparsed: number;
  /** Verified bodies refused earlier that the current parser accepts: now deliveries. */
  recoveredRefused: number;
  /** Refused bodies in the range that the current parser still cannot use. */
  stillRefused: number;
  /** Put back in the relay's queue. */
  requeued: number;
  /** Among those, dead letters. */
  deadLetters: number;
  /** Among those, deliveries that had waited for their office and are now routed. */
  newlyRouted: number;
  /** Still waiting for an office no account is linked to: linking it (set-office) releases them. */
  stillUnrouted: number;
  waitingOffices: string[];
  /** Ids of the requeued deliveries, to watch them leave the queue. */
  deliveryIds: string[];
}

export async function replayDeliveries(db: Knex, selection: ReplaySelection, who: Actor): Promise<ReplayResult> {
  let accountForAudit: string | null = null;
  let officeOfAccount: string | null = null;
  if ('callId' in selection) {
    if (callIdOf(selection.callId) === null)
      throw new OpsError(
        'bad_request',
        `call id must be Dialpad's numeric id (got ${JSON.stringify(selection.callId)})`,
      );
  } else {
    if ('from' in selection && !(selection.from.getTime() < selection.to.getTime()))
      throw new OpsError('bad_request', '--from must be before --to');
    if (selection.accountId) {
      assertAccountId(selection.accountId);
      const account = await getAccount(db, selection.accountId);
      accountForAudit = account.id;
      officeOfAccount = account.officeId;
    }
  }
  const ofAccount = (accountId: string | null, officeId: string | null) =>
    !('accountId' in selection) ||
    !selection.accountId ||
    accountId === selection.accountId ||
    (officeOfAccount !== null && officeId === officeOfAccount);

  return db.transaction(async (trx) => {
    const store = new DeliveryStore(trx);
    const recovered = 'from' in selection ? await recoverRefused(trx, store, selection, ofAccount) : null;

    const rows = await lockSelectedDeliveries(trx, selection, officeOfAccount, recovered?.ids ?? []);
    const deadLetters = rows.filter((r) => r.signal_status === 'dead_letter').length;

    // Read every stored claims again with the current parser.
    const reparsed: { id: number; payload: CallLegEvent; left_out: LeftOutField[] | null }[] = [];
    for (const r of rows) {
      if (r.claims_text === null) continue;
      let event: CallLegEvent;
      let leftOut: LeftOutField[];
      try {
        ({ event, leftOut } = parseCallEvent(parseDialpadJson(claimsTextOf(r.claims_text)) as Record<string, unknown>));
      } catch (err) {
        if (err instanceof UnusableEventError) continue; // keeps what the parser of its day made of it
        throw err;
      }
      reparsed.push({ id: r.id, payload: event, left_out: leftOut.length ? leftOut : null });
      // A state not acted on before may be now: route it like a fresh delivery.
      if (r.routing_status === 'ignored' && ACTED_ON_STATES.has(event.state)) {
        const route = await routeEvent(trx, event);
        r.office_id = route.officeId;
        r.account_id = route.accountId;
        r.routing_status = route.accountId ? 'routed' : 'unrouted';
        await setDeliveryRoute(trx, r.id, {
          routing_status: r.routing_status,
          account_id: r.account_id,
          office_id: r.office_id,
        });
      }
    }
    await writeReparsed(trx, reparsed);

    const unroutedOffices = [
      ...new Set(rows.filter((r) => r.routing_status === 'unrouted' && r.office_id).map((r) => r.office_id!)),
    ];
    const linked = await findAccountsByOffices(trx, unroutedOffices);
    const accountOfOffice = new Map(linked.map((a) => [a.officeId!, a.id]));

    let newlyRouted = 0;
    for (const [officeId, accountId] of accountOfOffice) {
      const ids = rows.filter((r) => r.routing_status === 'unrouted' && r.office_id === officeId).map((r) => r.id);
      newlyRouted += await routeDeliveries(trx, ids, accountId);
      const routedNow = new Set(ids);
      for (const r of rows) if (routedNow.has(r.id)) r.routing_status = 'routed';
    }
    const routedIds = rows.filter((r) => r.routing_status === 'routed').map((r) => r.id);
    await requeueDeliveries(trx, routedIds);
    const still = rows.filter((r) => r.routing_status === 'unrouted');
    const result: ReplayResult = {
      selected: rows.length,
      reparsed: reparsed.length,
      recoveredRefused: recovered?.ids.length ?? 0,
      stillRefused: recovered?.still ?? 0,
      requeued: routedIds.length,
      deadLetters,
      newlyRouted,
      stillUnrouted: still.length,
      waitingOffices: [...new Set(still.map((x) => x.office_id ?? 'unknown'))],
      deliveryIds: routedIds.map(String),
    };
    const accountIds = [...new Set(rows.map((x) => x.account_id).filter((x): x is string => x !== null))];
    await recordAudit(trx, who, {
      action: 'replay_deliveries',
      accountId: accountForAudit ?? (accountIds.length === 1 ? accountIds[0]! : null),
      oldValue: null,
      newValue: {
        ...('callId' in selection
          ? { callId: selection.callId }
          : 'from' in selection
            ? {
                from: selection.from.toISOString(),
                to: selection.to.toISOString(),
                accountId: selection.accountId ?? null,
              }
            : { deadLetters: true, accountId: selection.accountId ?? null }),
        selected: result.selected,
        reparsed: result.reparsed,
        recoveredRefused: result.recoveredRefused,
        requeued: result.requeued,
        stillUnrouted: result.stillUnrouted,
      },
    });
    return result;
  });
}

/**
 * Verified bodies refused in the range (no usable call id or state then) that the current parser
 * accepts become deliveries; returns their ids and how many are still refused.
 */
async function recoverRefused(
  trx: Knex.Transaction,
  store: DeliveryStore,
  range: { from: Date; to: Date },
  ofAccount: (accountId: string | null, officeId: string | null) => boolean,
): Promise<{ ids: string[]; still: number }> {
  const refused = await lockRefusedInRange(trx, range);
  const ids: string[] = [];
  let still = 0;
  for (const r of refused) {
    if (r.claims_text === null) {
      still++;
      continue;
    }
    let parsed;
    try {
      parsed = parseCallEvent(parseDialpadJson(claimsTextOf(r.claims_text)) as Record<string, unknown>);
    } catch (err) {
      if (!(err instanceof UnusableEventError)) throw err;
      still++;
      continue;
    }
    const ignored = !ACTED_ON_STATES.has(parsed.event.state);
    const route = ignored ? { officeId: null, accountId: null } : await routeEvent(trx, parsed.event);
    if (!ofAccount(route.accountId, route.officeId)) continue;
    const recorded = await store.record({
      event: parsed.event,
      officeId: route.officeId,
      accountId: route.accountId,
      verifiedWith: r.verified_with,
      claimsText: claimsTextOf(r.claims_text),
      leftOut: parsed.leftOut,
      ignored,
    });
    await markRefusedRecovered(trx, r.id, recorded.id);
    ids.push(recorded.id);
  }
  return { ids, still };
}

/** How many of these deliveries the relay has not sent yet. */
export async function pendingAmong(db: Knex, deliveryIds: string[]): Promise<number> {
  return countPending(db, deliveryIds);
}

/** The dead letters (events a call run could not apply), newest first. */
export async function listDeadLetters(
  db: Knex,
  opts: { accountId?: string; limit?: number } = {},
): Promise<DeadLetter[]> {
  if (opts.accountId) assertAccountId(opts.accountId);
  return deadLetterRows(db, { ...(opts.accountId ? { accountId: opts.accountId } : {}), limit: opts.limit ?? 100 });
}
