/**
 * Every Temporal Schedule this integration owns, in one module: ids (workflows/shared/ids.ts),
 * the kinds' vocabulary (./kinds), the per-account sync schedules' creation, removal and runs on
 * demand (./sync), the operator's view and pause/unpause/trigger (./operator), and the
 * all-accounts sweeps every worker ensures (./sweeps).
 */
export * from './kinds';
export * from './operator';
export * from './sweeps';
export * from './sync';
