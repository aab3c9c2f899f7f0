import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Knex } from 'knex';
import type { DialpadClient } from '../src/dialpad/client';
import { signalCallWorkflow, type SignalOptions } from '../src/ingress/signal';
import type { Logger } from '../src/logger';
import {
  importCallWindow as importWindow,
  remainingAiWaitSeconds,
  type ImportWindowInput,
  type ImportWindowResult,
} from '../src/ops/backfill-import';
import type { CallEventSignal } from '../workflows/shared/call-event';
import { NonRetryable } from '../workflows/shared/errors';
import { BACKGROUND_PRIORITY } from '../workflows/shared/task-queues';

/** Administrator operations that run on the worker (the backfill's windows). */
export function createOpsActivities(deps: {
  db: Knex;
  log: Logger;
  dialpad?: DialpadClient | undefined;
  /** The live calls' queue (TEMPORAL_TASK_QUEUE): the call runs a backfill starts run there. */
  callTaskQueue: string;
}) {
  return {
    /**
     * One backfill window. Heartbeats after every batch, so a stuck page is retried and a
     * cancelled backfill stops; a retried window starts over, and legs its earlier attempt already
     * handed on are then either held (skipped) or de-duplicated by their call workflow.
     */
    async importCallWindow(
      input: ImportWindowInput & { aiWaitSeconds: number; aiFetchAttempts?: number | undefined },
    ): Promise<ImportWindowResult> {
      if (!deps.dialpad) {
        throw ApplicationFailure.nonRetryable('no Dialpad API client configured', NonRetryable.DialpadNotConfigured);
      }
      const ctx = Context.current();
      const signalOpts: Omit<SignalOptions, 'aiWaitSeconds'> = {
        // Every call run on the live calls' queue (its id and place in the UI are a live call's),
        // behind the live calls there, whichever queue this window runs on.
        taskQueue: deps.callTaskQueue,
        priority: BACKGROUND_PRIORITY,
        ...(input.aiFetchAttempts !== undefined ? { aiFetchAttempts: input.aiFetchAttempts } : {}),
      };
      // A concluded call's run waits only what is left of the live Ai window (none, once it is past).
      const waitOf = (sig: CallEventSignal) =>
        remainingAiWaitSeconds(input.aiWaitSeconds, sig.event?.dateEnded ?? null, Date.now());
      const result = await importWindow(
        {
          db: deps.db,
          dialpad: deps.dialpad,
          signal: (sig) => signalCallWorkflow(ctx.client, sig, { ...signalOpts, aiWaitSeconds: waitOf(sig) }),
          heartbeat: (progress) => ctx.heartbeat(progress),
          abortSignal: ctx.cancellationSignal,
          onInvalid: (callId, reason) => deps.log.warn({ callId, reason }, 'backfill: listed call could not be read'),
        },
        input,
      );
      deps.log.info(
        {
          accountId: input.accountId,
          from: new Date(input.fromMs).toISOString(),
          to: new Date(input.toMs).toISOString(),
          ...result,
        },
        'backfill window imported',
      );
      return result;
    },
  };
}
