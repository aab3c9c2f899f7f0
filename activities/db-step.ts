import { ApplicationFailure, Context } from '@temporalio/activity';
import { dbErrorSummary, isTransientDbError } from '../src/db/errors';
import { DATABASE_UNAVAILABLE, STEP_NOT_APPLICABLE } from '../workflows/shared/errors';

/** Attempts at a step whose error is not an outage before it is called not applicable. */
const POISON_AFTER_ATTEMPTS = 3;

/**
 * Runs a Postgres step of the call run and names its failure for the workflow: an outage is
 * `DatabaseUnavailable` (retried, then waited out on a durable timer), anything else is retried a
 * few times (a conflict between two workers may pass) and then `CallEventNotApplicable`, which the
 * run sets aside as a dead letter. Messages carry SQLSTATE and constraint, never the row's values.
 */
export async function dbStep<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof ApplicationFailure) throw err;
    if (isTransientDbError(err)) {
      throw ApplicationFailure.create({ type: DATABASE_UNAVAILABLE, message: dbErrorSummary(err) });
    }
    const attempt = Context.current().info.attempt;
    throw ApplicationFailure.create({
      type: STEP_NOT_APPLICABLE,
      message: dbErrorSummary(err),
      nonRetryable: attempt >= POISON_AFTER_ATTEMPTS,
    });
  }
}
