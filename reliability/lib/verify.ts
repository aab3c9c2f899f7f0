import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type { ExpectedConversation } from '../../src/simulator';

/**
 * Compares what Navigator stored with what the emitter says each conversation should be: exactly
 * one `calls` row per conversation (found through its legs in `dialpad_call_legs`), field by field.
 */
export type ConversationVerdict = 'ok' | 'lost' | 'duplicated' | 'wrong';

export interface ConversationResult {
  key: string;
  kind: string;
  verdict: ConversationVerdict;
  problems: string[];
}

export interface Comparison {
  expected: number;
  /** Conversations with at least one `calls` row. */
  stored: number;
  /** No row, or a leg never recorded (one of its events never landed). */
  lost: number;
  /** More than one row for one conversation. */
  duplicated: number;
  /** One row, but a field differs from the expected outcome. */
  wrong: number;
  results: ConversationResult[];
}

interface LegRow {
  call_id: string;
  call_row_id: string | null;
}

interface CallRow {
  id: string;
  dialpad_call_id: string | null;
  status: string;
  direction: string;
  external_number: string | null;
  duration_seconds: number | null;
  answered_by_dialpad_user_id: string | null;
  is_internal: boolean;
  ai_summary: string | null;
}

async function chunked<T>(ids: string[], size: number, fn: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += size) out.push(...(await fn(ids.slice(i, i + size))));
  return out;
}

