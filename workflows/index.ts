export * from './callWorkflow';
export * from './backfillWorkflow';
export * from './directorySyncWorkflow';
export * from './contactSyncWorkflow';
export * from './matchingWorkflows';
export * from './callRunSweepWorkflow';
