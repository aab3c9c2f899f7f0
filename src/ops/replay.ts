import type { Knex } from 'knex';
import { recordAudit, type Actor } from './audit';
import { OpsError } from './errors';
import { assertAccountId, getAccount } from './office';

/**
 * Re-processing stored webhook deliveries. Chosen mechanism: the deliveries are put back in the
 * ingress relay's queue (signal_status 'pending', relay_after now), and the relay that runs in
 * every ingress process sends them to their call workflows — durable, shared safely between
 * processes (SKIP LOCKED), retried with backoff, and needing no Temporal connection here.
 *
 * What a replayed event does: a call workflow that already finished starts a new run that merges
 * the event into what Postgres holds and then re-runs matching and the Ai collection; a run still
 * open already has the event and ignores it as a duplicate. Deliveries that waited for an office
 * now linked are routed first; those whose office is still unlinked stay where they are.
 */
export type ReplaySelection = { callId: string } | { from: Date; to: Date; accountId?: string };

export interface ReplayResult {
  /** Deliveries matching the selection. */
  selected: number;
  /** Put back in the relay's queue. */
  requeued: number;
  /** Among those, deliveries that had waited for their office and are now routed. */
  newlyRouted: number;
  /** Still waiting for an office no account is linked to: linking it (set-office) releases them. */
  stillUnrouted: number;
  waitingOffices: string[];
  /** Ids of the requeued deliveries, to watch them leave the queue. */
  deliveryIds: string[];
}

const CALL_ID = /^[0-9]{1,19}$/;

export async function replayDeliveries(db: Knex, selection: ReplaySelection, who: Actor): Promise<ReplayResult> {
  let accountForAudit: string | null = null;
  let officeOfAccount: string | null = null;
  if ('callId' in selection) {
    if (!CALL_ID.test(selection.callId))
      throw new OpsError(
        'bad_request',
        `call id must be Dialpad's numeric id (got ${JSON.stringify(selection.callId)})`,
      );
  } else {
    if (!(selection.from.getTime() < selection.to.getTime()))
      throw new OpsError('bad_request', '--from must be before --to');
    if (selection.accountId) {
      assertAccountId(selection.accountId);
      const account = await getAccount(db, selection.accountId);
      accountForAudit = account.id;
      officeOfAccount = account.officeId;
    }
  }

  const select = (q: Knex.QueryBuilder) => {
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
      q.where('d.received_at', '>=', selection.from).andWhere('d.received_at', '<', selection.to);
      if (selection.accountId) {
        const accountId = selection.accountId;
        q.where((w) => {
          w.where('d.account_id', accountId);
          if (officeOfAccount) w.orWhere('d.office_id', officeOfAccount);
        });
      }
    }
    return q;
  };

  const result = await db.transaction(async (trx) => {
    const rows: { id: number; routing_status: string; office_id: string | null; account_id: string | null }[] =
      await select(trx('dialpad_webhook_deliveries as d'))
        .whereNot('d.routing_status', 'ignored')
        .forUpdate()
        .select('d.id', 'd.routing_status', 'd.office_id', 'd.account_id');
    const unroutedOffices = [
      ...new Set(rows.filter((r) => r.routing_status === 'unrouted' && r.office_id).map((r) => r.office_id!)),
    ];
    const linked: { id: string; dialpad_office_id: string }[] = unroutedOffices.length
      ? await trx('accounts').whereIn('dialpad_office_id', unroutedOffices).select('id', 'dialpad_office_id')
      : [];
    const accountOfOffice = new Map(linked.map((a) => [a.dialpad_office_id, a.id]));

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
        .update({ signal_status: 'pending', relay_after: trx.fn.now(), last_signal_error: null });
    }
    const still = rows.filter((r) => r.routing_status === 'unrouted');
    const r: ReplayResult = {
      selected: rows.length,
      requeued: routedIds.length,
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
          : {
              from: selection.from.toISOString(),
              to: selection.to.toISOString(),
              accountId: selection.accountId ?? null,
            }),
        selected: r.selected,
        requeued: r.requeued,
        stillUnrouted: r.stillUnrouted,
      },
    });
    return r;
  });
  return result;
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

function chunks<T>(items: T[], size = 1000): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
