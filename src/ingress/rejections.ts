import type { Knex } from 'knex';
import { addRejectionCounts, pruneRejections, type RejectionCount } from './rejection-repository';

/**
 * Counts refused (unverified) deliveries in `dialpad_webhook_rejections`: one row per minute,
 * status, reason, shape and source address. Refusals are counted in memory and written by at most
 * one statement at a time: at a quiet moment a refusal is written before its answer (the doctor
 * sees it at once); during a flood the others are folded into the next write. Per minute, a
 * process writes at most MAX_SOURCES_PER_MINUTE source addresses per reason and shape and folds
 * the rest into one row (a flood of forgeries does not fold away the few shaped like Dialpad's), and the table keeps at most MAX_ROWS rows: a flood cannot push out the evidence.
 */
export interface Rejection {
  statusCode: number;
  reason: string;
  detail: string;
  sourceAddress: string;
  bodyBytes: number;
  /** What the refused body looked like: a Dialpad call event, or anything else. */
  shape: 'call_event' | 'other';
}

export const MAX_SOURCES_PER_MINUTE = 100;
export const OTHER_SOURCES = '(other sources)';
export const MAX_ROWS = 50_000;
const PRUNE_EVERY_WRITES = 500;
const RETENTION_DAYS = 30;

export class RejectionLog {
  private pending = new Map<string, RejectionCount>();
  private writing: Promise<void> | null = null;
  private writes = 0;
  /** Per minute and reason, the sources already given a row of their own by this process. */
  private sourcesSeen = new Map<string, Set<string>>();

  constructor(
    private readonly db: Knex,
    private readonly onError: (err: unknown) => void,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Counts a refusal; resolves once written when it starts a write, at once when one is running. */
  add(r: Rejection): Promise<void> {
    const at = this.now();
    const minute = new Date(Math.floor(at.getTime() / 60_000) * 60_000);
    const source = this.sourceFor(minute, `${r.reason}|${r.shape}`, r.sourceAddress);
    const key = [minute.getTime(), r.statusCode, r.reason, r.shape, source].join('|');
    const b = this.pending.get(key);
    if (b) {
      b.count++;
      b.last = at;
      b.bodyBytes = Math.max(b.bodyBytes, r.bodyBytes);
    } else {
      this.pending.set(key, {
        minute,
        statusCode: r.statusCode,
        reason: r.reason,
        shape: r.shape,
        source,
        count: 1,
        first: at,
        last: at,
        detail: r.detail.slice(0, 500),
        bodyBytes: r.bodyBytes,
      });
    }
    if (this.writing) return Promise.resolve();
    return this.startWrite();
  }

  /** Writes what is counted; resolves when nothing is left. */
  async flush(): Promise<void> {
    while (this.writing || this.pending.size > 0) {
      await (this.writing ?? this.startWrite());
    }
  }

  private sourceFor(minute: Date, kind: string, source: string): string {
    const key = `${minute.getTime()}|${kind}`;
    if (this.sourcesSeen.size > 10) {
      // Keep only the current minutes.
      for (const k of this.sourcesSeen.keys()) if (!k.startsWith(`${minute.getTime()}|`)) this.sourcesSeen.delete(k);
    }
    let seen = this.sourcesSeen.get(key);
    if (!seen) this.sourcesSeen.set(key, (seen = new Set()));
    if (seen.has(source)) return source;
    if (seen.size >= MAX_SOURCES_PER_MINUTE) return OTHER_SOURCES;
    seen.add(source);
    return source;
  }

  private startWrite(): Promise<void> {
    const batch = [...this.pending.values()];
    this.pending = new Map();
    const write = this.write(batch)
      .catch((err: unknown) => this.onError(err))
      .finally(() => {
        this.writing = null;
        if (this.pending.size > 0) void this.startWrite();
      });
    this.writing = write;
    return write;
  }

  private async write(batch: RejectionCount[]): Promise<void> {
    if (batch.length === 0) return;
    await addRejectionCounts(this.db, batch);
    if (++this.writes % PRUNE_EVERY_WRITES === 0) await this.prune();
  }

  /** Keeps the table bounded: 30 days, and never more than MAX_ROWS rows. */
  async prune(): Promise<void> {
    await pruneRejections(this.db, RETENTION_DAYS, MAX_ROWS);
  }
}

/** Whether a refused body looks like a Dialpad call event (read without trusting it). */
export function rejectedShape(rawBody: string): 'call_event' | 'other' {
  const body = rawBody.trim();
  let text = body;
  if (!body.startsWith('{')) {
    const parts = body.split('.');
    if (parts.length !== 3 || parts[1]!.length > 400_000) return 'other';
    text = Buffer.from(parts[1]!, 'base64url').toString('utf8');
  }
  if (text.length > 300_000) return 'other';
  try {
    const claims = JSON.parse(text) as unknown;
    if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) return 'other';
    const c = claims as Record<string, unknown>;
    return (typeof c.call_id === 'number' || typeof c.call_id === 'string') && typeof c.state === 'string'
      ? 'call_event'
      : 'other';
  } catch {
    return 'other';
  }
}
