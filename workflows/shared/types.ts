import type { CallEventSignal } from './call-event';

/**
 * The inputs and results of every workflow: what a starter passes and what a run returns (or a
 * query answers). Workflow-safe: no Node built-ins, no I/O.
 */

// ---- callWorkflow ----------------------------------------------------------------------------

export interface CallWorkflowInput {
  callId: string;
  accountId: string | null;
  officeId: string | null;
  /** How long an answered leg waits for Dialpad Ai events after it ended. */
  aiWaitSeconds: number;
  /** Attempts at fetching a transcript or recap from Dialpad (default 6, about 5 minutes). */
  aiFetchAttempts?: number;
  /** How long a leg that never reports a final state stays open. */
  maxOpenSeconds?: number;
  /**
   * How long a Postgres step retries before the run waits on a durable timer and tries again
   * (default 120 s). However long Postgres is down, the run waits: it never fails for it.
   */
  dbRetryBudgetSeconds?: number;
  /** Carried across continue-as-new. */
  carried?: { state: CallWorkflowState; seenKeys: string[]; pending?: CallEventSignal[] };
}

export interface CallWorkflowState {
  callId: string;
  accountId: string | null;
  officeId: string | null;
  legState: string | null;
  final: boolean;
  connected: boolean;
  aiStates: string[];
  callRowId: string | null;
  conversationStatus: string | null;
  eventsApplied: number;
  duplicatesIgnored: number;
  finalAtMs: number | null;
  endReason: 'ai_complete' | 'ai_window_passed' | 'not_answered' | 'max_open' | 'unrouted' | 'late_event' | null;
  /** Events this run could not apply and set aside as dead letters (listed by the doctor; `replay`). */
  deadLetters?: number;
  /** Started by an event for a leg whose earlier run had already closed on it. */
  late?: boolean;
  /** What became of the call's Ai data once the leg ended. */
  ai?: 'complete' | 'partial' | 'none' | 'office_without_ai';
  /** How the conversation was linked to a Navigator record (linked, needs_review, standalone, …). */
  match?: string;
  /** Linked to a contact: whether it was pushed to Dialpad (created, already_in_dialpad, failed, …). */
  contactPushBack?: string;
}

// ---- backfillWorkflow ------------------------------------------------------------------------

export interface BackfillInput {
  accountId: string;
  officeId: string;
  /** Calls started in [fromMs, toMs), epoch ms. */
  fromMs: number;
  toMs: number;
  /** Size of one activity's slice of the range (default 6 hours). */
  windowMinutes?: number;
  /**
   * The live Ai window (CALL_AI_WAIT_SECONDS): a call run it starts waits only what is left of it
   * since the call ended, nothing for a call that ended longer ago (remainingAiWaitSeconds).
   */
  aiWaitSeconds: number;
  aiFetchAttempts?: number;
  requestedBy: string;
  /** Carried across continue-as-new. */
  carried?: BackfillProgress;
}

export interface BackfillProgress {
  accountId: string;
  officeId: string;
  fromMs: number;
  toMs: number;
  windowsTotal: number;
  windowsDone: number;
  /** Every call started before this instant (and from fromMs) has been handled. */
  doneUntilMs: number;
  /** Legs Dialpad listed. */
  listed: number;
  /** Legs already held (delivered by webhooks, or an earlier backfill): left alone. */
  alreadyPresent: number;
  /** Legs handed to their call workflow. */
  imported: number;
  /** Legs Dialpad listed in a shape we could not read. */
  invalid: number;
  finished: boolean;
}

// ---- directorySyncWorkflow and contactSyncWorkflow --------------------------------------------

/** What a schedule passes to each run: only the account; everything else is read at run time. */
export interface SyncWorkflowInput {
  accountId: string;
}

export interface ContactSyncWorkflowInput extends SyncWorkflowInput {
  maxCreatesPerRun?: number;
  maxUpdatesPerRun?: number;
  pagesPerActivity?: number;
  /** Carried across continue-as-new. */
  carried?: { progress: ContactSyncProgress; createsDone: number; updatesDone: number; syncAgain?: boolean };
}

export interface UpsertCounts {
  created: number;
  updated: number;
  unchanged: number;
}

export interface DirectorySyncResult {
  status: 'synced' | 'skipped';
  /** Why nothing was synced: the account is gone or has no office, or Dialpad no longer has the office. */
  reason?: 'no_account' | 'no_office' | 'office_not_found';
  accountId: string;
  officeId: string | null;
  offices: UpsertCounts;
  departments: UpsertCounts;
  callCenters: UpsertCounts;
  users: UpsertCounts;
  /** Rows of this office that Dialpad no longer lists, now `active = false`. */
  deactivated: { departments: number; callCenters: number; users: number };
  /** Pages read from Dialpad in this run (a resumed run does not re-read finished pages). */
  pagesRead: number;
}

/** Per contact of an import pass: what became of it in Navigator. */
export interface ContactImportCounts {
  /** New Navigator contacts. */
  created: number;
  /** Existing Navigator contacts (same phone, email, or our own uid) now linked to their Dialpad contact. */
  linked: number;
  /** Linked contacts whose Dialpad content changed and was applied here. */
  updated: number;
  /** Linked contacts edited on both sides since the last sync, resolved by the origin side. */
  conflicts: number;
  unchanged: number;
  /** Contacts Dialpad listed again after they had disappeared. */
  restored: number;
  /** Not imported: deleted in Navigator after it was linked or pushed, or an ambiguous uid. */
  skipped: number;
}

export interface ContactImportProgress {
  /** When the pass started (ISO); null between passes. */
  passStartedAt: string | null;
  /** Lists in this pass: the shared contacts, then each office user's local contacts. */
  sourcesTotal: number;
  sourcesDone: number;
  pagesDone: number;
  counts: ContactImportCounts;
}

export interface ContactPushCounts {
  /** Navigator contacts created in Dialpad (PUT with uid). */
  created: number;
  /** Edits sent to Dialpad (PATCH). */
  updated: number;
  /** Contacts that cannot be pushed (reason stored in `contacts.dialpad_push_error`). */
  failed: number;
  /** Linked contacts Dialpad no longer has (404 on update): marked deleted. */
  goneInDialpad: number;
}

export interface ContactSyncProgress {
  accountId: string;
  officeId: string | null;
  phase: 'starting' | 'importing' | 'marking_deleted' | 'pushing' | 'done' | 'skipped';
  reason?: string;
  import: ContactImportProgress | null;
  markedDeleted: number;
  push: ContactPushCounts & { pendingCreates: number | null; pendingUpdates: number | null };
}

export function emptyPushCounts(): ContactPushCounts {
  return { created: 0, updated: 0, failed: 0, goneInDialpad: 0 };
}

// ---- retroMatchRecordWorkflow, retroMatchSweepWorkflow, contactPushBackWorkflow ----------------

/** The kinds of Navigator record a call can be linked to, in the product's matching order. */
export const ENTITY_TYPES = ['customer', 'contact', 'supplier'] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

export interface RetroMatchRecordInput {
  accountId: string;
  entityType: EntityType;
  entityId: string;
}

export interface RetroMatchSweepInput {
  /** Numbers normalised within this many minutes are looked at (longer than the interval). */
  sinceMinutes: number;
}

export interface ContactPushBackInput {
  contactId: string;
}

// ---- callRunSweepWorkflow ----------------------------------------------------------------------

export interface CallRunSweepInput {
  sinceMinutes: number;
}
