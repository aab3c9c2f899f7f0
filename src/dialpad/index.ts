export * from './client';
export * from './contact-lists';
export * from './errors';
export * from './json';
export * from './pg-rate-limiter';
export * from './rate-limit';
export * from './types';
