import type { DeliveryInput, DeliveryStore } from './delivery-repository';

/**
 * Keeps deliveries of states the product does not act on (ringing, connected, …) off the request
 * path: gathered and written in batches, so a slow or absent Postgres never holds up the answer or
 * the events that matter (they would queue behind these for the same connections). Kept for
 * `replay` when a later version acts on them; best effort: while Postgres is down at most
 * MAX_WAITING wait, the oldest beyond are dropped and counted.
 */
export class IgnoredDeliveries {
  static readonly MAX_WAITING = 20_000;
  private waiting: DeliveryInput[] = [];
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> | null = null;
  private failures = 0;

  constructor(
    private readonly store: DeliveryStore,
    private readonly onDropped: (count: number, err: unknown) => void,
    private readonly opts: { delayMs: number; maxBatch: number } = { delayMs: 20, maxBatch: 500 },
  ) {}

  add(input: DeliveryInput): void {
    this.waiting.push({ ...input, ignored: true });
    if (this.waiting.length > IgnoredDeliveries.MAX_WAITING) {
      const over = this.waiting.length - IgnoredDeliveries.MAX_WAITING;
      this.waiting.splice(0, over);
      this.onDropped(over, new Error('too many waiting while Postgres is unavailable'));
    }
    this.schedule(this.opts.delayMs);
  }

  /** Writes what waits now (tests, and the ingress's close). */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.writing || this.waiting.length > 0) {
      await (this.writing ?? this.write());
    }
  }

  private schedule(delayMs: number): void {
    if (this.timer || this.writing) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.write();
    }, delayMs);
    this.timer.unref();
  }

  private write(): Promise<void> {
    const batch = this.waiting.splice(0, this.opts.maxBatch);
    this.writing = this.store
      .recordIgnored(batch)
      .then(() => {
        this.failures = 0;
      })
      .catch((err: unknown) => {
        // Postgres away: keep them and try again later, backing off.
        this.waiting.unshift(...batch);
        this.failures++;
        if (this.failures === 1) this.onDropped(0, err);
      })
      .finally(() => {
        this.writing = null;
        if (this.waiting.length > 0) {
          this.schedule(this.failures ? Math.min(30_000, 500 * 2 ** Math.min(this.failures, 6)) : 0);
        }
      });
    return this.writing;
  }
}
