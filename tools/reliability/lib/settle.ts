import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { callWorkflowId, callIdOfWorkflowId } from '../../../workflows/shared/ids';
import { compareConversations, type Comparison, type ExpectedOutcome } from './verify';

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
      const callId = callIdOfWorkflowId(wf.workflowId);
      if (callId === null || !legIds.has(callId)) continue;
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
  /** The scenario's call workflows still open once everything else settled, idle (waiting for max_open). */
  leftOpen: { callId: string; callState: string }[];
  /** Still open, but with a Dialpad fetch pending (rate-limited Ai recap or transcript). */
  stillFetching: { callId: string; callState: string }[];
  /** Deliveries still waiting for the relay at the end, and how fast the relay drained (per second). */
  relayBacklog: { atEnd: number | null; peak: number; drainPerSecond: number | null };
}

/**
 * How long a Dialpad fetch activity lost with a killed worker can hold its run open: its heartbeat
 * timeout (20 s, workflows/callWorkflow.ts), the retry's first backoff (5 s) and a margin.
 */
const LOST_FETCH_ACTIVITY_S = 40;

/**
 * Waits until the scenario's conversations are final: no relay backlog, the comparison unchanged
 * over two polls, and either every conversation correct, or no open call workflow, or nothing
 * changing for 25 s — or until the deadline (or until the relay is plainly too slow to make it). Then gives workflows still open the Ai wait window to close, and returns
 * those that did not.
 */
export async function settle(
  db: Knex,
  client: Client,
  expected: readonly ExpectedOutcome[],
  opts: { timeoutMs: number; aiWaitSeconds: number; note: (m: string) => void },
): Promise<Settled> {
  const started = Date.now();
  const legIds = new Set(expected.flatMap((e) => e.conversation.legCallIds));
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
    const ev = comparison.events;
    const signature = `${comparison.lost}/${comparison.duplicated}/${comparison.wrong}/${ev.applied}/${ev.lost}/${ev.duplicated}/${ev.wrong}/${running}/${pending}`;
    if (signature !== last) stableSince = Date.now();
    const stable = signature === last;
    last = signature;
    const allOk = comparison.lost + comparison.duplicated + comparison.wrong + ev.lost + ev.duplicated + ev.wrong === 0;
    if (pending === 0 && stable && (running === 0 || allOk || Date.now() - stableSince >= 25_000)) {
      // Not everything is in yet, but a run of this scenario is still fetching from Dialpad (the
      // Ai recap allows 12 a minute) and applies its buffered events after: keep waiting for it.
      if (allOk || running === 0) break;
      const open = await openWorkflowsOf(client, legIds);
      const busy = open.length ? await fetchingFromDialpad(client, open) : new Set<string>();
      if (busy.size === 0) break;
      if (Date.now() - lastReport > 15_000) {
        lastReport = Date.now();
        opts.note(`  ${busy.size} run(s) still fetching from Dialpad; waiting for their events`);
      }
    }
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
          `lost ${comparison.lost}, dup ${comparison.duplicated}, wrong ${comparison.wrong}; events applied ${ev.applied}/${ev.sent - ev.notActedOn.sent}, lost ${ev.lost}; open workflows ${running ?? '?'}, relay backlog ${pending ?? '?'}`,
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
    // Nothing idle: every open run is fetching from Dialpad, so waiting proves nothing more.
    const busy = await fetchingFromDialpad(client, leftOpen);
    if (leftOpen.every((w) => busy.has(w.callId))) break;
    await new Promise((r) => setTimeout(r, 3000));
    leftOpen = await openWorkflowsOf(client, legIds);
  }
  // A run with a Dialpad fetch pending (a transcript or recap behind Dialpad's rate limit: the
  // Ai recap allows 12 a minute) is working, not waiting for max_open: counted apart. Its data was
  // judged above all the same (an Ai call whose transcript never came shows as a lost event).
  const busy = await fetchingFromDialpad(client, leftOpen);
  const stillFetching = leftOpen.filter((w) => busy.has(w.callId));
  leftOpen = leftOpen.filter((w) => !busy.has(w.callId));
  if (leftOpen.length || stillFetching.length) comparison = await compareConversations(db, expected);
  const drainSeconds = (Date.now() - peakAt) / 1000;
  const relayBacklog = {
    atEnd: pendingNow,
    peak,
    drainPerSecond:
      peak > 0 && pendingNow !== null && drainSeconds > 5 ? +((peak - pendingNow) / drainSeconds).toFixed(1) : null,
  };
  return { comparison, settledMs, timedOut, openWorkflows: running, leftOpen, stillFetching, relayBacklog };
}

/** Which of these open call runs have a Dialpad fetch activity pending (scheduled, running or retrying). */
export async function fetchingFromDialpad(client: Client, open: readonly { callId: string }[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (const w of open) {
    try {
      const d = await client.workflow.getHandle(callWorkflowId(w.callId)).describe();
      const pending = d.raw.pendingActivities ?? [];
      if (pending.some((a) => /^fetchCall/.test(a.activityType?.name ?? ''))) out.add(w.callId);
    } catch {
      // closed meanwhile, or Temporal not answering: not counted as busy
    }
  }
  return out;
}
