import type { Knex } from 'knex';
import { Gauge, type Registry } from 'prom-client';
import { readState, SYNC_KINDS, type StateSnapshot } from './state-metrics-repository';

/**
 * Gauges of what waits in Postgres, read at scrape time: the relay's backlog, dead letters,
 * unrouted deliveries, refused bodies kept, the newest delivery, and how fresh each linked
 * account's directory and contact sync is. They are the numbers behind the doctor's checks
 * (src/ops/doctor/), with no account, call or number in a label.
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

export { readState, SYNC_KINDS, type StateSnapshot } from './state-metrics-repository';

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