export async function compareConversations(db: Knex, expected: ExpectedConversation[]): Promise<Comparison> {
  const legIds = expected.flatMap((e) => e.legCallIds);
  const legs = await chunked<LegRow>(legIds, 2000, (c) =>
    db('dialpad_call_legs').whereIn('call_id', c).select('call_id', 'call_row_id'),
  );
  const legRow = new Map(legs.map((l) => [l.call_id, l.call_row_id]));
  const columns = [
    'id',
    'dialpad_call_id',
    'status',
    'direction',
    'external_number',
    'duration_seconds',
    'answered_by_dialpad_user_id',
    'is_internal',
    'ai_summary',
  ];
  const rowIds = [...new Set(legs.map((l) => l.call_row_id).filter((x): x is string => x !== null))];
  const byId = new Map(
    (await chunked<CallRow>(rowIds, 2000, (c) => db('calls').whereIn('id', c).select(columns))).map((r) => [r.id, r]),
  );
  // Rows that claim one of the legs without the leg pointing at them (a second row for the call).
  const byDialpadId = new Map<string, CallRow[]>();
  for (const r of await chunked<CallRow>(legIds, 2000, (c) =>
    db('calls').whereIn('dialpad_call_id', c).select(columns),
  )) {
    const list = byDialpadId.get(r.dialpad_call_id!) ?? [];
    list.push(r);
    byDialpadId.set(r.dialpad_call_id!, list);
  }

  const results: ConversationResult[] = expected.map((e) => {
    const problems: string[] = [];
    const rows = new Set<string>();
    for (const leg of e.legCallIds) {
      const rowId = legRow.get(leg);
      if (rowId === undefined) problems.push(`leg ${leg} never recorded`);
      else if (rowId === null) problems.push(`leg ${leg} not folded into a call`);
      else rows.add(rowId);
      for (const r of byDialpadId.get(leg) ?? []) rows.add(r.id);
    }
    if (rows.size === 0) return { key: e.key, kind: e.kind, verdict: 'lost', problems: ['no calls row', ...problems] };
    if (rows.size > 1) {
      return { key: e.key, kind: e.kind, verdict: 'duplicated', problems: [`${rows.size} calls rows`, ...problems] };
    }
    if (problems.length) return { key: e.key, kind: e.kind, verdict: 'lost', problems };
    const row = byId.get([...rows][0]!) ?? byDialpadId.get(e.key)?.[0];
    if (!row) return { key: e.key, kind: e.kind, verdict: 'lost', problems: ['calls row vanished'] };
    const diff = (field: string, got: unknown, want: unknown) =>
      problems.push(`${field}: got ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
    if (row.status !== e.status) diff('status', row.status, e.status);
    if (row.direction !== e.direction) diff('direction', row.direction, e.direction);
    if (row.external_number !== e.externalNumber) diff('external_number', row.external_number, e.externalNumber);
    if (row.duration_seconds === null || Math.abs(row.duration_seconds - e.talkSeconds) > 1) {
      diff('duration_seconds', row.duration_seconds, e.talkSeconds);
    }
    if (row.answered_by_dialpad_user_id !== e.answeringUserId) {
      diff('answered_by_dialpad_user_id', row.answered_by_dialpad_user_id, e.answeringUserId);
    }
    if (row.is_internal !== e.isInternal) diff('is_internal', row.is_internal, e.isInternal);
    if (e.recap && row.ai_summary !== e.recap.summary)
      diff('ai_summary', row.ai_summary?.slice(0, 40), e.recap.summary.slice(0, 40));
    return { key: e.key, kind: e.kind, verdict: problems.length ? 'wrong' : 'ok', problems };
  });

  const count = (v: ConversationVerdict) => results.filter((r) => r.verdict === v).length;
  return {
    expected: expected.length,
    stored: results.filter((r) => r.verdict !== 'lost' || !r.problems.includes('no calls row')).length,
    lost: count('lost'),
    duplicated: count('duplicated'),
    wrong: count('wrong'),
    results,
  };
}

export function problemSamples(c: Comparison, max = 8): string[] {
  return c.results
    .filter((r) => r.verdict !== 'ok')
    .slice(0, max)
    .map((r) => `${r.verdict} ${r.kind} ${r.key}: ${r.problems.join('; ')}`);
}

/** Open call workflows on the server (null while Temporal does not answer). */
export async function runningWorkflows(client: Client): Promise<number | null> {
  try {
    const { count } = await client.connection.withDeadline(Date.now() + 5_000, () =>
      client.workflow.count(`WorkflowType = 'callWorkflow' AND ExecutionStatus = 'Running'`),
    );
    return count;
  } catch {
    return null;
  }
}

/** Recorded deliveries of these legs the relay has not handed to Temporal yet. */
export async function pendingRelay(db: Knex, legIds: string[]): Promise<number | null> {
  try {
    let total = 0;
    for (let i = 0; i < legIds.length; i += 2000) {
      const [row] = await db('dialpad_webhook_deliveries')
        .whereIn('call_id', legIds.slice(i, i + 2000))
        .where({ signal_status: 'pending', routing_status: 'routed' })
        .count<{ count: string }[]>('* as count');
      total += Number(row?.count ?? 0);
    }
    return total;
  } catch {
    return null;
  }
}

/** Open call workflows of the given legs, with the CallState they show. */
export async function openWorkflowsOf(
  client: Client,
  legIds: ReadonlySet<string>,
): Promise<{ callId: string; callState: string }[]> {
  const out: { callId: string; callState: string }[] = [];
  try {
    for await (const wf of client.workflow.list({
      query: `WorkflowType = 'callWorkflow' AND ExecutionStatus = 'Running'`,
    })) {
      const callId = wf.workflowId.replace(/^dialpad-call-/, '');
      if (!legIds.has(callId)) continue;
      const state = wf.searchAttributes?.CallState;
      out.push({ callId, callState: Array.isArray(state) ? String(state[0]) : 'unknown' });
    }
  } catch {
    // Temporal not answering: reported as unknown by the caller
  }
  return out;
}

export interface Settled {
  comparison: Comparison;
  settledMs: number;
  timedOut: boolean;
  openWorkflows: number | null;
  /** The scenario's call workflows still open once everything else settled. */
  leftOpen: { callId: string; callState: string }[];
  /** Deliveries still waiting for the relay at the end, and how fast the relay drained (per second). */
  relayBacklog: { atEnd: number | null; peak: number; drainPerSecond: number | null };
}

/**
 * Waits until the scenario's conversations are final: no relay backlog, the comparison unchanged
 * over two polls, and either every conversation correct, or no open call workflow, or nothing
 * changing for 25 s — or until the deadline (or until the relay is plainly too slow to make it). Then gives workflows still open the Ai wait window to close, and returns
 * those that did not.
 */
/**
 * How long a Dialpad fetch activity lost with a killed worker can hold its run open: its heartbeat
 * timeout (20 s, workflows/callWorkflow.ts), the retry's first backoff (5 s) and a margin.
 */
const LOST_FETCH_ACTIVITY_S = 40;

export async function settle(
  db: Knex,
  client: Client,
  expected: ExpectedConversation[],
  opts: { timeoutMs: number; aiWaitSeconds: number; note: (m: string) => void },
): Promise<Settled> {
  const started = Date.now();
  const legIds = new Set(expected.flatMap((e) => e.legCallIds));
  let last = '';
  let stableSince = Date.now();
  let lastReport = 0;
  let comparison: Comparison;
  let running: number | null;
  let timedOut = false;
  let peak = 0;
  let peakAt = Date.now();
  let pendingNow: number | null;
  for (;;) {
    let pending: number | null;
    [comparison, running, pending] = await Promise.all([
      compareConversations(db, expected),
      runningWorkflows(client),
      pendingRelay(db, [...legIds]),
    ]);
    pendingNow = pending;
    if (pending !== null && pending >= peak) {
      peak = pending;
      peakAt = Date.now();
    }
    const signature = `${comparison.lost}/${comparison.duplicated}/${comparison.wrong}/${running}/${pending}`;
    if (signature !== last) stableSince = Date.now();
    const stable = signature === last;
    last = signature;
    const allOk = comparison.lost + comparison.duplicated + comparison.wrong === 0;
    if (pending === 0 && stable && (running === 0 || allOk || Date.now() - stableSince >= 25_000)) break;
    if (Date.now() - started > opts.timeoutMs) {
      timedOut = true;
      break;
    }
    // Hopeless: the relay backlog would take far longer to drain than the time left. Stop early.
    const drainSeconds = (Date.now() - peakAt) / 1000;
    const rate = pending !== null && drainSeconds > 30 ? (peak - pending) / drainSeconds : null;
    const left = (opts.timeoutMs - (Date.now() - started)) / 1000;
    if (Date.now() - started > 60_000 && pending && rate !== null && pending / Math.max(rate, 0.01) > left + 120) {
      opts.note(
        `  the relay drains ${rate.toFixed(1)}/s: ${pending} deliveries would take ${Math.round(pending / Math.max(rate, 0.01))} s; not waiting`,
      );
      timedOut = true;
      break;
    }
    if (Date.now() - lastReport > 15_000) {
      lastReport = Date.now();
      opts.note(
        `  settling: ok ${comparison.results.filter((r) => r.verdict === 'ok').length}/${comparison.expected}, ` +
          `lost ${comparison.lost}, dup ${comparison.duplicated}, wrong ${comparison.wrong}, open workflows ${running ?? '?'}, relay backlog ${pending ?? '?'}`,
      );
    }
    await new Promise((r) => setTimeout(r, 3000));
  }
  const settledMs = Date.now() - started;
  // Timed out: workflows are still working, not left open; the time-out is the finding.
  let leftOpen = timedOut ? [] : await openWorkflowsOf(client, legIds);
  // An answered call on an office without Ai legitimately stays open for the Ai wait window; and
  // a Dialpad fetch activity that was running on a killed worker is retried once its heartbeat
  // stops, so a run can be open, and then finish correctly, that long after the kill.
  const graceUntil = Date.now() + (opts.aiWaitSeconds + 5 + LOST_FETCH_ACTIVITY_S) * 1000;
  while (leftOpen.length && Date.now() < graceUntil) {
    await new Promise((r) => setTimeout(r, 3000));
    leftOpen = await openWorkflowsOf(client, legIds);
  }
  if (leftOpen.length) comparison = await compareConversations(db, expected);
  const drainSeconds = (Date.now() - peakAt) / 1000;
  const relayBacklog = {
    atEnd: pendingNow,
    peak,
    drainPerSecond:
      peak > 0 && pendingNow !== null && drainSeconds > 5 ? +((peak - pendingNow) / drainSeconds).toFixed(1) : null,
  };
  return { comparison, settledMs, timedOut, openWorkflows: running, leftOpen, relayBacklog };
}

/** The ingress's webhook and relay counters (Prometheus text from /metrics), keyed `name{labels}`. */
export async function ingressCounters(ingressUrl: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  try {
    const text = await (await fetch(`${ingressUrl}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
    for (const line of text.split('\n')) {
      const m = /^(dialpad_webhook_deliveries_total|dialpad_relay_signals_total)(\{[^}]*\})? ([0-9.e+]+)$/.exec(line);
      if (m) out[`${m[1]}${m[2] ?? ''}`] = Number(m[3]);
    }
  } catch {
    // the ingress not answering is reported elsewhere
  }
  return out;
}

export function counterDelta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) {
    const d = v - (before[k] ?? 0);
    if (d > 0)
      out[k.replace('dialpad_webhook_deliveries_total', 'webhook').replace('dialpad_relay_signals_total', 'relay')] = d;
  }
  return out;
}

