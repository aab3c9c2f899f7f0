import type { Client } from '@temporalio/client';
import type { LogScanner } from './logscan';

/**
 * The failure messages Temporal keeps: every failure (and its causes) recorded in the histories of
 * the runs started since a moment — failed activities and local activities (markers), failed
 * workflow tasks, failed or timed-out workflows — with their stack traces and encoded details.
 * Each is handed to the scanner, which looks for the values the emitter sent.
 */
export interface TemporalScan {
  runs: number;
  events: number;
  /** Failure records (a failure or one of its causes) read. */
  failures: number;
  /** Failure records by the kind of event that carried them. */
  byEventType: Record<string, number>;
  /** Runs whose history could not be read. */
  unreadable: number;
}

interface FailureLike {
  message?: string | null;
  stackTrace?: string | null;
  source?: string | null;
  encodedAttributes?: { data?: Uint8Array | null } | null;
  applicationFailureInfo?: {
    type?: string | null;
    details?: { payloads?: { data?: Uint8Array | null }[] | null } | null;
  };
  cause?: FailureLike | null;
}

const decoder = new TextDecoder('utf-8', { fatal: false });
const text = (data: Uint8Array | null | undefined) => (data && data.length ? decoder.decode(data) : undefined);

/** Every failure object in a history event, causes included (the `failure` and `cause` keys, at any depth). */
export function failuresIn(event: unknown): FailureLike[] {
  const out: FailureLike[] = [];
  const walk = (v: unknown, depth: number) => {
    if (!v || typeof v !== 'object' || depth > 40 || v instanceof Uint8Array) return;
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if ((k === 'failure' || k === 'cause') && x && typeof x === 'object') out.push(x);
      walk(x, depth + 1);
    }
  };
  walk(event, 0);
  return out;
}

export async function scanTemporalFailures(
  client: Client,
  sinceMs: number,
  scanner: LogScanner,
  opts: { maxRuns?: number } = {},
): Promise<TemporalScan> {
  const result: TemporalScan = { runs: 0, events: 0, failures: 0, byEventType: {}, unreadable: 0 };
  const query = `StartTime >= '${new Date(sinceMs).toISOString()}'`;
  const runs: { workflowId: string; runId: string }[] = [];
  for await (const wf of client.workflow.list({ query })) {
    runs.push({ workflowId: wf.workflowId, runId: wf.runId });
    if (runs.length >= (opts.maxRuns ?? 5000)) break;
  }
  for (const { workflowId, runId } of runs) {
    let history;
    try {
      history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    } catch {
      result.unreadable++;
      continue;
    }
    result.runs++;
    for (const event of history.events ?? []) {
      result.events++;
      const failures = failuresIn(event);
      if (!failures.length) continue;
      const kind =
        Object.keys(event).find((k) => k.endsWith('EventAttributes') && (event as Record<string, unknown>)[k]) ??
        'event';
      for (const f of failures) {
        result.failures++;
        result.byEventType[kind] = (result.byEventType[kind] ?? 0) + 1;
        scanner.scanText(`temporal history ${workflowId}/${runId}`, `${kind} failure`, {
          eventId: String(event.eventId ?? ''),
          message: f.message ?? '',
          stackTrace: f.stackTrace ?? '',
          source: f.source ?? '',
          type: f.applicationFailureInfo?.type ?? '',
          details: (f.applicationFailureInfo?.details?.payloads ?? []).map((p) => text(p.data) ?? ''),
          encodedAttributes: text(f.encodedAttributes?.data) ?? '',
        });
      }
    }
  }
  return result;
}
