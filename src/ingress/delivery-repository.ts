import type { Knex } from 'knex';
import { dedupeKey, type CallEventRef, type CallLegEvent, type LeftOutField } from '../../workflows/shared/call-event';
import { isDataError } from '../db/errors';
import { storableClaimsText } from './claims-text';
import { storableText } from './validate';

/** The durable record of accepted webhook deliveries (`dialpad_webhook_deliveries`). */
export interface RecordedDelivery {
  id: string;
  duplicate: boolean;
}

export interface PendingDelivery {
  id: string;
  accountId: string;
  officeId: string | null;
  ref: CallEventRef;
  /** How many times `replay` has sent it again (0 for a first delivery). */
  replays: number;
  /** The trace context of the request that recorded it (tracing on), continued when it is signalled. */
  traceparent: string | null;
}

/** Verified bodies refused with 400 kept for replay (only Dialpad can send them: no flood risk). */
const REFUSED_KEPT = 10_000;

/** A verified event to record as a delivery. */
export interface DeliveryInput {
  event: CallLegEvent;
  officeId: string | null;
  accountId: string | null;
  verifiedWith: 'current' | 'previous' | 'unsigned';
  /** The verified JSON text; absent when only the typed event is known. */
  claimsText?: string | null;
  leftOut?: LeftOutField[];
  ignored?: boolean;
  /** Set when the event is stored as a dead letter straight away. */
  deadLetter?: { error: string; attempts: number };
  /** The W3C traceparent of the request that recorded it (only while tracing is on). */
  traceparent?: string | null;
}

export class DeliveryStore {
  constructor(private readonly db: Knex) {}

  /**
   * Records a verified event: its claims as received, the typed event, and what was left out of it.
   * An event whose state is not acted on is kept as `ignored` (nothing to route or signal). A
   * duplicate (same call, state and event time) is not stored twice.
   */
  async record(input: DeliveryInput): Promise<RecordedDelivery> {
    const e = input.event;
    const insert = (claims: Knex.Raw | null) =>
      this.db('dialpad_webhook_deliveries')
        .insert(this.row(input, claims))
        .onConflict('dedupe_key')
        .ignore()
        .returning('id');
    let inserted: { id: number }[];
    try {
      inserted = await insert(input.claimsText ? this.db.raw('?::jsonb', [input.claimsText]) : null);
    } catch (err) {
      // jsonb refuses a few things JSON allows (\u0000, unpaired surrogate escapes, numbers past
      // numeric's range, very deep nesting): keep the claims' text rather than lose the event.
      if (!isDataError(err) || !input.claimsText) throw err;
      inserted = await insert(this.db.raw('?::jsonb', [storableClaimsText(input.claimsText)]));
    }
    if (inserted.length > 0) return { id: String(inserted[0]!.id), duplicate: false };
    const existing = await this.db('dialpad_webhook_deliveries')
      .where({ dedupe_key: dedupeKey(e) })
      .first('id');
    return { id: String(existing?.id), duplicate: true };
  }

  /** A delivery's row (claims given as the jsonb to write, or null). */
  private row(input: DeliveryInput, claims: Knex.Raw | null) {
    const e = input.event;
    return {
      dedupe_key: dedupeKey(e),
      call_id: e.callId,
      state: e.state,
      event_timestamp: e.eventTimestamp,
      office_id: input.officeId,
      target_type: e.target?.type ?? null,
      target_id: e.target?.id ?? null,
      account_id: input.ignored ? null : input.accountId,
      routing_status: input.ignored ? 'ignored' : input.accountId ? 'routed' : 'unrouted',
      ...(input.ignored ? { signal_status: 'not_needed' } : {}),
      ...(input.deadLetter
        ? {
            signal_status: 'dead_letter',
            apply_error: input.deadLetter.error.slice(0, 2000),
            apply_attempts: input.deadLetter.attempts,
            dead_lettered_at: this.db.fn.now(),
          }
        : {}),
      verified_with: input.verifiedWith,
      payload: JSON.stringify(e),
      claims,
      left_out: input.leftOut?.length ? JSON.stringify(input.leftOut) : null,
      ...(input.traceparent ? { traceparent: input.traceparent } : {}),
    };
  }

  /** Records deliveries of states not acted on in one statement (one by one if a claim is refused). */
  async recordIgnored(batch: DeliveryInput[]): Promise<void> {
    if (batch.length === 0) return;
    const rows = batch.map((input) =>
      this.row({ ...input, ignored: true }, input.claimsText ? this.db.raw('?::jsonb', [input.claimsText]) : null),
    );
    try {
      await this.db('dialpad_webhook_deliveries').insert(rows).onConflict('dedupe_key').ignore();
    } catch (err) {
      if (!isDataError(err)) throw err;
      for (const input of batch) await this.record({ ...input, ignored: true });
    }
  }