/**
 * Between scenarios: what an earlier scenario left behind (call workflows still open, deliveries
 * still queued for the relay) would load Temporal and delay the next scenario's deliveries behind
 * its own. Its verdict is already taken, so the leftovers are cleared: open call workflows are
 * terminated (one batch operation) and queued deliveries parked (relay_after + 1 day).
 */
export async function clearLeftovers(
  db: Knex,
  client: Client,
  note: (m: string) => void,
): Promise<{ terminated: number; parked: number }> {
  const parked = await db('dialpad_webhook_deliveries')
    .where({ signal_status: 'pending', routing_status: 'routed' })
    .andWhere('relay_after', '<', db.raw("now() + interval '1 hour'"))
    .update({ relay_after: db.raw("now() + interval '1 day'") });
  const running = (await runningWorkflows(client)) ?? 0;
  if (running > 0) {
    try {
      await client.workflowService.startBatchOperation({
        namespace: client.options.namespace,
        jobId: `reliability-clear-${Date.now()}`,
        reason: 'reliability: the scenario that started these is over',
        visibilityQuery: `WorkflowType = 'callWorkflow' AND ExecutionStatus = 'Running'`,
        terminationOperation: {},
      });
    } catch (err) {
      note(`  could not start the batch termination: ${(err as Error).message.split('\n')[0]}`);
    }
    const until = Date.now() + 60_000;
    while (Date.now() < until && ((await runningWorkflows(client)) ?? 1) > 0)
      await new Promise((r) => setTimeout(r, 2000));
  }
  if (parked || running)
    note(
      `  cleared what earlier scenarios left: ${running} open call workflows terminated, ${parked} queued deliveries parked`,
    );
  return { terminated: running, parked };
}
