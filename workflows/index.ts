export * from './callWorkflow';
