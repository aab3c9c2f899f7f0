import type { Knex } from 'knex';
import { ACTED_ON_STATES, type CallLegEvent, type LeftOutField } from '../../workflows/shared/call-event';
import { claimsTextOf } from '../ingress/claims-text';
import { DeliveryStore } from '../ingress/delivery-repository';
import { routeEvent } from '../ingress/routing';
import { parseDialpadJson } from '../dialpad/json';
import { callIdOf, parseCallEvent, UnusableEventError } from '../ingress/validate';
import { recordAudit, type Actor } from './audit';
import { OpsError } from './errors';
import { assertAccountId, getAccount } from './office';
import { findAccountsByOffices } from '../accounts/repository';

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

interface SelectedRow {
  id: number;
  state: string;
  routing_status: string;
  signal_status: string;
  office_id: string | null;
  account_id: string | null;
  claims_text: string | null;
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

  const select = (q: Knex.QueryBuilder, recovered: string[]) => {
    if ('callId' in selection) {
      // The leg itself, or every leg of the conversation whose entry leg is this id.
      q.where((w) =>
        w
          .where('d.call_id', selection.callId)
          .orWhereIn(
            'd.call_id',
            db('dialpad_call_legs as l')
              .join('calls as c', 'c.id', 'l.call_row_id')
              .where('c.dialpad_call_id', selection.callId)
              .select('l.call_id'),
          ),
      );
    } else {
      q.where((w) => {
        if ('from' in selection)
          w.where('d.received_at', '>=', selection.from).andWhere('d.received_at', '<', selection.to);
        else w.where('d.signal_status', 'dead_letter');
        if (recovered.length) w.orWhereIn('d.id', recovered);
      });
      if (selection.accountId) {
        const accountId = selection.accountId;
        q.where((w) => {
          w.where('d.account_id', accountId);
          if (officeOfAccount) w.orWhere('d.office_id', officeOfAccount);
          else w.orWhereNull('d.account_id');
        });
      }
    }
    return q;
  };

  return db.transaction(async (trx) => {
    const store = new DeliveryStore(trx);
    const recovered = 'from' in selection ? await recoverRefused(trx, store, selection, ofAccount) : null;

    const rows: SelectedRow[] = await select(trx('dialpad_webhook_deliveries as d'), recovered?.ids ?? [])
      .forUpdate()
      .select(
        'd.id',
        'd.state',
        'd.routing_status',
        'd.signal_status',
        'd.office_id',
        'd.account_id',
        trx.raw('d.claims::text as claims_text'),
      );
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
        await trx('dialpad_webhook_deliveries')
          .where({ id: r.id })
          .update({ routing_status: r.routing_status, account_id: r.account_id, office_id: r.office_id });
      }
    }
    for (const chunk of chunks(reparsed, 500)) {
      await trx.raw(
        `update dialpad_webhook_deliveries d set payload = x.payload, left_out = x.left_out
           from jsonb_to_recordset(?::jsonb) as x(id bigint, payload jsonb, left_out jsonb)
          where d.id = x.id`,
        [JSON.stringify(chunk)],
      );
    }

    const unroutedOffices = [
      ...new Set(rows.filter((r) => r.routing_status === 'unrouted' && r.office_id).map((r) => r.office_id!)),
    ];
    const linked = await findAccountsByOffices(trx, unroutedOffices);
    const accountOfOffice = new Map(linked.map((a) => [a.officeId!, a.id]));

    let newlyRouted = 0;
    for (const [officeId, accountId] of accountOfOffice) {
      const ids = rows.filter((r) => r.routing_status === 'unrouted' && r.office_id === officeId).map((r) => r.id);
      for (const chunk of chunks(ids)) {
        newlyRouted += await trx('dialpad_webhook_deliveries')
          .whereIn('id', chunk)
          .update({ account_id: accountId, routing_status: 'routed' });
      }
      const routedNow = new Set(ids);
      for (const r of rows) if (routedNow.has(r.id)) r.routing_status = 'routed';
    }
    const routedIds = rows.filter((r) => r.routing_status === 'routed').map((r) => r.id);
    for (const chunk of chunks(routedIds)) {
      await trx('dialpad_webhook_deliveries')
        .whereIn('id', chunk)
        .update({
          signal_status: 'pending',
          relay_after: trx.fn.now(),
          last_signal_error: null,
          replays: trx.raw('replays + 1'),
        });
    }
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
  const refused: { id: number; verified_with: 'current' | 'previous' | 'unsigned'; claims_text: string | null }[] =
    await trx('dialpad_webhook_refused_events')
      .whereNull('recovered_at')
      .andWhere('received_at', '>=', range.from)
      .andWhere('received_at', '<', range.to)
      .forUpdate()
      .select('id', 'verified_with', trx.raw('claims::text as claims_text'));
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
    await trx('dialpad_webhook_refused_events')
      .where({ id: r.id })
      .update({ recovered_delivery_id: recorded.id, recovered_at: trx.fn.now() });
    ids.push(recorded.id);
  }
  return { ids, still };
}

/** How many of these deliveries the relay has not sent yet. */
export async function pendingAmong(db: Knex, deliveryIds: string[]): Promise<number> {
  let pending = 0;
  for (const chunk of chunks(deliveryIds)) {
    const [row] = await db('dialpad_webhook_deliveries')
      .whereIn('id', chunk)
      .where({ signal_status: 'pending' })
      .count<{ count: string | number }[]>('* as count');
    pending += Number(row?.count ?? 0);
  }
  return pending;
}

/** The dead letters (events a call run could not apply), newest first. */
export async function listDeadLetters(
  db: Knex,
  opts: { accountId?: string; limit?: number } = {},
): Promise<
  {
    deliveryId: string;
    callId: string;
    state: string;
    accountId: string | null;
    receivedAt: Date;
    deadLetteredAt: Date | null;
    attempts: number;
    error: string | null;
  }[]
> {
  if (opts.accountId) assertAccountId(opts.accountId);
  const q = db('dialpad_webhook_deliveries')
    .where({ signal_status: 'dead_letter' })
    .orderBy('dead_lettered_at', 'desc')
    .limit(opts.limit ?? 100)
    .select('id', 'call_id', 'state', 'account_id', 'received_at', 'dead_lettered_at', 'apply_attempts', 'apply_error');
  if (opts.accountId) q.where({ account_id: opts.accountId });
  const rows: {
    id: number;
    call_id: string;
    state: string;
    account_id: string | null;
    received_at: Date;
    dead_lettered_at: Date | null;
    apply_attempts: number;
    apply_error: string | null;
  }[] = await q;
  return rows.map((r) => ({
    deliveryId: String(r.id),
    callId: r.call_id,
    state: r.state,
    accountId: r.account_id,
    receivedAt: r.received_at,
    deadLetteredAt: r.dead_lettered_at,
    attempts: r.apply_attempts,
    error: r.apply_error,
  }));
}

function chunks<T>(items: T[], size = 1000): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
