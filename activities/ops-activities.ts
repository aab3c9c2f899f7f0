import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Knex } from 'knex';
import type { DialpadClient } from '../src/dialpad/client';
import { signalCallWorkflow } from '../src/ingress/signal';
import type { Logger } from '../src/logger';
import {
  importCallWindow as importWindow,
  type ImportWindowInput,
  type ImportWindowResult,
} from '../src/ops/backfill-import';
import { NonRetryable } from '../workflows/shared/errors';

/** Administrator operations that run on the worker (the backfill's windows). */
export function createOpsActivities(deps: { db: Knex; log: Logger; dialpad?: DialpadClient }) {
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
      const signalOpts = {
        // The worker's own queue: the call workflows run where this activity runs.
        taskQueue: ctx.info.taskQueue,
        aiWaitSeconds: input.aiWaitSeconds,
        ...(input.aiFetchAttempts !== undefined ? { aiFetchAttempts: input.aiFetchAttempts } : {}),
      };
      const result = await importWindow(
        {
          db: deps.db,
          dialpad: deps.dialpad,
          signal: (sig) => signalCallWorkflow(ctx.client, sig, signalOpts),
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
