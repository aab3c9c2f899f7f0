import { defineQuery } from '@temporalio/workflow';
import type { BackfillProgress, CallWorkflowState, ContactSyncProgress, DirectorySyncResult } from './types';

/** A call run's state (callWorkflow). */
export const callStateQuery = defineQuery<CallWorkflowState>('callState');

/** A backfill's progress (backfillWorkflow); the CLI's `backfill status` asks it. */
export const backfillProgressQuery = defineQuery<BackfillProgress>('backfillProgress');

/** The result of a directory sync once it finished, null before (directorySyncWorkflow). */
export const directorySyncResultQuery = defineQuery<DirectorySyncResult | null>('directorySyncResult');

/** A contact sync's progress (contactSyncWorkflow). */
export const contactSyncProgressQuery = defineQuery<ContactSyncProgress>('contactSyncProgress');