  /**
   * Keeps a verified body that could not become an event (400): its claims, or its text when it is
   * not a JSON object, with the reason. Bounded: the oldest go beyond REFUSED_KEPT.
   */
  async recordRefused(r: {
    verifiedWith: 'current' | 'previous' | 'unsigned';
    reason: string;
    detail: string;
    payloadText: string;
    isObject: boolean;
    bodyBytes: number;
  }): Promise<string> {
    const base = {
      verified_with: r.verifiedWith,
      reason: r.reason,
      detail: r.detail.slice(0, 500),
      body_bytes: r.bodyBytes,
    };
    const insert = (fields: Record<string, unknown>) =>
      this.db('dialpad_webhook_refused_events')
        .insert({ ...base, ...fields })
        .returning('id');
    let rows: { id: number }[];
    if (r.isObject) {
      try {
        rows = await insert({ claims: this.db.raw('?::jsonb', [r.payloadText]) });
      } catch (err) {
        if (!isDataError(err)) throw err;
        rows = await insert({ claims: this.db.raw('?::jsonb', [storableClaimsText(r.payloadText)]) });
      }
    } else {
      rows = await insert({ payload_text: storableText(r.payloadText) });
    }
    const id = Number(rows[0]!.id);
    if (id % 100 === 0) {
      await this.db('dialpad_webhook_refused_events')
        .where('id', '<=', id - REFUSED_KEPT)
        .delete();
    }
    return String(id);
  }

  /** The typed event a delivery holds (call runs read it here: signals carry only the id). */
  async eventOf(deliveryId: string): Promise<CallLegEvent> {
    return (await this.receivedEventOf(deliveryId)).event;
  }

  /** The event and when the ingress received it (for the end-to-end latency). */
  async receivedEventOf(deliveryId: string): Promise<{ event: CallLegEvent; receivedAt: Date }> {
    const row = await this.db('dialpad_webhook_deliveries').where({ id: deliveryId }).first('payload', 'received_at');
    if (!row) throw new Error(`delivery ${deliveryId} not found`);
    return { event: row.payload as CallLegEvent, receivedAt: new Date(row.received_at as string) };
  }

  /**
   * Sets aside an event its call run could not apply: it stays out of the relay's queue until
   * `replay` puts it back.
   */
  async deadLetter(input: { deliveryId: string; error: string; attempts: number }): Promise<void> {
    await this.db('dialpad_webhook_deliveries')
      .where({ id: input.deliveryId })
      .update({
        signal_status: 'dead_letter',
        apply_error: input.error.slice(0, 2000),
        apply_attempts: this.db.raw('apply_attempts + ?', [input.attempts]),
        dead_lettered_at: this.db.fn.now(),
      });
  }

  /** A dead letter for an event no row held yet (the ingress could not record it). Returns its id. */
  async deadLetterUnrecorded(input: DeliveryInput, failure: { error: string; attempts: number }): Promise<string> {
    const recorded = await this.record({ ...input, deadLetter: failure });
    if (recorded.duplicate) await this.deadLetter({ deliveryId: recorded.id, ...failure });
    return recorded.id;
  }

  /** Whether a delivery of `state` for the leg `callId` has been recorded. */
  async hasEventOf(callId: string, state: string): Promise<boolean> {
    return (await this.db('dialpad_webhook_deliveries').where({ call_id: callId, state }).first('id')) !== undefined;
  }

  async markSignalled(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db('dialpad_webhook_deliveries')
      .whereIn('id', ids)
      .update({ signal_status: 'signalled', signalled_at: this.db.fn.now() });
  }

  /**
   * Marks deliveries the ingress folded into Postgres itself and whose call run had nothing to hear
   * (src/ingress/transitions.ts): no signal is needed, so the relay leaves them. Only while still
   * pending: one the relay sent meanwhile stays signalled.
   */
  async markFolded(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db('dialpad_webhook_deliveries')
      .whereIn('id', ids)
      .andWhere({ signal_status: 'pending' })
      .update({ signal_status: 'not_needed' });
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
      const rows: {
        id: number;
        account_id: string;
        office_id: string | null;
        call_id: string;
        state: string;
        event_timestamp: number | null;
        replays: number;
        traceparent: string | null;
      }[] = await trx('dialpad_webhook_deliveries')
        .where({ signal_status: 'pending', routing_status: 'routed' })
        .andWhere('relay_after', '<=', trx.fn.now())
        .orderBy('id')
        .limit(opts.limit ?? 200)
        .forUpdate()
        .skipLocked()
        .select('id', 'account_id', 'office_id', 'call_id', 'state', 'event_timestamp', 'replays', 'traceparent');
      if (rows.length === 0) return { claimed: 0, done: 0, failed: 0 };
      const result = await deliver(
        rows.map((r) => ({
          id: String(r.id),
          accountId: r.account_id,
          officeId: r.office_id,
          ref: { callId: r.call_id, state: r.state, eventTimestamp: r.event_timestamp },
          replays: r.replays,
          traceparent: r.traceparent,
        })),
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
}
