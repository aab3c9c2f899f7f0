import { defineSignal } from '@temporalio/workflow';

/**
 * Shapes shared by the sync workflows, their activities and the schedules. Imported by workflow
 * code, so this file stays free of Node built-ins and I/O.
 */

export const SYNC_KINDS = ['directory', 'contacts'] as const;
export type SyncKind = (typeof SYNC_KINDS)[number];

/** The workflow each schedule starts (names of the exported workflow functions). */
export const SYNC_WORKFLOW_TYPES: Readonly<Record<SyncKind, string>> = {
  directory: 'directorySyncWorkflow',
  contacts: 'contactSyncWorkflow',
};

/**
 * The signal both sync workflows take while they run: "sync again when you are done" (a trigger on
 * demand during a run). The run then continues as new with a fresh pass under the same workflow
 * id, so the schedule still counts one action running and never starts another beside it.
 */
export const syncAgainSignal = defineSignal('syncAgain');

/** What a schedule passes to each run: only the account; everything else is read at run time. */
export interface SyncWorkflowInput {
  accountId: string;
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

export function emptyImportCounts(): ContactImportCounts {
  return { created: 0, linked: 0, updated: 0, conflicts: 0, unchanged: 0, restored: 0, skipped: 0 };
}

export function emptyPushCounts(): ContactPushCounts {
  return { created: 0, updated: 0, failed: 0, goneInDialpad: 0 };
}
