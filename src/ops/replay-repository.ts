import type { Knex } from 'knex';
import type { CallLegEvent, LeftOutField } from '../../workflows/shared/call-event';
import type { ReplaySelection } from './replay';

/**
 * What `replay` reads and writes in `dialpad_webhook_deliveries` and `dialpad_webhook_refused_events`,
 * inside the transaction `replayDeliveries` holds. Lists of ids go in chunks so no statement
 * carries too many parameters.
 */
export interface SelectedRow {
  id: number;
  state: string;
  routing_status: string;
  signal_status: string;
  office_id: string | null;
  account_id: string | null;
  claims_text: string | null;
}

export interface RefusedRow {
  id: number;
  verified_with: 'current' | 'previous' | 'unsigned';
  claims_text: string | null;
}

/**
 * The deliveries the selection names, locked: for a call id, the leg itself or every leg of the
 * conversation whose entry leg it is; otherwise the range (or the dead letters) plus the
 * `recovered` deliveries, narrowed to the account (its deliveries, and those of its office or, with
 * no office, those not routed to any account).
 */
export async function lockSelectedDeliveries(
  trx: Knex.Transaction,
  selection: ReplaySelection,
  officeOfAccount: string | null,
  recovered: string[],
): Promise<SelectedRow[]> {
  const q = trx('dialpad_webhook_deliveries as d');
  if ('callId' in selection) {
    q.where((w) =>
      w
        .where('d.call_id', selection.callId)
        .orWhereIn(
          'd.call_id',
          trx('dialpad_call_legs as l')
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
  return q
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
}

export async function setDeliveryRoute(
  trx: Knex.Transaction,
  id: number,
  route: { routing_status: string; account_id: string | null; office_id: string | null },
): Promise<void> {
  await trx('dialpad_webhook_deliveries').where({ id }).update(route);
}

/** Writes what the current parser made of each delivery's claims. */
export async function writeReparsed(
  trx: Knex.Transaction,
  reparsed: { id: number; payload: CallLegEvent; left_out: LeftOutField[] | null }[],
): Promise<void> {
  for (const chunk of chunks(reparsed, 500)) {
    await trx.raw(
      `update dialpad_webhook_deliveries d set payload = x.payload, left_out = x.left_out
         from jsonb_to_recordset(?::jsonb) as x(id bigint, payload jsonb, left_out jsonb)
        where d.id = x.id`,
      [JSON.stringify(chunk)],
    );
  }
}

/** Routes these deliveries to the account; returns how many rows changed. */
export async function routeDeliveries(trx: Knex.Transaction, ids: number[], accountId: string): Promise<number> {
  let routed = 0;
  for (const chunk of chunks(ids)) {
    routed += await trx('dialpad_webhook_deliveries')
      .whereIn('id', chunk)
      .update({ account_id: accountId, routing_status: 'routed' });
  }
  return routed;
}

/** Puts these deliveries back in the relay's queue, counting the replay. */
export async function requeueDeliveries(trx: Knex.Transaction, ids: number[]): Promise<void> {
  for (const chunk of chunks(ids)) {
    await trx('dialpad_webhook_deliveries')
      .whereIn('id', chunk)
      .update({
        signal_status: 'pending',
        relay_after: trx.fn.now(),
        last_signal_error: null,
        replays: trx.raw('replays + 1'),
      });
  }
}

/** Refused bodies received in the range and not recovered yet, locked. */
export async function lockRefusedInRange(
  trx: Knex.Transaction,
  range: { from: Date; to: Date },
): Promise<RefusedRow[]> {
  return trx('dialpad_webhook_refused_events')
    .whereNull('recovered_at')
    .andWhere('received_at', '>=', range.from)
    .andWhere('received_at', '<', range.to)
    .forUpdate()
    .select('id', 'verified_with', trx.raw('claims::text as claims_text'));
}

export async function markRefusedRecovered(trx: Knex.Transaction, id: number, deliveryId: string): Promise<void> {
  await trx('dialpad_webhook_refused_events')
    .where({ id })
    .update({ recovered_delivery_id: deliveryId, recovered_at: trx.fn.now() });
}

/** How many of these deliveries are still pending. */
export async function countPending(db: Knex, deliveryIds: string[]): Promise<number> {
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

export interface DeadLetter {
  deliveryId: string;
  callId: string;
  state: string;
  accountId: string | null;
  receivedAt: Date;
  deadLetteredAt: Date | null;
  attempts: number;
  error: string | null;
}

/** The dead letters, newest first, of one account or all. */
export async function deadLetterRows(db: Knex, opts: { accountId?: string; limit: number }): Promise<DeadLetter[]> {
  const q = db('dialpad_webhook_deliveries')
    .where({ signal_status: 'dead_letter' })
    .orderBy('dead_lettered_at', 'desc')
    .limit(opts.limit)
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
