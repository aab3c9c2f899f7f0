/**
 * Everything workflow code may import besides @temporalio/workflow (and types from activities/):
 * the contracts between the workflows and the code that starts, signals and queries them. Nothing
 * here does I/O or uses Node built-ins; `npm run lint` keeps workflows/** to these imports.
 */
export * from './activity-options';
export * from './call-event';
export * from './errors';
export * from './ids';
export * from './queries';
export * from './search-attributes';
export * from './signals';
export * from './task-queues';
export * from './types';
