import type { DeliveryStore } from './delivery-repository';

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
