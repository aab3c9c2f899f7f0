import type { Knex } from 'knex';
import { dedupeKey, type CallEventSignal, type CallLegEvent } from '../domain/call-event';

/** The durable record of accepted webhook deliveries (`dialpad_webhook_deliveries`). */
export interface RecordedDelivery {
  id: string;
  duplicate: boolean;
}

export interface PendingDelivery {
  id: string;
  accountId: string;
  officeId: string | null;
  event: CallLegEvent;
}

const REJECTIONS_KEPT = 10_000;

export class DeliveryStore {
  constructor(private readonly db: Knex) {}

  async record(input: {
    event: CallLegEvent;
    officeId: string | null;
    accountId: string | null;
    verifiedWith: 'current' | 'previous' | 'unsigned';
  }): Promise<RecordedDelivery> {
    const e = input.event;
    const inserted = await this.db('dialpad_webhook_deliveries')
      .insert({
        dedupe_key: dedupeKey(e),
        call_id: e.callId,
        state: e.state,
        event_timestamp: e.eventTimestamp,
        office_id: input.officeId,
        target_type: e.target?.type ?? null,
        target_id: e.target?.id ?? null,
        account_id: input.accountId,
        routing_status: input.accountId ? 'routed' : 'unrouted',
        verified_with: input.verifiedWith,
        payload: JSON.stringify(e),
      })
      .onConflict('dedupe_key')
      .ignore()
      .returning('id');
    if (inserted.length > 0) return { id: String((inserted[0] as { id: number }).id), duplicate: false };
    const existing = await this.db('dialpad_webhook_deliveries')
      .where({ dedupe_key: dedupeKey(e) })
      .first('id');
    return { id: String(existing?.id), duplicate: true };
  }

  async markSignalled(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db('dialpad_webhook_deliveries')
      .whereIn('id', ids)
      .update({ signal_status: 'signalled', signalled_at: this.db.fn.now() });
  }

  /**
   * Claims routed deliveries not yet signalled whose `relay_after` has come (a fresh one is left to
   * the request that recorded it) and hands them to `deliver`; those it returns as done are marked,
   * failures back off.
   * SKIP LOCKED lets every ingress process run a relay without two sending the same delivery.
   */
  async relayPending(
    deliver: (batch: PendingDelivery[]) => Promise<{ done: string[]; failed: { id: string; error: string }[] }>,
    opts: { limit?: number } = {},
  ): Promise<{ claimed: number; done: number; failed: number }> {
    return this.db.transaction(async (trx) => {
      const rows: { id: number; account_id: string; office_id: string | null; payload: CallLegEvent }[] = await trx(
        'dialpad_webhook_deliveries',
      )
        .where({ signal_status: 'pending', routing_status: 'routed' })
        .andWhere('relay_after', '<=', trx.fn.now())
        .orderBy('id')
        .limit(opts.limit ?? 200)
        .forUpdate()
        .skipLocked()
        .select('id', 'account_id', 'office_id', 'payload');
      if (rows.length === 0) return { claimed: 0, done: 0, failed: 0 };
      const result = await deliver(
        rows.map((r) => ({ id: String(r.id), accountId: r.account_id, officeId: r.office_id, event: r.payload })),
      );
      if (result.done.length) {
        await trx('dialpad_webhook_deliveries')
          .whereIn('id', result.done)
          .update({
            signal_status: 'signalled',
            signalled_at: trx.fn.now(),
            signal_attempts: trx.raw('signal_attempts + 1'),
          });
      }
      for (const f of result.failed) {
        await trx('dialpad_webhook_deliveries')
          .where({ id: f.id })
          .update({
            signal_attempts: trx.raw('signal_attempts + 1'),
            last_signal_error: f.error.slice(0, 500),
            relay_after: trx.raw(
              "now() + least(interval '30 seconds', interval '1 second' * power(2, least(signal_attempts, 5)))",
            ),
          });
      }
      return { claimed: rows.length, done: result.done.length, failed: result.failed.length };
    });
  }

  /** Deliveries waiting for an office that is now linked become routed; the relay sends them. */
  async routeWaiting(officeId: string, accountId: string): Promise<number> {
    return this.db('dialpad_webhook_deliveries').where({ office_id: officeId, routing_status: 'unrouted' }).update({
      account_id: accountId,
      routing_status: 'routed',
      signal_status: 'pending',
      relay_after: this.db.fn.now(),
    });
  }

  async recordRejection(r: {
    statusCode: number;
    reason: string;
    detail: string;
    sourceAddress: string;
    bodyBytes: number;
  }) {
    const [row] = await this.db('dialpad_webhook_rejections')
      .insert({
        status_code: r.statusCode,
        reason: r.reason,
        detail: r.detail.slice(0, 500),
        source_address: r.sourceAddress,
        body_bytes: r.bodyBytes,
      })
      .returning('id');
    const id = Number((row as { id: number }).id);
    // Keep the log bounded without a separate job.
    if (id % 100 === 0)
      await this.db('dialpad_webhook_rejections')
        .where('id', '<=', id - REJECTIONS_KEPT)
        .delete();
  }
}

export function signalFromDelivery(d: PendingDelivery): CallEventSignal {
  return { deliveryId: d.id, accountId: d.accountId, officeId: d.officeId, event: d.event };
}

/**
 * Gathers the ids the ingress signalled over a few milliseconds and marks them in one UPDATE, so a
 * busy ingress writes one statement per batch instead of one per webhook. A mark lost to a crash
 * or an outage only makes the relay send that event again, and a repeated signal is deduplicated by
 * the call workflow.
 */
export class SignalledMarks {
  private ids: string[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly writing = new Set<Promise<void>>();

  constructor(
    private readonly store: Pick<DeliveryStore, 'markSignalled'>,
    private readonly onError: (err: unknown, count: number) => void,
    private readonly opts: { delayMs: number; maxBatch: number } = { delayMs: 10, maxBatch: 500 },
  ) {}

  add(id: string): void {
    this.ids.push(id);
    if (this.ids.length >= this.opts.maxBatch) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.opts.delayMs);
  }

  /** Writes what is gathered now; resolves when every write started so far has ended. */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.ids;
    this.ids = [];
    if (batch.length > 0) {
      const write = this.store.markSignalled(batch).catch((err: unknown) => this.onError(err, batch.length));
      this.writing.add(write);
      void write.finally(() => this.writing.delete(write));
    }
    await Promise.all([...this.writing]);
  }
}
