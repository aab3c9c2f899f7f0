import { Context } from '@temporalio/activity';

/** How often a long activity heartbeats; well inside every heartbeat timeout set on it. */
const HEARTBEAT_EVERY_MS = 5_000;

/**
 * Heartbeats `details()` now and every few seconds until `work` ends, so a worker that dies in the
 * middle is noticed at the heartbeat timeout (seconds) rather than the start-to-close timeout
 * (minutes), and a wait on a rate limiter or a 429 backoff does not look like a dead worker.
 * `work` gets the activity's cancellation signal.
 */
export async function withHeartbeat<T>(details: () => unknown, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ctx = Context.current();
  ctx.heartbeat(details());
  const timer = setInterval(() => ctx.heartbeat(details()), HEARTBEAT_EVERY_MS);
  try {
    return await work(ctx.cancellationSignal);
  } finally {
    clearInterval(timer);
  }
}
