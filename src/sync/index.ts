/**
 * Directory and contact sync with Dialpad (README.md here). What the API, the CLI and the dev
 * runner call; the sync itself runs in workflows/directorySyncWorkflow.ts and
 * workflows/contactSyncWorkflow.ts through activities/sync-activities.ts.
 */
// The sync schedules (creation, triggers, reconcile) are in src/schedules.
export * from './types';
export { syncAgainSignal } from '../../workflows/shared/signals';
export {
  emptyPushCounts,
  type ContactImportCounts,
  type ContactImportProgress,
  type ContactPushCounts,
  type ContactSyncProgress,
  type DirectorySyncResult,
  type SyncWorkflowInput,
  type UpsertCounts,
} from '../../workflows/shared/types';
