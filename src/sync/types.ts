import { contactSyncWorkflow, directorySyncWorkflow } from '../../workflows';
import type { ContactImportCounts } from '../../workflows/shared/types';

/**
 * The kinds of sync and their workflows. The shapes the sync workflows share with their activities
 * and the schedules (inputs, progress, results, the syncAgain signal) are workflow-safe and live in
 * workflows/shared/.
 */

export const SYNC_KINDS = ['directory', 'contacts'] as const;
export type SyncKind = (typeof SYNC_KINDS)[number];

/** The workflow each schedule starts. */
export const SYNC_WORKFLOWS = {
  directory: directorySyncWorkflow,
  contacts: contactSyncWorkflow,
} as const satisfies Record<SyncKind, unknown>;

/** Their workflow type names (the names of the exported workflow functions). */
export const SYNC_WORKFLOW_TYPES: Readonly<Record<SyncKind, string>> = {
  directory: SYNC_WORKFLOWS.directory.name,
  contacts: SYNC_WORKFLOWS.contacts.name,
};

export function emptyImportCounts(): ContactImportCounts {
  return { created: 0, linked: 0, updated: 0, conflicts: 0, unchanged: 0, restored: 0, skipped: 0 };
}
