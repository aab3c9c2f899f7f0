import type { Knex } from 'knex';

/**
 * Events stored with a state acted on, on the linked office, go through the worker: each must
 * become a calls row.
 */
export async function awaitCallsRows(
  db: Knex,
  linked: readonly string[],
  /** The request of a call id, for the message when its row is missing. */
  describe: (callId: string) => string,
): Promise<{ processed: number; unprocessedSamples: string[] }> {
  let processed = 0;
  let lastProgress = Date.now();
  const processDeadline = Date.now() + 300_000;
  for (;;) {
    const before = processed;
    processed = 0;
    for (let i = 0; i < linked.length; i += 1000) {
      const [c] = await db('dialpad_call_legs')
        .whereIn('call_id', linked.slice(i, i + 1000))
        .whereNotNull('call_row_id')
        .count<{ count: string }[]>('* as count');
      processed += Number(c?.count ?? 0);
    }
    if (processed > before) lastProgress = Date.now();
    // Until all are processed, or nothing moved for 20 s, or 5 minutes.
    if (processed === linked.length || Date.now() > processDeadline || Date.now() - lastProgress > 20_000) break;
    await new Promise((r) => setTimeout(r, 3000));
  }
  let unprocessedSamples: string[] = [];
  if (processed < linked.length) {
    const done = new Set<string>();
    for (let i = 0; i < linked.length; i += 1000) {
      const got: { call_id: string }[] = await db('dialpad_call_legs')
        .whereIn('call_id', linked.slice(i, i + 1000))
        .whereNotNull('call_row_id')
        .select('call_id');
      for (const r of got) done.add(r.call_id);
    }
    const deadLetters: { call_id: string; apply_error: string | null }[] = await db('dialpad_webhook_deliveries')
      .whereIn('call_id', linked.filter((id) => !done.has(id)).slice(0, 1000))
      .select('call_id', 'signal_status', 'apply_error');
    const errors = new Map(deadLetters.map((d) => [d.call_id, d]));
    unprocessedSamples = linked
      .filter((id) => !done.has(id))
      .slice(0, 4)
      .map((id) => `${id} (${describe(id)}; ${JSON.stringify(errors.get(id) ?? 'no delivery')})`);
  }
  return { processed, unprocessedSamples };
}
