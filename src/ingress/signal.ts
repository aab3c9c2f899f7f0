import { WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import type { Priority } from '@temporalio/common';
import type { Config } from '../config';
import { refOf, type CallEventRef, type CallEventSignal, type CallLegEvent } from '../../workflows/shared/call-event';
import { maskPhone } from '../logger';
import {
  CallState,
  DialpadCallId,
  DialpadOfficeId,
  NavigatorAccountId,
} from '../../workflows/shared/search-attributes';
import { callWorkflow } from '../../workflows';
import { callWorkflowId } from '../../workflows/shared/ids';
import { callEventSignal } from '../../workflows/shared/signals';

export interface SignalOptions {
  /** The live calls' queue (TEMPORAL_TASK_QUEUE), where every call run belongs. */
  taskQueue: string;
  aiWaitSeconds: number;
  aiFetchAttempts?: number;
  dbRetryBudgetSeconds?: number;
  /** Bound on how long one signalWithStart may take (Dialpad waits 5 s for the whole request). */
  timeoutMs?: number;
  /** A run this starts (not one already running): unset for live calls, BACKGROUND_PRIORITY for backfills. */
  priority?: Priority;
}

/** The call runs' settings every signaller passes, from the process's configuration. */
export function signalOptionsFromConfig(
  config: Pick<Config, 'temporal' | 'callAiWaitSeconds' | 'callAiFetchAttempts' | 'callDbRetryBudgetSeconds'>,
): SignalOptions {
  return {
    taskQueue: config.temporal.taskQueue,
    aiWaitSeconds: config.callAiWaitSeconds,
    aiFetchAttempts: config.callAiFetchAttempts,
    dbRetryBudgetSeconds: config.callDbRetryBudgetSeconds,
  };
}

/**
 * Starts the leg's workflow or signals the running one. A closed workflow with the same id is
 * started again (ALLOW_DUPLICATE): the new run merges into what the database already holds.
 */
export async function signalCallWorkflow(
  client: Client,
  sig: CallEventSignal,
  opts: SignalOptions,
  /** The event, when at hand, for the run's one-line memo (direction and masked number only). */
  about?: CallLegEvent,
): Promise<void> {
  const e = refOf(sig);
  const searchAttributes = [
    { key: DialpadCallId, value: e.callId },
    { key: CallState, value: e.state },
    ...(sig.officeId ? [{ key: DialpadOfficeId, value: sig.officeId }] : []),
    ...(sig.accountId ? [{ key: NavigatorAccountId, value: sig.accountId }] : []),
  ];
  const call = () =>
    client.workflow.signalWithStart(callWorkflow, {
      workflowId: callWorkflowId(e.callId),
      taskQueue: opts.taskQueue,
      args: [
        {
          callId: e.callId,
          accountId: sig.accountId,
          officeId: sig.officeId,
          aiWaitSeconds: opts.aiWaitSeconds,
          aiFetchAttempts: opts.aiFetchAttempts,
          ...(opts.dbRetryBudgetSeconds !== undefined ? { dbRetryBudgetSeconds: opts.dbRetryBudgetSeconds } : {}),
        },
      ],
      signal: callEventSignal,
      signalArgs: [sig],
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      ...(opts.priority ? { priority: opts.priority } : {}),
      typedSearchAttributes: searchAttributes,
      memo: { summary: describeCall(e, about ?? sig.event, sig.officeId) },
    });
  if (!opts.timeoutMs) return void (await call());
  // A hard bound: while Temporal is unreachable the SDK's connect and retry can outlast a deadline.
  // A signal that lands after we gave up is harmless: the workflow ignores a repeated event.
  let timer: NodeJS.Timeout | undefined;
  const attempt = client.connection.withDeadline(Date.now() + opts.timeoutMs, call);
  try {
    await Promise.race([
      attempt,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`Temporal did not answer within ${opts.timeoutMs} ms`)),
          opts.timeoutMs,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
    attempt.catch(() => undefined);
  }
}

/**
 * After Temporal fails, requests skip it for a short while (the relay delivers what they record),
 * so an outage costs one slow request per process rather than one per delivery.
 */
export class TemporalBreaker {
  private openUntil = 0;
  constructor(private readonly coolOffMs = 5_000) {}
  get open(): boolean {
    return Date.now() < this.openUntil;
  }
  failed(): void {
    this.openUntil = Date.now() + this.coolOffMs;
  }
  succeeded(): void {
    this.openUntil = 0;
  }
}

/**
 * A short, person-readable line for the Temporal UI: direction, the number masked, the office.
 * Never a name or a full number (operators and Temporal Cloud can read memos).
 */
export function describeCall(ref: CallEventRef, event: CallLegEvent | undefined, officeId: string | null): string {
  const office = `(office ${officeId ?? 'unknown'})`;
  if (!event) return `call ${ref.callId}, first seen as ${ref.state} ${office}`;
  const who = maskPhone(event.externalNumber) ?? 'unknown number';
  return `${event.direction ?? 'call'} ${event.direction === 'outbound' ? 'to' : 'from'} ${who} ${office}`;
}
