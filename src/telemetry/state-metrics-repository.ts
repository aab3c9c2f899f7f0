import type { Knex } from 'knex';

/**
 * The Postgres state behind the state gauges (src/telemetry/state-metrics.ts), read in one
 * transaction with a statement timeout.
 */

export const SYNC_KINDS = ['directory', 'contact'] as const;
type SyncKind = (typeof SYNC_KINDS)[number];

interface SyncState {
  accounts: number;
  never: number;
  /** Age in seconds (database clock) of the least recently synced account that has synced. */
  oldestAgeS: number;
}

export interface StateSnapshot {
  relayBacklog: number;
  relayOldestAgeS: number;
  unroutedLinked: number;
  unroutedUnlinked: number;
  deadLetters: number;
  deadLetterOldestAgeS: number;
  refusedWaiting: number;
  /** Seconds since the newest delivery was received; null before the first. */
  lastDeliveryAgeS: number | null;
  sync: Record<SyncKind, SyncState>;
  pushBacklog: { create: number; update: number; failed: number };
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const optNum = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** The queries: each uses a partial index (pending, unrouted, dead letters) or a small table. */
export async function readState(db: Knex, statementTimeoutMs = 10_000): Promise<StateSnapshot> {
  return db.transaction(async (trx) => {
    await trx.raw(`set local statement_timeout = ${Math.max(1, Math.round(statementTimeoutMs))}`);
    const d = (
      await trx.raw(`
      select
        (select count(*) from dialpad_webhook_deliveries
          where signal_status = 'pending' and routing_status = 'routed') as relay_backlog,
        (select extract(epoch from now() - min(received_at)) from dialpad_webhook_deliveries
          where signal_status = 'pending' and routing_status = 'routed') as relay_oldest_age,
        (select count(*) from dialpad_webhook_deliveries d
          where d.routing_status = 'unrouted'
            and exists (select 1 from accounts a where a.dialpad_office_id = d.office_id)) as unrouted_linked,
        (select count(*) from dialpad_webhook_deliveries where routing_status = 'unrouted') as unrouted_all,
        (select count(*) from dialpad_webhook_deliveries where signal_status = 'dead_letter') as dead_letters,
        (select extract(epoch from now() - min(dead_lettered_at)) from dialpad_webhook_deliveries
          where signal_status = 'dead_letter') as dead_oldest_age,
        (select count(*) from dialpad_webhook_refused_events
          where recovered_at is null and received_at >= now() - interval '7 days') as refused_waiting,
        (select extract(epoch from now() - max(received_at)) from dialpad_webhook_deliveries) as last_delivery_age
    `)
    ).rows[0] as Record<string, unknown>;
    const syncRows = (
      await trx.raw(`
      select 'directory' as kind, count(*) as accounts, count(*) filter (where last is null) as never,
             extract(epoch from now() - min(last)) as oldest_age
        from (select greatest(o.synced_at,
                              (select max(u.synced_at) from dialpad_users u where u.office_id = a.dialpad_office_id)) as last
                from accounts a left join dialpad_offices o on o.id = a.dialpad_office_id
               where a.dialpad_office_id is not null) dir
      union all
      select 'contact', count(*), count(*) filter (where s.last_pass_completed_at is null),
             extract(epoch from now() - min(s.last_pass_completed_at))
        from accounts a left join dialpad_contact_sync_state s on s.account_id = a.id
       where a.dialpad_office_id is not null
    `)
    ).rows as { kind: SyncKind; accounts: unknown; never: unknown; oldest_age: unknown }[];
    const push = (
      await trx.raw(`
      select coalesce(sum(push_pending_creates), 0) as creates, coalesce(sum(push_pending_updates), 0) as updates,
             coalesce(sum(push_failed), 0) as failed
        from dialpad_contact_sync_state s join accounts a on a.id = s.account_id
       where a.dialpad_office_id is not null
    `)
    ).rows[0] as Record<string, unknown>;
    const sync = Object.fromEntries(
      SYNC_KINDS.map((kind) => {
        const r = syncRows.find((x) => x.kind === kind);
        return [kind, { accounts: num(r?.accounts), never: num(r?.never), oldestAgeS: num(r?.oldest_age) }];
      }),
    ) as Record<SyncKind, SyncState>;
    const unroutedLinked = num(d.unrouted_linked);
    return {
      relayBacklog: num(d.relay_backlog),
      relayOldestAgeS: num(d.relay_oldest_age),
      unroutedLinked,
      unroutedUnlinked: num(d.unrouted_all) - unroutedLinked,
      deadLetters: num(d.dead_letters),
      deadLetterOldestAgeS: num(d.dead_oldest_age),
      refusedWaiting: num(d.refused_waiting),
      lastDeliveryAgeS: optNum(d.last_delivery_age),
      sync,
      pushBacklog: { create: num(push.creates), update: num(push.updates), failed: num(push.failed) },
    };
  });
}
