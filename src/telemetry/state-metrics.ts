import type { Knex } from 'knex';
import { Gauge, type Registry } from 'prom-client';

/**
 * Gauges of what waits in Postgres, read at scrape time: the relay's backlog, dead letters,
 * unrouted deliveries, refused bodies kept, the newest delivery, and how fresh each linked
 * account's directory and contact sync is. They are the numbers behind the doctor's checks
 * (src/ops/doctor.ts), with no account, call or number in a label.
 *
 * One set of queries serves a whole scrape (every gauge shares it) and at most one set runs at a
 * time. A scrape waits for it at most `timeoutMs`; past that, or when Postgres fails, the last
 * values are served again and `dialpad_state_query_ok` is 0, so a slow database never hangs
 * /metrics (before Postgres first answers, the unlabelled gauges are NaN and the others absent). Ages are counted from the database's clock at the query, plus the time since.
 *
 * Every ingress serves the same values: aggregate them with max(), never sum().
 */
export interface StateMetricsOptions {
  /** How long a scrape waits for Postgres before serving the last values (default 2 s). */
  timeoutMs?: number;
  /** Values younger than this are served without asking again (default 1 s). */
  maxAgeMs?: number;
  /** Postgres cancels the queries after this long (default 10 s). */
  statementTimeoutMs?: number;
}

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

/** The last snapshot, when it was taken (this process's clock), and whether the last try worked. */
class StateCache {
  private last: { snapshot: StateSnapshot; at: number } | undefined;
  private inflight: Promise<void> | undefined;
  private lastOk = false;

  constructor(
    private readonly db: Knex,
    private readonly opts: Required<StateMetricsOptions>,
  ) {}

  /** Fresh values if Postgres answers within the timeout, the previous ones otherwise. */
  async current(): Promise<{ snapshot: StateSnapshot | undefined; ok: boolean; ageS: number }> {
    const now = Date.now();
    if (!this.last || now - this.last.at >= this.opts.maxAgeMs) {
      this.inflight ??= readState(this.db, this.opts.statementTimeoutMs)
        .then((snapshot) => {
          this.last = { snapshot, at: Date.now() };
          this.lastOk = true;
        })
        .catch(() => {
          // The gauge dialpad_state_query_ok says so; the error itself is Postgres's to log.
          this.lastOk = false;
        })
        .finally(() => {
          this.inflight = undefined;
        });
      let timer: NodeJS.Timeout | undefined;
      const answered = await Promise.race([
        this.inflight.then(() => true),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), this.opts.timeoutMs);
        }),
      ]);
      clearTimeout(timer);
      if (!answered) this.lastOk = false;
    }
    const ageS = this.last ? (Date.now() - this.last.at) / 1000 : 0;
    return { snapshot: this.last?.snapshot, ok: this.lastOk, ageS };
  }
}

export function registerStateMetrics(registry: Registry, db: Knex, options: StateMetricsOptions = {}): void {
  const cache = new StateCache(db, {
    timeoutMs: options.timeoutMs ?? 2_000,
    maxAgeMs: options.maxAgeMs ?? 1_000,
    statementTimeoutMs: options.statementTimeoutMs ?? 10_000,
  });

  /** A gauge whose value(s) come from the snapshot; `age` adds the time since it was taken. */
  const gauge = <L extends string = never>(
    name: string,
    help: string,
    set: (g: Gauge<L>, s: StateSnapshot, sinceS: number) => void,
    labelNames: readonly L[] = [],
  ) =>
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        const { snapshot, ageS } = await cache.current();
        this.reset();
        // Before the first answer from Postgres there is no value: NaN, not a reassuring 0.
        if (snapshot) set(this, snapshot, ageS);
        else if (labelNames.length === 0) (this as Gauge).set(NaN);
      },
    });
  const age = (s: number, sinceS: number) => (s > 0 ? s + sinceS : 0);

  gauge(
    'dialpad_relay_backlog',
    'Routed deliveries recorded in Postgres but not yet handed to Temporal (signal_status pending): the relay sends them',
    (g, s) => g.set(s.relayBacklog),
  );
  gauge(
    'dialpad_relay_backlog_oldest_seconds',
    'Age of the oldest delivery in the relay backlog (0 when empty); the doctor fails past 120 s',
    (g, s, since) => g.set(age(s.relayOldestAgeS, since)),
  );
  gauge<'office_linked'>(
    'dialpad_deliveries_unrouted',
    'Deliveries waiting for their office to be linked to an account; office_linked="true": the office is linked now, so they should have been released',
    (g, s) => {
      g.set({ office_linked: 'true' }, s.unroutedLinked);
      g.set({ office_linked: 'false' }, s.unroutedUnlinked);
    },
    ['office_linked'],
  );
  gauge('dialpad_dead_letters', 'Events a call run could not apply, set aside until replay --dead-letters', (g, s) =>
    g.set(s.deadLetters),
  );
  gauge(
    'dialpad_dead_letters_oldest_seconds',
    'Time since the oldest waiting dead letter was set aside (0 when none)',
    (g, s, since) => g.set(age(s.deadLetterOldestAgeS, since)),
  );
  gauge(
    'dialpad_refused_events_waiting',
    'Verified bodies refused in the last 7 days for want of a usable call id or state, kept and not recovered by a replay',
    (g, s) => g.set(s.refusedWaiting),
  );
  gauge(
    'dialpad_webhook_last_delivery_age_seconds',
    'Time since the newest webhook delivery was recorded, from any ingress (NaN before the first)',
    (g, s, since) => g.set(s.lastDeliveryAgeS === null ? NaN : s.lastDeliveryAgeS + since),
  );
  gauge<'kind'>(
    'dialpad_sync_accounts',
    'Accounts linked to a Dialpad office, whose directory and contact syncs are scheduled',
    (g, s) => {
      for (const kind of SYNC_KINDS) g.set({ kind }, s.sync[kind].accounts);
    },
    ['kind'],
  );
  gauge<'kind'>(
    'dialpad_sync_never_accounts',
    'Linked accounts whose directory (kind="directory") or contact import (kind="contact") has never completed',
    (g, s) => {
      for (const kind of SYNC_KINDS) g.set({ kind }, s.sync[kind].never);
    },
    ['kind'],
  );
  gauge<'kind'>(
    'dialpad_sync_oldest_age_seconds',
    'Among linked accounts that have synced, the time since the least recent one last synced: directory (as the doctor reads it) or a complete contact import pass',
    (g, s, since) => {
      for (const kind of SYNC_KINDS) g.set({ kind }, age(s.sync[kind].oldestAgeS, since));
    },
    ['kind'],
  );
  gauge<'kind'>(
    'dialpad_contact_push_backlog',
    'Navigator contacts waiting to be pushed to Dialpad (create, update) and those that cannot be (failed), over linked accounts, as of the last contact sync',
    (g, s) => {
      g.set({ kind: 'create' }, s.pushBacklog.create);
      g.set({ kind: 'update' }, s.pushBacklog.update);
      g.set({ kind: 'failed' }, s.pushBacklog.failed);
    },
    ['kind'],
  );
  new Gauge({
    name: 'dialpad_state_query_ok',
    help: '1 when the last read of these Postgres gauges answered within the timeout; 0 means they show older values',
    registers: [registry],
    async collect() {
      this.set((await cache.current()).ok ? 1 : 0);
    },
  });
  new Gauge({
    name: 'dialpad_state_query_age_seconds',
    help: 'Age of the values the Postgres gauges show',
    registers: [registry],
    async collect() {
      this.set((await cache.current()).ageS);
    },
  });
}
