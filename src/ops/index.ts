export * from './audit';
export * from './backfill';
export * from './dialpad';
export * from './doctor';
export * from './errors';
export * from './office';
export * from './registration';
export * from './replay';
