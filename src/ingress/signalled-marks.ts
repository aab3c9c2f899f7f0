/**
 * Gathers the ids the ingress handed on over a few milliseconds (signalled to their call run, or
 * folded into Postgres with no run to tell) and marks them in one UPDATE, so a busy ingress writes
 * one statement per batch instead of one per webhook. A mark lost to a crash or an outage only
 * makes the relay send that event again, and a repeated event changes nothing: the call workflow
 * deduplicates it and the fold is idempotent.
 */
export class SignalledMarks {
  private ids: string[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly writing = new Set<Promise<void>>();

  constructor(
    /** Writes one batch: DeliveryStore.markSignalled or markFolded. */
    private readonly write: (ids: string[]) => Promise<void>,
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
      const write = this.write(batch).catch((err: unknown) => this.onError(err, batch.length));
      this.writing.add(write);
      void write.finally(() => this.writing.delete(write));
    }
    await Promise.all([...this.writing]);
  }
}
