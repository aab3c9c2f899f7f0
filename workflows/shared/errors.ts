/**
 * The failure types workflow code tells apart, by name (Temporal classifies an activity failure by
 * its error's `name`, or an ApplicationFailure's `type`). Workflow-safe: no Node built-ins.
 */

/**
 * Names of the failures the call run tells apart. An activity of the run fails with one of them;
 * the run waits out the first and sets the event aside for the second, and never fails itself.
 */

/** Postgres (or the way to it) is down: waiting and trying again will work. */
export const DATABASE_UNAVAILABLE = 'DatabaseUnavailable';

/**
 * The event (or the step) cannot be applied however long we wait: Postgres refuses its content, or
 * our code fails on it. The event becomes a dead letter until a fix and `replay`.
 */
export const STEP_NOT_APPLICABLE = 'CallEventNotApplicable';

/**
 * Every permanent failure an activity can end with, by its name. Retrying cannot help, so each
 * activity proxy lists the ones its activities throw in `nonRetryableErrorTypes` (the lists below).
 * Each name is thrown where the comment says.
 */
export const NonRetryable = {
  /** Dialpad refused the request with a 4xx other than 429 (src/dialpad/errors.ts). */
  DialpadApiError: 'DialpadApiError',
  /** Dialpad answered in a shape the client cannot read (src/dialpad/errors.ts). */
  DialpadProtocolError: 'DialpadProtocolError',
  /** No Dialpad API client configured on the worker (activities/, ApplicationFailure type). */
  DialpadNotConfigured: 'DialpadNotConfigured',
  /** A leg's events have not made a conversation yet (activities/conversation.ts). */
  LegNotFolded: 'LegNotFolded',
  /** The contact import pass is not complete (activities/sync-activities.ts). */
  ImportPassIncomplete: 'ImportPassIncomplete',
  /** src/matching/errors.ts */
  CallNotFoundError: 'CallNotFoundError',
  RecordNotFoundError: 'RecordNotFoundError',
  RecordInOtherAccountError: 'RecordInOtherAccountError',
  InternalCallError: 'InternalCallError',
  /** A bad argument to a matching step, e.g. a sweep window that is not a positive integer (src/matching/retro.ts). */
  RangeError: 'RangeError',
} as const;
export type NonRetryableErrorType = (typeof NonRetryable)[keyof typeof NonRetryable];

const N = NonRetryable;

/** The Dialpad client's own permanent failures: the same request will always hit them again. */
export const DIALPAD_CLIENT_NON_RETRYABLE: readonly NonRetryableErrorType[] = [
  N.DialpadApiError,
  N.DialpadProtocolError,
];

/** Activities that call Dialpad: the client's permanent failures, and no client at all. */
export const DIALPAD_NON_RETRYABLE: readonly NonRetryableErrorType[] = [
  ...DIALPAD_CLIENT_NON_RETRYABLE,
  N.DialpadNotConfigured,
];

/** The call run's Postgres steps (record, match, derive insights) when run as plain or local activities. */
export const CALL_DATABASE_NON_RETRYABLE: readonly NonRetryableErrorType[] = [
  N.LegNotFolded,
  N.CallNotFoundError,
  N.RecordNotFoundError,
  N.RecordInOtherAccountError,
  N.InternalCallError,
];

/** The call run's Dialpad fetches (transcript, recap, contact push-back). */
export const CALL_DIALPAD_FETCH_NON_RETRYABLE: readonly NonRetryableErrorType[] = [
  ...DIALPAD_NON_RETRYABLE,
  N.LegNotFolded,
];

/** The contact sync's activities. */
export const CONTACT_SYNC_NON_RETRYABLE: readonly NonRetryableErrorType[] = [
  ...DIALPAD_NON_RETRYABLE,
  N.ImportPassIncomplete,
];

/** Retro-matching a record and the retro-match sweep. */
export const RETRO_MATCH_NON_RETRYABLE: readonly NonRetryableErrorType[] = [N.RecordNotFoundError, N.RangeError];
