import { ActivityFailure, ApplicationFailure, log, sleep } from '@temporalio/workflow';
import { DATABASE_UNAVAILABLE } from './shared/errors';

/** untilDone with the run's first wait bound in. */
export type Durably = <T>(
  what: string,
  run: () => Promise<T>,
  notApplicable: (reason: string) => Promise<T> | T,
) => Promise<T>;

/** Waits between tries while Postgres is down: the budget (at most 15 s), doubling, at most 5 minutes. */
const OUTAGE_FIRST_WAIT_MS = 15_000;
const OUTAGE_MAX_WAIT_MS = 5 * 60_000;

/**
 * Runs a Postgres step until it succeeds or is known not to apply. Postgres being down (or the
 * budget running out) is waited out on durable timers, however long; a step that cannot apply
 * calls `notApplicable`.
 */
export async function untilDone<T>(
  what: string,
  run: () => Promise<T>,
  notApplicable: (reason: string) => Promise<T> | T,
  firstWaitMs = OUTAGE_FIRST_WAIT_MS,
): Promise<T> {
  for (let waits = 0; ; waits++) {
    try {
      return await run();
    } catch (err) {
      const cause = err instanceof ActivityFailure ? err.cause : err;
      if (cause instanceof ApplicationFailure && cause.type !== DATABASE_UNAVAILABLE) {
        return notApplicable(failureMessage(err));
      }
      const waitMs = Math.min(
        OUTAGE_MAX_WAIT_MS,
        Math.min(firstWaitMs, OUTAGE_FIRST_WAIT_MS) * 2 ** Math.min(waits, 10),
      );
      log.warn('Postgres step failed; waiting before trying again', {
        step: what,
        waitSeconds: waitMs / 1000,
        error: failureMessage(err),
      });
      await sleep(waitMs);
    }
  }
}

/** The message of a failed activity (its cause's), short enough for a log line or a row. */
export function failureMessage(err: unknown): string {
  const cause = err instanceof Error && 'cause' in err && err.cause instanceof Error ? err.cause : err;
  return cause instanceof Error ? cause.message.slice(0, 300) : String(cause);
}
