/**
 * Names of the failures the call run tells apart (workflow-safe: no Node built-ins). An activity of
 * the run fails with one of them; the run waits out the first and sets the event aside for the
 * second, and never fails itself.
 */

/** Postgres (or the way to it) is down: waiting and trying again will work. */
export const DATABASE_UNAVAILABLE = 'DatabaseUnavailable';

/**
 * The event (or the step) cannot be applied however long we wait: Postgres refuses its content, or
 * our code fails on it. The event becomes a dead letter until a fix and `replay`.
 */
export const STEP_NOT_APPLICABLE = 'CallEventNotApplicable';
